// Providers and moderation on real databases: a provider sends a new entry and a change to its own
// entry; nothing goes live until a Local Offer officer approves; nobody decides their own change;
// a provider cannot touch another organisation's entry; the officer's worklist shows what waits,
// what is out of date and how complete entries are; bad input gets specific errors; all audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import { hashPassword } from '../src/capabilities/administration/sign-in/passwords.js';
import { DEMO_PASSWORD } from '../src/demo/seed.js';
import { AGES_WRONG_WAY } from '../src/capabilities/planning/local-offer/rules.js';
import { ALREADY_WAITING } from '../src/capabilities/planning/local-offer/moderation.js';
import { REMIND_JOB } from '../src/capabilities/planning/local-offer/routes.js';

const PROVIDER = 'provider@demoshire.example.org';
const OFFICER = 'local-offer@demoshire.example.org';
const BOTH = 'provider-and-officer@demoshire.example.org';

const errorsOf = (body: string) =>
  [...body.matchAll(/<a href="(#[^"]+)">([^<]+)<\/a>/g)]
    .filter((m) => body.indexOf('govuk-error-summary') < m.index)
    .map((m) => ({ href: m[1]!, text: text(m[2]!).trim() }));

const form = (over: Record<string, string | string[]> = {}) => ({
  name: 'Quibbleton sensory garden club',
  description: 'A calm outdoor club in a sensory garden, with trained staff and a quiet shelter.',
  minimumAge: '4',
  maximumAge: '14',
  needs: ['ASD', 'MSI'],
  supportTypes: ['ACTIVITIES'],
  schedule2: ['LEISURE'],
  access: ['SELF-REFERRAL'],
  howToAccess: 'Email us to book a first visit.',
  cost: 'free',
  addressLine: '3 Garden Row',
  city: 'Demoshire Town',
  postcode: 'DM4 1AB',
  accessibility: 'Step-free paths throughout',
  when: 'Saturdays 10am to 12pm',
  email: 'garden@quibbleton.example.org',
  ...over,
});

