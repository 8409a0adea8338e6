// The needs assessment page and its downloads (CSV, XLSX, and the published PDF). Anyone with
// needs-assessment:view sees the figures with small numbers protected; a commissioner with
// needs-assessment:detail sees them in full, and can look at the shared version (?view=shared).
// The PDF is for publishing, so it is always the protected version.
import type { RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { tablesDownload } from '../../../platform/export.js';
import { todayInLondon } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { ValidationError } from '../../../platform/http/errors.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { formText } from '../../../platform/http/form-values.js';
import { buildComparison, createNeedsCache, listNeighbours, neighbourNames, setNeighbours } from './service.js';
import { protectBreakdown } from '../../record/register-overview/index.js';
import { protectReport, figureText, roundToFive, AGE_BANDS, DFE_NEED_CODES, NOT_RECORDED, parseNeighbourCodes } from './rules.js';
import { comparisonView, monthsChart, needsPdf, pageBreakdowns, pdfBlocks, reportTables } from './presenters.js';

const VIEW = 'planning/needs-assessment/views/needs.njk';
const FORMATS = ['csv', 'xlsx', 'pdf'] as const;

export function needsAssessmentRoutes(deps: CapabilityDeps): RouteSpec[] {
  const cache = createNeedsCache();

  /** Everything the page and files need, protected once for this reader. */
  async function assemble(ctx: SignedInContext, forcePublished: boolean) {
    const today = todayInLondon();
    const mayDetail = ctx.user.permissions.has('needs-assessment:detail');
    const detail = mayDetail && !forcePublished && ctx.query.view !== 'shared';
    const { raw, plans, codes, dfe, context, countedAt } = await cache.get(ctx.readDb, today);
    const report = protectReport(raw, context, detail);
    // The area's EHC plans by need and by age for the comparison: protected like every other breakdown.
    const needCells = [...DFE_NEED_CODES, NOT_RECORDED].map((k) => ({ key: k, label: k, count: plans.byNeed.get(k) ?? 0 }));
    const ageCells = AGE_BANDS.map((b) => ({ key: b.code, label: b.label, count: plans.byAge.get(b.code) ?? 0 }));
    // In the shared version the area's shares are worked out from counts rounded to the nearest 5:
    // shares of the exact number of plans to a tenth of a per cent would give that number back, and
    // with it the hidden "no plan" count and, table against table, plans by need of 1 to 4.
    const fair = (n: number) => (detail ? n : roundToFive(n));
    const shownOf = (cells: { key: string; label: string; count: number }[]) =>
      new Map(
        detail || plans.total >= 5
          ? (detail ? cells.map((c) => ({ ...c, shown: 'count' })) : protectBreakdown(cells).cells).map((c) => [
              c.key,
              c.shown === 'count' && c.count !== null ? fair(c.count) : null,
            ])
          : [],
      );
    const comparison = buildComparison(codes, dfe, {
      byNeed: shownOf(needCells),
      byAge: shownOf(ageCells),
      total: detail || plans.total >= 5 ? fair(plans.total) : null,
    });
    ctx.audit.details = { detail, format: typeof ctx.query.format === 'string' ? ctx.query.format : 'page' };
    return { today, detail, mayDetail, report, comparison, countedAt };
  }

  return [
    {
      method: 'GET',
      url: paths.commissioning.needs,
      access: 'needs-assessment:view',
      audit: 'needs-assessment.view',
      // Counts from the register, like the register overview: every look is recorded.
      auditReads: true,
      handler: async (ctx) => {
        const format = FORMATS.find((f) => f === ctx.query.format);
        const a = await assemble(ctx, format === 'pdf');
        if (format === 'pdf') {
          const area = deps.config.demo ? 'Demoshire (fictional)' : 'the area';
          const blocks = pdfBlocks(a.report, a.comparison, { areaName: area, today: a.today, illustrative: deps.config.demo });
          return {
            contentType: 'application/pdf',
            headers: { 'content-disposition': `attachment; filename="needs-assessment-${a.today}.pdf"`, 'cache-control': 'no-store' },
            body: await needsPdf(`Needs assessment: ${area}`, blocks, a.today),
          };
        }
        if (format) return tablesDownload(`needs-assessment-${a.today}${a.detail ? '-full' : ''}`, reportTables(a.report, a.comparison), format);
        const q = a.detail ? '' : a.mayDetail ? 'view=shared&' : '';
        return {
          view: VIEW,
          data: {
            pageTitle: 'Needs assessment',
            today: a.today,
            countedAt: a.countedAt,
            detail: a.detail,
            mayDetail: a.mayDetail,
            illustrative: deps.config.demo,
            totalText: figureText(a.report.total),
            report: a.report,
            breakdowns: pageBreakdowns(a.report),
            monthsChart: monthsChart(a.report),
            months: a.report.months.map((m) => ({
              monthEnd: m.monthEnd,
              onRegister: figureText(m.onRegister),
              joined: m.joined ? figureText(m.joined) : null,
              left: m.left ? figureText(m.left) : null,
            })),
            comparison: comparisonView(a.comparison),
            csvHref: `${paths.commissioning.needs}?${q}format=csv`,
            xlsxHref: `${paths.commissioning.needs}?${q}format=xlsx`,
            pdfHref: `${paths.commissioning.needs}?format=pdf`,
            sharedHref: `${paths.commissioning.needs}?view=shared`,
            mayConfigure: ctx.user.permissions.has('register:configure'),
          },
        };
      },
    },
    // The statistical neighbours are an area setting, changed by whoever configures the register.
    ...formRoutes({
      url: paths.commissioning.neighbours,
      access: 'register:configure',
      audit: { show: 'needs-assessment.neighbours.view', send: 'needs-assessment.neighbours.change' },
      page: async (ctx, values, errors) => {
        const codes = await listNeighbours(ctx.db);
        const names = await neighbourNames(ctx.db, codes);
        return {
          view: 'planning/needs-assessment/views/neighbours.njk',
          data: {
            pageTitle: 'Statistical neighbours',
            current: codes.map((code) => ({ code, name: names.get(code) ?? null })),
            values: values ?? { codes: codes.join('\n') },
            errors,
          },
          ...(errors ? { status: 400 } : {}),
        };
      },
      read: (ctx) => {
        const { codes, problem } = parseNeighbourCodes(formText(ctx.body.codes));
        if (problem) throw new ValidationError([{ text: problem, href: '#codes' }]);
        return { codes };
      },
      send: async (ctx, form) => {
        await setNeighbours(ctx.db, form.codes);
        cache.clear();
        ctx.audit.details = { codes: form.codes };
        return { redirect: `${paths.commissioning.needs}#comparison` };
      },
    }),
  ];
}
