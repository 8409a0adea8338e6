// The ORUK 3.0 read API at /oruk against the official schemas in the shared reference folder
// (../shared/reference/open-referral-uk): the UK profile's compiled service schemas and the ORUK
// validator's list schemas with its Page wrapper, validated with Ajv's 2020-12 dialect. Also its
// paging, the filters the standard defines, CORS, and specific 400s for bad parameters.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import { DEMO_SERVICES } from '../src/demo/local-offer.js';
import { TAXONOMIES } from '../src/capabilities/planning/local-offer/rules.js';

const REFERENCE = join(import.meta.dirname, '../../shared/reference/open-referral-uk');
const SHARED = [REFERENCE, '/work/shared/reference/open-referral-uk'];
const load = (path: string): Record<string, unknown> => {
  for (const root of SHARED) {
    try {
      return JSON.parse(readFileSync(join(root, path), 'utf8')) as Record<string, unknown>;
    } catch {
      // try the next place the shared folder may be
    }
  }
  throw new Error(`Cannot read ${path} from the shared ORUK reference folder`);
};

// The validator's open_api.json: /services answers { contents: [service_list] } with allOf the Page schema.
const openApi = load('oruk-validator-schemas/V3.0-UK/open_api.json') as { components: { schemas: { Page: Record<string, unknown> } } };
const PAGE = {
  ...openApi.components.schemas.Page,
  required: ['total_items', 'total_pages', 'page_number', 'size', 'first_page', 'last_page', 'empty', 'contents'],
};

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true, validateFormats: true }));
const paged = (list: string): ValidateFunction => {
  const schema = load(list);
  // The validator's list schemas carry a stray `allOf: [{ Page: … }]` (not a schema keyword); the
  // paging they mean is the open_api.json Page, which we require in full.
  return ajv.compile({ allOf: [PAGE, { type: 'object', properties: schema.properties }] });
};
const validators = {
  details: ajv.compile(load('oruk-validator-schemas/V3.0-UK/api_details.json')),
  servicesPage: paged('oruk-validator-schemas/V3.0-UK/service_list.json'),
  serviceListItem: ajv.compile(load('uk-profile/schema/compiled/service_list.json')),
  service: ajv.compile(load('uk-profile/schema/compiled/service.json')),
  taxonomiesPage: paged('oruk-validator-schemas/V3.0-UK/taxonomy_list.json'),
  taxonomy: ajv.compile(load('oruk-validator-schemas/V3.0-UK/taxonomy.json')),
  salPage: paged('oruk-validator-schemas/V3.0-UK/service_at_location_list.json'),
  sal: ajv.compile(load('uk-profile/schema/compiled/service_at_location.json')),
};
const valid = (v: ValidateFunction, body: unknown) => {
  const ok = v(body);
  return ok ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
};

