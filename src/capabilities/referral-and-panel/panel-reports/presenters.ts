// From the panel report's figures to tables (the same rows on screen and in CSV and XLSX, through
// the budget reports' export helpers) and server-drawn SVG bar charts of the same figures (the
// table is the source of truth). Pure.
import { formatPence } from '../../../platform/money.js';
import { formatShare } from '../../money/budgets/index.js';
import type { CellValue, Table } from '../../../platform/export.js';
import { CELL_TEXT } from '../../record/register-overview/index.js';
import { horizontalBarChartSvg } from '../../../platform/views/bar-chart.js';
import type { ShownCount, ShownFigures } from './rules.js';

/** Where a table goes: the page says "fewer than 5", a CSV or XLSX file "<5" (as the register overview's). */
export type Words = 'page' | 'csv';
const countCell = (c: ShownCount, words: Words): CellValue => (c.shown === 'count' ? c.count : CELL_TEXT[c.shown][words]);
const countText = (c: ShownCount) => (c.shown === 'count' ? c.count!.toLocaleString('en-GB') : CELL_TEXT[c.shown].page);
export const WITHHELD = 'Not shown: with so few decisions, a single decision could be picked out';

const days = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);
const daysText = (n: number | null) => (n === null ? '–' : `${days(n)!.toLocaleString('en-GB')}`);
const monthLabel = (ym: string) => new Date(`${ym}-15T12:00:00Z`).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

/** The report's tables, in the order the page shows them. Money cells are { pence } so Excel gets numbers. */
export function reportTables(r: ShownFigures, words: Words = 'csv'): Table[] {
  const c = (x: ShownCount) => countCell(x, words);
  return [
    {
      sheet: 'Cases by outcome',
      columns: ['Outcome', 'Decisions'],
      rows: [...(r.outcomesWithheld ? [[WITHHELD, null]] : r.outcomes.map((o): CellValue[] => [o.label, c(o.count)])), ['Total', c(r.decisions)]],
    },
    {
      sheet: 'Time to decision',
      columns: ['Month decided', 'Decisions', 'Median days from referral', '90th percentile days'],
      rows: [
        ...(r.timeWithheld
          ? [[WITHHELD, null, null, null]]
          : r.time.months.map((m): CellValue[] => [monthLabel(m.month), c(m.count), days(m.median), days(m.p90)])),
        ['Whole period', c(r.time.overall.count), days(r.time.overall.median), days(r.time.overall.p90)],
      ],
    },
    {
      sheet: 'Funding partners',
      columns: ['Funding partner', 'Decisions funded', 'First-year cost (£)', 'Average share'],
      rows: r.partners.map((p): CellValue[] => [p.name, p.decisions, { pence: p.firstYearPence }, formatShare(p.averageShareBp)]),
    },
    {
      sheet: 'Disputes',
      columns: ['Measure', 'Figure'],
      rows: [
        ['Raised in the period', c(r.disputes.opened)],
        ['Resolved in the period', c(r.disputes.resolved)],
        ['Withdrawn in the period', c(r.disputes.withdrawn)],
        ['Still open at the end of the period', c(r.disputes.openAtEnd)],
        ['Median days to resolve', days(r.disputes.medianDaysToResolve)],
      ],
    },
  ];
}

/** Text for a table cell on the page. */
export function cellText(v: CellValue): string {
  if (v === null) return '–';
  if (typeof v === 'number') return v.toLocaleString('en-GB');
  if (typeof v === 'object') return formatPence(v.pence);
  return v;
}

/** The four charts, each of the table that follows it. */
export function reportCharts(r: ShownFigures) {
  const bar = (label: string, x: ShownCount) => ({ label, value: x.shown === 'count' ? x.count : null, text: countText(x) });
  return {
    outcomes: horizontalBarChartSvg({
      id: 'chart-outcomes',
      title: 'Cases by outcome',
      description: 'Bar chart of the number of decisions with each outcome, from the table that follows it.',
      rows: r.outcomesWithheld ? [] : r.outcomes.map((o) => bar(o.label, o.count)),
    }),
    time: horizontalBarChartSvg({
      id: 'chart-time',
      title: 'Median days from referral to decision, by month decided',
      description:
        'Bar chart of the median days from referral to decision in each month, from the table that follows it. Months with no decisions draw no bar.',
      rows: r.timeWithheld
        ? []
        : r.time.months.map((m) => ({
            label: monthLabel(m.month),
            value: m.median,
            text: m.median !== null ? `${daysText(m.median)} days` : m.count.count === 0 ? 'no decisions' : 'not shown',
          })),
    }),
    partners: horizontalBarChartSvg({
      id: 'chart-partners',
      title: 'First-year cost of the packages decided, by funding partner',
      description: 'Bar chart of what the packages decided cost each funding partner in their first 12 months, from the table that follows it.',
      rows: r.partners.map((p) => ({ label: p.name, value: p.firstYearPence, text: formatPence(p.firstYearPence) })),
    }),
    disputes: horizontalBarChartSvg({
      id: 'chart-disputes',
      title: 'Disputes about shares',
      description: 'Bar chart of disputes raised, resolved, withdrawn and still open, from the table that follows it.',
      rows: [
        bar('Raised', r.disputes.opened),
        bar('Resolved', r.disputes.resolved),
        bar('Withdrawn', r.disputes.withdrawn),
        bar('Still open at the end', r.disputes.openAtEnd),
      ],
    }),
  };
}
