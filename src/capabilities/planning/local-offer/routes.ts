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

const V = 'planning/local-offer/views/';

export function localOfferRoutes(deps: CapabilityDeps): RouteSpec[] {
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
    ...orukRoutes(deps),
    ...moderationRoutes(deps),
  ];
}
