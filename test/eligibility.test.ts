// Eligibility rule sets and assessments through the screens: the Tower Hamlets rule set set up
// from code, a referral assessed against it (2 of 8 not met, 3 of 8 met) with the version stored,
// a change saved as a new version that keeps the old one (and old assessments still show it),
// the engine's problems shown beside their fields, and a stale form refused.
import { insertReferral } from './support/referrals.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import { TOWER_HAMLETS_JOINT_FUNDING as TH } from '../src/capabilities/referral-and-panel/eligibility/rules.js';
import { ensureRuleSet, eligibilityOfReferral } from '../src/capabilities/referral-and-panel/eligibility/service.js';
import { conditionsText } from '../src/capabilities/referral-and-panel/eligibility/schema.js';

const CASEWORKER = 'caseworker@demoshire.example.org';
const ADMIN = 'admin@demoshire.example.org';
const errorsOf = (body: string) =>
  [...body.matchAll(/<a href="(#[^"]+)">([^<]+)<\/a>/g)]
    .filter((m) => body.indexOf('govuk-error-summary') < m.index)
    .map((m) => ({ href: m[1]!, text: text(m[2]!).trim() }));

describe.each(databaseKinds())('eligibility on %s', (kind) => {
  let t: TestApp;
  let cw: Client;
  let admin: Client;
  let ruleSetId = '';

  const newReferral = async () =>
    insertReferral(t.database.db, {
      help_needed: 'Residential placement',
      reason: 'Needs 24-hour care',
    });
  const answers = (met: string[]) =>
    Object.fromEntries(
      TH.conditions.flatMap((c) => [
        [`met-${c.code}`, met.includes(c.code) ? 'yes' : 'no'],
        [`evidence-${c.code}`, met.includes(c.code) ? `Report on ${c.code}, March` : ''],
      ]),
    );

  beforeAll(async () => {
    t = await buildTestApp(kind);
    ruleSetId = await ensureRuleSet(t.database.db, TH);
    cw = new Client(t.app);
    admin = new Client(t.app);
    expect((await cw.signIn(CASEWORKER)).status).toBe(303);
    expect((await admin.signIn(ADMIN)).status).toBe(303);
  });
  afterAll(() => t?.close());

  it('sets up a rule set from code once, as version 1', async () => {
    expect(await ensureRuleSet(t.database.db, TH)).toBe(ruleSetId);
    const rows = await t.database.db.selectFrom('eligibility_rule_sets').select(['key', 'version', 'threshold']).execute();
    expect(rows).toEqual([{ key: TH.id, version: 1, threshold: 3 }]);
  });

  it('assesses a referral: 2 of 8 is not met, 3 of 8 is met, each stored with the rule set version', async () => {
    const r = await newReferral();
    const form = await cw.get(paths.referrals.assess(r.id));
    expect(form.status).toBe(200);
    expect(text(form.body)).toContain(`${TH.name}, version 1`);

    const two = await cw.post(paths.referrals.assess(r.id), { ruleSet: ruleSetId, ...answers(['statement', 'accommodated']) });
    expect(two.status).toBe(303);
    const three = await cw.post(paths.referrals.assess(r.id), { ruleSet: ruleSetId, ...answers(['statement', 'accommodated', 'twenty-four-hour']) });
    expect(three.status).toBe(303);

    const stored = await t.database.db.selectFrom('referral_eligibility').selectAll().where('referral_id', '=', r.id).orderBy('assessed_at').execute();
    expect(stored.map((s) => [s.rule_set_id, s.met, s.met_count, s.required])).toEqual([
      [ruleSetId, false, 2, 3],
      [ruleSetId, true, 3, 3],
    ]);
    expect(stored[1]!.summary).toBe('3 of the 8 conditions are met; at least 3 are needed: eligible for joint funding');
    // The audit log records the outcome in numbers, never the evidence typed or the summary.
    const logged = await t.database.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'referrals.eligibility.assess')
      .where('subject_id', '=', r.id)
      .execute();
    expect(logged).toHaveLength(2);
    for (const l of logged) {
      expect(l.details).not.toContain('Report on');
      expect(l.details).not.toContain('conditions are met');
    }
    expect(JSON.parse(logged.at(-1)!.details)).toMatchObject({ met: true, metCount: 3 });

    const page = text((await cw.get(paths.referrals.referral(r.id))).body);
    expect(page).toContain(`${TH.name}, version 1`);
    expect(page).toContain('2 of the 8 conditions are met; at least 3 are needed: not eligible for joint funding');
    expect(page).toContain('Report on twenty-four-hour, March');
  });

  it('refuses an assessment with a condition unanswered or met without evidence', async () => {
    const r = await newReferral();
    await cw.get(paths.referrals.assess(r.id));
    const a = answers(['statement']);
    delete a['met-accommodated'];
    a['evidence-statement'] = '';
    const res = await cw.post(paths.referrals.assess(r.id), { ruleSet: ruleSetId, ...a });
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toEqual([
      { href: '#evidence-statement', text: 'Say what shows that condition 1 is met, like a report and its date' },
      { href: '#met-accommodated', text: 'Select whether condition 2 is met' },
    ]);
    expect(await t.database.db.selectFrom('referral_eligibility').select('id').where('referral_id', '=', r.id).execute()).toEqual([]);
  });

  it('saves a change as a new version, keeps the old one, and old assessments still show their version', async () => {
    const r = await newReferral();
    await cw.get(paths.referrals.assess(r.id));
    await cw.post(paths.referrals.assess(r.id), { ruleSet: ruleSetId, ...answers(['statement', 'accommodated', 'risk-at-home']) });

    const page = await admin.get(paths.eligibility.ruleSet(ruleSetId));
    expect(page.status).toBe(200);
    const changed = {
      name: TH.name,
      kind: 'at-least',
      threshold: '4',
      conditions: conditionsText(TH.conditions),
      outcomeMet: 'eligible for joint funding',
      outcomeNotMet: 'not eligible for joint funding',
      basedOnVersion: '1',
    };
    // The engine's own check, beside its field.
    const bad = await admin.post(paths.eligibility.ruleSet(ruleSetId), { ...changed, threshold: '9' });
    expect(bad.status).toBe(400);
    expect(errorsOf(bad.body)).toEqual([
      { href: '#threshold', text: expect.stringMatching(/needs at least 9 conditions, but the number must be a whole number from 1 to 8/) as unknown },
    ]);
    const badLine = await admin.post(paths.eligibility.ruleSet(ruleSetId), { ...changed, conditions: `${changed.conditions}\nno code here` });
    expect(errorsOf(badLine.body)[0]).toMatchObject({
      href: '#conditions',
      text: expect.stringMatching(/^Line 9 of the conditions needs a short code/) as unknown,
    });

    const saved = await admin.post(paths.eligibility.ruleSet(ruleSetId), changed);
    expect(saved.status).toBe(303);
    const versions = await t.database.db
      .selectFrom('eligibility_rule_sets')
      .select(['id', 'version', 'threshold'])
      .where('key', '=', TH.id)
      .orderBy('version')
      .execute();
    expect(versions.map((v) => [v.version, v.threshold])).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(saved.location).toBe(`${paths.eligibility.ruleSet(versions[1]!.id)}?done=saved`);

    // A second save from the form opened on version 1 is stale.
    const stale = await admin.post(paths.eligibility.ruleSet(ruleSetId), { ...changed, threshold: '5' });
    expect(stale.status).toBe(409);
    expect(await t.database.db.selectFrom('eligibility_rule_sets').select('id').where('key', '=', TH.id).execute()).toHaveLength(2);

    // The earlier assessment still shows version 1 (met under it: 3 of 3); new ones use version 2.
    const [old] = await eligibilityOfReferral(t.database.db, r.id);
    expect(old).toMatchObject({ ruleSetVersion: 1, met: true, metCount: 3, required: 3 });
    expect(text((await cw.get(paths.referrals.referral(r.id))).body)).toContain(`${TH.name}, version 1`);
    const form = text((await cw.get(paths.referrals.assess(r.id))).body);
    expect(form).toContain(`${TH.name}, version 2`);
    await cw.post(paths.referrals.assess(r.id), { ruleSet: versions[1]!.id, ...answers(['statement', 'accommodated', 'risk-at-home']) });
    const [latest] = await eligibilityOfReferral(t.database.db, r.id);
    expect(latest).toMatchObject({ ruleSetVersion: 2, met: false, metCount: 3, required: 4 });

    const list = text((await admin.get(paths.eligibility.ruleSets)).body);
    expect(list).toContain('Version 2 (1 earlier kept)');
  });

  it('adds a new rule set and is for the partnership administrator only', async () => {
    await admin.get(paths.eligibility.newRuleSet);
    const res = await admin.post(paths.eligibility.newRuleSet, {
      name: 'Area definition of disability',
      kind: 'any',
      conditions: 'development: a significant developmental delay\ncondition: a long-term condition',
    });
    expect(res.status).toBe(303);
    const row = await t.database.db
      .selectFrom('eligibility_rule_sets')
      .selectAll()
      .where('name', '=', 'Area definition of disability')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ key: 'area-definition-of-disability', version: 1, kind: 'any', threshold: null });
    expect((await cw.get(paths.eligibility.ruleSets)).status).toBe(403);
  });
});
