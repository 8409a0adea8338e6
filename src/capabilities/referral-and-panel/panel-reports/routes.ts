// The panel reports for the partnership board: cases by outcome, time from referral to decision,
// decisions by funding partner and share, and disputes, for a date range (this financial year
// unless chosen), on screen (chart and table) and as CSV or XLSX. Aggregates only: no row-level
// drill-down, so nothing here can point at a child. Commissioners and finance officers (not on
// any panel) get small numbers suppressed and whole months only (docs/adr/0007).
import type { RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { todayInLondon } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { readDate } from '../../money/budgets/index.js';
import { financialYearEnd, financialYearOf, financialYearStart } from '../../../platform/financial-year.js';
import { tablesDownload } from '../../../platform/export.js';
import { panelReport, seesAggregatesOnly } from './service.js';
import { cellText, reportCharts, reportTables } from './presenters.js';
import { shownFigures, wholeMonthsProblems } from './rules.js';

const ACCESS = 'panel-reports:view' as const;
const V = 'referral-and-panel/panel-reports/views/home.njk';

function defaultRange(today = todayInLondon()) {
  const fy = financialYearOf(today);
  return { from: financialYearStart(fy), to: financialYearEnd(fy) };
}

/** The range from the query's date boxes; each box left empty takes this financial year's bound. */
function chosenRange(query: Record<string, unknown>, wholeMonths: boolean): { from: string; to: string } {
  const d = defaultRange();
  const errors: FieldError[] = [];
  const from = readDate(query, 'from', 'the first day of the period', false);
  const to = readDate(query, 'to', 'the last day of the period', false);
  if (!from.ok) errors.push(from.error);
  if (!to.ok) errors.push(to.error);
  if (errors.length) throw new ValidationError(errors);
  const range = { from: (from.ok && from.value) || d.from, to: (to.ok && to.value) || d.to };
  if (range.to < range.from) throw new ValidationError([{ text: 'The last day of the period must be on or after the first day', href: '#to-day' }]);
  if (Date.parse(range.to) - Date.parse(range.from) > 10 * 366 * 86_400_000)
    throw new ValidationError([{ text: 'Choose a period of 10 years or less', href: '#from-day' }]);
  // Aggregates-only viewers: a period of a few days could hold a single decision.
  const months = wholeMonths ? wholeMonthsProblems(range.from, range.to) : [];
  if (months.length) throw new ValidationError(months);
  return range;
}

const dateBoxes = (field: string, iso: string | undefined, query: Record<string, unknown>) => {
  const [y, m, d] = (iso ?? '').split('-');
  const typed = (part: string) => (typeof query[`${field}-${part}`] === 'string' ? (query[`${field}-${part}`] as string) : undefined);
  return { day: typed('day') ?? (d ? String(Number(d)) : ''), month: typed('month') ?? (m ? String(Number(m)) : ''), year: typed('year') ?? y ?? '' };
};

export function panelReportsRoutes(_deps: CapabilityDeps): RouteSpec[] {
  const page = async (ctx: SignedInContext, errors?: FieldError[]): Promise<RouteResult> => {
    const aggregatesOnly = await seesAggregatesOnly(ctx.readDb, ctx.user);
    const range = errors ? defaultRange() : chosenRange(ctx.query, aggregatesOnly);
    const report = shownFigures(await panelReport(ctx.readDb, range.from, range.to), aggregatesOnly);
    const tables = reportTables(report, 'page').map((t) => ({ ...t, rows: t.rows.map((r) => r.map(cellText)) }));
    const q = new URLSearchParams({ from: range.from, to: range.to });
    return {
      view: V,
      status: errors ? 400 : undefined,
      data: {
        pageTitle: 'Panel reports',
        range,
        from: dateBoxes('from', range.from, errors ? ctx.query : {}),
        to: dateBoxes('to', range.to, errors ? ctx.query : {}),
        report,
        decisionsText:
          report.decisions.shown === 'count'
            ? `${report.decisions.count!.toLocaleString('en-GB')} ${report.decisions.count === 1 ? 'decision' : 'decisions'}`
            : 'Fewer than 5 decisions',
        hasOverallTime: report.time.overall.median !== null,
        tables,
        charts: reportCharts(report),
        downloads: ['csv', 'xlsx'].map((format) => ({ format, href: `${paths.panelReports.export}?format=${format}&${q}` })),
        errors,
      },
    };
  };

  return [
    {
      method: 'GET',
      url: paths.panelReports.home,
      access: ACCESS,
      audit: 'panel-reports.view',
      handler: (ctx) => page(ctx),
      onInvalid: (ctx, errors) => page(ctx, errors),
    },
    {
      method: 'GET',
      url: paths.panelReports.export,
      access: ACCESS,
      audit: 'panel-reports.export',
      auditReads: true,
      onInvalid: (ctx, errors) => page(ctx, errors),
      handler: async (ctx) => {
        const format = ctx.query.format;
        if (format !== 'csv' && format !== 'xlsx') throw new ValidationError([{ text: 'Choose CSV or Excel to download', href: '#downloads' }]);
        // The export links carry ISO dates; the page's form carries day, month and year boxes.
        const iso = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
        const asBoxes: Record<string, string> = {};
        for (const f of ['from', 'to'] as const) {
          const v = iso(ctx.query[f]);
          if (v) Object.assign(asBoxes, { [`${f}-day`]: v.slice(8, 10), [`${f}-month`]: v.slice(5, 7), [`${f}-year`]: v.slice(0, 4) });
        }
        const aggregatesOnly = await seesAggregatesOnly(ctx.readDb, ctx.user);
        const range = chosenRange({ ...ctx.query, ...asBoxes }, aggregatesOnly);
        const tables = reportTables(shownFigures(await panelReport(ctx.readDb, range.from, range.to), aggregatesOnly), 'csv');
        ctx.audit.details = { format, from: range.from, to: range.to };
        const name = `panel-report-${range.from}-to-${range.to}`;
        return tablesDownload(name, tables, format);
      },
    },
  ];
}
