// Who works with a child: involvements (with costs in pence), ending them, and the key worker
// with the family's agreement; each change also writes the chronology. Over HTTP on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { addDays, auditFor, CASEWORKER, createChild, KEYWORKER, orgId, PRACTITIONER, userId } from './tell-it-once.fixtures.js';
import { dateParts } from './support/dates.js';

describe.each(databaseKinds())('involvements on %s', (kind) => {
  let t: TestApp;
  let child: { id: string };
  let noAccess: { id: string };
  let trust: string;
  let csc: string;
  const signedIn = async (email = CASEWORKER) => {
    const c = new Client(t.app);
    await c.signIn(email);
    return c;
  };
  const chronology = (childId: string) =>
    t.database.db.selectFrom('chronology_events').selectAll().where('child_id', '=', childId).orderBy('recorded_at').orderBy('id').execute();
  const involvementForm = (extra: Record<string, string> = {}) => ({
    organisationId: trust,
    service: 'Speech and language therapy',
    provides: 'Weekly sessions at school',
    ...dateParts('startedOn', addDays(todayInLondon(), -10)),
    ...extra,
  });

  beforeAll(async () => {
    t = await buildTestApp(kind);
    const db = t.database.db;
    trust = await orgId(db, 'DEMO-TRUST');
    csc = await orgId(db, 'DEMO-CSC');
    child = await createChild(db, {
      givenName: 'Bea',
      involved: [
        { code: 'DEMO-EDU', service: 'SEND casework' },
        { code: 'DEMO-CSC', service: 'Short breaks' },
      ],
      consent: { 'council-education': ['core'], 'council-social-care': ['core'] },
    });
    noAccess = await createChild(db, { givenName: 'Notmine', involved: ['DEMO-CSC'], consent: { 'council-social-care': ['core'] } });
  });
  afterAll(() => t?.close());

  it('lists who works with the child, says adding another organisation needs consent, and audits the view', async () => {
    const c = await signedIn();
    const res = await c.get(paths.children.involvements(child.id));
    expect(res.status).toBe(200);
    const page = text(res.body);
    expect(page).toContain('SEND casework: Demoshire Council: SEND and inclusion (fictional)');
    expect(page).toContain('Short breaks');
    expect(page).toContain('No key worker has been named');
    expect(page).toContain('does not by itself let its staff see this record');
    expect((await auditFor(t.database.db, 'child.involvements.view', child.id)).at(-1)).toMatchObject({ subject_type: 'child' });
    const form = text((await c.get(paths.children.addInvolvement(child.id))).body);
    expect(form).toContain("its staff can see this record only if the family's consent covers that type of organisation");
  });

  it('is not found for a person whose organisation is not involved', async () => {
    const c = await signedIn();
    expect((await c.get(paths.children.involvements(noAccess.id))).status).toBe(404);
    expect((await c.get(paths.children.keyWorker(noAccess.id))).status).toBe(404);
    const post = await c.post(paths.children.addInvolvement(noAccess.id), involvementForm());
    expect(post.status).toBe(404);
    expect(
      await t.database.db.selectFrom('involvements').select('id').where('child_id', '=', noAccess.id).where('organisation_id', '=', trust).execute(),
    ).toEqual([]);
  });

  it('refuses a negative cost, part of a penny, and a cost without its period, each with its own message', async () => {
    const c = await signedIn();
    await c.get(paths.children.addInvolvement(child.id));
    const negative = await c.post(paths.children.addInvolvement(child.id), involvementForm({ cost: '-5', costPeriod: 'week' }));
    expect(negative.status).toBe(400);
    expect(text(negative.body)).toContain('The cost cannot be negative');
    const fraction = await c.post(paths.children.addInvolvement(child.id), involvementForm({ cost: '12.345', costPeriod: 'week' }));
    expect(fraction.status).toBe(400);
    expect(text(fraction.body)).toContain('Enter the cost in pounds and pence, like 45.50. It cannot include part of a penny');
    const words = await c.post(paths.children.addInvolvement(child.id), involvementForm({ cost: 'about ten', costPeriod: 'week' }));
    expect(text(words.body)).toContain('Enter the cost as an amount in pounds, like 45.50');
    const noPeriod = await c.post(paths.children.addInvolvement(child.id), involvementForm({ cost: '10' }));
    expect(noPeriod.status).toBe(400);
    expect(text(noPeriod.body)).toContain('Select whether the cost is for a week or a year');
    expect(noPeriod.body).toContain('value="Speech and language therapy"');
    // Nothing was added, but each refused form showed the child's record again: audited as refused reads.
    const refused = (await auditFor(t.database.db, 'child.involvement.add', child.id)).filter((a) => a.result === 'denied');
    expect(refused).toHaveLength(4);
    expect(JSON.parse(refused.at(-1)!.details)).toMatchObject({ section: 'core', refused: ['#costPeriod'] });
    expect(refused.at(-1)!.details).not.toContain('Speech');
  });

  it('refuses a missing service, a future start and an impossible date', async () => {
    const c = await signedIn();
    await c.get(paths.children.addInvolvement(child.id));
    const res = await c.post(paths.children.addInvolvement(child.id), {
      organisationId: trust,
      service: '',
      ...dateParts('startedOn', addDays(todayInLondon(), 3)),
    });
    expect(res.status).toBe(400);
    const page = text(res.body);
    expect(page).toContain('Enter the service, for example "Speech and language therapy"');
    expect(page).toContain('The date the involvement started must be today or in the past');
    expect(res.body).toContain('href="#startedOn-day"');
    const impossible = await c.post(
      paths.children.addInvolvement(child.id),
      involvementForm({ 'startedOn-day': '31', 'startedOn-month': '2', 'startedOn-year': '2024' }),
    );
    expect(text(impossible.body)).toContain('The date the involvement started must be a real date');
  });

  it('refuses a named practitioner who does not work for the organisation', async () => {
    const c = await signedIn();
    await c.get(paths.children.addInvolvement(child.id));
    const res = await c.post(paths.children.addInvolvement(child.id), involvementForm({ practitionerUserId: await userId(t.database.db, KEYWORKER) }));
    expect(res.status).toBe(400);
    expect(text(res.body)).toContain('Choose a practitioner who works for Demoshire Community Health NHS Trust (fictional), or type their name instead');
  });

  it('adds an involvement with its cost in pence and a named practitioner, and writes the chronology in the same step', async () => {
    const c = await signedIn();
    await c.get(paths.children.addInvolvement(child.id));
    const practitioner = await userId(t.database.db, PRACTITIONER);
    const res = await c.post(
      paths.children.addInvolvement(child.id),
      involvementForm({ practitionerUserId: practitioner, cost: '£1,045.50', costPeriod: 'week' }),
    );
    expect(res.status).toBe(303);
    const row = await t.database.db
      .selectFrom('involvements')
      .selectAll()
      .where('child_id', '=', child.id)
      .where('organisation_id', '=', trust)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      service: 'Speech and language therapy',
      cost_pence: 104550,
      cost_period: 'week',
      practitioner_user_id: practitioner,
      ended_on: null,
    });
    const page = text((await c.get(res.location!)).body);
    expect(page).toContain('Involvement added');
    expect(page).toContain('£1,045.50 a week');
    expect(page).toContain('Demo Practitioner');
    const events = await chronology(child.id);
    expect(events.at(-1)).toMatchObject({
      title: 'Involvement started: Speech and language therapy',
      section: 'core',
      organisation_id: trust,
      occurred_on: addDays(todayInLondon(), -10),
    });
    const audit = (await auditFor(t.database.db, 'child.involvement.add', child.id)).at(-1)!;
    expect(JSON.parse(audit.details)).toMatchObject({ involvementId: row.id });
    // The same service of the same organisation cannot be open twice.
    const again = await c.post(paths.children.addInvolvement(child.id), involvementForm());
    expect(again.status).toBe(400);
    expect(text(again.body)).toContain('already has an open involvement for this service');
  });

  it('accepts a practitioner named in free text, and an annual cost', async () => {
    const c = await signedIn();
    await c.get(paths.children.addInvolvement(child.id));
    const res = await c.post(
      paths.children.addInvolvement(child.id),
      involvementForm({ service: 'Physiotherapy', practitionerName: 'Robin Testtherapist', cost: '1200', costPeriod: 'year' }),
    );
    expect(res.status).toBe(303);
    const page = text((await c.get(res.location!)).body);
    expect(page).toContain('Robin Testtherapist');
    expect(page).toContain('£1,200.00 a year');
  });

  it('ends an involvement, writes the chronology, and refuses a stale or impossible end', async () => {
    const c = await signedIn();
    const inv = await t.database.db
      .selectFrom('involvements')
      .selectAll()
      .where('child_id', '=', child.id)
      .where('service', '=', 'Physiotherapy')
      .executeTakeFirstOrThrow();
    const form = await c.get(paths.children.endInvolvement(child.id, inv.id));
    expect(form.status).toBe(200);
    const early = await c.post(paths.children.endInvolvement(child.id, inv.id), { ...dateParts('endedOn', addDays(todayInLondon(), -20)), version: '1' });
    expect(early.status).toBe(400);
    expect(text(early.body)).toMatch(/The date the involvement ended must be on or after/);
    const ok = await c.post(paths.children.endInvolvement(child.id, inv.id), { ...dateParts('endedOn', addDays(todayInLondon(), -1)), version: '1' });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe(`${paths.children.involvements(child.id)}?done=ended`);
    const stale = await c.post(paths.children.endInvolvement(child.id, inv.id), { ...dateParts('endedOn', addDays(todayInLondon(), -1)), version: '1' });
    expect(stale.status).toBe(400);
    expect(text(stale.body)).toContain('This involvement has already ended');
    const stored = await t.database.db.selectFrom('involvements').selectAll().where('id', '=', inv.id).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ ended_on: addDays(todayInLondon(), -1), version: 2 });
    expect((await chronology(child.id)).at(-1)).toMatchObject({
      title: 'Involvement ended: Physiotherapy',
      occurred_on: addDays(todayInLondon(), -1),
      organisation_id: trust,
    });
    expect(text((await c.get(paths.children.involvements(child.id))).body)).toContain('Past involvements');
  });

  it('refuses to end an involvement from an out-of-date form', async () => {
    const c = await signedIn();
    const inv = await t.database.db
      .selectFrom('involvements')
      .selectAll()
      .where('child_id', '=', child.id)
      .where('service', '=', 'Speech and language therapy')
      .executeTakeFirstOrThrow();
    await c.get(paths.children.endInvolvement(child.id, inv.id));
    await t.database.db
      .updateTable('involvements')
      .set({ provides: 'Changed meanwhile', version: inv.version + 1 })
      .where('id', '=', inv.id)
      .execute();
    const res = await c.post(paths.children.endInvolvement(child.id, inv.id), { ...dateParts('endedOn', todayInLondon()), version: String(inv.version) });
    expect(res.status).toBe(409);
    expect(text(res.body)).toContain('Someone else changed this record after you opened it');
    const stored = await t.database.db.selectFrom('involvements').select('ended_on').where('id', '=', inv.id).executeTakeFirstOrThrow();
    expect(stored.ended_on).toBeNull();
  });

  describe('key worker', () => {
    let keyworker: string;
    let caseworkerId: string;
    beforeAll(async () => {
      keyworker = await userId(t.database.db, KEYWORKER);
      caseworkerId = await userId(t.database.db, CASEWORKER);
    });
    // The key worker form's version: one more than the key worker's own (1 before the first).
    const version = async () =>
      ((await t.database.db.selectFrom('key_workers').select('version').where('child_id', '=', child.id).executeTakeFirst())?.version ?? 0) + 1;
    const keyWorkerOf = async () =>
      (await t.database.db.selectFrom('key_workers').select('user_id').where('child_id', '=', child.id).executeTakeFirst())?.user_id ?? null;

    it('offers only casework staff of organisations working with the child', async () => {
      const c = await signedIn();
      const page = await c.get(paths.children.keyWorker(child.id));
      expect(page.status).toBe(200);
      expect(page.body).toContain(keyworker);
      expect(page.body).toContain(caseworkerId);
      expect(page.body).not.toContain(await userId(t.database.db, 'commissioner@demoshire.example.org'));
      // DEMO-TRUST is involved now (added above), so its practitioner is offered; an uninvolved
      // organisation's staff member is refused.
      const other = await createChild(t.database.db, { givenName: 'Kwtest', involved: ['DEMO-EDU'], consent: { 'council-education': ['core'] } });
      await c.get(paths.children.keyWorker(other.id));
      const res = await c.post(paths.children.keyWorker(other.id), { keyWorkerUserId: keyworker, familyAgreed: 'yes', version: '1' });
      expect(res.status).toBe(400);
      expect(text(res.body)).toContain('Choose the new key worker from the list of staff in organisations working with the child');
    });

    it('refuses a change the family did not agree to, with the reason', async () => {
      const c = await signedIn();
      await c.get(paths.children.keyWorker(child.id));
      const res = await c.post(paths.children.keyWorker(child.id), { keyWorkerUserId: keyworker, familyAgreed: 'no', version: String(await version()) });
      expect(res.status).toBe(400);
      expect(text(res.body)).toContain('A change of key worker needs the family’s agreement');
      const missing = await c.post(paths.children.keyWorker(child.id), { keyWorkerUserId: keyworker, version: String(await version()) });
      expect(text(missing.body)).toContain('Select whether the family agreed to the change');
      expect(await keyWorkerOf()).toBeNull();
      expect(await t.database.db.selectFrom('key_worker_changes').select('id').where('child_id', '=', child.id).execute()).toEqual([]);
    });

    it('records a change with the family’s agreement, its history and a chronology event', async () => {
      const c = await signedIn();
      await c.get(paths.children.keyWorker(child.id));
      const res = await c.post(paths.children.keyWorker(child.id), {
        keyWorkerUserId: keyworker,
        familyAgreed: 'yes',
        note: 'Agreed at the review meeting',
        version: String(await version()),
      });
      expect(res.status).toBe(303);
      expect(await keyWorkerOf()).toBe(keyworker);
      const changes = await t.database.db.selectFrom('key_worker_changes').selectAll().where('child_id', '=', child.id).execute();
      expect(changes).toHaveLength(1);
      expect(changes[0]).toMatchObject({
        from_user_id: null,
        to_user_id: keyworker,
        family_agreed: true,
        note: 'Agreed at the review meeting',
        changed_on: todayInLondon(),
      });
      expect((await chronology(child.id)).at(-1)).toMatchObject({ title: 'Key worker changed to Demo Key Worker', organisation_id: csc, section: 'core' });
      const page = text((await c.get(res.location!)).body);
      expect(page).toContain('Key worker changed');
      expect(page).toContain('Demo Key Worker, Demoshire Council: children with disabilities team (fictional)');
      expect(page).toContain('Changes of key worker');
      expect((await auditFor(t.database.db, 'child.key-worker.change', child.id)).at(-1)).toMatchObject({ result: 'allowed' });
    });

    it('records an interim change with the family still to be asked, then their agreement', async () => {
      const c = await signedIn();
      await c.get(paths.children.keyWorker(child.id));
      const interim = await c.post(paths.children.keyWorker(child.id), {
        keyWorkerUserId: caseworkerId,
        familyAgreed: 'interim',
        version: String(await version()),
      });
      expect(interim.status).toBe(303);
      const last = await t.database.db
        .selectFrom('key_worker_changes')
        .selectAll()
        .where('child_id', '=', child.id)
        .orderBy('recorded_at', 'desc')
        .executeTakeFirstOrThrow();
      expect(last).toMatchObject({ from_user_id: keyworker, to_user_id: caseworkerId, family_agreed: false });
      expect((await chronology(child.id)).at(-1)!.title).toBe('Interim key worker: Demo Caseworker (the family will be asked)');
      const page = text((await c.get(interim.location!)).body);
      expect(page).toContain('Interim: family not yet asked');
      // The family agrees: the same person is recorded again, now with their agreement.
      await c.get(paths.children.keyWorker(child.id));
      const agreed = await c.post(paths.children.keyWorker(child.id), { keyWorkerUserId: caseworkerId, familyAgreed: 'yes', version: String(await version()) });
      expect(agreed.status).toBe(303);
      expect((await chronology(child.id)).at(-1)!.title).toBe('The family agreed to Demo Caseworker as key worker');
      expect(text((await c.get(agreed.location!)).body)).not.toContain('Interim: family not yet asked');
      // Once agreed, choosing the same person again is refused.
      const same = await c.post(paths.children.keyWorker(child.id), { keyWorkerUserId: caseworkerId, familyAgreed: 'yes', version: String(await version()) });
      expect(text(same.body)).toContain('Demo Caseworker is already the key worker');
    });

    it('refuses a change made from an out-of-date form, and changes nothing', async () => {
      const c = await signedIn();
      await c.get(paths.children.keyWorker(child.id));
      const stale = String((await version()) - 1);
      const res = await c.post(paths.children.keyWorker(child.id), { keyWorkerUserId: keyworker, familyAgreed: 'yes', version: stale });
      expect(res.status).toBe(409);
      expect(text(res.body)).toContain('Someone else changed this record after you opened it');
      expect(await keyWorkerOf()).toBe(caseworkerId);
    });
  });

  it('ending one’s own organisation’s involvement ends one’s access to the record', async () => {
    const db = t.database.db;
    const own = await createChild(db, {
      givenName: 'Leaving',
      involved: [{ code: 'DEMO-EDU', service: 'SEND casework', startedOn: addDays(todayInLondon(), -100) }],
      consent: { 'council-education': ['core'] },
    });
    const inv = await db.selectFrom('involvements').selectAll().where('child_id', '=', own.id).executeTakeFirstOrThrow();
    const c = await signedIn();
    await c.get(paths.children.endInvolvement(own.id, inv.id));
    const res = await c.post(paths.children.endInvolvement(own.id, inv.id), { ...dateParts('endedOn', addDays(todayInLondon(), -1)), version: '1' });
    expect(res.status).toBe(200);
    expect(text(res.body)).toContain('you can no longer see their record');
    expect(res.body).not.toContain('Leaving');
    expect((await c.get(paths.children.involvements(own.id))).status).toBe(404);
    expect((await auditFor(db, 'child.involvement.end', own.id)).length).toBe(1);
  });
});
