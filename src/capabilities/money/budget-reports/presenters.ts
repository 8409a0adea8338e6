// From report figures to what the pages and downloads show: tables whose every figure links to
// the entries behind it, server-drawn SVG charts of the same figures (the table is the source of
// truth), and rows for CSV and XLSX. Pure.
import { formatPence } from '../../../platform/money.js';
import { formatShare } from '../budgets/index.js';
import { financialYearLabel } from '../../../platform/financial-year.js';
import { paths } from '../../../paths.js';
import { escapeXml, horizontalBarChartSvg, shortenLabel } from '../../../platform/views/bar-chart.js';
import {
  FORECAST_DEFINITION,
  MEASURE_LABELS,
  SHOWN_TEXT,
  groupBy,
  protectGroups,
  shareComparison,
  type Dimension,
  type Figures,
  type FineRow,
  type Measure,
  type Shown,
  type SpendGroupLike,
} from './rules.js';
import type { ReferenceData } from './service.js';

export const BOARD_MEASURES: Measure[] = ['budget', 'commitment', 'actual', 'unmatched', 'forecast', 'variance'];

export interface Cell {
  measure: Measure;
  pence: number;
  text: string;
  href: string;
}
export interface Line {
  label: string;
  cells: Cell[];
}
export interface BoardSection {
  key: Dimension;
  heading: string;
  groupHeading: string;
  lines: Line[];
  total: Line;
  chart: string;
}

const DIMENSION_PARAM: Record<Dimension, 'partner' | 'agreement' | 'category'> = { partner: 'partner', agreement: 'agreement', category: 'category' };

export function entriesHref(
  year: number,
  measure: Measure,
  filter: Partial<Record<'agreement' | 'partner' | 'category' | 'package' | 'service', string>> = {},
): string {
  const q = new URLSearchParams({ year: String(year), measure });
  for (const [k, v] of Object.entries(filter)) if (v) q.set(k, v);
  return `${paths.budgetReports.entries}?${q}`;
}

const cellsOf = (f: Figures, year: number, filter: Partial<Record<'agreement' | 'partner' | 'category', string>>): Cell[] =>
  BOARD_MEASURES.map((m) => ({ measure: m, pence: f[m], text: formatPence(f[m]), href: entriesHref(year, m, filter) }));

const NOT_GIVEN: Record<Dimension, string> = {
  partner: 'Not yet split between partners (invoices not matched)',
  agreement: 'No pool',
  category: 'No service yet (invoices not matched)',
};

export function boardSections(rows: readonly FineRow[], ref: ReferenceData, year: number): BoardSection[] {
  const names: Record<Dimension, { id: string; name: string }[]> = { partner: ref.partners, agreement: ref.agreements, category: ref.categories };
  const headings: Record<Dimension, [string, string]> = {
    partner: ['By partner', 'Partner'],
    agreement: ['By pool (agreement)', 'Pool'],
    category: ['By service category', 'Service category'],
  };
  return (['partner', 'agreement', 'category'] as Dimension[]).map((dim) => {
    const list = names[dim];
    const { lines, total } = groupBy(
      rows,
      dim,
      list.map((x) => x.id),
    );
    const out: Line[] = lines.map((l) => ({
      label: l.key === null ? NOT_GIVEN[dim] : (list.find((x) => x.id === l.key)?.name ?? l.key),
      cells: cellsOf(l.figures, year, { [DIMENSION_PARAM[dim]]: l.key ?? 'none' }),
    }));
    const section: BoardSection = {
      key: dim,
      heading: headings[dim][0],
      groupHeading: headings[dim][1],
      lines: out,
      total: { label: 'Total', cells: cellsOf(total, year, {}) },
      chart: '',
    };
    section.chart = groupedBarChartSvg({
      id: `chart-${dim}`,
      title: `${headings[dim][0]}: budget, commitment, actual spend and forecast outturn, ${financialYearLabel(year)}`,
      groups: out.map((l) => ({ label: l.label, values: CHART_MEASURES.map((m) => l.cells.find((c) => c.measure === m)!.pence) })),
    });
    return section;
  });
}

export interface ShareSection {
  agreementId: string;
  agreementName: string;
  totalText: string;
  lines: { partner: string; actualText: string; actualHref: string; spent: string; agreed: string; difference: string; owed: string }[];
  chart: string;
}

