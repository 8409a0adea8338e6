// Panel decision safeguards found by the security review: delegated authority is checked over
// every year of the package (a share moved past month 12 is still checked, and a paying partner
// needs someone present for it); two decisions, or two issues of an outcome sheet, at once give
// the second a plain refusal rather than a database error; and a closed accounting period
// refuses the decision in plain words, writing nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import {
  createPanelWorld,
  dateParts,
  decisionCounts,
  decisionWindow,
  errorsOf,
  firstServiceCategory,
  PANEL_USERS,
  personalCareTerms,
  type PanelWorld,
} from './support/panel-world.js';
import { userIdByEmail } from './support/register.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { ValidationError } from '../src/platform/http/errors.js';
import { OutboxNotifier } from '../src/platform/notify/notify.js';
import type { Db } from '../src/platform/db/database.js';
import { financialYearLabel, periodBounds, periodOf } from '../src/platform/financial-year.js';
import { getDecision, recordDecision } from '../src/capabilities/referral-and-panel/panel-decisions/service.js';
import { issueSheet } from '../src/capabilities/referral-and-panel/panel-decisions/sheets.js';

/** Waits until another connection to this database is waiting for a lock (the second caller, blocked). */
async function someoneWaitsForALock(db: Db) {
  for (let i = 0; i < 250; i++) {
    const r = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(
      db,
    );
    if ((r.rows[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('The second caller never waited for the first: the test could not set up the race');
}

/**
 * Runs `first` in a transaction and holds it open, then starts `second` in another, waits until
 * it is blocked on the first, and commits the first: the second then runs against the committed
 * first. Answers what the second threw (or null).
 */
async function race(db: Db, first: (tx: Db) => Promise<unknown>, second: (tx: Db) => Promise<unknown>): Promise<unknown> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let ready!: () => void;
  const firstDone = new Promise<void>((resolve) => (ready = resolve));
  const a = db.transaction().execute(async (tx) => {
    await first(tx);
    ready();
    await held;
  });
  await firstDone;
  const b = db
    .transaction()
    .execute(second)
    .then(
      () => null,
      (e: unknown) => e,
    );
  try {
    await someoneWaitsForALock(db);
  } finally {
    release();
    await a;
  }
  return b;
}

describe.each(databaseKinds())('panel decision safeguards on %s', (kind) => {
  let t: TestApp;
  let caseworker: Client;
  let category = '';
  const today = todayInLondon();
  const db = () => t.database.db;

  beforeAll(async () => {
    t = await buildTestApp(kind);
    caseworker = new Client(t.app);
    expect((await caseworker.signIn(PANEL_USERS.administrator)).status).toBe(303);
    category = await firstServiceCategory(db());
  });
  afterAll(() => t?.close());

  const counts = (w: PanelWorld) => decisionCounts(db(), w);

  /**
   * The review's probe: £20,000 a week, education 100% from 1 December 2026 to 30 November 2027,
   * then social care 100% to 1 December 2028. Social care pays nothing in the first 12 months, and
   * £1,045,714.29 in the 12 months from 1 December 2027 (366 days at £20,000 a week, priced per
   * financial year as the ledger commits it).
   */
  const movedPastMonth12 = (w: PanelWorld) => ({
    outcome: 'approve',
    reasons: 'Residential short breaks; social care takes over after the first year (fictional).',
    agreementId: w.pool.agreementId,
    serviceCategory: category,
    service: 'Residential short breaks',
    providerId: w.pool.providerId,
    unitCost: '20000.00',
    units: '1',
    frequency: 'week',
    ...dateParts('startsOn', '2026-12-01'),
    ...dateParts('endsOn', '2028-12-01'),
    ...dateParts('reviewOn', '2027-06-01'),
    splitMode: 'custom',
    [`split1-${w.partners.education}`]: '100',
    ...dateParts('split2From', '2027-12-01'),
    [`split2-${w.partners.socialCare}`]: '100',
  });

  it('checks a partner’s share in every year of the package, not only the first 12 months, and writes nothing', async () => {
    const w = await createPanelWorld(db(), { authorityPence: { education: 200_000_000, socialCare: 0 } });
    const before = await counts(w);
    await caseworker.get(paths.decisions.decide(w.caseId));
    const res = await caseworker.post(paths.decisions.decide(w.caseId), movedPastMonth12(w));
    expect(res.status, text(res.body).slice(0, 1500)).toBe(400);
    expect(errorsOf(res.body)).toEqual([
      {
        href: '#attendance',
        text: 'Social care’s share is £1,045,714.29 in the 12 months from 1 December 2027, more than any present member for Social care may agree (the most is £0.00): take it to someone with more authority',
      },
    ]);
    expect(await counts(w)).toEqual(before);
  });

  it('refuses a paying partner with nobody present for it, even when it pays nothing in the first 12 months', async () => {
    // Quorum and joint funding relaxed so that authority is the only problem.
    const w = await createPanelWorld(db(), {
      present: ['education', 'health'],
      quorumMembers: 2,
      jointFundingAgencies: [],
      authorityPence: { education: 200_000_000 },
    });
    const before = await counts(w);
    await caseworker.get(paths.decisions.decide(w.caseId));
    const res = await caseworker.post(paths.decisions.decide(w.caseId), movedPastMonth12(w));
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toEqual([
      {
        href: '#attendance',
        text: 'Nobody present may agree Social care’s share of £1,045,714.29 in the 12 months from 1 December 2027: no member with authority for Social care is present without a declared interest',
      },
    ]);
    expect(await counts(w)).toEqual(before);
  });

  it.skipIf(kind !== 'postgres')('refuses the second of two decisions recorded on one case at once in plain words', async () => {
    const w = await createPanelWorld(db());
    const by = { id: await userIdByEmail(db(), PANEL_USERS.administrator) };
    const decline = { outcome: 'decline' as const, reasons: 'Another service meets this need (fictional).' };
    const defer = { outcome: 'defer' as const, reasons: 'Waiting for a report (fictional).' };
    const second = await race(
      db(),
      (tx) => recordDecision(tx, w.caseId, defer, by, today),
      (tx) => recordDecision(tx, w.caseId, decline, by, today),
    );
    expect(second).toBeInstanceOf(ValidationError);
    expect((second as ValidationError).errors).toEqual([{ text: 'A decision has already been recorded for this case', href: '#outcome' }]);
    const after = await counts(w);
    expect(after.decisions).toBe(1);
    expect(after.status).toBe('to-panel');
  });

  it.skipIf(kind !== 'postgres')('refuses the second of two issues of one outcome sheet at once in plain words', async () => {
    const w = await createPanelWorld(db());
    const by = { id: await userIdByEmail(db(), PANEL_USERS.administrator) };
    const r = await db()
      .transaction()
      .execute((tx) => recordDecision(tx, w.caseId, { outcome: 'decline', reasons: 'Another service meets this need (fictional).' }, by, today));
    // Both callers read the decision before either issued the sheet.
    const d = await getDecision(db(), r.decisionId);
    expect(d.sheet_id).toBeNull();
    const opts = { notifier: new OutboxNotifier(), baseUrl: 'http://localhost:3000', today, by };
    const second = await race(
      db(),
      (tx) => issueSheet(tx, d, opts),
      (tx) => issueSheet(tx, d, opts),
    );
    expect(second).toBeInstanceOf(ValidationError);
    expect((second as ValidationError).errors[0]!.text).toMatch(/^The outcome sheet was already issued on \d{1,2} \w+ \d{4}$/);
    const sheets = await db().selectFrom('outcome_sheets').select('id').where('decision_id', '=', r.decisionId).execute();
    expect(sheets).toHaveLength(1);
  });

  // Last: closing a period cannot be undone, and this database is shared by the tests above.
  it('refuses a decision in plain words when the accounting period is closed, and writes nothing', async () => {
    const w = await createPanelWorld(db());
    const { financialYear, period } = periodOf(today);
    const bounds = periodBounds(financialYear, period);
    await sql`insert into ledger_periods (financial_year, period, starts_on, ends_on, closed_at)
      values (${financialYear}, ${period}, ${bounds.startsOn}, ${bounds.endsOn}, now())
      on conflict (financial_year, period) do update set closed_at = now()`.execute(db());
    const before = await counts(w);
    const { start, end } = decisionWindow(today);
    await caseworker.get(paths.decisions.decide(w.caseId));
    const res = await caseworker.post(paths.decisions.decide(w.caseId), {
      outcome: 'approve',
      reasons: 'Personal care at home (fictional).',
      agreementId: w.pool.agreementId,
      ...personalCareTerms(w, category, start, end),
      splitMode: 'custom',
      [`split1-${w.partners.socialCare}`]: '100',
    });
    expect(res.status, text(res.body).slice(0, 1500)).toBe(400);
    expect(errorsOf(res.body)).toEqual([
      {
        href: '#outcome',
        text: `The decision was not recorded, because the package’s commitment could not be posted to the budgets: ${bounds.name} (period ${period} of ${financialYearLabel(financialYear)}) is closed: nothing more can be posted to it`,
      },
    ]);
    expect(await counts(w)).toEqual(before);
  });
});
