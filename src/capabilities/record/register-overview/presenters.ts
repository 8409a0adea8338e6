// Turning protected counts into what people see: a table and a server-drawn SVG bar chart for
// each breakdown (no JavaScript), and the same tables as CSV.
import { suppress } from '../sharing/index.js';
import type { RegisterCounts } from './service.js';
import { BREAKDOWNS, CELL_TEXT, csvLine, groupsFor, protectBreakdown, type BreakdownKey, type ProtectedCell } from './rules.js';

export interface BreakdownView {
  key: BreakdownKey;
  heading: string;
  groupHeading: string;
  withheld: boolean;
  rows: { label: string; text: string; percent: string; protectedCell: boolean }[];
  /** Whether any count in this breakdown is "fewer than 5" or "hidden" (the page explains both). */
  anyProtected: boolean;
  chart: string;
}

export interface OverviewView {
  total: number;
  /** "2,014", "fewer than 5" or "0". */
  totalText: string;
  /** "2,014 children and young people on the register", for the page's summary heading. */
  headline: string;
  /** No breakdown is shown when fewer than 5 children (or none) match. */
  showBreakdowns: boolean;
  breakdowns: BreakdownView[];
}

const number = (n: number) => n.toLocaleString('en-GB');
const cellText = (c: ProtectedCell) => (c.shown === 'count' ? number(c.count!) : CELL_TEXT[c.shown].page);

export function protectedBreakdowns(counts: RegisterCounts, localities: readonly { id: string; name: string }[]) {
  return BREAKDOWNS.map((b) => {
    const found = counts.counts[b.key];
    const cells = groupsFor(b.key, localities, found).map((g) => ({ ...g, count: found.get(g.key) ?? 0 }));
    return { ...b, ...protectBreakdown(cells) };
  });
}

export function presentOverview(counts: RegisterCounts, localities: readonly { id: string; name: string }[]): OverviewView {
  const total = counts.total;
  const showBreakdowns = suppress(total) !== null && total > 0;
  const breakdowns = showBreakdowns
    ? protectedBreakdowns(counts, localities).map((b): BreakdownView => ({
        key: b.key,
        heading: b.heading,
        groupHeading: b.groupHeading,
        withheld: b.withheld,
        anyProtected: b.cells.some((c) => c.shown !== 'count'),
        rows: b.cells.map((c) => ({
          label: c.label,
          text: cellText(c),
          percent: c.shown === 'count' ? `${((100 * c.count!) / total).toFixed(1)}%` : '',
          protectedCell: c.shown !== 'count',
        })),
        chart: b.withheld ? '' : barChartSvg({ id: `chart-${b.key}`, title: b.heading, cells: b.cells }),
      }))
    : [];
  const totalText = suppress(total) === null ? CELL_TEXT['fewer-than-5'].page : number(total);
  // A total of 1 is always "fewer than 5", so the words are always plural.
  const who = 'children and young people';
  const headline =
    total === 0 ? 'No children or young people on the register' : `${totalText.charAt(0).toUpperCase()}${totalText.slice(1)} ${who} on the register`;
  return { total, totalText, headline, showBreakdowns, breakdowns };
}

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
const shorten = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`);
/** A label that fits beside the bars: a long one loses its code ("(SLCN)"), then is cut short. The table has it in full. */
const chartLabel = (s: string, max = 42) => shorten(s.length > max ? s.replace(/ \([A-Z]{2,5}\)$/, '') : s, max);

/**
 * A horizontal bar chart as an SVG string. Every piece of text in it is escaped here, so the
 * template may output it as it is. Counts that are not shown are drawn as a short hatched grey
 * box labelled "fewer than 5" or "hidden", never as a bar of any length.
 */
export function barChartSvg(opts: { id: string; title: string; cells: readonly ProtectedCell[] }): string {
  const labelWidth = 370;
  const barX = labelWidth + 10;
  const barMax = 230;
  const rowHeight = 30;
  const width = 720;
  const top = 8;
  const height = top * 2 + opts.cells.length * rowHeight;
  const max = Math.max(1, ...opts.cells.map((c) => (c.shown === 'count' ? c.count! : 0)));
  const biggest = [...opts.cells].filter((c) => c.shown === 'count' && c.count! > 0).sort((a, b) => b.count! - a.count!)[0];
  const desc = `Bar chart of the table that follows it.${biggest ? ` The largest group is ${biggest.label}, with ${number(biggest.count!)}.` : ''}`;
  const hatch = `${opts.id}-hatch`;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="jointly-chart" role="img" width="100%" viewBox="0 0 ${width} ${height}" preserveAspectRatio="xMinYMin meet" aria-labelledby="${opts.id}-title ${opts.id}-desc" font-family="arial, sans-serif" font-size="16">`,
    `<title id="${opts.id}-title">${escapeXml(opts.title)}</title>`,
    `<desc id="${opts.id}-desc">${escapeXml(desc)}</desc>`,
    `<defs><pattern id="${hatch}" patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="rotate(45)"><rect width="8" height="8" fill="#f3f2f1"/><line x1="0" y1="0" x2="0" y2="8" stroke="#505a5f" stroke-width="3"/></pattern></defs>`,
  ];
  opts.cells.forEach((c, i) => {
    const y = top + i * rowHeight;
    const mid = y + rowHeight / 2;
    parts.push(`<text x="${labelWidth}" y="${mid}" text-anchor="end" dominant-baseline="middle" fill="#0b0c0c">${escapeXml(chartLabel(c.label))}</text>`);
    if (c.shown === 'count') {
      const len = c.count! === 0 ? 0 : Math.max(2, Math.round((barMax * c.count!) / max));
      if (len > 0) parts.push(`<rect x="${barX}" y="${y + 5}" width="${len}" height="${rowHeight - 10}" fill="#1d70b8"/>`);
      parts.push(`<text x="${barX + len + 8}" y="${mid}" dominant-baseline="middle" fill="#0b0c0c">${number(c.count!)}</text>`);
    } else {
      parts.push(`<rect x="${barX}" y="${y + 5}" width="36" height="${rowHeight - 10}" fill="url(#${hatch})" stroke="#505a5f" stroke-width="1"/>`);
      parts.push(`<text x="${barX + 44}" y="${mid}" dominant-baseline="middle" fill="#0b0c0c">${CELL_TEXT[c.shown].page}</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * The overview's tables as CSV, one row per group, with the filters on every row. Counts of 1
 * to 4 are written "<5" and counts hidden to protect them "hidden"; text is made inert for
 * spreadsheets.
 */
export function overviewCsv(
  counts: RegisterCounts,
  localities: readonly { id: string; name: string }[],
  filters: { locality: string; ageBand: string },
): string {
  const total = counts.total;
  const header = ['Locality filter', 'Age band filter', 'Breakdown', 'Group', 'Children'];
  const totalText = suppress(total) === null ? CELL_TEXT['fewer-than-5'].csv : total;
  const lines = [csvLine(header), csvLine([filters.locality, filters.ageBand, 'All children', 'On the register (active)', totalText])];
  if (suppress(total) !== null && total > 0) {
    for (const b of protectedBreakdowns(counts, localities)) {
      for (const c of b.cells) {
        lines.push(csvLine([filters.locality, filters.ageBand, b.title, c.label, c.shown === 'count' ? c.count! : CELL_TEXT[c.shown].csv]));
      }
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