/** Each partner's share of a pool's actual spend, against its agreed share for the year. */
export function shareSections(
  rows: readonly FineRow[],
  agreed: ReadonlyMap<string, ReadonlyMap<string, number>>,
  ref: ReferenceData,
  year: number,
): ShareSection[] {
  const out: ShareSection[] = [];
  for (const a of ref.agreements) {
    const actual = new Map<string, number>();
    for (const r of rows) if (r.agreementId === a.id && r.partnerId) actual.set(r.partnerId, (actual.get(r.partnerId) ?? 0) + r.actual);
    const shares = agreed.get(a.id) ?? new Map<string, number>();
    if (actual.size === 0 && shares.size === 0) continue;
    const cmp = shareComparison(actual, shares);
    const name = (id: string) => ref.partners.find((p) => p.id === id)?.name ?? id;
    const lines = cmp.lines.map((l) => ({
      partner: name(l.partnerId),
      actualText: formatPence(l.actual),
      actualHref: entriesHref(year, 'actual', { agreement: a.id, partner: l.partnerId }),
      spent: l.spentBp === null ? 'nothing spent yet' : formatShare(l.spentBp),
      agreed: l.agreedBp === null ? 'no agreed share' : formatShare(l.agreedBp),
      difference:
        l.differenceBp === null
          ? '–'
          : `${l.differenceBp > 0 ? '+' : ''}${(l.differenceBp / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} points`,
      owed:
        l.owedPence === null
          ? '–'
          : l.owedPence === 0
            ? 'in line'
            : l.owedPence > 0
              ? `paid ${formatPence(l.owedPence)} less than its agreed share`
              : `paid ${formatPence(-l.owedPence)} more than its agreed share`,
    }));
    out.push({
      agreementId: a.id,
      agreementName: a.name,
      totalText: formatPence(cmp.total),
      lines,
      chart: shareChartSvg({
        id: `share-${a.code.toLowerCase()}`,
        title: `${a.name}: each partner's share of actual spend against its agreed share`,
        rows: cmp.lines.map((l) => ({ label: name(l.partnerId), spentBp: l.spentBp ?? 0, agreedBp: l.agreedBp ?? 0 })),
      }),
    });
  }
  return out;
}

// Protected breakdowns ----------------------------------------------------------------------------

export interface ProtectedLine {
  label: string;
  /** Links to the entries behind the figures, for groups shown and only where the breakdown allows it. */
  actualHref?: string | null;
  commitmentHref?: string | null;
  children: string;
  actual: string;
  commitment: string;
  perChild: string;
  shown: Shown;
}

export function protectedLines(groups: readonly SpendGroupLike[]): ProtectedLine[] {
  return protectGroups(groups).map((g) => {
    if (g.shown !== 'shown') {
      const t = SHOWN_TEXT[g.shown].page;
      return { label: g.label, children: g.shown === 'fewer-than-5' ? 'fewer than 5' : 'not shown', actual: t, commitment: t, perChild: t, shown: g.shown };
    }
    return {
      label: g.label,
      children: g.children.toLocaleString('en-GB'),
      actual: formatPence(g.actual),
      commitment: formatPence(g.commitment),
      perChild: g.children ? formatPence(Math.round(g.actual / g.children)) : '–',
      shown: g.shown,
    };
  });
}

// Charts ----------------------------------------------------------------------------------------

const CHART_MEASURES: Measure[] = ['budget', 'commitment', 'actual', 'forecast'];
const CHART_COLOURS = ['#1d70b8', '#f47738', '#00703c', '#4c2c92'];
const shorten = (s: string, max = 34) => shortenLabel(s, max);

/**
 * Grouped horizontal bars (budget, commitment, actual, forecast) for each group, as an SVG
 * string with every text escaped. Negative amounts draw no bar; the figure is written beside it.
 */
