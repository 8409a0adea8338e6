// Turning the protected report into what people get: the page's charts and tables, the CSV and
// XLSX tables, and the published PDF. Everything here starts from a NeedsReport (rules.ts
// protectReport), so no figure can reach a reader without going through the protection first.
import { taggedPdf, type PdfBlock } from '../../../platform/pdf.js';
import { horizontalBarChartSvg } from '../../../platform/views/bar-chart.js';
import type { Table } from '../../../platform/export.js';
import { longDate } from '../../../platform/dates.js';
import { periodLabel } from '../../../platform/dfe-csv.js';
import { figureCell, figureText, type NeedsReport } from './rules.js';
import type { Comparison } from './service.js';

const pc = (n: number | null) => (n === null ? '' : `${n.toFixed(1)}%`);
const rate = (n: number | null) => (n === null ? '' : n.toFixed(1));
const whole = (n: number | null) => (n === null ? 'not published' : n.toLocaleString('en-GB'));

export interface PageBreakdown {
  key: string;
  heading: string;
  groupHeading: string;
  withheld: boolean;
  hasRates: boolean;
  chart: string;
  rows: { label: string; text: string; percent: string; rate: string; protectedCell: boolean }[];
}

export function pageBreakdowns(report: NeedsReport): PageBreakdown[] {
  return report.breakdowns.map((b) => ({
    key: b.key,
    heading: b.heading,
    groupHeading: b.groupHeading,
    withheld: b.withheld,
    hasRates: b.hasRates,
    chart: b.withheld
      ? ''
      : horizontalBarChartSvg({
          id: `chart-${b.key}`,
          title: b.heading,
          description: 'Bar chart of the table that follows it. Counts not shown have no bar.',
          labelWidth: 330,
          labelMax: 40,
          rows: b.rows.map((r) => ({ label: r.label, value: r.children.count, text: figureText(r.children) })),
        }),
    rows: b.rows.map((r) => ({
      label: r.label,
      text: figureText(r.children),
      percent: pc(r.percent),
      rate: rate(r.rate),
      protectedCell: r.children.shown !== 'count',
    })),
  }));
}

export function monthsChart(report: NeedsReport): string {
  return horizontalBarChartSvg({
    id: 'chart-months',
    title: 'Children and young people on the register at the end of each month',
    description: 'Bar chart of the table that follows it, one bar a month, oldest first.',
    labelWidth: 180,
    rows: report.months.map((m) => ({ label: longDate(m.monthEnd), value: m.onRegister.count, text: figureText(m.onRegister) })),
  });
}

/** The report's tables, for CSV and XLSX: the same figures the page shows ("fewer than 5", "hidden"). */
export function reportTables(report: NeedsReport, comparison: Comparison): Table[] {
  const tables: Table[] = [
    {
      sheet: 'Summary',
      columns: ['Measure', 'Value'],
      rows: [
        ['Children and young people on the register', figureCell(report.total)],
        ['Per 1,000 of the 0 to 25 population', report.totalRate],
        ['Small numbers', report.detail ? 'Shown in full (not for sharing beyond the commissioners)' : 'Counts of 1 to 4 shown as "fewer than 5"'],
      ],
    },
  ];
  for (const b of report.breakdowns) {
    tables.push({
      sheet: b.heading.replace(/^Children and young people by /, 'By ').slice(0, 31),
      columns: [b.groupHeading, 'Children', 'Share (%)', ...(b.hasRates ? ['Per 1,000 population'] : [])],
      rows: b.withheld
        ? [['Not shown: the groups are so small that their counts could identify children', null, null]]
        : b.rows.map((r) => [r.label, figureCell(r.children), r.percent, ...(b.hasRates ? [r.rate] : [])]),
    });
  }
  tables.push({
    sheet: 'Month by month',
    columns: ['Month end', 'On the register', ...(report.detail ? ['Joined in the month', 'Left in the month'] : [])],
    rows: report.months.map((m) => [m.monthEnd, figureCell(m.onRegister), ...(m.joined && m.left ? [figureCell(m.joined), figureCell(m.left)] : [])]),
  });
  if (comparison.loaded) {
    tables.push(
      {
        sheet: 'EHC plans over time (DfE)',
        columns: ['Year (January)', 'England', 'Statistical neighbours together', 'Neighbours not published'],
        rows: comparison.series.map((s) => [
          periodLabel(s.timePeriod),
          s.england ?? 'not published',
          s.neighbours ?? 'not published',
          s.neighboursNotPublished,
        ]),
      },
      {
        sheet: 'Primary need mix (EHC plans)',
        columns: ['Primary need', 'This area (%)', 'England (%)', 'Statistical neighbours (%)'],
        rows: comparison.needMix.map((r) => [r.label, r.area, r.england, r.neighbours]),
      },
      {
        sheet: 'Caseload by age (EHC plans)',
        columns: ['Age band (years)', 'This area (%)', 'England (%)', 'Statistical neighbours (%)'],
        rows: comparison.ageMix.map((r) => [r.label, r.area, r.england, r.neighbours]),
      },
    );
  }
  return tables;
}