describe.each(databaseKinds())('Local Offer providers and moderation on %s', (kind) => {
  let t: TestApp;
  let provider: Client;
  let officer: Client;
  beforeAll(async () => {
    t = await buildTestApp(kind, {}, { localOffer: true });
    // Someone holding both roles, to show nobody decides their own change.
    const org = await t.database.db.selectFrom('organisations').select('id').where('code', '=', 'DEMO-PROV').executeTakeFirstOrThrow();
    const user = await t.database.db
      .insertInto('users')
      .values({ organisation_id: org.id, display_name: 'Demo Provider And Officer', email: BOTH, password_hash: await hashPassword(DEMO_PASSWORD) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.database.db
      .insertInto('user_roles')
      .values([
        { user_id: user.id, role: 'local-offer-provider' },
        { user_id: user.id, role: 'local-offer-officer' },
      ])
      .execute();
    provider = new Client(t.app);
    await provider.signIn(PROVIDER);
    officer = new Client(t.app);
    await officer.signIn(OFFICER);
  });
  afterAll(() => t?.close());

  const search = async (q: string) => text((await new Client(t.app).get(`${paths.localOffer.search}?q=${encodeURIComponent(q)}`)).body);

  it('refuses bad input specifically: ages the wrong way round, an unknown postcode, no type of support', async () => {
    await provider.get(paths.localOffer.newEntry);
    const res = await provider.post(paths.localOffer.newEntry, form({ minimumAge: '14', maximumAge: '4', postcode: 'AB1 2XY', supportTypes: [] }));
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toEqual([
      { href: '#minimumAge', text: AGES_WRONG_WAY },
      { href: '#supportTypes', text: 'Select the type of support the service gives' },
      { href: '#postcode', text: 'We do not know the postcode AB1 2XY. Check it is right' },
    ]);
    expect(await t.database.db.selectFrom('offer_changes').select('id').execute()).toEqual([]);
  });

  it('keeps a new entry out of the directory until an officer approves it, then publishes it', async () => {
    await provider.get(paths.localOffer.newEntry);
    const sent = await provider.post(paths.localOffer.newEntry, form());
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`${paths.localOffer.provider}?sent=1`);
    expect(text((await provider.get(sent.location!)).body)).toMatch(/Changes you sent .*Quibbleton sensory garden club \d+ \w+ \d{4} Waiting for approval/);
    expect(await search('Quibbleton')).toContain('0 services found');

    // A provider cannot reach the worklist; the officer sees the change waiting.
    expect((await provider.get(paths.localOffer.moderation)).status).toBe(403);
    const list = await officer.get(paths.localOffer.moderation);
    expect(text(list.body)).toContain('Quibbleton sensory garden club New entry Demo Local Offer Provider');
    const change = await t.database.db.selectFrom('offer_changes').select(['id', 'submitted_by']).where('decision', 'is', null).executeTakeFirstOrThrow();
    const page = text((await officer.get(paths.localOffer.change(change.id))).body);
    expect(page).toContain('Complete: 100%');

    const approved = await officer.post(paths.localOffer.approve(change.id));
    expect(approved.location).toBe(`${paths.localOffer.moderation}?done=approved`);
    expect(await search('Quibbleton')).toContain('1 service found');
    const live = await t.database.db
      .selectFrom('offer_services as s')
      .innerJoin('organisations as o', 'o.id', 's.owner_organisation_id')
      .select(['s.id', 's.review_due', 'o.code'])
      .where('s.name', '=', 'Quibbleton sensory garden club')
      .executeTakeFirstOrThrow();
    expect(live.code).toBe('DEMO-PROV');
    // Due for review a year after approval.
    expect(Number(live.review_due.slice(0, 4))).toBe(new Date().getUTCFullYear() + 1);
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'subject_id']).where('action', 'like', 'local-offer.%').orderBy('at').execute();
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['local-offer.entry.submit', 'local-offer.change.approve']));
    expect(audit.find((a) => a.action === 'local-offer.change.approve')?.subject_id).toBe(change.id);
  });

  it('lets a provider change its own entry (one change at a time), never another organisation’s', async () => {
    const own = await t.database.db
      .selectFrom('offer_services')
      .select(['id', 'version'])
      .where('name', '=', 'Quibbleton sensory garden club')
      .executeTakeFirstOrThrow();
    const edit = await provider.get(paths.localOffer.editEntry(own.id));
    expect(edit.status).toBe(200);
    expect(edit.body).toContain('value="Quibbleton sensory garden club"');
    const sent = await provider.post(
      paths.localOffer.editEntry(own.id),
      form({ name: 'Quibbleton sensory garden club (Sundays too)', version: String(own.version) }),
    );
    expect(sent.status).toBe(303);
    await provider.get(paths.localOffer.editEntry(own.id));
    const again = await provider.post(paths.localOffer.editEntry(own.id), form({ version: String(own.version) }));
    expect(errorsOf(again.body)).toEqual([{ href: '#name', text: ALREADY_WAITING }]);
    // Still the old name in public until approved.
    expect(await search('Sundays')).toContain('0 services found');

    const councils = await t.database.db
      .selectFrom('offer_services as s')
      .innerJoin('organisations as o', 'o.id', 's.owner_organisation_id')
      .select('s.id')
      .where('o.code', '=', 'DEMO-EDU')
      .executeTakeFirstOrThrow();
    expect((await provider.get(paths.localOffer.editEntry(councils.id))).status).toBe(404);
    await provider.get(paths.localOffer.newEntry);
    expect((await provider.post(paths.localOffer.editEntry(councils.id), form())).status).toBe(404);
  });

  it('never lets anyone decide their own change', async () => {
    const both = new Client(t.app);
    await both.signIn(BOTH);
    await both.get(paths.localOffer.newEntry);
    await both.post(paths.localOffer.newEntry, form({ name: 'Wobbleford music makers' }));
    const mine = await t.database.db.selectFrom('offer_changes').select('id').where('entry', 'like', '%Wobbleford%').executeTakeFirstOrThrow();
    const page = await both.get(paths.localOffer.change(mine.id));
    expect(text(page.body)).toContain('You sent this change, so someone else must decide it');
    expect(page.body).not.toContain('Approve and publish');
    const refused = await both.post(paths.localOffer.approve(mine.id));
    expect(refused.status).toBe(403);
    expect(text(refused.body)).toContain('You cannot decide your own change');
    expect(await search('Wobbleford')).toContain('0 services found');

    // The officer refuses it with a reason, which the provider organisation reads.
    await officer.get(paths.localOffer.change(mine.id));
    const noReason = await officer.post(paths.localOffer.refuse(mine.id), { reason: '' });
    expect(errorsOf(noReason.body)).toEqual([{ href: '#reason', text: 'Say why the change is refused, so the provider can put it right' }]);
    await officer.get(paths.localOffer.change(mine.id));
    expect((await officer.post(paths.localOffer.refuse(mine.id), { reason: 'Add when it runs' })).status).toBe(303);
    expect(text((await provider.get(paths.localOffer.provider)).body)).toContain('Refused: Add when it runs');
  });

  it('shows the officer out-of-date entries and completeness per part of the Local Offer', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const late = await t.database.db
      .selectFrom('offer_services')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('review_due', '<', today)
      .executeTakeFirstOrThrow();
    expect(Number(late.n)).toBeGreaterThan(0);
    const body = text((await officer.get(paths.localOffer.moderation)).body);
    expect(body).toContain(`${Number(late.n)} are past their review date`);
    expect(body).toContain(`Out of date (${Number(late.n)})`);
    expect(body).toContain('Completeness by part of the Local Offer (Schedule 2)');
    expect(body).toMatch(/Leisure activities \d+ \d+%/);
    // Each part shows its services' average completeness, or says it is a gap.
    expect(body).toMatch(/Childcare \d+ (\d+%|No services: a gap)/);
  });

  it('reminds owners of entries past their review date each morning, each entry at most weekly', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const provOrg = await t.database.db.selectFrom('organisations').select('id').where('code', '=', 'DEMO-PROV').executeTakeFirstOrThrow();
    const late = await t.database.db
      .selectFrom('offer_services')
      .select(['name'])
      .where('owner_organisation_id', '=', provOrg.id)
      .where('review_due', '<', today)
      .orderBy('name')
      .execute();
    expect(late.length).toBeGreaterThan(0);
    const before = t.sent.length;
    const jobId = await t.jobs.enqueue(t.database.db, REMIND_JOB, { scheduledFor: today });
    await t.jobs.runPending();
    expect((await t.jobs.get(t.database.db, jobId))?.status).toBe('succeeded');
    const sent = t.sent.slice(before);
    // The provider organisation's two provider accounts hear about its own entries, by name.
    const toProviders = sent.filter((m) => m.body.includes(`${t.config.baseUrl}${paths.localOffer.provider}`));
    expect(toProviders.map((m) => m.to).sort()).toEqual([BOTH, PROVIDER].sort());
    for (const l of late) expect(toProviders[0]!.body).toContain(`- ${l.name} (review was due`);
    expect(toProviders[0]!.body).toContain(`${t.config.baseUrl}${paths.localOffer.provider}`);
    // The council's entries have no provider account: its officers hear instead.
    expect(sent.some((m) => m.to === OFFICER && m.body.includes(paths.localOffer.moderation))).toBe(true);
    // Again the same day: nothing more.
    const again = t.sent.length;
    await t.jobs.enqueue(t.database.db, REMIND_JOB, { scheduledFor: today });
    await t.jobs.runPending();
    expect(t.sent.length).toBe(again);
  });
});
