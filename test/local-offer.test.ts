// The Local Offer's public search on real databases: Demoshire's seeded directory, filters by words,
// age, need, type of support, cost and distance from a postcode, with facet counts that agree with
// the results; a service page with "how to get this"; specific errors for bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import { saveEntries } from '../src/capabilities/planning/local-offer/index.js';
import type { DirectoryEntry } from '../src/capabilities/planning/local-offer/rules.js';
import { DEMO_SERVICES, demoPostcodePosition } from '../src/demo/local-offer.js';

const errorsOf = (body: string) =>
  [...body.matchAll(/<a href="(#[^"]+)">([^<]+)<\/a>/g)]
    .filter((m) => body.indexOf('govuk-error-summary') < m.index)
    .map((m) => ({ href: m[1]!, text: text(m[2]!).trim() }));

/** Two services the test controls, a mile or so apart in DM4 0, found by a made-up word. */
const entry = (over: Partial<DirectoryEntry>, postcode: string): DirectoryEntry => ({
  organisation: { name: 'Zyzzle Test Provider (fictional)', description: 'A made-up provider for tests.' },
  name: 'Zyzzle swimming',
  description: 'Zyzzle sessions in a warm, quiet pool with extra helpers.',
  minimumAge: 5,
  maximumAge: 11,
  howToAccess: 'Phone to book.',
  reviewDue: '2099-01-01',
  needs: ['ASD'],
  supportTypes: ['ACTIVITIES'],
  schedule2: ['LEISURE'],
  access: ['SELF-REFERRAL'],
  locations: [
    { name: 'Zyzzle pool', addressLine: '1 Pool Lane', city: 'Demoshire Town', county: 'Demoshire', postcode, accessibility: ['Changing Places toilet'] },
  ],
  contacts: [{ phone: '01632 960000' }],
  schedules: [{ freq: 'WEEKLY', byday: 'SA', opensAt: '10:00', closesAt: '12:00' }],
  costs: [{ amountPence: 0 }],
  languages: [{ name: 'English', code: 'en' }],
  ...over,
});