export const comparisonView = (c: Comparison) => ({
  ...c,
  latestLabel: c.latestPeriod === null ? null : periodLabel(c.latestPeriod),
  series: c.series.map((s) => ({ ...s, label: periodLabel(s.timePeriod), englandText: whole(s.england), neighboursText: whole(s.neighbours) })),
  neighbours: c.neighbours.map((n) => ({
    ...n,
    plansText: n.plans === null ? (n.marker ? `not published (${n.marker})` : 'not in the DfE files') : whole(n.plans),
  })),
  needMix: c.needMix.map((r) => ({
    ...r,
    areaText: pc(r.area) || 'not shown',
    englandText: pc(r.england) || 'not published',
    neighboursText: pc(r.neighbours) || 'not published',
  })),
  ageMix: c.ageMix.map((r) => ({
    ...r,
    areaText: pc(r.area) || 'not shown',
    englandText: pc(r.england) || 'not published',
    neighboursText: pc(r.neighbours) || 'not published',
  })),
  needChart: horizontalBarChartSvg({
    id: 'chart-need-mix',
    title: 'Share of EHC plans by primary need: this area and England',
    description: 'Bar chart of the table that follows it: for each primary need, this area then England.',
    labelWidth: 220,
    rows: c.needMix.flatMap((r) => [
      { label: `${r.label}: this area`, value: r.area, text: pc(r.area) || 'not shown' },
      { label: `${r.label}: England`, value: r.england, text: pc(r.england) || 'not published' },
    ]),
  }),
});

// ---------------------------------------------------------------------------------------------
// The published PDF: tagged (headings, paragraphs and table cells in the structure tree), its
// language and title set. Always made from the protected report: it is shared beyond the commissioners.

type Block = PdfBlock;

export function pdfBlocks(report: NeedsReport, comparison: Comparison, opts: { areaName: string; today: string; illustrative: boolean }): Block[] {
  const b: Block[] = [
    { kind: 'h1', text: `Needs assessment: children and young people with SEND in ${opts.areaName}` },
    {
      kind: 'p',
      text: `Published on ${longDate(opts.today)} from the joint register. A count from 1 to 4 is shown as "fewer than 5", and where a total would give such a count away another count is "hidden", so no child can be picked out.`,
    },
    {
      kind: 'p',
      text: `Children and young people on the register: ${figureText(report.total)}${report.totalRate === null ? '' : ` (${rate(report.totalRate)} per 1,000 of the 0 to 25 population)`}.`,
    },
  ];
  for (const t of report.breakdowns) {
    b.push({ kind: 'h2', text: t.heading });
    if (t.withheld) b.push({ kind: 'p', text: 'Not shown: the groups are so small that their counts could identify children.' });
    else {
      b.push({
        kind: 'table',
        caption: t.heading,
        head: [t.groupHeading, 'Children', 'Share', ...(t.hasRates ? ['Per 1,000'] : [])],
        rows: t.rows.map((r) => [r.label, figureText(r.children), pc(r.percent), ...(t.hasRates ? [rate(r.rate)] : [])]),
      });
    }
  }
  b.push(
    { kind: 'h2', text: 'Month by month' },
    {
      kind: 'table',
      caption: 'Children and young people on the register at the end of each month',
      head: ['Month end', 'On the register'],
      rows: report.months.map((m) => [longDate(m.monthEnd), figureText(m.onRegister)]),
    },
  );
  if (comparison.loaded) {
    b.push(
      { kind: 'h2', text: 'Compared with England and statistical neighbours' },
      ...(opts.illustrative
        ? [{ kind: 'p' as const, text: 'This area is fictional: its statistical neighbours are real local authorities chosen for illustration only.' }]
        : []),
      {
        kind: 'table',
        caption: 'Share of EHC plans by primary need',
        head: ['Primary need', 'This area', 'England', 'Neighbours'],
        rows: comparison.needMix.map((r) => [r.label, pc(r.area) || 'not shown', pc(r.england) || 'not published', pc(r.neighbours) || 'not published']),
      },
      {
        kind: 'table',
        caption: 'Share of EHC plans by age',
        head: ['Age band', 'This area', 'England', 'Neighbours'],
        rows: comparison.ageMix.map((r) => [r.label, pc(r.area) || 'not shown', pc(r.england) || 'not published', pc(r.neighbours) || 'not published']),
      },
      { kind: 'p', text: 'Contains public sector information licensed under the Open Government Licence v3.0 (DfE, Education, health and care plans).' },
    );
  }
  return b;
}

export function needsPdf(title: string, blocks: readonly Block[], today: string): Promise<Buffer> {
  return taggedPdf({ title, subject: 'Needs assessment (small numbers suppressed)', createdOn: today }, blocks, {
    h1: 18,
    h2: 14,
    cell: 10,
    rowGap: 3,
    columns: (width, head) => {
      const first = width * (head.length > 3 ? 0.46 : 0.6);
      const rest = (width - first) / (head.length - 1);
      return head.map((_, i) => (i === 0 ? first : rest));
    },
  });
}
