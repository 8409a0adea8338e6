// The ledger on real databases: posting is balanced, idempotent and immutable; a closed period
// refuses postings; a crash mid-posting leaves nothing; packages' posted commitments always equal
// what their rule implies; and, on PostgreSQL, many posters at once never lose or double an entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { databaseKinds, openTestDatabase, type DbKind } from './support/db.js';
import { seedDemo } from '../src/demo/seed.js';
import { openPostgres, type Database } from '../src/platform/db/database.js';
import { createChild } from './support/register.js';
import { createTestPool, type TestPool } from './support/budgets.js';
import {
  balances,
  IdempotencyConflictError,
  linesOf,
  PeriodClosedError,
  post,
  reverse,
  unbalancedTransactions,
  UnbalancedError,
  type Account,
  type LedgerLine,
  type Posting,
} from '../src/capabilities/money/budgets/ledger.js';
import {
  changePackage,
  createPackage,
  impliedCommitment,
  postCommitment,
  postedCommitment,
  repostCommitments,
  type PackageInput,
} from '../src/capabilities/money/budgets/packages.js';
import { closePeriod, recordContribution } from '../src/capabilities/money/budgets/agreements.js';
import { payInvoice, recordDirectPayment, recordInvoice } from '../src/capabilities/money/budgets/actuals.js';
import { randomUUID } from 'node:crypto';
import { ValidationError } from '../src/platform/http/errors.js';
import { addDays } from '../src/platform/financial-year.js';
import type { Split } from '../src/capabilities/money/budgets/split.js';

const TODAY = '2025-09-15';

const pair = (pool: TestPool, debit: Account, credit: Account, pence: number, fy = 2025, partnerId: string | null = pool.health): LedgerLine[] => [
  { account: debit, amountPence: pence, agreementId: pool.agreementId, partnerId, financialYear: fy },
  { account: credit, amountPence: -pence, agreementId: pool.agreementId, partnerId, financialYear: fy },
];

/** Balances of one pool by account, summed in JavaScript from every transaction's own lines. */
async function sumOfLines(database: Database, agreementId: string) {
  const ids = await database.db.selectFrom('ledger_entries').select('transaction_id').distinct().where('agreement_id', '=', agreementId).execute();
  const out = new Map<string, number>();
  for (const { transaction_id } of ids) {
    const lines = await linesOf(database.db, transaction_id);
    expect(lines.reduce((a, l) => a + l.amountPence, 0)).toBe(0);
    for (const l of lines) if (l.agreementId === agreementId) out.set(l.account, (out.get(l.account) ?? 0) + l.amountPence);
  }
  return out;
}

const nonZero = (m: Map<string, number>) => Object.fromEntries([...m].filter(([, v]) => v !== 0).sort());

