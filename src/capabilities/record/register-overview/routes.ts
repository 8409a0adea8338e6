// The register as counts and charts for commissioners, small numbers suppressed. No name,
// date of birth or identifier is ever read here: only counts by group.
import type { RouteContext, RouteResult, RouteSpec } from '../../../platform/http/route.js';
import type { FieldError } from '../../../platform/http/errors.js';
import { ValidationError } from '../../../platform/http/errors.js';
import { parseForm } from '../../../platform/http/forms.js';
import { todayInLondon } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { overviewFilterForm, type OverviewFilterForm } from './schema.js';
import { createCountCache, listLocalities } from './service.js';
import { overviewCsv, presentOverview } from './presenters.js';
import { AGE_BANDS, BREAKDOWNS } from './rules.js';

const VIEW = 'record/register-overview/views/overview.njk';

type Locality = Awaited<ReturnType<typeof listLocalities>>[number];

function filterItems(localities: Locality[], values: Record<string, unknown>) {
  return {
    localityItems: [{ value: '', text: 'All localities' }, ...localities.map((l) => ({ value: l.id, text: l.name, selected: l.id === values.locality }))],
    ageBandItems: [{ value: '', text: 'All ages' }, ...AGE_BANDS.map((b) => ({ value: b.code, text: b.label, selected: b.code === values.ageBand }))],
  };
}

/** Reads the filters, checking the locality is one of the area's. */
async function readFilters(ctx: RouteContext): Promise<{ form: OverviewFilterForm; localities: Locality[]; locality?: Locality }> {
  const form = parseForm(overviewFilterForm, ctx.query);
  const localities = await listLocalities(ctx.readDb);
  const locality = form.locality ? localities.find((l) => l.id === form.locality) : undefined;
  if (form.locality && !locality) throw new ValidationError([{ text: 'Choose a locality from the list', href: '#locality' }]);
  return { form, localities, locality };
}

const describeFilters = (locality: Locality | undefined, ageBand: string | undefined) => ({
  locality: locality ? locality.name : 'All localities',
  ageBand: ageBand ? `${AGE_BANDS.find((b) => b.code === ageBand)!.label} years` : 'All ages',
});

function query(form: OverviewFilterForm) {
  const q = new URLSearchParams();
  if (form.locality) q.set('locality', form.locality);
  if (form.ageBand) q.set('ageBand', form.ageBand);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function registerOverviewRoutes(_deps: CapabilityDeps): RouteSpec[] {
  const cache = createCountCache();
  // Bad filters: the form again with the problem, and no counts (so nothing to audit).
  const invalid = async (ctx: RouteContext, errors: FieldError[]): Promise<RouteResult> => {
    const localities = await listLocalities(ctx.readDb);
    return {
      view: VIEW,
      data: { pageTitle: 'Register overview', errors, values: ctx.query, ...filterItems(localities, ctx.query), filtered: true, overview: null },
    };
  };

  /** The counts the filters ask for (from the cache), with the audit naming the breakdowns and filters. */
  const countsFor = async (ctx: RouteContext, audit: Record<string, unknown> = {}) => {
    const filters = await readFilters(ctx);
    const today = todayInLondon();
    const { counts, countedAt } = await cache.get(ctx.readDb, { localityId: filters.form.locality, ageBand: filters.form.ageBand }, today);
    ctx.audit.details = {
      ...audit,
      breakdowns: BREAKDOWNS.map((b) => b.key),
      filters: { locality: filters.locality?.code ?? null, ageBand: filters.form.ageBand ?? null },
    };
    return { ...filters, today, counts, countedAt };
  };

  return [
    {
      method: 'GET',
      url: paths.register.overview,
      access: 'register:overview',
      audit: 'register.overview.view',
      auditReads: true,
      handler: async (ctx) => {
        const { form, localities, locality, today, counts, countedAt } = await countsFor(ctx);
        return {
          view: VIEW,
          data: {
            pageTitle: 'Register overview',
            values: form,
            ...filterItems(localities, form),
            filtersText: describeFilters(locality, form.ageBand),
            filtered: Boolean(form.locality || form.ageBand),
            overview: presentOverview(counts, localities),
            today,
            countedAt,
            csvHref: `${paths.register.overviewExport}${query(form)}`,
          },
        };
      },
      onInvalid: invalid,
    },
    {
      method: 'GET',
      url: paths.register.overviewExport,
      access: 'register:overview',
      audit: 'register.overview.export',
      auditReads: true,
      handler: async (ctx) => {
        const { form, localities, locality, today, counts } = await countsFor(ctx, { format: 'csv' });
        return {
          contentType: 'text/csv; charset=utf-8',
          headers: { 'content-disposition': `attachment; filename="register-overview-${today}.csv"`, 'cache-control': 'no-store' },
          // A byte-order mark so spreadsheet programs read the text as UTF-8.
          body: `\ufeff${overviewCsv(counts, localities, describeFilters(locality, form.ageBand))}`,
        };
      },
      onInvalid: invalid,
    },
  ];
}
