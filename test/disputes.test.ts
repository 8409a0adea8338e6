// Disputes about a partner's share (issue 6, point 7), on real databases: the ladder, raising
// (only a paying partner, one open dispute per decision and partner, the others told without any
// child's details), escalating up to the last step and no further, and a resolution that posts
// exactly the commitment difference per partner and moves spend already posted to the agreed split.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { userIdByEmail } from './support/register.js';
import { createDisputeWorld, EXAMPLE_LADDER } from './support/dispute-world.js';
import { PANEL_USERS } from './support/panel-world.js';
import { paths } from '../src/paths.js';
import { ForbiddenError, StaleVersionError, ValidationError } from '../src/platform/http/errors.js';
import {
  escalateDispute,
  escalateOverdue,
  getDispute,
  getLadder,
  ladderFingerprint,
  raiseDispute,
  replaceLadder,
  resolveDispute,
  resolverRefusal,
  withdrawDispute,
} from '../src/capabilities/referral-and-panel/disputes/service.js';
import { DEFAULT_INTERIM } from '../src/capabilities/referral-and-panel/disputes/rules.js';
import { recordInvoice } from '../src/capabilities/money/budgets/actuals.js';
import { closePeriod } from '../src/capabilities/money/budgets/agreements.js';
import { changePackage, currentTerms } from '../src/capabilities/money/budgets/packages.js';
import { unbalancedTransactions } from '../src/capabilities/money/budgets/ledger.js';
import { OutboxNotifier } from '../src/platform/notify/notify.js';
import { ESCALATE_JOB } from '../src/capabilities/referral-and-panel/disputes/routes.js';

// A fixed calendar inside the test pools' financial year 2026 to 2027: an eight-week package of
// £700 a week (£100 a day, 56 days, £5,600) from Monday 5 October 2026.
const STARTS = '2026-10-05';
const ENDS = '2026-11-29';
const RAISED = '2026-11-02';

const notifier = new OutboxNotifier();
const tell = { notifier, baseUrl: 'http://jointly.test' };
const errorsOf = (e: unknown) => (e instanceof ValidationError ? e.errors.map((x) => x.text).join(' | ') : String(e));