describe.each(databaseKinds())('the ORUK API on %s', (kind) => {
  let t: TestApp;
  const get = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url });
    return {
      status: res.statusCode,
      json: res.json<Record<string, unknown>>(),
      cors: res.headers['access-control-allow-origin'],
      type: res.headers['content-type'],
    };
  };
  beforeAll(async () => {
    t = await buildTestApp(kind, {}, { localOffer: true });
  });
  afterAll(() => t?.close());

  it('the schemas catch a wrong answer (so a pass means something)', () => {
    expect(valid(validators.service, { id: 'not-a-uuid', name: 'x', status: 'open' })).not.toEqual([]);
    expect(valid(validators.servicesPage, { total_items: '3', contents: [] })).not.toEqual([]);
  });

  it('answers its details, every page of services and every service, all valid, to anyone, with CORS', async () => {
    const details = await get(paths.oruk.root);
    expect(details.status).toBe(200);
    expect(details.cors).toBe('*');
    expect(details.type).toMatch(/^application\/json/);
    expect(valid(validators.details, details.json)).toEqual([]);

    const seen = new Set<string>();
    for (let page = 1; ; page++) {
      const res = await get(`${paths.oruk.services}?page=${page}&per_page=100`);
      expect(res.status).toBe(200);
      expect(res.cors).toBe('*');
      expect(valid(validators.servicesPage, res.json)).toEqual([]);
      const body = res.json as { total_items: number; total_pages: number; page_number: number; last_page: boolean; contents: { id: string }[] };
      expect(body.total_items).toBe(DEMO_SERVICES);
      expect(body.page_number).toBe(page);
      for (const s of body.contents) {
        expect(valid(validators.serviceListItem, s)).toEqual([]);
        seen.add(s.id);
      }
      if (body.last_page) {
        expect(page).toBe(body.total_pages);
        break;
      }
    }
    expect(seen.size).toBe(DEMO_SERVICES);

    // Every full service validates (a third of them, each kind of entry the generator makes).
    for (const id of [...seen].filter((_, i) => i % 3 === 0)) {
      const res = await get(paths.oruk.service(id));
      expect(res.status).toBe(200);
      expect(valid(validators.service, res.json)).toEqual([]);
    }
  });

  it('nests a service’s places, costs, contacts and classification as the standard does', async () => {
    const row = await t.database.db
      .selectFrom('offer_services as s')
      .innerJoin('offer_cost_options as c', 'c.service_id', 's.id')
      .innerJoin('offer_service_at_locations as sal', 'sal.service_id', 's.id')
      .innerJoin('offer_locations as l', 'l.id', 'sal.location_id')
      .select(['s.id', 'c.amount_pence', 'l.postal_code'])
      .where('c.amount_pence', '>', 0)
      .where('l.location_type', '=', 'physical')
      .executeTakeFirstOrThrow();
    const s = (await get(paths.oruk.service(row.id))).json as {
      cost_options: { amount: number }[];
      service_at_locations: { location: { addresses: { postal_code: string; country: string }[] } }[];
      attributes: { link_id: string; taxonomy_term: { taxonomy_id: string } }[];
    };
    expect(s.cost_options[0]!.amount).toBe(row.amount_pence! / 100);
    expect(s.service_at_locations[0]!.location.addresses[0]).toMatchObject({ postal_code: row.postal_code, country: 'GB' });
    expect(s.attributes.some((a) => a.taxonomy_term.taxonomy_id === TAXONOMIES.need.id && a.link_id === row.id)).toBe(true);
  });

  it('filters by taxonomy term, organisation, age and postcode, and pages', async () => {
    const autism = await t.database.db.selectFrom('offer_taxonomy_terms').select('id').where('code', '=', 'ASD').executeTakeFirstOrThrow();
    const expected = await t.database.db
      .selectFrom('offer_attributes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('taxonomy_term_id', '=', autism.id)
      .executeTakeFirstOrThrow();
    const byTerm = (await get(`${paths.oruk.services}?taxonomy_term_id=${autism.id}&per_page=5`)).json as {
      total_items: number;
      size: number;
      total_pages: number;
    };
    expect(byTerm.total_items).toBe(Number(expected.n));
    expect(byTerm.size).toBe(5);
    expect(byTerm.total_pages).toBe(Math.ceil(Number(expected.n) / 5));

    const teen = (await get(`${paths.oruk.services}?minimum_age=19&maximum_age=25&per_page=500`)).json as {
      contents: { minimum_age?: number; maximum_age?: number }[];
    };
    expect(teen.contents.length).toBeGreaterThan(0);
    for (const s of teen.contents) expect(s.maximum_age ?? 25).toBeGreaterThanOrEqual(19);

    const near = (await get(`${paths.oruk.services}?postcode=DM4+0AB&proximity=2000&per_page=500`)).json as { total_items: number };
    const far = (await get(`${paths.oruk.services}?postcode=DM4+0AB&proximity=200000&per_page=500`)).json as { total_items: number };
    expect(near.total_items).toBeLessThan(far.total_items);

    const org = (await get(`${paths.oruk.services}?per_page=1`)).json as { contents: { organization_id: string }[] };
    const orgId = org.contents[0]!.organization_id;
    const ofOrg = (await get(`${paths.oruk.services}?organization_id=${orgId}&per_page=500`)).json as { contents: { organization_id: string }[] };
    expect(ofOrg.contents.every((s) => s.organization_id === orgId)).toBe(true);
  });

  it('lists taxonomies and services at locations, valid', async () => {
    const tax = await get(paths.oruk.taxonomies);
    expect(valid(validators.taxonomiesPage, tax.json)).toEqual([]);
    expect((tax.json as { total_items: number }).total_items).toBe(4);
    const one = await get(paths.oruk.taxonomy(TAXONOMIES.need.id));
    expect(valid(validators.taxonomy, one.json)).toEqual([]);
    const sal = await get(`${paths.oruk.serviceAtLocations}?per_page=50`);
    expect(valid(validators.salPage, sal.json)).toEqual([]);
    const first = (sal.json as { contents: { id: string }[] }).contents[0]!;
    const oneSal = await get(paths.oruk.serviceAtLocation(first.id));
    expect(valid(validators.sal, oneSal.json)).toEqual([]);
  });

  it('refuses bad parameters with what to send instead, and answers 404 for no such service', async () => {
    expect(await get(`${paths.oruk.services}?minimum_age=12&maximum_age=5`)).toMatchObject({
      status: 400,
      json: { error: 'minimum_age must not be greater than maximum_age' },
    });
    expect(await get(`${paths.oruk.services}?postcode=AB1+2XY`)).toMatchObject({
      status: 400,
      json: { error: 'postcode AB1 2XY is not a postcode this directory knows' },
    });
    expect(await get(`${paths.oruk.services}?page=0`)).toMatchObject({ status: 400, json: { error: 'page must be a whole number from 1 to 100000' } });
    expect(await get(`${paths.oruk.services}?taxonomy_term_id=autism`)).toMatchObject({ status: 400, json: { error: 'taxonomy_term_id must be a UUID' } });
    expect((await get(paths.oruk.service('00000000-0000-4000-8000-000000000000'))).status).toBe(404);
  });

  it('is read-only: nothing but GET', async () => {
    const res = await t.app.inject({ method: 'POST', url: paths.oruk.services, payload: {} });
    expect(res.statusCode).toBe(404);
  });
});