describe.each(databaseKinds())('the Local Offer search on %s', (kind) => {
  let t: TestApp;
  let family: Client;
  let ids: string[];
  beforeAll(async () => {
    t = await buildTestApp(kind, {}, { localOffer: true });
    family = new Client(t.app);
    ids = await t.database.db.transaction().execute((tx) =>
      saveEntries(tx, [
        entry({}, 'DM4 0AA'),
        entry(
          {
            name: 'Zyzzle drama club',
            needs: ['SLD', 'DS'],
            supportTypes: ['ACTIVITIES'],
            minimumAge: 12,
            maximumAge: 19,
            costs: [{ amountPence: 500, option: 'Per session' }],
            access: ['JOINTLY-REFERRAL'],
          },
          'DM4 0ZZ',
        ),
        entry({ name: 'Zyzzle far away group', needs: ['ASD'] }, 'DM9 9ZZ'),
      ]),
    );
  });
  afterAll(() => t?.close());

  it('has Demoshire’s directory, seeded through the Local Offer’s own writer', async () => {
    const n = await t.database.db
      .selectFrom('offer_services')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(DEMO_SERVICES + 3);
    const page = await family.get(paths.localOffer.search);
    expect(page.status).toBe(200);
    expect(text(page.body)).toContain(`${DEMO_SERVICES + 3} services found`);
  });

  it('finds by words, and counts each facet among the results', async () => {
    const page = await family.get(`${paths.localOffer.search}?q=zyzzle`);
    const body = text(page.body);
    expect(body).toContain('3 services found');
    expect(body).toContain('Autism (2)');
    expect(body).toContain('Down syndrome (1)');
    expect(body).toContain('Leisure and activities (3)');
    expect(body).toContain('Free (2)');
    expect(body).toContain('There is a charge (1)');
    // Only stop words: no words to look for, so everything, not nothing.
    expect(text((await family.get(`${paths.localOffer.search}?q=the`)).body)).toContain(`${DEMO_SERVICES + 3} services found`);
  });

  it('filters by age, need, type of support and cost together', async () => {
    const young = text((await family.get(`${paths.localOffer.search}?q=zyzzle&age=8&need=ASD&support=ACTIVITIES&cost=free`)).body);
    expect(young).toContain('2 services found');
    expect(young).toContain('Zyzzle swimming');
    expect(young).not.toContain('Zyzzle drama club');
    const paid = text((await family.get(`${paths.localOffer.search}?q=zyzzle&cost=paid`)).body);
    expect(paid).toContain('1 service found');
    expect(paid).toContain('Zyzzle drama club');
  });

  it('finds by distance from a postcode, nearest first, with the distance shown', async () => {
    const near = text((await family.get(`${paths.localOffer.search}?q=zyzzle&postcode=dm40ab&distance=3`)).body);
    expect(near).toContain('2 services found');
    expect(near).toContain('within 3 miles of DM4 0AB');
    expect(near).not.toContain('Zyzzle far away group');
    expect(near.indexOf('Zyzzle swimming')).toBeLessThan(near.indexOf('Zyzzle drama club'));
    expect(near).toMatch(/Zyzzle swimming .*0\.\d miles away, Demoshire Town/);
    // Demoshire's postcodes are fictional and sit where demoPostcodePosition says.
    expect(demoPostcodePosition('DM4 0AB')).not.toBeNull();
    // DM9 is about 25 miles from DM4: out of reach at the longest distance, there without a postcode.
    const wide = text((await family.get(`${paths.localOffer.search}?q=zyzzle&postcode=DM4+0AB&distance=20`)).body);
    expect(wide).toContain('2 services found');
    expect(text((await family.get(`${paths.localOffer.search}?q=zyzzle+far`)).body)).toContain('Zyzzle far away group');
  });

  it('says specifically what is wrong with an unknown postcode or a bad age', async () => {
    const unknown = await family.get(`${paths.localOffer.search}?postcode=AB1+2XY`);
    expect(unknown.status).toBe(400);
    expect(errorsOf(unknown.body)).toEqual([{ href: '#postcode', text: 'We do not know the postcode AB1 2XY. Check it, or search without a postcode' }]);
    const notPostcode = await family.get(`${paths.localOffer.search}?postcode=hello`);
    expect(errorsOf(notPostcode.body)).toEqual([{ href: '#postcode', text: 'Enter a full postcode, like DM1 4AB' }]);
    const age = await family.get(`${paths.localOffer.search}?age=forty`);
    expect(age.status).toBe(400);
    expect(errorsOf(age.body)).toEqual([{ href: '#age', text: 'Enter the age as a whole number of years from 0 to 25, like 8' }]);
    expect(text(age.body)).toContain('Error: Find services');
  });

  it('shows a service with how to get it, linking the referral form when it is the way in', async () => {
    const drama = await family.get(paths.localOffer.service(ids[1]));
    expect(drama.status).toBe(200);
    const body = text(drama.body);
    expect(body).toContain('How to get this');
    expect(body).toContain("Ask through the partnership's referral form");
    expect(body).toContain('£5 Per session');
    expect(body).toContain('12 to 19 years');
    expect(body).toContain('Severe learning difficulty, Down syndrome');
    expect(drama.body).toContain(`href="${paths.referrals.selfReferral}">Ask for this service using the referral form`);
    const swim = text((await family.get(paths.localOffer.service(ids[0]))).body);
    expect(swim).toContain('Changing Places toilet');
    expect(swim).toContain('Saturdays, 10:00 to 12:00');
    expect(swim).toContain('Free');
    expect((await family.get(paths.localOffer.service('00000000-0000-4000-8000-000000000000'))).status).toBe(404);
  });
});
