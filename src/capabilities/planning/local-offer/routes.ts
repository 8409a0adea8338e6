// The Local Offer's pages: the public search and service pages (no account, no JavaScript needed),
// and the ORUK read API (oruk-routes.ts), providers' entries and the officer's worklist
// (moderation-routes.ts).
import type { RouteSpec } from '../../../platform/http/route.js';
import { NotFoundError } from '../../../platform/http/errors.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { DISTANCES } from './rules.js';
import { parseSearch, unknownPostcode } from './schema.js';
import { searchDirectory, readService } from './read-model.js';
import { postcodePosition } from './service.js';
import { searchPage, servicePage } from './presenters.js';
import { orukRoutes } from './oruk-routes.js';
import { moderationRoutes } from './moderation-routes.js';
import { needAgainstSupply } from './need-and-supply.js';
import { remindOwners } from './moderation.js';
import { CELL_TEXT } from '../../record/register-overview/index.js';
import { horizontalBarChartSvg } from '../../../platform/views/bar-chart.js';
import { tablesDownload, type Table } from '../../../platform/export.js';
import { todayInLondon } from '../../../platform/dates.js';

const V = 'planning/local-offer/views/';

export const REMIND_JOB = 'local-offer.remind-owners';

export function localOfferRoutes(deps: CapabilityDeps): RouteSpec[] {
  // Owners of entries past their review date are reminded each morning (weekly per entry).
  deps.jobs.register(REMIND_JOB, async (payload, job) => {
    const at = (payload as { scheduledFor?: string } | null)?.scheduledFor;
    return job.db
      .transaction()
      .execute((tx) => remindOwners(tx, deps.notifier, deps.config.baseUrl, at && /^\d{4}-\d{2}-\d{2}$/.test(at) ? at : todayInLondon()));
  });
  deps.jobs.daily(REMIND_JOB, '07:15');
  return [
    {
      method: 'GET',
      url: paths.localOffer.search,
      access: 'public',
      audit: 'local-offer.search',
      handler: async (ctx) => {
        const { criteria, errors } = parseSearch(ctx.query);
        const from = criteria.postcode && !errors.some((e) => e.href === '#postcode') ? await postcodePosition(ctx.readDb, criteria.postcode) : null;
        if (criteria.postcode && !from && !errors.some((e) => e.href === '#postcode'))
          errors.push({ text: unknownPostcode(criteria.postcode), href: '#postcode' });
        const searched = Object.keys(ctx.query).length > 0;
        const result = errors.length ? null : await searchDirectory(ctx.readDb, criteria, from);
        return {
          view: `${V}search.njk`,
          status: errors.length ? 400 : 200,
          data: {
            pageTitle: 'Find services for children and young people with SEND',
            c: criteria,
            values: ctx.query,
            errors,
            searched,
            byDistance: from !== null,
            distanceItems: DISTANCES.map((d) => ({ value: String(d), text: `${d} mile${d === 1 ? '' : 's'}`, selected: d === criteria.distance })),
            ...searchPage(criteria, result),
          },
        };
      },
    },
    {
      method: 'GET',
      url: paths.localOffer.service(),
      access: 'public',
      audit: 'local-offer.service.view',
      handler: async (ctx) => {
        const s = await readService(ctx.readDb, ctx.param('id'));
        if (!s || s.status === 'defunct') throw new NotFoundError('service');
        return { view: `${V}service.njk`, data: { pageTitle: s.name, ...servicePage(s) } };
      },
    },
    {
      method: 'GET',
      url: paths.localOffer.needAndSupply,
      access: 'register:overview',
      audit: 'local-offer.need-supply.view',
      // Counts from the register, like the register overview: every look is recorded.
      auditReads: true,
      handler: async (ctx) => {
        const miles = [5, 10, 20].includes(Number(ctx.query.distance)) ? Number(ctx.query.distance) : 10;
        const { rows } = await needAgainstSupply(ctx.readDb, todayInLondon(), miles);
        const childrenText = (r: (typeof rows)[number]) => (r.shown === 'count' ? String(r.children) : CELL_TEXT[r.shown].page);
        const table: Table = {
          sheet: 'Need and supply',
          columns: ['Primary need', 'Age', 'Locality', 'Children', `Services within ${miles} miles`, 'Gap'],
          rows: rows.map((r) => [
            r.needName,
            r.bandName,
            r.localityName,
            r.shown === 'count' ? r.children : CELL_TEXT[r.shown].csv,
            r.services,
            r.gap ? 'Gap' : '',
          ]),
        };
        ctx.audit.details = { distance: miles, format: ctx.query.format ?? 'page' };
        if (ctx.query.format === 'csv' || ctx.query.format === 'xlsx') return tablesDownload('need-and-supply', [table], ctx.query.format);
        const gaps = rows.filter((r) => r.gap);
        return {
          view: `${V}need-and-supply.njk`,
          data: {
            pageTitle: 'Need against supply',
            miles,
            distanceItems: [5, 10, 20].map((d) => ({ value: String(d), text: `${d} miles`, selected: d === miles })),
            gaps: gaps.map((g) => ({
              ...g,
              sentence: `${g.needName}, ${g.bandName} year-olds in ${g.localityName}: ${g.children} children, ${g.services} service${g.services === 1 ? '' : 's'} within ${miles} miles`,
            })),
            chart: gaps.length
              ? horizontalBarChartSvg({
                  id: 'gaps',
                  title: `Children in groups with at most one service within ${miles} miles`,
                  description: `Bar chart of the gaps listed above and marked in the table: ${gaps.length} group${gaps.length === 1 ? '' : 's'} of children.`,
                  labelWidth: 330,
                  labelMax: 42,
                  rows: gaps.map((g) => ({ label: `${g.need}, ${g.bandName}, ${g.localityName}`, value: g.children, text: `${g.children} children` })),
                })
              : null,
            rows: rows.map((r) => ({ ...r, childrenText: childrenText(r) })),
            csv: `${paths.localOffer.needAndSupply}?distance=${miles}&format=csv`,
            xlsx: `${paths.localOffer.needAndSupply}?distance=${miles}&format=xlsx`,
          },
        };
      },
    },
    ...orukRoutes(deps),
    ...moderationRoutes(deps),
  ];
}