export function groupedBarChartSvg(opts: { id: string; title: string; groups: { label: string; values: number[] }[] }): string {
  const labelWidth = 290;
  const barX = labelWidth + 10;
  const barMax = 260;
  const bar = 14;
  const groupHeight = CHART_MEASURES.length * bar + 14;
  const legend = 30;
  const width = 760;
  const height = legend + opts.groups.length * groupHeight + 8;
  const max = Math.max(1, ...opts.groups.flatMap((g) => g.values));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="jointly-chart" role="img" width="100%" viewBox="0 0 ${width} ${height}" preserveAspectRatio="xMinYMin meet" aria-labelledby="${opts.id}-title ${opts.id}-desc" font-family="arial, sans-serif" font-size="14">`,
    `<title id="${opts.id}-title">${escapeXml(opts.title)}</title>`,
    `<desc id="${opts.id}-desc">Bar chart of the table that follows it: for each group, bars for ${CHART_MEASURES.map((m) => MEASURE_LABELS[m].toLowerCase()).join(', ')}.</desc>`,
  ];
  CHART_MEASURES.forEach((m, i) => {
    const x = 10 + i * 180;
    parts.push(
      `<rect x="${x}" y="6" width="14" height="14" fill="${CHART_COLOURS[i]}"/><text x="${x + 20}" y="18" fill="#0b0c0c">${escapeXml(MEASURE_LABELS[m])}</text>`,
    );
  });
  opts.groups.forEach((g, gi) => {
    const y0 = legend + gi * groupHeight;
    parts.push(
      `<text x="${labelWidth}" y="${y0 + (CHART_MEASURES.length * bar) / 2 + 4}" text-anchor="end" fill="#0b0c0c">${escapeXml(shorten(g.label))}</text>`,
    );
    g.values.forEach((v, i) => {
      const y = y0 + i * bar;
      const len = v <= 0 ? 0 : Math.max(1, Math.round((barMax * v) / max));
      if (len) parts.push(`<rect x="${barX}" y="${y + 1}" width="${len}" height="${bar - 2}" fill="${CHART_COLOURS[i]}"/>`);
      parts.push(`<text x="${barX + len + 6}" y="${y + bar - 3}" font-size="12" fill="#0b0c0c">${escapeXml(formatPence(v))}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Paired bars: share of spend and agreed share, per partner, on a 0 to 100% scale. */
export function shareChartSvg(opts: { id: string; title: string; rows: { label: string; spentBp: number; agreedBp: number }[] }): string {
  const labelWidth = 200;
  const barX = labelWidth + 10;
  const barMax = 400;
  const bar = 16;
  const rowHeight = bar * 2 + 12;
  const legend = 30;
  const width = 720;
  const height = legend + opts.rows.length * rowHeight + 8;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="jointly-chart" role="img" width="100%" viewBox="0 0 ${width} ${height}" preserveAspectRatio="xMinYMin meet" aria-labelledby="${opts.id}-title ${opts.id}-desc" font-family="arial, sans-serif" font-size="14">`,
    `<title id="${opts.id}-title">${escapeXml(opts.title)}</title>`,
    `<desc id="${opts.id}-desc">Bar chart of the table that follows it: for each partner, its share of actual spend and its agreed share, out of 100%.</desc>`,
    `<rect x="10" y="6" width="14" height="14" fill="#1d70b8"/><text x="30" y="18" fill="#0b0c0c">Share of spend</text>`,
    `<rect x="190" y="6" width="14" height="14" fill="#b1b4b6"/><text x="210" y="18" fill="#0b0c0c">Agreed share</text>`,
  ];
  opts.rows.forEach((r, i) => {
    const y0 = legend + i * rowHeight;
    parts.push(`<text x="${labelWidth}" y="${y0 + bar + 4}" text-anchor="end" fill="#0b0c0c">${escapeXml(shorten(r.label, 24))}</text>`);
    [
      [r.spentBp, '#1d70b8'],
      [r.agreedBp, '#b1b4b6'],
    ].forEach(([bp, colour], j) => {
      const y = y0 + j * bar;
      const len = Math.round((barMax * Number(bp)) / 10_000);
      if (len) parts.push(`<rect x="${barX}" y="${y + 1}" width="${len}" height="${bar - 2}" fill="${colour}"/>`);
      parts.push(`<text x="${barX + len + 6}" y="${y + bar - 3}" font-size="12" fill="#0b0c0c">${escapeXml(formatShare(Number(bp)))}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Actual spend per group of a protected breakdown: groups not shown (too few children) draw no bar. */
export function spendChartSvg(opts: { id: string; title: string; lines: readonly { label: string; pence: number | null }[] }): string {
  return horizontalBarChartSvg({
    id: opts.id,
    title: opts.title,
    description: 'Bar chart of the actual spend in the table that follows it. Groups of fewer than 5 children are not drawn.',
    rows: opts.lines.map((l) => ({ label: l.label, value: l.pence, text: l.pence === null ? 'not shown' : formatPence(l.pence) })),
    labelWidth: 330,
    barMax: 250,
    width: 740,
    labelMax: 40,
  });
}

/** What a ledger transaction is, in words. */
export const KIND_LABELS: Record<string, string> = {
  contribution: 'Contribution',
  commitment: 'Commitment',
  invoice: 'Invoice',
  'invoice-match': 'Invoice matched to a package',
  payment: 'Payment',
  'direct-payment': 'Direct payment',
  transfer: 'Transfer',
  'year-end-adjustment': 'Year-end adjustment',
  reversal: 'Reversal',
};
export const kindLabel = (kind: string) => KIND_LABELS[kind] ?? kind;

export { FORECAST_DEFINITION, MEASURE_LABELS };