describe.each(databaseKinds())('disputes on %s', (kind) => {
  let t: TestApp;
  const db = () => t.database.db;
  const orgOf = async (email: string) => await db().selectFrom('users').select(['id', 'organisation_id']).where('email', '=', email).executeTakeFirstOrThrow();
  const actorOf = async (email: string) => {
    const u = await orgOf(email);
    return { id: u.id, organisationId: u.organisation_id };
  };
  /** A resolver with the permissions of their role: the partnership administrator configures panels. */
  const resolverOf = async (email: string) => ({
    ...(await actorOf(email)),
    permissions: new Set(email === 'admin@demoshire.example.org' ? ['disputes:resolve', 'panels:configure'] : ['disputes:resolve']),
  });
  /** Commitments (or spend) posted for a package, by partner, in pence. */
  const byPartner = async (packageId: string, account: 'commitments' | 'spend') => {
    const rows = await db()
      .selectFrom('ledger_entries')
      .select(['partner_id', sql<string>`sum(amount_pence)`.as('pence')])
      .where('package_id', '=', packageId)
      .where('account', '=', account)
      .groupBy('partner_id')
      .execute();
    return new Map(rows.map((r) => [r.partner_id!, Number(r.pence)]));
  };

  beforeAll(async () => {
    // Many people sign in within a minute here: lift the per-minute sign-in limit, as test/oidc.test.ts does.
    t = await buildTestApp(kind, { JOINTLY_SIGN_IN_RATE_PER_MINUTE: '1000' });
    if ((await getLadder(db())).length === 0) await replaceLadder(db(), EXAMPLE_LADDER, ladderFingerprint([]));
  });
  afterAll(() => t?.close());

  it('keeps the ladder in order, refuses a bad one with a message per row, and refuses a stale form', async () => {
    expect(await getLadder(db())).toEqual(EXAMPLE_LADDER);
    const stale = await replaceLadder(db(), [{ name: 'Chairs', days: 5 }], ladderFingerprint([])).catch((e: unknown) => e);
    expect((stale as object).constructor.name).toBe('StaleVersionError');
    const bad = await replaceLadder(
      db(),
      [
        { name: 'Chairs', days: 0 },
        { name: 'chairs', days: 400 },
      ],
      ladderFingerprint(EXAMPLE_LADDER),
    ).catch((e: unknown) => e);
    expect(errorsOf(bad)).toContain('Step 1 must allow a whole number of days from 1 to 365');
    expect(errorsOf(bad)).toContain('Step 2 has the same name as step 1');
    expect(errorsOf(await replaceLadder(db(), [], ladderFingerprint(EXAMPLE_LADDER)).catch((e: unknown) => e))).toContain('Enter at least one step');
    expect(await getLadder(db())).toEqual(EXAMPLE_LADDER);
  });

  it('raise, escalate to the last step and no further, resolve 30/70: posts exactly the commitment difference and moves spend already posted', async () => {
    const { world: w, case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
    const pkgId = c.packageId!;
    // Two weeks already invoiced and shared 50/50: £1,400, £700 each.
    await recordInvoice(
      db(),
      {
        agreementId: w.pool.agreementId,
        providerId: w.pool.providerId,
        supplierReference: `INV-D-${pkgId.slice(0, 8)}`,
        packageId: pkgId,
        serviceFrom: STARTS,
        serviceTo: '2026-10-18',
        amountPence: 140_000,
        receivedOn: '2026-10-20',
        description: null,
      },
      { id: w.pool.financeUserId },
    );
    const before = await byPartner(pkgId, 'commitments');
    expect(before.get(w.partners.health)).toBe(280_000);
    expect(before.get(w.partners.socialCare)).toBe(280_000);
    const spendBefore = await byPartner(pkgId, 'spend');
    expect(spendBefore.get(w.partners.health)).toBe(70_000);
    expect(spendBefore.get(w.partners.socialCare)).toBe(70_000);

    const careUser = await actorOf(PANEL_USERS.socialCare);
    const { id } = await raiseDispute(
      db(),
      notifier,
      {
        decisionId: c.decisionId,
        reason: 'Most of this is personal care after surgery, which health should fund (fictional)',
        interim: DEFAULT_INTERIM,
        today: RAISED,
      },
      careUser,
      'http://jointly.test',
    );
    let d = await getDispute(db(), id, RAISED);
    expect(d.status).toBe('open');
    expect(d.step).toBe(1);
    expect(d.partner_id).toBe(w.partners.socialCare);
    expect(d.step_due_on).toBe('2026-11-12'); // 10 calendar days, a Thursday
    expect(d.interim).toBe(DEFAULT_INTERIM);
    // While it is open the package is not changed.
    expect((await currentTerms(db(), pkgId)).pkg.version).toBe(1);

    await escalateDispute(db(), id, d.version, 'Panel chairs could not agree (fictional)', await actorOf(PANEL_USERS.health), '2026-11-12', tell);
    d = await getDispute(db(), id, '2026-11-12');
    expect([d.step, d.stepName, d.step_due_on]).toEqual([2, 'Heads of service', '2026-11-27']); // 15 days on: a Friday
    await escalateDispute(db(), id, d.version, 'Heads of service could not agree (fictional)', await actorOf(PANEL_USERS.health), '2026-11-20', tell);
    d = await getDispute(db(), id, '2026-11-20');
    expect([d.step, d.stepName, d.step_due_on]).toEqual([3, 'Directors', '2026-12-10']);
    const past = await escalateDispute(db(), id, d.version, 'Again (fictional)', await actorOf(PANEL_USERS.health), '2026-11-21', tell).catch(
      (e: unknown) => e,
    );
    expect(errorsOf(past)).toContain('already at the last step of the ladder (step 3, Directors): it cannot be escalated further');
    expect((await getDispute(db(), id, '2026-11-21')).step).toBe(3);

    const admin = await resolverOf('admin@demoshire.example.org');
    const r = await resolveDispute(
      db(),
      id,
      d.version,
      {
        from: STARTS,
        shares: [
          { partnerId: w.partners.health, bp: 3000 },
          { partnerId: w.partners.socialCare, bp: 7000 },
        ],
        note: 'Directors agreed 30% health, 70% social care (fictional)',
        packageVersion: 1,
      },
      admin,
      '2026-11-23',
    );
    expect(r.commitment?.created).toBe(true);
    expect(r.spend?.created).toBe(true);

    // The new split implies £1,680 health and £3,920 social care: the difference was posted once.
    const after = await byPartner(pkgId, 'commitments');
    expect(after.get(w.partners.health)).toBe(168_000);
    expect(after.get(w.partners.socialCare)).toBe(392_000);
    const commitmentLines = await db()
      .selectFrom('ledger_entries')
      .select(['partner_id', 'amount_pence'])
      .where('transaction_id', '=', r.commitment!.transactionId)
      .where('account', '=', 'commitments')
      .execute();
    expect(new Map(commitmentLines.map((l) => [l.partner_id, Number(l.amount_pence)]))).toEqual(
      new Map([
        [w.partners.health, -112_000],
        [w.partners.socialCare, 112_000],
      ]),
    );
    const tx = await db()
      .selectFrom('ledger_transactions')
      .select(['decision_id', 'reason', 'kind'])
      .where('id', 'in', [r.commitment!.transactionId, r.spend!.transactionId])
      .execute();
    expect(tx.every((x) => x.decision_id === c.decisionId)).toBe(true);
    expect(tx.some((x) => x.reason.includes('Dispute resolved: Directors agreed'))).toBe(true);
    // Spend already invoiced follows the agreed split: £420 health, £980 social care.
    const spendAfter = await byPartner(pkgId, 'spend');
    expect(spendAfter.get(w.partners.health)).toBe(42_000);
    expect(spendAfter.get(w.partners.socialCare)).toBe(98_000);
    expect(await unbalancedTransactions(db())).toEqual([]);

    d = await getDispute(db(), id, '2026-11-23');
    expect(d.status).toBe('resolved');
    expect(d.ageDays).toBe(21);
    expect(d.events.map((e) => e.kind)).toEqual(['raised', 'escalated', 'escalated', 'resolved']);
    // Social care's cost rose beyond anyone's delegated authority: the directors settled it, and the history says so.
    expect(d.events.at(-1)!.note).toContain(
      'Agreed above delegated authority at step 3 (Directors), the last step of the ladder: Social care’s largest yearly cost rises to £3,920.00',
    );
    const change = await db()
      .selectFrom('package_changes')
      .select(['decision_id', 'reason'])
      .where('package_id', '=', pkgId)
      .where('version', '=', 2)
      .executeTakeFirstOrThrow();
    expect(change.decision_id).toBe(c.decisionId);
    expect(change.reason).toMatch(/^Dispute resolved: /);
  });

  it('a split agreed from a later date keeps the earlier weeks as decided', async () => {
    const { world: w, case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
    const { id } = await raiseDispute(
      db(),
      notifier,
      { decisionId: c.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: RAISED },
      await actorOf(PANEL_USERS.health),
    );
    // Social care's member agrees to pay more, within their delegated authority.
    await resolveDispute(
      db(),
      id,
      1,
      {
        from: RAISED,
        shares: [
          { partnerId: w.partners.health, bp: 3000 },
          { partnerId: w.partners.socialCare, bp: 7000 },
        ],
        note: 'Agreed from 2 November (fictional)',
        packageVersion: 1,
      },
      await resolverOf(PANEL_USERS.socialCare),
      RAISED,
    );
    // 28 days at 50/50 (£1,400 each), then 28 days at 30/70 (£840 and £1,960).
    const after = await byPartner(c.packageId!, 'commitments');
    expect(after.get(w.partners.health)).toBe(140_000 + 84_000);
    expect(after.get(w.partners.socialCare)).toBe(140_000 + 196_000);
    const { split } = await currentTerms(db(), c.packageId!);
    expect(split.map((s) => [s.from, s.to])).toEqual([
      [STARTS, '2026-11-01'],
      [RAISED, ENDS],
    ]);
  });

  it('refuses a split that does not add up to 100%, and changes nothing', async () => {
    const { world: w, case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
    const { id } = await raiseDispute(
      db(),
      notifier,
      { decisionId: c.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: RAISED },
      await actorOf(PANEL_USERS.health),
    );
    const e = await resolveDispute(
      db(),
      id,
      1,
      {
        from: STARTS,
        shares: [
          { partnerId: w.partners.health, bp: 3000 },
          { partnerId: w.partners.socialCare, bp: 6000 },
        ],
        note: 'x',
        packageVersion: 1,
      },
      await resolverOf(PANEL_USERS.socialCare),
      RAISED,
    ).catch((x: unknown) => x);
    expect(errorsOf(e)).toContain('adds up to 90%: the shares must add up to exactly 100%');
    expect((await getDispute(db(), id, RAISED)).status).toBe('open');
    expect((await byPartner(c.packageId!, 'commitments')).get(w.partners.health)).toBe(280_000);
  });

  it('a resolution into a closed accounting period is refused in plain words and changes nothing', async () => {
    const { world: w, case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
    const { id } = await raiseDispute(
      db(),
      notifier,
      { decisionId: c.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: RAISED },
      await actorOf(PANEL_USERS.socialCare),
    );
    // June 2030 (period 3 of 2030 to 2031), far from any other test's postings.
    await closePeriod(db(), 2030, 3, { id: w.pool.financeUserId }, '2031-01-01');
    const e = await resolveDispute(
      db(),
      id,
      1,
      {
        from: STARTS,
        shares: [
          { partnerId: w.partners.health, bp: 7000 },
          { partnerId: w.partners.socialCare, bp: 3000 },
        ],
        note: 'Agreed (fictional)',
        packageVersion: 1,
      },
      await resolverOf(PANEL_USERS.health),
      '2030-06-15',
    ).catch((x: unknown) => x);
    expect(errorsOf(e)).toContain('The agreed split could not be posted to the budgets: June 2030');
    expect(errorsOf(e)).toContain('is closed');
    expect((await getDispute(db(), id, RAISED)).status).toBe('open');
    expect((await currentTerms(db(), c.packageId!)).pkg.version).toBe(1);
    expect((await byPartner(c.packageId!, 'commitments')).get(w.partners.health)).toBe(280_000);
  });

  it('only a partner paying a share may raise; one open dispute per decision and partner; the others are told without child details', async () => {
    const { world: w, case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
    const input = { decisionId: c.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: RAISED };
    // Education pays no share of this package.
    const edu = await raiseDispute(db(), notifier, input, await actorOf(PANEL_USERS.education)).catch((e: unknown) => e);
    expect(edu).toBeInstanceOf(ForbiddenError);
    expect((edu as ForbiddenError).message).toContain('does not pay a share: the partners paying are Health and Social care');

    const outboxBefore = await db().selectFrom('notifications').select('id').execute();
    const { id } = await raiseDispute(db(), notifier, input, await actorOf(PANEL_USERS.socialCare));
    const sent = await db()
      .selectFrom('notifications')
      .select(['recipient', 'subject', 'body'])
      .where('id', 'not in', outboxBefore.length ? outboxBefore.map((o) => o.id) : ['00000000-0000-0000-0000-000000000000'])
      .execute();
    expect(sent.map((s) => s.recipient).sort()).toEqual([PANEL_USERS.administrator, PANEL_USERS.health].sort());
    for (const s of sent) {
      expect(s.body).toContain(c.referralReference);
      expect(s.body).toContain(paths.disputes.dispute(id));
      expect(`${s.subject} ${s.body}`).not.toMatch(/Panelchild|Testfamily|Testparent/);
    }

    // The finance officer is social care too: the same partner cannot open a second dispute.
    const dup = await raiseDispute(db(), notifier, input, await actorOf('finance@demoshire.example.org')).catch((e: unknown) => e);
    expect(errorsOf(dup)).toContain('Social care already has an open dispute about this decision, raised on 2 November 2026 and now at step 1 (Panel chairs)');
    // Health may open its own.
    await raiseDispute(db(), notifier, input, await actorOf(PANEL_USERS.health));
    // Withdrawn (only by the raiser): social care may raise again.
    const notRaiser = await withdrawDispute(db(), id, 1, 'x', await actorOf('finance@demoshire.example.org'), RAISED, tell).catch((e: unknown) => e);
    expect(notRaiser).toBeInstanceOf(ForbiddenError);
    await withdrawDispute(db(), id, 1, 'We accept the split (fictional)', await actorOf(PANEL_USERS.socialCare), RAISED, tell);
    expect((await getDispute(db(), id, RAISED)).status).toBe('withdrawn');
    await raiseDispute(db(), notifier, input, await actorOf('finance@demoshire.example.org'));
    expect(w.partners.education).toBeTruthy();
  });

  it('the daily job escalates disputes whose step ran out, and leaves those at the last step flagged', async () => {
    const { case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
    const { id } = await raiseDispute(
      db(),
      notifier,
      { decisionId: c.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: RAISED },
      await actorOf(PANEL_USERS.socialCare),
    );
    await escalateOverdue(db(), '2026-11-12', tell); // due that day: not yet overdue
    expect((await getDispute(db(), id, '2026-11-12')).step).toBe(1);
    await escalateOverdue(db(), '2026-11-13', tell);
    const d = await getDispute(db(), id, '2026-11-13');
    expect([d.step, d.step_due_on]).toEqual([2, '2026-11-30']); // 13 Nov + 15 = Saturday 28th: the Monday
    expect(d.events.at(-1)!.note).toContain('Escalated automatically: the time for step 1 (Panel chairs) ran out on 12 November 2026');
    await escalateOverdue(db(), '2026-12-01', tell);
    await escalateOverdue(db(), '2027-02-01', tell);
    const last = await getDispute(db(), id, '2027-02-01');
    expect(last.step).toBe(3);
    expect(last.overdue).toBe(true);
    // The job is registered under its name and runs through the jobs table.
    const jobId = await t.jobs.enqueue(db(), ESCALATE_JOB, { scheduledFor: '2027-02-01' });
    await t.jobs.runPending();
    expect((await t.jobs.get(db(), jobId))?.status).toBe('succeeded');
  });

  describe('resolving: the terms seen, delegated authority and dates', () => {
    const hidden = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1];
    /** The resolve form: health 70%, social care 30% from the package's start. */
    const resolveForm = (w: { partners: { health: string; socialCare: string } }, extra: Record<string, string>) => ({
      'from-day': '5',
      'from-month': '10',
      'from-year': '2026',
      [`share-${w.partners.health}`]: '70',
      [`share-${w.partners.socialCare}`]: '30',
      note: 'Agreed (fictional)',
      ...extra,
    });
    const healthMore = (w: { partners: { health: string; socialCare: string } }, packageVersion = 1) => ({
      from: STARTS,
      shares: [
        { partnerId: w.partners.health, bp: 7000 },
        { partnerId: w.partners.socialCare, bp: 3000 },
      ],
      note: 'Agreed (fictional)',
      packageVersion,
    });

    it('applies the agreed split only to the package terms the resolver saw: changed meanwhile, it is refused (409) and nothing changes', async () => {
      const { world: w, case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
      const { id } = await raiseDispute(
        db(),
        notifier,
        { decisionId: c.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: RAISED },
        await actorOf(PANEL_USERS.socialCare),
      );
      const health = new Client(t.app);
      await health.signIn(PANEL_USERS.health);
      const page = await health.get(paths.disputes.dispute(id));
      const seen = hidden(page.body, 'packageVersion');
      expect(seen).toBe('1');

      // Meanwhile the budgets change the package: £800 a week instead of £700.
      const { pkg, split } = await currentTerms(db(), c.packageId!);
      const terms = {
        serviceCategory: pkg.service_category,
        service: pkg.service,
        providerId: pkg.provider_id,
        unitsX100: pkg.units_x100,
        frequency: pkg.frequency,
        startsOn: pkg.starts_on,
        endsOn: pkg.ends_on,
        reviewOn: pkg.review_on,
        split,
        decisionId: c.decisionId,
      };
      await changePackage(
        db(),
        pkg.id,
        pkg.version,
        { ...terms, unitCostPence: 80_000, reason: 'Provider’s new rate (fictional)' },
        { id: w.pool.financeUserId },
        STARTS,
      );
      const committed = await byPartner(c.packageId!, 'commitments');
      expect(committed.get(w.partners.health)).toBe(320_000);

      const stale = await health.post(paths.disputes.resolve(id), resolveForm(w, { version: '1', packageVersion: seen! }));
      expect(stale.status).toBe(409);
      const d = await getDispute(db(), id, RAISED);
      expect([d.status, d.version, d.events.map((e) => e.kind)]).toEqual(['open', 1, ['raised']]);
      expect((await currentTerms(db(), c.packageId!)).pkg.version).toBe(2);
      expect(await byPartner(c.packageId!, 'commitments')).toEqual(committed);
      // The service refuses it too.
      expect(await resolveDispute(db(), id, 1, healthMore(w, 1), await resolverOf(PANEL_USERS.health), RAISED).catch((e: unknown) => e)).toBeInstanceOf(
        StaleVersionError,
      );

      // Reloaded, the page carries the new terms' version and the resolution goes through.
      const again = await health.get(paths.disputes.dispute(id));
      expect(hidden(again.body, 'packageVersion')).toBe('2');
      expect((await health.post(paths.disputes.resolve(id), resolveForm(w, { version: '1', packageVersion: '2' }))).status).toBe(303);
      expect((await byPartner(c.packageId!, 'commitments')).get(w.partners.health)).toBe(448_000); // 70% of £6,400
    });

    it('a partner’s yearly cost may rise only with the authority of a member for that partner; otherwise refused, naming the partner, the amount and what to do', async () => {
      // Health's member may agree up to £3,919.99 a year; 70% of this £5,600 package is £3,920.
      const { world: w, case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS, authorityPence: { health: 391_999 } });
      const { id } = await raiseDispute(
        db(),
        notifier,
        { decisionId: c.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: RAISED },
        await actorOf(PANEL_USERS.socialCare),
      );
      const panel = await db().selectFrom('panels').select('name').where('id', '=', w.panelId).executeTakeFirstOrThrow();
      const rises = 'Health’s largest yearly cost would rise to £3,920.00 in the first 12 months under the agreed split';

      const short = errorsOf(await resolveDispute(db(), id, 1, healthMore(w), await resolverOf(PANEL_USERS.health), RAISED).catch((e: unknown) => e));
      expect(short).toContain(rises);
      expect(short).toContain('your delegated authority for Health is £3,919.99 a year');
      expect(short).toContain('Escalate the dispute to the next step (Heads of service)');
      // The chair sits for education, not health.
      const chair = errorsOf(await resolveDispute(db(), id, 1, healthMore(w), await resolverOf(PANEL_USERS.education), RAISED).catch((e: unknown) => e));
      expect(chair).toContain(
        `${rises}. Only a member of ${panel.name} for Health with delegated authority of at least £3,920.00 a year can agree that, and you are not a member of ${panel.name} for Health`,
      );
      // The partnership administrator settles above delegated authority only at the last step.
      const early = errorsOf(
        await resolveDispute(db(), id, 1, healthMore(w), await resolverOf('admin@demoshire.example.org'), RAISED).catch((e: unknown) => e),
      );
      expect(early).toContain(rises);
      expect(early).toContain('Escalate the dispute to the next step (Heads of service)');
      // Through the form, the refusal is shown with the form; nothing has changed.
      const health = new Client(t.app);
      await health.signIn(PANEL_USERS.health);
      const posted = await health.post(paths.disputes.resolve(id), resolveForm(w, { version: '1', packageVersion: '1' }));
      expect(posted.status).toBe(400);
      expect(text(posted.body)).toContain(rises);
      expect((await getDispute(db(), id, RAISED)).status).toBe('open');
      expect((await currentTerms(db(), c.packageId!)).pkg.version).toBe(1);
      expect((await byPartner(c.packageId!, 'commitments')).get(w.partners.health)).toBe(280_000);

      // At the last step a member short of authority is still refused, and told who can settle it.
      await escalateDispute(db(), id, 1, 'Chairs could not agree (fictional)', await actorOf(PANEL_USERS.education), RAISED, tell);
      await escalateDispute(db(), id, 2, 'Heads of service could not agree (fictional)', await actorOf(PANEL_USERS.education), RAISED, tell);
      const last = errorsOf(await resolveDispute(db(), id, 3, healthMore(w), await resolverOf(PANEL_USERS.health), RAISED).catch((e: unknown) => e));
      expect(last).toContain('The dispute is at the last step (Directors): ask the partnership administrator to record what the directors agree');

      // With authority of exactly the new cost, health's member agrees it, within authority.
      await db().updateTable('panel_members').set({ authority_pence: 392_000 }).where('id', '=', w.members.health.memberId).execute();
      await resolveDispute(db(), id, 3, healthMore(w), await resolverOf(PANEL_USERS.health), RAISED);
      const d = await getDispute(db(), id, RAISED);
      expect(d.status).toBe('resolved');
      expect(d.events.at(-1)!.note).not.toContain('above delegated authority');
      expect((await byPartner(c.packageId!, 'commitments')).get(w.partners.health)).toBe(392_000);
    });

    it('refuses dates outside 1 April 2000 to 31 March 2200 with a message naming the field, not an error page', async () => {
      const { world: w, case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: null, today: STARTS });
      const { id } = await raiseDispute(
        db(),
        notifier,
        { decisionId: c.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: RAISED },
        await actorOf(PANEL_USERS.socialCare),
      );
      const health = new Client(t.app);
      await health.signIn(PANEL_USERS.health);
      await health.get(paths.disputes.dispute(id));
      const far = await health.post(
        paths.disputes.resolve(id),
        resolveForm(w, { 'until-day': '31', 'until-month': '12', 'until-year': '9999', version: '1', packageVersion: '1' }),
      );
      expect(far.status).toBe(400);
      expect(text(far.body)).toContain('The last day the agreed split applies must be between 1 April 2000 and 31 March 2200');
      const early = await health.post(
        paths.disputes.resolve(id),
        resolveForm(w, { 'from-day': '1', 'from-month': '1', 'from-year': '1999', version: '1', packageVersion: '1' }),
      );
      expect(early.status).toBe(400);
      expect(text(early.body)).toContain('The date the agreed split starts must be between 1 April 2000 and 31 March 2200');
      expect((await getDispute(db(), id, RAISED)).status).toBe('open');
      expect((await currentTerms(db(), c.packageId!)).pkg.version).toBe(1);
    });
  });

  describe('through the screens', () => {
    it('lets a paying partner raise from the decision, shows the board the list with age and step, and refuses others', async () => {
      const { case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
      const care = new Client(t.app);
      await care.signIn(PANEL_USERS.socialCare);
      const form = await care.get(paths.disputes.raise(c.decisionId));
      expect(form.status).toBe(200);
      expect(text(form.body)).toContain('You are disputing the share paid by Social care');
      const empty = await care.post(paths.disputes.raise(c.decisionId), { reason: '', interimChoice: 'other', interimOther: '' });
      expect(empty.status).toBe(400);
      expect(text(empty.body)).toContain('Enter why your partner disputes its share');
      expect(text(empty.body)).toContain('Enter who pays while the dispute is open');
      const ok = await care.post(paths.disputes.raise(c.decisionId), { reason: 'Too high a share (fictional)', interimChoice: 'as-decided' });
      expect(ok.status).toBe(303);
      const page = await care.get(ok.location!);
      expect(text(page.body)).toContain(`Social care disputes its share: referral ${c.referralReference}`);
      expect(text(page.body)).toContain('Step 1 of 3: Panel chairs');
      expect(text(page.body)).not.toMatch(/Panelchild|Testfamily/);

      const chair = new Client(t.app);
      await chair.signIn(PANEL_USERS.education);
      const refused = await chair.get(paths.disputes.raise(c.decisionId));
      expect(refused.status).toBe(403);
      expect(text(refused.body)).toContain('does not pay a share');
      expect((await chair.post(paths.disputes.raise(c.decisionId), { reason: 'x', interimChoice: 'as-decided' })).status).toBe(403);

      const board = new Client(t.app);
      await board.signIn('commissioner@demoshire.example.org');
      const list = await board.get(paths.disputes.list);
      expect(list.status).toBe(200);
      expect(text(list.body)).toContain('Social care');
      expect(text(list.body)).not.toContain(c.referralReference);
      expect(text(list.body)).not.toMatch(/Panelchild|Testfamily/);
      const keyworker = new Client(t.app);
      await keyworker.signIn('keyworker@demoshire.example.org');
      expect((await keyworker.get(paths.disputes.list)).status).toBe(403);
    });

    it('resolves through the form with the agreed split, and refuses escalation past the last step with a message', async () => {
      const { world: w, case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
      const { id } = await raiseDispute(
        db(),
        notifier,
        { decisionId: c.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: RAISED },
        await actorOf(PANEL_USERS.socialCare),
      );
      await db().updateTable('disputes').set({ step: 3 }).where('id', '=', id).execute();
      const admin = new Client(t.app);
      await admin.signIn('admin@demoshire.example.org');
      await admin.get(paths.disputes.dispute(id));
      const esc = await admin.post(paths.disputes.escalate(id), { note: 'More time (fictional)', version: '1' });
      expect(esc.status).toBe(400);
      expect(text(esc.body)).toContain('cannot be escalated further');
      const bad = await admin.post(paths.disputes.resolve(id), {
        'from-day': '5',
        'from-month': '10',
        'from-year': '2026',
        [`share-${w.partners.health}`]: '30',
        [`share-${w.partners.socialCare}`]: '60',
        note: 'Agreed (fictional)',
        version: '1',
        packageVersion: '1',
      });
      expect(bad.status).toBe(400);
      expect(text(bad.body)).toContain('adds up to 90%');
      const ok = await admin.post(paths.disputes.resolve(id), {
        'from-day': '5',
        'from-month': '10',
        'from-year': '2026',
        [`share-${w.partners.health}`]: '30',
        [`share-${w.partners.socialCare}`]: '70',
        note: 'Directors agreed (fictional)',
        version: '1',
        packageVersion: '1',
      });
      expect(ok.status).toBe(303);
      const after = await byPartner(c.packageId!, 'commitments');
      expect(after.get(w.partners.health)).toBe(168_000);
      expect(after.get(w.partners.socialCare)).toBe(392_000);
      const audit = await db()
        .selectFrom('audit_log')
        .select(['action', 'subject_id'])
        .where('action', '=', 'disputes.resolve')
        .where('subject_id', '=', id)
        .execute();
      expect(audit).toHaveLength(1);
    });

    it('only a panel member or administrator who is not a party may escalate or resolve; refusals are 403, audited, and change nothing', async () => {
      const { world: w, case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
      // Raised by the social care finance officer; the social care panel member is of the same organisation.
      const { id } = await raiseDispute(
        db(),
        notifier,
        { decisionId: c.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: RAISED },
        await actorOf('finance@demoshire.example.org'),
      );
      const shares = {
        'from-day': '5',
        'from-month': '10',
        'from-year': '2026',
        [`share-${w.partners.health}`]: '30',
        [`share-${w.partners.socialCare}`]: '70',
        note: 'Agreed (fictional)',
        version: '1',
        packageVersion: '1',
      };

      const care = new Client(t.app);
      await care.signIn(PANEL_USERS.socialCare);
      const carePage = await care.get(paths.disputes.dispute(id));
      expect(carePage.status).toBe(200);
      expect(carePage.body).not.toContain(`action="${paths.disputes.resolve(id)}"`);
      expect(carePage.body).not.toContain(`action="${paths.disputes.escalate(id)}"`);
      expect(text(carePage.body)).toContain('the partner disputing its share. A party cannot settle its own dispute');
      expect((await care.post(paths.disputes.resolve(id), shares)).status).toBe(403);
      expect((await care.post(paths.disputes.escalate(id), { note: 'Up (fictional)', version: '1' })).status).toBe(403);
      const denied = await db()
        .selectFrom('audit_log')
        .select(['action', 'details'])
        .where('result', '=', 'denied')
        .where('user_id', '=', (await orgOf(PANEL_USERS.socialCare)).id)
        .where('action', 'in', ['disputes.resolve', 'disputes.escalate'])
        .execute();
      expect(denied.map((a) => a.action).sort()).toEqual(['disputes.escalate', 'disputes.resolve']);
      expect(denied[0]!.details).toContain('A party cannot settle its own dispute');

      // The health member, once they have left the panel, may do neither.
      await db().updateTable('panel_members').set({ active: false }).where('id', '=', w.members.health.memberId).execute();
      const health = new Client(t.app);
      await health.signIn(PANEL_USERS.health);
      const leftPage = await health.get(paths.disputes.dispute(id));
      expect(leftPage.body).not.toContain(`action="${paths.disputes.resolve(id)}"`);
      expect(text(leftPage.body)).toContain('Only the administrator or a current member of');
      expect((await health.post(paths.disputes.escalate(id), { note: 'Up (fictional)', version: '1' })).status).toBe(403);
      expect((await health.post(paths.disputes.resolve(id), shares)).status).toBe(403);
      let d = await getDispute(db(), id, RAISED);
      expect([d.status, d.step, d.version]).toEqual(['open', 1, 1]);

      // Back on the panel, the same person may.
      await db().updateTable('panel_members').set({ active: true }).where('id', '=', w.members.health.memberId).execute();
      expect(await health.get(paths.disputes.dispute(id)).then((r) => r.body)).toContain(`action="${paths.disputes.resolve(id)}"`);
      expect((await health.post(paths.disputes.escalate(id), { note: 'Up (fictional)', version: '1' })).status).toBe(303);
      d = await getDispute(db(), id, RAISED);
      expect(d.step).toBe(2);

      // The person who raised a dispute may not settle it even with the right to, through the service check.
      const raiser = await actorOf('finance@demoshire.example.org');
      expect(await resolverRefusal(db(), { ...raiser, permissions: new Set(['disputes:resolve', 'panels:configure']) }, d)).toContain(
        'You raised this dispute',
      );
      // The partnership administrator (panels:configure, not a party) may.
      const admin = await actorOf('admin@demoshire.example.org');
      expect(await resolverRefusal(db(), { ...admin, permissions: new Set(['disputes:resolve', 'panels:configure']) }, d)).toBeNull();
      // The decision's panel administrator may; someone on no panel may not.
      expect(
        await resolverRefusal(db(), { id: w.administratorId, organisationId: admin.organisationId, permissions: new Set(['disputes:resolve']) }, d),
      ).toBeNull();
      expect(await resolverRefusal(db(), { ...admin, permissions: new Set(['disputes:resolve']) }, d)).toContain(
        'Only the administrator or a current member of',
      );
    });

    it('a resolution shares the cost only between the partners paying now: the form offers only them and refuses any other', async () => {
      const { world: w, case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
      const { id } = await raiseDispute(
        db(),
        notifier,
        { decisionId: c.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: RAISED },
        await actorOf(PANEL_USERS.socialCare),
      );
      const admin = new Client(t.app);
      await admin.signIn('admin@demoshire.example.org');
      const page = await admin.get(paths.disputes.dispute(id));
      expect(page.body).toContain(`name="share-${w.partners.health}"`);
      expect(page.body).toContain(`name="share-${w.partners.socialCare}"`);
      expect(page.body).not.toContain(`name="share-${w.partners.education}"`);
      // Education never paid a share: putting half the cost on it is refused, and nothing changes.
      const onEducation = await admin.post(paths.disputes.resolve(id), {
        'from-day': '5',
        'from-month': '10',
        'from-year': '2026',
        [`share-${w.partners.health}`]: '50',
        [`share-${w.partners.education}`]: '50',
        note: 'Agreed (fictional)',
        version: '1',
        packageVersion: '1',
      });
      expect(onEducation.status).toBe(400);
      expect(text(onEducation.body)).toContain(
        'Only the partners paying a share of the package now (Health and Social care) can take a share of the agreed split',
      );
      expect((await getDispute(db(), id, RAISED)).status).toBe('open');
      expect((await currentTerms(db(), c.packageId!)).pkg.version).toBe(1);
      // The service refuses it too, naming the partner.
      const e = await resolveDispute(
        db(),
        id,
        1,
        {
          from: STARTS,
          shares: [
            { partnerId: w.partners.health, bp: 5000 },
            { partnerId: w.partners.education, bp: 5000 },
          ],
          note: 'x',
          packageVersion: 1,
        },
        await resolverOf('admin@demoshire.example.org'),
        RAISED,
      ).catch((x: unknown) => x);
      expect(errorsOf(e)).toContain('Education does not pay a share of package');
      expect((await currentTerms(db(), c.packageId!)).pkg.version).toBe(1);
    });

    it('tells the others only the reference, the partner and the link; audits no typed text', async () => {
      const { case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
      const before = (await db().selectFrom('notifications').select('id').execute()).map((o) => o.id);
      const care = new Client(t.app);
      await care.signIn(PANEL_USERS.socialCare);
      const ok = await care.post(paths.disputes.raise(c.decisionId), {
        reason: 'Typed reason words (fictional)',
        interimChoice: 'other',
        interimOther: 'Typed interim words (fictional)',
      });
      expect(ok.status).toBe(303);
      const sent = await db()
        .selectFrom('notifications')
        .select(['subject', 'body'])
        .where('id', 'not in', before.length ? before : ['00000000-0000-0000-0000-000000000000'])
        .execute();
      expect(sent.length).toBeGreaterThan(0);
      for (const s of sent) {
        expect(s.body).toContain(c.referralReference);
        expect(s.body).toContain('Social care');
        expect(s.body).toContain(ok.location!.replace(/\?.*$/, ''));
        expect(`${s.subject} ${s.body}`).not.toContain('Typed interim words');
        expect(`${s.subject} ${s.body}`).not.toContain('Typed reason words');
      }
      // The ladder saved through its form: the audit holds how many steps and their days, not their names.
      const admin = new Client(t.app);
      await admin.signIn('admin@demoshire.example.org');
      const page = await admin.get(paths.disputes.ladder);
      const previous = /name="previous" value="([^"]*)"/
        .exec(page.body)![1]!
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&');
      const rows = Object.fromEntries(
        EXAMPLE_LADDER.flatMap((st, i) => [
          [`step${i + 1}Name`, st.name],
          [`step${i + 1}Days`, String(st.days)],
        ]),
      );
      expect((await admin.post(paths.disputes.ladder, { previous, ...rows })).status).toBe(303);
      const audit = await db()
        .selectFrom('audit_log')
        .select('details')
        .where('action', '=', 'disputes.ladder.replace')
        .where('result', '=', 'allowed')
        .execute();
      expect(audit.length).toBeGreaterThan(0);
      const last = JSON.parse(audit.at(-1)!.details) as unknown;
      expect(last).toEqual({ steps: 3, days: [10, 15, 20] });
      const raised = await db().selectFrom('audit_log').select('details').where('action', '=', 'disputes.raise').where('result', '=', 'allowed').execute();
      for (const a of [...audit, ...raised]) expect(a.details).not.toMatch(/Panel chairs|Heads of service|Typed/);
    });

    it('the disputes list names the referral for panel members but not for commissioners', async () => {
      const { case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
      const { id } = await raiseDispute(
        db(),
        notifier,
        { decisionId: c.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: RAISED },
        await actorOf(PANEL_USERS.socialCare),
      );
      const member = new Client(t.app);
      await member.signIn(PANEL_USERS.health);
      const full = await member.get(paths.disputes.list);
      expect(text(full.body)).toContain(c.referralReference);
      expect(full.body).toContain(paths.disputes.dispute(id));
      for (const who of ['commissioner@demoshire.example.org', 'finance@demoshire.example.org']) {
        const board = new Client(t.app);
        await board.signIn(who);
        const list = await board.get(paths.disputes.list);
        expect(list.status).toBe(200);
        expect(text(list.body)).toContain('Social care');
        expect(text(list.body)).toContain('Panel chairs');
        expect(list.body).not.toMatch(/REF-/);
        expect(list.body).not.toContain(paths.disputes.dispute(id));
        // The page itself, which names the referral, opens for them only while their organisation pays a share.
        expect((await board.get(paths.disputes.dispute(id))).status).toBe(200);
      }
      const commissioner = new Client(t.app);
      await commissioner.signIn('commissioner@demoshire.example.org');
      const trust = await db().selectFrom('organisations').select('id').where('code', '=', 'DEMO-TRUST').executeTakeFirstOrThrow();
      await db().updateTable('users').set({ organisation_id: trust.id }).where('email', '=', 'commissioner@demoshire.example.org').execute();
      try {
        const refused = await commissioner.get(paths.disputes.dispute(id));
        expect(refused.status).toBe(403);
        expect(refused.body).not.toContain(c.referralReference);
      } finally {
        const icb = await db().selectFrom('organisations').select('id').where('code', '=', 'DEMO-ICB').executeTakeFirstOrThrow();
        await db().updateTable('users').set({ organisation_id: icb.id }).where('email', '=', 'commissioner@demoshire.example.org').execute();
      }
    });

    it('the administrator edits the ladder with plain messages', async () => {
      const admin = new Client(t.app);
      await admin.signIn('admin@demoshire.example.org');
      const page = await admin.get(paths.disputes.ladder);
      expect(page.status).toBe(200);
      const previous = /name="previous" value="([^"]*)"/
        .exec(page.body)![1]!
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&');
      const bad = await admin.post(paths.disputes.ladder, {
        previous,
        step1Name: 'Panel chairs',
        step1Days: '10',
        step2Name: '',
        step2Days: '',
        step3Name: 'Directors',
        step3Days: '0',
      });
      expect(bad.status).toBe(400);
      expect(text(bad.body)).toContain('Step 2 is blank but step 3 is filled in');
      const bad2 = await admin.post(paths.disputes.ladder, { previous, step1Name: 'Panel chairs', step1Days: '400' });
      expect(text(bad2.body)).toContain('Step 1 must allow a whole number of days from 1 to 365');
      expect(await getLadder(db())).toEqual(EXAMPLE_LADDER);
      const care = new Client(t.app);
      await care.signIn(PANEL_USERS.socialCare);
      expect((await care.get(paths.disputes.ladder)).status).toBe(403);
      expect(await userIdByEmail(db(), PANEL_USERS.socialCare)).toBeTruthy();
    });
  });

  describe('telling people when a dispute is escalated, resolved or withdrawn', () => {
    const NOTE = 'Typed note words (fictional)';
    const REASON = 'Typed reason words (fictional)';
    const INTERIM = 'Typed interim words (fictional)';
    let former = 0;

    /**
     * A dispute raised by the social care finance officer (not on the panel). On the panel besides
     * the three members: the administrator also sits for social care (told once, not twice), a
     * health member who has left the panel, and a social care member whose account is closed.
     */
    async function noticeWorld() {
      const { world: w, case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
      const csc = (await orgOf(PANEL_USERS.socialCare)).organisation_id;
      const closed = await db()
        .insertInto('users')
        .values({
          organisation_id: csc,
          display_name: 'Former Member (fictional)',
          email: `former.member${++former}.${kind}@demoshire.example.org`,
          active: false,
          password_hash: null,
          totp_secret: null,
          totp_last_step: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db()
        .insertInto('panel_members')
        .values([
          { panel_id: w.panelId, user_id: w.administratorId, role: 'adviser', partner_id: w.partners.socialCare },
          {
            panel_id: w.panelId,
            user_id: (await orgOf('commissioner@demoshire.example.org')).id,
            role: 'member',
            partner_id: w.partners.health,
            active: false,
          },
          { panel_id: w.panelId, user_id: closed.id, role: 'member', partner_id: w.partners.socialCare },
        ])
        .execute();
      const { id } = await raiseDispute(
        db(),
        notifier,
        { decisionId: c.decisionId, reason: REASON, interim: INTERIM, today: RAISED },
        await actorOf('finance@demoshire.example.org'),
      );
      return { w, c, id };
    }
    const outboxIds = async () => (await db().selectFrom('notifications').select('id').execute()).map((o) => o.id);
    const sentSince = async (before: string[]) =>
      db()
        .selectFrom('notifications')
        .select(['recipient', 'subject', 'body'])
        .where('id', 'not in', before.length ? before : ['00000000-0000-0000-0000-000000000000'])
        .execute();
    /** Each message names the referral and partner, links the dispute, and carries no typed words or child's details. */
    const expectPlain = (sent: { subject: string | null; body: string }[], c: { referralReference: string }, id: string) => {
      for (const s of sent) {
        const all = `${s.subject} ${s.body}`;
        expect(s.subject).toContain(`referral ${c.referralReference}`);
        expect(s.body).toContain('Social care’s dispute about its share of the panel decision on referral');
        expect(s.body).toContain(`See the dispute: ${t.config.baseUrl}${paths.disputes.dispute(id)}`);
        for (const typed of [NOTE, REASON, INTERIM]) expect(all).not.toContain(typed);
        expect(all).not.toMatch(/Panelchild|Testfamily|Testparent/);
      }
    };
    const FINANCE = 'finance@demoshire.example.org';

    it('escalated by a person: the raiser, the paying partners’ members and the administrator, once each, not the person escalating', async () => {
      const { c, id } = await noticeWorld();
      const health = new Client(t.app);
      await health.signIn(PANEL_USERS.health);
      await health.get(paths.disputes.dispute(id));
      const before = await outboxIds();
      expect((await health.post(paths.disputes.escalate(id), { note: NOTE, version: '1' })).status).toBe(303);
      const sent = await sentSince(before);
      expect(sent.map((s) => s.recipient).sort()).toEqual([FINANCE, PANEL_USERS.administrator, PANEL_USERS.socialCare].sort());
      const d = await getDispute(db(), id, RAISED);
      for (const s of sent) {
        expect(s.subject).toBe(`Dispute about referral ${c.referralReference} escalated to step 2`);
        expect(s.body).toContain(
          `It is now at step 2, “Heads of service”, and is due to be settled by ${new Date(`${d.step_due_on}T12:00:00Z`).toLocaleDateString('en-GB', { dateStyle: 'long', timeZone: 'UTC' })}.`,
        );
        expect(s.body).not.toContain('automatically');
      }
      expectPlain(sent, c, id);
    });

    it('escalated by the daily job: everyone concerned including every paying member, through the registered job', async () => {
      const { c, id } = await noticeWorld();
      const before = await outboxIds();
      const jobId = await t.jobs.enqueue(db(), ESCALATE_JOB, { scheduledFor: '2026-11-13' });
      await t.jobs.runPending();
      expect((await t.jobs.get(db(), jobId))?.status).toBe('succeeded');
      expect((await getDispute(db(), id, '2026-11-13')).step).toBe(2);
      // The job moves every overdue dispute: keep the messages about this one.
      const sent = (await sentSince(before)).filter((s) => s.body.includes(paths.disputes.dispute(id)));
      expect(sent.map((s) => s.recipient).sort()).toEqual([FINANCE, PANEL_USERS.administrator, PANEL_USERS.health, PANEL_USERS.socialCare].sort());
      for (const s of sent) {
        expect(s.body).toContain(
          'has been escalated automatically, because the time for the previous step ran out. It is now at step 2, “Heads of service”, and is due to be settled by 30 November 2026.',
        );
        // The job's own note (which quotes the step's name and date) is not sent either.
        expect(s.body).not.toContain('Escalated automatically: the time for step 1');
      }
      expectPlain(sent, c, id);
    });

    it('resolved: the raiser, the paying partners’ members and the administrator, not the resolver', async () => {
      const { w, c, id } = await noticeWorld();
      const health = new Client(t.app);
      await health.signIn(PANEL_USERS.health);
      await health.get(paths.disputes.dispute(id));
      const before = await outboxIds();
      const ok = await health.post(paths.disputes.resolve(id), {
        'from-day': '5',
        'from-month': '10',
        'from-year': '2026',
        [`share-${w.partners.health}`]: '70',
        [`share-${w.partners.socialCare}`]: '30',
        note: NOTE,
        version: '1',
        packageVersion: '1',
      });
      expect(ok.status).toBe(303);
      expect((await getDispute(db(), id, RAISED)).status).toBe('resolved');
      const sent = await sentSince(before);
      expect(sent.map((s) => s.recipient).sort()).toEqual([FINANCE, PANEL_USERS.administrator, PANEL_USERS.socialCare].sort());
      for (const s of sent) {
        expect(s.subject).toBe(`Dispute about referral ${c.referralReference} resolved`);
        expect(s.body).toContain('has been resolved. The agreed split has been posted to the budgets.');
      }
      expectPlain(sent, c, id);
    });

    it('withdrawn: the paying partners’ members and the administrator, not the raiser who withdrew it', async () => {
      const { c, id } = await noticeWorld();
      const finance = new Client(t.app);
      await finance.signIn(FINANCE);
      await finance.get(paths.disputes.dispute(id));
      const before = await outboxIds();
      expect((await finance.post(paths.disputes.withdraw(id), { note: NOTE, version: '1' })).status).toBe(303);
      expect((await getDispute(db(), id, RAISED)).status).toBe('withdrawn');
      const sent = await sentSince(before);
      expect(sent.map((s) => s.recipient).sort()).toEqual([PANEL_USERS.administrator, PANEL_USERS.health, PANEL_USERS.socialCare].sort());
      for (const s of sent) {
        expect(s.subject).toBe(`Dispute about referral ${c.referralReference} withdrawn`);
        expect(s.body).toContain('has been withdrawn. The split as decided stands.');
      }
      expectPlain(sent, c, id);
    });

    it('a refused change tells nobody', async () => {
      const { id } = await noticeWorld();
      const care = new Client(t.app);
      await care.signIn(PANEL_USERS.socialCare);
      await care.get(paths.disputes.dispute(id));
      const before = await outboxIds();
      // A party cannot escalate its own dispute.
      expect((await care.post(paths.disputes.escalate(id), { note: NOTE, version: '1' })).status).toBe(403);
      expect(await sentSince(before)).toEqual([]);
    });
  });
});