describe.each(databaseKinds())('the ledger on %s', (kind: DbKind) => {
  let database: Database;
  let pool: TestPool;
  let childId: string;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await seedDemo(database.db);
    pool = await createTestPool(database.db);
    childId = (await createChild(database.db, { givenName: 'Testchild' })).childId;
  });
  afterAll(() => database?.close());

  const posting = (key: string, lines: LedgerLine[], over: Partial<Posting> = {}): Posting => ({
    idempotencyKey: key,
    kind: 'transfer',
    postedOn: '2025-06-10',
    reason: 'Test transfer',
    recordedBy: pool.financeUserId,
    lines,
    ...over,
  });

  it('posts a balanced transaction once; the same event again changes nothing; a different payload under its key is refused', async () => {
    const lines = pair(pool, 'budget', 'contributions', 12_345);
    const first = await post(database.db, posting('test:once', lines));
    expect(first.created).toBe(true);
    const before = await balances(database.db, { agreementId: pool.agreementId });
    const again = await post(database.db, posting('test:once', lines, { reason: 'retried', postedOn: '2025-06-11' }));
    expect(again).toEqual({ transactionId: first.transactionId, created: false });
    expect(await balances(database.db, { agreementId: pool.agreementId })).toEqual(before);
    await expect(post(database.db, posting('test:once', pair(pool, 'budget', 'contributions', 12_346)))).rejects.toBeInstanceOf(IdempotencyConflictError);
    expect(await database.db.selectFrom('ledger_transactions').select('id').where('idempotency_key', '=', 'test:once').execute()).toHaveLength(1);
  });

  it('refuses an unbalanced posting in the service, and the database refuses one written around it', async () => {
    const bad = [...pair(pool, 'budget', 'contributions', 100)];
    bad[1] = { ...bad[1]!, amountPence: -99 };
    await expect(post(database.db, posting('test:unbalanced', bad))).rejects.toThrow('The transaction does not balance: its lines add up to 1 pence, not 0');
    await expect(post(database.db, posting('test:one-line', bad.slice(0, 1)))).rejects.toBeInstanceOf(UnbalancedError);
    await expect(post(database.db, posting('test:fraction', pair(pool, 'budget', 'contributions', 1.5)))).rejects.toThrow('whole, non-zero number of pence');
    // Straight to the tables, as a careless script might: the commit is refused.
    await expect(
      database.db.transaction().execute(async (tx) => {
        const t = await tx
          .insertInto('ledger_transactions')
          .values({
            idempotency_key: 'raw:unbalanced',
            payload_hash: 'x',
            kind: 'transfer',
            posted_on: '2025-06-10',
            financial_year: 2025,
            period: 3,
            reason: 'raw',
            recorded_by: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await tx
          .insertInto('ledger_entries')
          .values({ transaction_id: t.id, account: 'budget', amount_pence: 5, agreement_id: pool.agreementId, financial_year: 2025 })
          .execute();
      }),
    ).rejects.toThrow(/does not balance/);
    // And a line added later to a balanced transaction.
    const ok = await post(database.db, posting('test:later-line', pair(pool, 'budget', 'contributions', 10)));
    await expect(
      database.db
        .transaction()
        .execute((tx) =>
          tx
            .insertInto('ledger_entries')
            .values({ transaction_id: ok.transactionId, account: 'budget', amount_pence: 5, agreement_id: pool.agreementId, financial_year: 2025 })
            .execute(),
        ),
    ).rejects.toThrow(/does not balance/);
    expect(await unbalancedTransactions(database.db)).toEqual([]);
  });

  it('never changes or deletes an entry or a transaction', async () => {
    await expect(sql`update ledger_entries set amount_pence = amount_pence * 2`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from ledger_entries`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`update ledger_transactions set reason = 'changed'`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from ledger_transactions`.execute(database.db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate ledger_entries, ledger_transactions`.execute(database.db)).rejects.toThrow(/append-only/);
  });

  it('corrects by reversing, once', async () => {
    const p = await post(database.db, posting('test:to-reverse', pair(pool, 'spend', 'creditors', 777)));
    const before = await balances(database.db, { agreementId: pool.agreementId });
    const r = await reverse(database.db, { transactionId: p.transactionId, postedOn: '2025-07-01', reason: 'Entered twice', recordedBy: pool.financeUserId });
    expect(r.created).toBe(true);
    const after = await balances(database.db, { agreementId: pool.agreementId });
    expect(after.get('spend')).toBe(before.get('spend')! - 777);
    expect(after.get('creditors')).toBe(before.get('creditors')! + 777);
    expect(await reverse(database.db, { transactionId: p.transactionId, postedOn: '2025-07-01', reason: 'Entered twice', recordedBy: null })).toEqual({
      ...r,
      created: false,
    });
    await expect(
      reverse(database.db, { transactionId: p.transactionId, postedOn: '2025-07-02', reason: 'Again', recordedBy: null, idempotencyKey: 'other' }),
    ).rejects.toThrow(`Transaction ${p.transactionId} has already been reversed`);
  });

  it('refuses postings to a closed period, in the service and in the database', async () => {
    await closePeriod(database.db, 2024, 2, { id: pool.financeUserId }, TODAY); // May 2024
    await expect(post(database.db, posting('test:closed', pair(pool, 'budget', 'contributions', 5, 2024), { postedOn: '2024-05-20' }))).rejects.toThrow(
      'May 2024 (period 2 of 2024 to 2025) is closed: nothing more can be posted to it',
    );
    await expect(post(database.db, posting('test:closed', pair(pool, 'budget', 'contributions', 5, 2024), { postedOn: '2024-05-20' }))).rejects.toBeInstanceOf(
      PeriodClosedError,
    );
    await expect(
      sql`insert into ledger_transactions (idempotency_key, payload_hash, kind, posted_on, financial_year, period, reason) values ('raw:closed', 'x', 'transfer', '2024-05-21', 2024, 2, 'raw')`.execute(
        database.db,
      ),
    ).rejects.toThrow(/is closed/);
    await expect(sql`update ledger_periods set closed_at = null where financial_year = 2024 and period = 2`.execute(database.db)).rejects.toThrow(
      /cannot be reopened/,
    );
    await expect(closePeriod(database.db, 2025, 6, { id: pool.financeUserId }, TODAY)).rejects.toThrow('September 2025 has not ended yet');
    // The period after is still open.
    expect((await post(database.db, posting('test:june-2024', pair(pool, 'budget', 'contributions', 5, 2024), { postedOn: '2024-06-01' }))).created).toBe(true);
  });

  it('a crash mid-posting leaves no partial transaction', async () => {
    const count = async () => Number((await sql<{ n: number }>`select count(*)::int as n from ledger_transactions`.execute(database.db)).rows[0]!.n);
    const before = await count();
    // A line naming a pool that does not exist fails after the transaction row is written.
    const broken = pair(pool, 'budget', 'contributions', 50).map((l, i) => (i === 1 ? { ...l, agreementId: '00000000-0000-4000-8000-000000000000' } : l));
    await expect(post(database.db, posting('test:crash', broken))).rejects.toThrow();
    // The work around it fails after posting: the route's transaction rolls back, posting and all.
    await expect(
      database.db.transaction().execute(async (tx) => {
        await post(tx, posting('test:crash-after', pair(pool, 'budget', 'contributions', 60)));
        throw new Error('the process died');
      }),
    ).rejects.toThrow('the process died');
    expect(await count()).toBe(before);
    expect(
      await database.db.selectFrom('ledger_transactions').select('id').where('idempotency_key', 'in', ['test:crash', 'test:crash-after']).execute(),
    ).toEqual([]);
  });

  it('posts a contribution as budget against the partner’s contribution', async () => {
    const p = await recordContribution(
      database.db,
      {
        agreementId: pool.agreementId,
        financialYear: 2025,
        partnerId: pool.health,
        serviceCategory: 'short-breaks',
        amountPence: 18_000_000,
        postedOn: '2025-04-10',
        reason: 'NHS contribution',
        eventId: 'c-1',
      },
      { id: pool.financeUserId },
    );
    const lines = await linesOf(database.db, p.transactionId);
    expect(lines.map((l) => [l.account, l.amountPence, l.partnerId, l.serviceCategory, l.financialYear])).toEqual([
      ['budget', 18_000_000, pool.health, 'short-breaks', 2025],
      ['contributions', -18_000_000, pool.health, 'short-breaks', 2025],
    ]);
  });

  it('posts a package’s commitment, and on a change posts only the difference', async () => {
    const split: Split = [
      {
        from: '2025-06-02',
        to: '2025-07-13',
        shares: [
          { partnerId: pool.health, bp: 5000 },
          { partnerId: pool.socialCare, bp: 5000 },
        ],
      },
      { from: '2025-07-14', to: null, shares: [{ partnerId: pool.socialCare, bp: 10000 }] },
    ];
    const input: PackageInput = {
      serviceCategory: 'short-breaks',
      service: 'Overnight short breaks after surgery',
      providerId: pool.providerId,
      unitCostPence: 2000,
      unitsX100: 1000,
      frequency: 'week',
      startsOn: '2025-06-02',
      endsOn: null,
      reviewOn: '2025-12-01',
      split,
      reason: 'Panel agreed post-operative care',
    };
    const made = await createPackage(database.db, { ...input, agreementId: pool.agreementId, childId }, { id: pool.financeUserId }, TODAY);
    expect(made.reference).toMatch(/^PKG-\d+$/);
    const posted = await postedCommitment(database.db, made.id);
    expect(posted.map((p) => [p.financialYear, p.partnerId, p.pence]).sort()).toEqual(
      [
        [2025, pool.health, 60_000],
        [2025, pool.socialCare, 805_714],
      ].sort(),
    );
    // The package ends on 31 December instead: only the difference is posted.
    const change = await changePackage(
      database.db,
      made.id,
      1,
      { ...input, endsOn: '2025-12-31', reason: 'Ends at Christmas' },
      { id: pool.financeUserId },
      TODAY,
    );
    const delta = await linesOf(database.db, change!.transactionId);
    // 1 January to 31 March 2026 is 90 days: £200 × 90/7 = £2,571.43 less for social care; health unchanged.
    expect(delta.filter((l) => l.account === 'commitments').map((l) => [l.partnerId, l.amountPence])).toEqual([[pool.socialCare, -257_143]]);
    expect(await postCommitment(database.db, made.id, { today: TODAY, by: null })).toBeNull();
    // A new financial year: the rollover commits it, once.
    const open = await createPackage(
      database.db,
      { ...input, startsOn: '2025-06-02', endsOn: null, agreementId: pool.agreementId, childId },
      { id: pool.financeUserId },
      TODAY,
    );
    expect(await repostCommitments(database.db, { today: '2026-04-01', by: null })).toBeGreaterThanOrEqual(1);
    expect(await repostCommitments(database.db, { today: '2026-04-01', by: null })).toBe(0);
    const next = (await postedCommitment(database.db, open.id)).filter((p) => p.financialYear === 2026);
    // 365 days of 2026 to 2027 at £200 a week, social care alone: £10,428.57.
    expect(next.map((p) => [p.partnerId, p.pence])).toEqual([[pool.socialCare, 1_042_857]]);
    // A direct payment on a day of the 50/50 part is shared half and half (the odd penny to the
    // partner whose id sorts first, as allocate() breaks ties); sent twice, paid once.
    const token = '11111111-1111-4111-8111-111111111111';
    const [first, second] = [pool.health, pool.socialCare].sort();
    const dp = await recordDirectPayment(
      database.db,
      made.id,
      { id: token, amountPence: 10_001, paidOn: '2025-06-10', reference: 'DP-1' },
      { id: pool.financeUserId },
    );
    expect((await linesOf(database.db, dp.posted.transactionId)).map((l) => [l.account, l.partnerId, l.amountPence]).sort()).toEqual(
      [
        ['cash', first, -5001],
        ['cash', second, -5000],
        ['spend', first, 5001],
        ['spend', second, 5000],
      ].sort(),
    );
    expect(
      (await recordDirectPayment(database.db, made.id, { id: token, amountPence: 10_001, paidOn: '2025-06-10', reference: 'DP-1' }, { id: pool.financeUserId }))
        .posted.created,
    ).toBe(false);
    await expect(
      recordDirectPayment(
        database.db,
        made.id,
        { id: '22222222-2222-4222-8222-222222222222', amountPence: 5, paidOn: '2025-05-01', reference: null },
        { id: pool.financeUserId },
      ),
    ).rejects.toThrow('The payment date must be within the package’s dates');
    // A stale form is refused.
    await expect(changePackage(database.db, made.id, 1, input, { id: pool.financeUserId }, TODAY)).rejects.toThrow('Someone else changed this record');
    // A package ending before it starts, and a split not adding up to 100%, are refused with their own messages.
    await expect(
      createPackage(database.db, { ...input, endsOn: '2025-06-01', agreementId: pool.agreementId, childId }, { id: pool.financeUserId }, TODAY),
    ).rejects.toThrow('The package cannot end (01/06/2025) before it starts (02/06/2025)');
    const badSplit: Split = [
      {
        from: '2025-06-02',
        to: null,
        shares: [
          { partnerId: pool.health, bp: 6000 },
          { partnerId: pool.socialCare, bp: 5000 },
        ],
      },
    ];
    await expect(
      createPackage(database.db, { ...input, split: badSplit, agreementId: pool.agreementId, childId }, { id: pool.financeUserId }, TODAY),
    ).rejects.toThrow('The funding split adds up to 110%: the shares must add up to exactly 100%');
  });

  it(
    'property: whatever the sequence of postings, reversals, package changes and re-postings, every transaction balances, totals equal the sum of the entries, and each package’s posted commitment is what its rule implies',
    { timeout: 240_000 },
    async () => {
      const date = fc.integer({ min: 0, max: 700 }).map((n) => addDays('2024-06-01', n));
      const termsArb = fc.record({
        unitCostPence: fc.integer({ min: 1, max: 100_000 }),
        unitsX100: fc.integer({ min: 1, max: 4000 }),
        frequency: fc.constantFrom('week' as const, 'month' as const),
        start: date,
        length: fc.option(fc.integer({ min: 0, max: 500 }), { nil: null }),
        cut: fc.option(fc.integer({ min: 1, max: 120 }), { nil: null }),
        healthBp: fc.integer({ min: 1, max: 9999 }),
        category: fc.constantFrom('short-breaks', 'therapies', 'equipment'),
      });
      type TermsGen = typeof termsArb extends fc.Arbitrary<infer T> ? T : never;
      const op = fc.oneof(
        fc.record({
          op: fc.constant('post' as const),
          key: fc.integer({ min: 0, max: 6 }),
          pence: fc.integer({ min: 1, max: 5_000_000 }),
          accounts: fc.constantFrom(['budget', 'contributions'] as const, ['spend', 'creditors'] as const, ['creditors', 'cash'] as const),
        }),
        fc.record({ op: fc.constant('reverse' as const), pick: fc.nat() }),
        fc.record({ op: fc.constant('create' as const), terms: termsArb }),
        fc.record({ op: fc.constant('change' as const), pick: fc.nat(), terms: termsArb }),
        fc.record({ op: fc.constant('repost' as const), pick: fc.nat(), today: fc.constantFrom('2025-09-15', '2026-05-01') }),
      );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
          run++;
          const p = await createTestPool(database.db);
          const transactions: number[] = [];
          const packages: { id: string; version: number }[] = [];
          const payloads = new Map<number, LedgerLine[]>();
          const toInput = (t: TermsGen): PackageInput => {
            const endsOn = t.length === null ? null : addDays(t.start, t.length);
            const cutAt = t.cut !== null && (endsOn === null || addDays(t.start, t.cut) <= endsOn) ? addDays(t.start, t.cut) : null;
            const split: Split = cutAt
              ? [
                  {
                    from: t.start,
                    to: addDays(cutAt, -1),
                    shares: [
                      { partnerId: p.health, bp: t.healthBp },
                      { partnerId: p.socialCare, bp: 10000 - t.healthBp },
                    ],
                  },
                  { from: cutAt, to: null, shares: [{ partnerId: p.socialCare, bp: 10000 }] },
                ]
              : [
                  {
                    from: t.start,
                    to: null,
                    shares: [
                      { partnerId: p.health, bp: t.healthBp },
                      { partnerId: p.education, bp: 10000 - t.healthBp },
                    ],
                  },
                ];
            return {
              serviceCategory: t.category,
              service: 'Generated package',
              providerId: null,
              unitCostPence: t.unitCostPence,
              unitsX100: t.unitsX100,
              frequency: t.frequency,
              startsOn: t.start,
              endsOn,
              reviewOn: null,
              split,
              reason: 'generated',
            };
          };
          for (const o of ops) {
            if (o.op === 'post') {
              const lines = pair(p, o.accounts[0], o.accounts[1], o.pence);
              const key = `prop:${run}:${o.key}`;
              try {
                const r = await post(database.db, posting(key, lines, { postedOn: '2025-08-01' }));
                if (r.created) {
                  transactions.push(r.transactionId);
                  payloads.set(r.transactionId, lines);
                } else {
                  // The same event again: it must be the very same payload.
                  expect(payloads.get(r.transactionId)).toEqual(lines);
                }
              } catch (e) {
                expect(e).toBeInstanceOf(IdempotencyConflictError);
              }
            } else if (o.op === 'reverse' && transactions.length) {
              const id = transactions[o.pick % transactions.length]!;
              await reverse(database.db, { transactionId: id, postedOn: '2025-08-02', reason: 'generated', recordedBy: null });
            } else if (o.op === 'create') {
              const made = await createPackage(database.db, { ...toInput(o.terms), agreementId: p.agreementId, childId }, { id: p.financeUserId }, TODAY);
              packages.push({ id: made.id, version: 1 });
            } else if (o.op === 'change' && packages.length) {
              const k = packages[o.pick % packages.length]!;
              await changePackage(database.db, k.id, k.version, toInput(o.terms), { id: p.financeUserId }, TODAY);
              k.version++;
            } else if (o.op === 'repost' && packages.length) {
              const k = packages[o.pick % packages.length]!;
              await postCommitment(database.db, k.id, { today: o.today, by: null });
              // Posting the same state again changes nothing.
              const before = await balances(database.db, { agreementId: p.agreementId });
              expect(await postCommitment(database.db, k.id, { today: o.today, by: null })).toBeNull();
              expect(await balances(database.db, { agreementId: p.agreementId })).toEqual(before);
            }
          }
          expect(await unbalancedTransactions(database.db)).toEqual([]);
          expect(nonZero(await balances(database.db, { agreementId: p.agreementId }))).toEqual(nonZero(await sumOfLines(database, p.agreementId)));
          const sumAll = [...(await balances(database.db, { agreementId: p.agreementId })).values()].reduce((a, b) => a + b, 0);
          expect(sumAll).toBe(0);
          for (const k of packages) {
            // Bring each package up to its horizon as of TODAY, then compare with the rule.
            await postCommitment(database.db, k.id, { today: TODAY, by: null });
            const implied = await impliedCommitment(database.db, k.id, TODAY);
            const posted = (await postedCommitment(database.db, k.id)).filter((x) => x.pence !== 0);
            const want = implied.flatMap((y) => y.byPartner.map((b) => `${y.financialYear}|${b.partnerId}|${b.pence}`)).sort();
            const got = [
              ...posted.reduce(
                (m, x) => m.set(`${x.financialYear}|${x.partnerId}`, (m.get(`${x.financialYear}|${x.partnerId}`) ?? 0) + x.pence),
                new Map<string, number>(),
              ),
            ]
              .filter(([, v]) => v !== 0)
              .map(([k2, v]) => `${k2}|${v}`)
              .sort();
            expect(got).toEqual(want);
          }
        }),
        { numRuns: kind === 'pglite' ? 12 : 20 },
      );
    },
  );
});

describe.runIf(databaseKinds().includes('postgres'))('many posters at once on PostgreSQL', () => {
  let database: Database & { url?: string };
  let wide: Database;
  let pool: TestPool;
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    await seedDemo(database.db);
    pool = await createTestPool(database.db);
    // More connections than the test default, so postings really overlap.
    wide = await openPostgres(database.url!, 24);
  });
  afterAll(async () => {
    await wide?.close();
    await database?.close();
  });

  it('200 parallel postings (some repeating an event) lose no entry and post no event twice', { timeout: 120_000 }, async () => {
    const N = 200;
    // Every fourth posting repeats the event of the one before it, with the same payload.
    const keyOf = (i: number) => `parallel:${i % 4 === 3 ? i - 1 : i}`;
    const amountOf = (i: number) => 1000 + (i % 4 === 3 ? i - 1 : i);
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        post(wide.db, {
          idempotencyKey: keyOf(i),
          kind: 'transfer',
          postedOn: '2025-06-10',
          reason: 'parallel',
          recordedBy: null,
          lines: pair(pool, 'budget', 'contributions', amountOf(i), 2025, i % 2 ? pool.health : pool.socialCare).map((l) => ({
            ...l,
            partnerId: (i % 4 === 3 ? i - 1 : i) % 2 ? pool.health : pool.socialCare,
          })),
        }),
      ),
    );
    const keys = new Set(Array.from({ length: N }, (_, i) => keyOf(i)));
    expect(results.filter((r) => r.created)).toHaveLength(keys.size);
    // A repeat answers with its first posting's transaction.
    for (let i = 3; i < N; i += 4) expect(results[i]!.transactionId).toBe(results[i - 1]!.transactionId);
    const rows = await database.db.selectFrom('ledger_transactions').select('id').where('idempotency_key', 'like', 'parallel:%').execute();
    expect(rows).toHaveLength(keys.size);
    const entries = await database.db
      .selectFrom('ledger_entries as e')
      .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
      .select((eb) => [eb.fn.countAll<number>().as('n'), sql<number>`sum(case when e.amount_pence > 0 then e.amount_pence else 0 end)::bigint`.as('debits')])
      .where('t.idempotency_key', 'like', 'parallel:%')
      .executeTakeFirstOrThrow();
    expect(Number(entries.n)).toBe(2 * keys.size);
    expect(Number(entries.debits)).toBe([...keys].reduce((a, k) => a + 1000 + Number(k.split(':')[1]), 0));
    expect(await unbalancedTransactions(database.db)).toEqual([]);
  });

  it('a different payload posted at the same time under one key: one wins, the other is refused', { timeout: 60_000 }, async () => {
    const attempts = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        post(wide.db, {
          idempotencyKey: 'parallel:clash',
          kind: 'transfer',
          postedOn: '2025-06-10',
          reason: 'clash',
          recordedBy: null,
          lines: pair(pool, 'spend', 'creditors', 500 + (i % 2)),
        }),
      ),
    );
    const ok = attempts.filter((a) => a.status === 'fulfilled');
    const refused = attempts.filter((a) => a.status === 'rejected');
    expect(ok.filter((a) => a.value.created)).toHaveLength(1);
    for (const r of refused) expect(r.reason).toBeInstanceOf(IdempotencyConflictError);
    expect(ok.length + refused.length).toBe(20);
    expect(refused.length).toBeGreaterThanOrEqual(9);
  });

  it('two payments at once that each fit what is owed but together overpay it: one is paid, the other refused', { timeout: 60_000 }, async () => {
    // Several invoices, each paid twice at the same moment, so a missing lock shows up reliably.
    for (let n = 0; n < 8; n++) {
      const { invoiceId } = await recordInvoice(
        wide.db,
        {
          agreementId: pool.agreementId,
          providerId: pool.providerId,
          supplierReference: `RACE-${n}-${randomUUID().slice(0, 8)}`,
          packageId: null,
          serviceFrom: '2025-10-01',
          serviceTo: '2025-10-31',
          amountPence: 30_000,
          receivedOn: '2025-11-03',
          description: null,
        },
        { id: pool.financeUserId },
      );
      const pay = () =>
        payInvoice(wide.db, invoiceId, { id: randomUUID(), amountPence: 20_000, paidOn: '2025-11-10', reference: null }, { id: pool.financeUserId });
      const settled = await Promise.allSettled([pay(), pay()]);
      expect(settled.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
      const refused = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')!;
      expect(refused.reason).toBeInstanceOf(ValidationError);
      expect((refused.reason as ValidationError).errors[0]!.text).toMatch(/is more than is still owed on invoice RACE-/);
      const paid = await database.db
        .selectFrom('payments')
        .select((eb) => eb.fn.sum<number>('amount_pence').as('pence'))
        .where('invoice_id', '=', invoiceId)
        .executeTakeFirstOrThrow();
      expect(Number(paid.pence)).toBe(20_000);
    }
    expect(await unbalancedTransactions(database.db)).toEqual([]);
  });

  it('closing a period while postings are in flight: each posting either lands before the close or is refused', { timeout: 60_000 }, async () => {
    const tries = Array.from({ length: 60 }, (_, i) =>
      post(wide.db, {
        idempotencyKey: `parallel:close:${i}`,
        kind: 'transfer',
        postedOn: '2025-07-15',
        reason: 'race',
        recordedBy: null,
        lines: pair(pool, 'budget', 'contributions', 10),
      }),
    );
    const closing = closePeriod(wide.db, 2025, 4, { id: pool.financeUserId }, '2025-09-15');
    const settled = await Promise.allSettled([...tries, closing]);
    const closedAt = (
      await database.db.selectFrom('ledger_periods').select('closed_at').where('financial_year', '=', 2025).where('period', '=', 4).executeTakeFirstOrThrow()
    ).closed_at!;
    const landed = await database.db.selectFrom('ledger_transactions').select(['recorded_at']).where('idempotency_key', 'like', 'parallel:close:%').execute();
    for (const t of landed) expect(new Date(t.recorded_at).getTime()).toBeLessThanOrEqual(new Date(closedAt).getTime());
    const refused = settled.slice(0, 60).filter((s) => s.status === 'rejected');
    for (const r of refused) expect(r.reason).toBeInstanceOf(PeriodClosedError);
    expect(landed.length + refused.length).toBe(60);
  });
});
