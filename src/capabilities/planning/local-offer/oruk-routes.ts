// The ORUK read API at /oruk: public, read-only JSON with `Access-Control-Allow-Origin: *`, as the
// standard's compliance rules ask. A bad query parameter is refused with 400 and what to send.
import type { RouteContext, RouteResult, RouteSpec } from '../../../platform/http/route.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import {
  fullService,
  listServiceAtLocations,
  listServices,
  listTaxonomies,
  oneServiceAtLocation,
  oneTaxonomy,
  ORUK_OPENAPI,
  ORUK_PROFILE,
  OrukQueryError,
} from './oruk.js';

const json = (body: unknown, status = 200): RouteResult => ({
  status,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(body),
  headers: { 'access-control-allow-origin': '*' },
});

/** Answers a query, or 400 with the problem when a parameter is wrong, or 404 when there is nothing. */
const answer = (read: (ctx: RouteContext) => Promise<unknown>) => async (ctx: RouteContext) => {
  try {
    const body = await read(ctx);
    return body === null ? json({ error: 'Not found' }, 404) : json(body);
  } catch (e) {
    if (e instanceof OrukQueryError) return json({ error: e.message }, 400);
    throw e;
  }
};

export function orukRoutes(_deps: CapabilityDeps): RouteSpec[] {
  const get = (url: string, audit: string, read: (ctx: RouteContext) => Promise<unknown>): RouteSpec => ({
    method: 'GET',
    url,
    access: 'public',
    audit,
    handler: answer(read),
  });
  return [
    get(paths.oruk.root, 'oruk.details', () => Promise.resolve({ version: 'HSDS 3.0 UK', profile: ORUK_PROFILE, openapi_url: ORUK_OPENAPI })),
    get(paths.oruk.services, 'oruk.services', (ctx) => listServices(ctx.readDb, ctx.query)),
    get(paths.oruk.service(), 'oruk.service', (ctx) => fullService(ctx.readDb, ctx.param('id'))),
    get(paths.oruk.taxonomies, 'oruk.taxonomies', (ctx) => listTaxonomies(ctx.readDb, ctx.query)),
    get(paths.oruk.taxonomy(), 'oruk.taxonomy', (ctx) => oneTaxonomy(ctx.readDb, ctx.param('id'))),
    get(paths.oruk.serviceAtLocations, 'oruk.service-at-locations', (ctx) => listServiceAtLocations(ctx.readDb, ctx.query)),
    get(paths.oruk.serviceAtLocation(), 'oruk.service-at-location', (ctx) => oneServiceAtLocation(ctx.readDb, ctx.param('id'))),
  ];
}
