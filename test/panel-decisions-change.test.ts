// A panel decision that changes one of the child's current packages (issue 6: "a recorded decision
// creates or changes the package"): the form starts from the package's current terms; recording a
// change from 50/50 to 30/70 posts only the difference per partner, linked to the decision, so the
// ledger then holds exactly what the new rule implies; another child's package and a package
// changed since the form was filled are refused, and nothing is written; authority is checked on
// the new terms, not the old ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import {
  createPanelWorld,
  decisionCounts,
  decisionWindow,
  errorsOf,
  firstServiceCategory,
  PANEL_USERS,
  personalCareTerms,
  type PanelWorld,
} from './support/panel-world.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { changePackage, createPackage, currentTerms, impliedCommitment, type PackageInput } from '../src/capabilities/money/budgets/packages.js';
import { addDays } from '../src/platform/financial-year.js';

const byPartner = (years: { byPartner: { partnerId: string; pence: number }[] }[]) => {
  const out: Record<string, number> = {};
  for (const y of years) for (const p of y.byPartner) out[p.partnerId] = (out[p.partnerId] ?? 0) + p.pence;
  return out;
};

describe.each(databaseKinds())('a panel decision that changes a package, on %s', (kind) => {
  let t: TestApp;
  let caseworker: Client;
  const today = todayInLondon();
  const { start, end } = decisionWindow(today);
  let category = '';
  const db = () => t.database.db;

  beforeAll(async () => {
    t = await buildTestApp(kind);
    caseworker = new Client(t.app);
    expect((await caseworker.signIn(PANEL_USERS.administrator)).status).toBe(303);
    category = await firstServiceCategory(db());
  });
  afterAll(() => t?.close());

  /** £200 a week for 13 weeks (£2,600), shared by health and social care, set up before the panel. */
  const existingPackage = async (w: PanelWorld, healthPercent = 50) => {
    const terms: PackageInput = {
      serviceCategory: category,
      service: 'Personal care at home',
      providerId: w.pool.providerId,
      unitCostPence: 2000,
      unitsX100: 1000,
      frequency: 'week',
      startsOn: start,
      endsOn: end,
      reviewOn: null,
      split: [
        {
          from: start,
          to: end,
          shares: [
            { partnerId: w.partners.health, bp: healthPercent * 100 },
            { partnerId: w.partners.socialCare, bp: 10000 - healthPercent * 100 },
          ],
        },
      ],
      reason: 'Set up by the key worker before the panel (fictional)',
    };
    return createPackage(db(), { ...terms, agreementId: w.pool.agreementId, childId: w.childId }, { id: w.pool.financeUserId }, today);
  };

  /** The decision form as posted after choosing the package: its terms, with the panel's split. */
  const change = (w: PanelWorld, packageId: string, version: string, health: string, socialCare: string) => ({
    outcome: 'approve-with-changes',
    reasons: 'Social care takes the larger share while the family’s short breaks are arranged (fictional).',
    packageId,
    packageVersion: version,
    ...personalCareTerms(w, category, start, end),
    splitMode: 'custom',
    [`split1-${w.partners.health}`]: health,
    [`split1-${w.partners.socialCare}`]: socialCare,
  });

  /** What a decision writes, to show a refused one wrote nothing. */
  const counts = async (w: PanelWorld, packageId: string) => ({
    ...(await decisionCounts(db(), w)),
    changes: Number(
      (
        await db()
          .selectFrom('package_changes')
          .select(sql<number>`count(*)`.as('n'))
          .where('package_id', '=', packageId)
          .executeTakeFirstOrThrow()
      ).n,
    ),
    version: (await db().selectFrom('packages').select('version').where('id', '=', packageId).executeTakeFirstOrThrow()).version,
  });

  it('changes a package from 50/50 to 30/70, posting only the difference, linked to the decision', async () => {
    const w = await createPanelWorld(db());
    const pkg = await existingPackage(w);
    const before = byPartner(await impliedCommitment(db(), pkg.id, today));
    expect(before).toEqual({ [w.partners.health]: 130_000, [w.partners.socialCare]: 130_000 });

    // The form offers the child's current package; choosing it fills the form with its terms.
    const form = await caseworker.get(paths.decisions.decide(w.caseId));
    expect(form.status).toBe(200);
    expect(text(form.body)).toContain(`Change ${pkg.reference}: Personal care at home`);
    const chosen = await caseworker.get(`${paths.decisions.decide(w.caseId)}?package=${pkg.id}`);
    expect(chosen.status).toBe(200);
    expect(chosen.body).toContain(`name="packageId" value="${pkg.id}"`);
    expect(chosen.body).toContain('name="packageVersion" value="1"');
    expect(chosen.body).toMatch(/id="unitCost" name="unitCost" type="text"[^>]*value="20.00"/);
    expect(chosen.body).toMatch(new RegExp(`id="split1-${w.partners.health}" name="split1-${w.partners.health}" type="text"[^>]*value="50"`));
    // The pooling agreement is shown, not offered for change.
    expect(chosen.body).not.toContain('name="agreementId"');
    expect(text(chosen.body)).toContain('A package stays in the pooling agreement it was set up in');

    const res = await caseworker.post(paths.decisions.decide(w.caseId), change(w, pkg.id, '1', '30', '70'));
    expect(res.status, text(res.body).slice(0, 2000)).toBe(303);
    const d = await db().selectFrom('panel_decisions').selectAll().where('case_id', '=', w.caseId).executeTakeFirstOrThrow();
    expect(res.location).toBe(`${paths.decisions.decision(d.id)}?done=recorded-change`);
    expect(d.package_id).toBe(pkg.id);
    const after = await counts(w, pkg.id);
    expect(after).toMatchObject({ packages: 1, changes: 2, version: 2, status: 'decided' });

    // Exactly one new posting, linked to the decision, holding only the difference per partner.
    const txs = await db().selectFrom('ledger_transactions').select(['id', 'kind', 'package_change_id']).where('decision_id', '=', d.id).execute();
    expect(txs.length).toBe(1);
    const lines = await db()
      .selectFrom('ledger_entries')
      .select(['partner_id', sql<number>`sum(amount_pence)::bigint`.as('pence')])
      .where('transaction_id', '=', txs[0]!.id)
      .where('account', '=', 'commitments')
      .groupBy('partner_id')
      .execute();
    const posted = Object.fromEntries(lines.map((l) => [l.partner_id!, Number(l.pence)] as const));
    expect(posted).toEqual({ [w.partners.health]: -52_000, [w.partners.socialCare]: 52_000 });
    const implied = byPartner(await impliedCommitment(db(), pkg.id, today));
    expect(implied).toEqual({ [w.partners.health]: 78_000, [w.partners.socialCare]: 182_000 });
    for (const id of Object.keys(implied)) expect(posted[id]).toBe(implied[id]! - before[id]!);
    // The ledger now holds exactly what the new rule implies.
    const held = await db()
      .selectFrom('ledger_entries')
      .select(['partner_id', sql<number>`sum(amount_pence)::bigint`.as('pence')])
      .where('package_id', '=', pkg.id)
      .where('account', '=', 'commitments')
      .groupBy('partner_id')
      .execute();
    expect(Object.fromEntries(held.map((h) => [h.partner_id, Number(h.pence)]))).toEqual(implied);

    // The package's new version is the decision's; the first is not.
    const versions = await db()
      .selectFrom('package_changes')
      .select(['id', 'version', 'decision_id'])
      .where('package_id', '=', pkg.id)
      .orderBy('version')
      .execute();
    expect(versions.map((v) => [v.version, v.decision_id])).toEqual([
      [1, null],
      [2, d.id],
    ]);
    expect(txs[0]!.package_change_id).toBe(versions[1]!.id);
    const { split } = await currentTerms(db(), pkg.id);
    expect(split[0]!.shares).toEqual(
      expect.arrayContaining([
        { partnerId: w.partners.health, bp: 3000 },
        { partnerId: w.partners.socialCare, bp: 7000 },
      ]),
    );

    // The decision page and the outcome sheet say it changed a package that was in place.
    const page = await caseworker.get(res.location!);
    expect(text(page.body)).toContain(`Changed package ${pkg.reference}`);
    expect(text(page.body)).toContain('The package is changed and the difference in its commitment is posted');
    const sheet = await caseworker.get(paths.decisions.sheet(d.id));
    expect(text(sheet.body)).toContain(`Changed package ${pkg.reference}: Personal care at home`);
    expect(text(sheet.body)).toMatch(/Health 30%/);
    expect(text(sheet.body)).toMatch(/Social care 70%/);
    expect(text(sheet.body)).toContain('Over the first 12 months that comes to £780.00 for Health, £1,820.00 for Social care');
  });

  it('refuses another child’s package, and writes nothing', async () => {
    const w = await createPanelWorld(db());
    const other = await createPanelWorld(db(), { pool: w.pool });
    const theirs = await existingPackage(other);
    const before = { ours: await counts(w, theirs.id), theirs: await counts(other, theirs.id) };
    // Not offered, not loadable, not recordable.
    const form = await caseworker.get(paths.decisions.decide(w.caseId));
    expect(form.body).not.toContain(theirs.id);
    expect((await caseworker.get(`${paths.decisions.decide(w.caseId)}?package=${theirs.id}`)).status).toBe(404);
    await caseworker.get(paths.decisions.decide(w.caseId));
    const res = await caseworker.post(paths.decisions.decide(w.caseId), change(w, theirs.id, '1', '30', '70'));
    expect(res.status).toBe(404);
    expect({ ours: await counts(w, theirs.id), theirs: await counts(other, theirs.id) }).toEqual(before);
    // Nor an id that is no package at all.
    const junk = await caseworker.post(paths.decisions.decide(w.caseId), change(w, 'not-a-package', '1', '30', '70'));
    expect(junk.status).toBe(404);
    expect(await counts(w, theirs.id)).toEqual(before.ours);
  });

  it('refuses a package changed since the form was filled, and writes nothing', async () => {
    const w = await createPanelWorld(db());
    const pkg = await existingPackage(w);
    await caseworker.get(`${paths.decisions.decide(w.caseId)}?package=${pkg.id}`);
    // Finance changes the review date in the meantime: the package is now version 2.
    const { pkg: row, split } = await currentTerms(db(), pkg.id);
    await changePackage(
      db(),
      pkg.id,
      1,
      {
        serviceCategory: row.service_category,
        service: row.service,
        providerId: row.provider_id,
        unitCostPence: row.unit_cost_pence,
        unitsX100: row.units_x100,
        frequency: row.frequency,
        startsOn: row.starts_on,
        endsOn: row.ends_on,
        reviewOn: addDays(start, 28),
        split,
        reason: 'Review brought forward (fictional)',
      },
      { id: w.pool.financeUserId },
      today,
    );
    const before = await counts(w, pkg.id);
    expect(before.version).toBe(2);
    const res = await caseworker.post(paths.decisions.decide(w.caseId), change(w, pkg.id, '1', '30', '70'));
    expect(res.status).toBe(409);
    expect(text(res.body)).toContain('Someone else changed this record after you opened it');
    expect(await counts(w, pkg.id)).toEqual(before);
  });

  it('refuses to change a package while a partner disputes its share of it, and writes nothing', async () => {
    const w = await createPanelWorld(db());
    const pkg = await existingPackage(w);
    // An earlier decision set the package up, and social care disputes its share of it.
    const earlier = await createPanelWorld(db(), { pool: w.pool });
    const decision = await db()
      .insertInto('panel_decisions')
      .values({
        case_id: earlier.caseId,
        referral_id: earlier.referralId,
        meeting_id: earlier.meetingId,
        outcome: 'approve',
        reasons: 'Set up (fictional)',
        package_id: pkg.id,
        decided_on: today,
        sheet_due_on: today,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('disputes')
      .values({
        decision_id: decision.id,
        partner_id: w.partners.socialCare,
        raised_on: today,
        reason: 'Share too high (fictional)',
        interim: 'The split as decided stands',
        step_due_on: today,
      })
      .execute();
    const before = await counts(w, pkg.id);
    await caseworker.get(`${paths.decisions.decide(w.caseId)}?package=${pkg.id}`);
    const res = await caseworker.post(paths.decisions.decide(w.caseId), change(w, pkg.id, '1', '30', '70'));
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toContainEqual({
      href: '#packageChoice',
      text: `Social care disputes its share of ${pkg.reference}: the dispute must be resolved or withdrawn before a decision changes the package`,
    });
    expect(await counts(w, pkg.id)).toEqual(before);
  });

  it('checks authority on the new terms, not the old ones', async () => {
    // Social care's members may agree £1,500 a year: its £1,300 half was within that, 70% (£1,820) is not.
    const w = await createPanelWorld(db(), { authorityPence: { socialCare: 150_000 } });
    const pkg = await existingPackage(w);
    const before = await counts(w, pkg.id);
    await caseworker.get(`${paths.decisions.decide(w.caseId)}?package=${pkg.id}`);
    const res = await caseworker.post(paths.decisions.decide(w.caseId), change(w, pkg.id, '1', '30', '70'));
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toEqual([
      {
        href: '#attendance',
        text: 'Social care’s share is £1,820.00 in the first 12 months, more than any present member for Social care may agree (the most is £1,500.00): take it to someone with more authority',
      },
    ]);
    expect(await counts(w, pkg.id)).toEqual(before);
    // The refused form keeps the change: the same package and version, ready to correct.
    expect(res.body).toContain(`name="packageId" value="${pkg.id}"`);
    expect(res.body).toContain('name="packageVersion" value="1"');
  });

  it('does not offer a package that has ended, and refuses to change one', async () => {
    const w = await createPanelWorld(db());
    const from = addDays(today, -20);
    const to = addDays(today, -1);
    const pkg = await createPackage(
      db(),
      {
        agreementId: w.pool.agreementId,
        childId: w.childId,
        serviceCategory: category,
        service: 'Respite care (ended)',
        providerId: null,
        unitCostPence: 2000,
        unitsX100: 100,
        frequency: 'week',
        startsOn: from,
        endsOn: to,
        reviewOn: null,
        split: [{ from, to, shares: [{ partnerId: w.partners.socialCare, bp: 10000 }] }],
        reason: 'Short respite (fictional)',
      },
      { id: w.pool.financeUserId },
      today,
    );
    const form = await caseworker.get(paths.decisions.decide(w.caseId));
    expect(form.status).toBe(200);
    expect(form.body).not.toContain(pkg.reference);
    expect(form.body).not.toContain('name="package"');
    const before = await counts(w, pkg.id);
    const res = await caseworker.post(paths.decisions.decide(w.caseId), change(w, pkg.id, '1', '30', '70'));
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toContainEqual({
      href: '#packageChoice',
      text: `${pkg.reference} ended on ${to.split('-').reverse().join('/')}, so it cannot be changed: set up a new package instead`,
    });
    expect(await counts(w, pkg.id)).toEqual(before);
  });
});
