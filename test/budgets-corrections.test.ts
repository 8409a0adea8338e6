// Correcting the ledger through the screens: reversing a transaction (once, never a reversal or a
// package's commitment, only into an open period), transferring budget within a year and carrying
// an underspend forward, each idempotent and balanced; and the new-year rollover job.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createChild } from './support/register.js';
import { createTestPool, type TestPool } from './support/budgets.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { closePeriod, recordContribution } from '../src/capabilities/money/budgets/agreements.js';
import { createPackage, postedCommitment } from '../src/capabilities/money/budgets/packages.js';
import { cancelInvoice, matchInvoice, payInvoice, recordInvoice, unmatched } from '../src/capabilities/money/budgets/actuals.js';
import { boardRows } from '../src/capabilities/money/budget-reports/service.js';
import { linesOf, unbalancedTransactions } from '../src/capabilities/money/budgets/ledger.js';
import { daysInclusive, financialYearOf } from '../src/platform/financial-year.js';
import { ROLLOVER_JOB } from '../src/capabilities/money/budgets/corrections.js';

const FINANCE = 'finance@demoshire.example.org';
const COMMISSIONER = 'commissioner@demoshire.example.org';
const ADMIN = 'admin@demoshire.example.org';

const parts = (field: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${field}-day`]: String(Number(d)), [`${field}-month`]: String(Number(m)), [`${field}-year`]: y! };
};
const errorsOf = (body: string) =>
  [...body.matchAll(/<a href="(#[^"]+)">([^<]+)<\/a>/g)].filter((m) => body.indexOf('govuk-error-summary') < m.index).map((m) => text(m[2]!).trim());
const tokenOf = (body: string) => /name="token" value="([^"]+)"/.exec(body)![1]!;

describe.each(databaseKinds())('ledger corrections on %s', (kind) => {
  let t: TestApp;
  let finance: Client;
  let pool: TestPool;
  const today = todayInLondon();
  const fy = financialYearOf(today);
  const db = () => t.database.db;
  let contribution: number;

  beforeAll(async () => {
    t = await buildTestApp(kind);
    finance = new Client(t.app);
    expect((await finance.signIn(FINANCE)).status).toBe(303);
    pool = await createTestPool(db(), { years: [fy - 1, fy, fy + 1] });
    const by = { id: pool.financeUserId };
    const c = { agreementId: pool.agreementId, financialYear: fy, serviceCategory: 'short-breaks', postedOn: today, reason: 'Agreed by the board (fictional)' };
    contribution = (await recordContribution(db(), { ...c, partnerId: pool.health, amountPence: 1_000_000, eventId: randomUUID() }, by)).transactionId;
    await recordContribution(db(), { ...c, partnerId: pool.socialCare, amountPence: 500_000, eventId: randomUUID() }, by);
  });
  afterAll(() => t?.close());

  const reversalsOf = (id: number) => db().selectFrom('ledger_transactions').select('id').where('reverses_transaction_id', '=', id).execute();

  it('reverses a transaction once, from its page, with a reason, and links the two', async () => {
    const page = await finance.get(paths.budgetReports.transaction(contribution));
    expect(text(page.body)).toContain('Correct this by reversing it');
    expect(page.body).toContain(paths.budgets.reverseTransaction(contribution));
    const form = await finance.get(paths.budgets.reverseTransaction(contribution));
    expect(form.status).toBe(200);
    expect(text(form.body)).toContain('Correct transaction');
    const token = tokenOf(form.body);
    const empty = await finance.post(paths.budgets.reverseTransaction(contribution), { token, ...parts('postedOn', today) });
    expect(empty.status).toBe(400);
    expect(errorsOf(empty.body)).toEqual(['Enter why the transaction is being reversed']);
    expect(await reversalsOf(contribution)).toEqual([]);

    const good = { token, reason: 'Recorded against the wrong partner', ...parts('postedOn', today) };
    const first = await finance.post(paths.budgets.reverseTransaction(contribution), good);
    expect(first.status).toBe(303);
    // A double submit of the same form posts once and lands on the same reversal.
    const again = await finance.post(paths.budgets.reverseTransaction(contribution), good);
    expect(again.location).toBe(first.location);
    const reversals = await reversalsOf(contribution);
    expect(reversals).toHaveLength(1);
    const reversalId = reversals[0]!.id;
    expect(first.location).toBe(paths.budgetReports.transaction(reversalId));
    expect((await linesOf(db(), reversalId)).map((l) => [l.account, l.amountPence]).sort()).toEqual([
      ['budget', -1_000_000],
      ['contributions', 1_000_000],
    ]);

    const reversal = text((await finance.get(paths.budgetReports.transaction(reversalId))).body);
    expect(reversal).toContain(`Reverses transaction ${contribution}`);
    expect(reversal).toContain('Recorded against the wrong partner');
    expect(reversal).not.toContain('Correct this by reversing it');
    const original = text((await finance.get(paths.budgetReports.transaction(contribution))).body);
    expect(original).toContain(`reversed by transaction ${reversalId}`);
    expect(original).not.toContain('Correct this by reversing it');

    // A second, separate attempt is refused in plain words.
    const other = await finance.get(paths.budgets.reverseTransaction(contribution));
    expect(text(other.body)).toContain(`Transaction ${contribution} has already been reversed by transaction ${reversalId}: it cannot be reversed twice`);
    const twice = await finance.post(paths.budgets.reverseTransaction(contribution), { ...good, token: randomUUID() });
    expect(twice.status).toBe(400);
    expect(errorsOf(twice.body)).toEqual([`Transaction ${contribution} has already been reversed by transaction ${reversalId}: it cannot be reversed twice`]);

    // A reversal cannot itself be reversed.
    await finance.get(paths.budgets.reverseTransaction(reversalId));
    const ofReversal = await finance.post(paths.budgets.reverseTransaction(reversalId), { token: randomUUID(), reason: 'Undo', ...parts('postedOn', today) });
    expect(ofReversal.status).toBe(400);
    expect(errorsOf(ofReversal.body)[0]).toContain(`Transaction ${reversalId} reverses transaction ${contribution}: a reversal cannot itself be reversed`);
    expect(await reversalsOf(reversalId)).toEqual([]);
    expect(await unbalancedTransactions(db())).toEqual([]);
  });

  it('refuses to reverse a package’s commitment: change the package instead', async () => {
    const { childId } = await createChild(db(), { givenName: 'Correctionchild', familyName: 'Testfamily', involvedOrgCodes: ['DEMO-EDU'] });
    const made = await createPackage(
      db(),
      {
        agreementId: pool.agreementId,
        childId,
        serviceCategory: 'equipment',
        service: 'Weekly equipment hire (fictional)',
        providerId: pool.providerId,
        unitCostPence: 10_000,
        unitsX100: 100,
        frequency: 'week',
        startsOn: today,
        endsOn: null,
        reviewOn: null,
        split: [{ from: today, to: null, shares: [{ partnerId: pool.socialCare, bp: 10000 }] }],
        reason: 'Agreed at panel (fictional)',
      },
      { id: pool.financeUserId },
    );
    const commitment = made.posted!.transactionId;
    const page = text((await finance.get(paths.budgetReports.transaction(commitment))).body);
    expect(page).not.toContain('Correct this by reversing it');
    const form = await finance.get(paths.budgets.reverseTransaction(commitment));
    expect(text(form.body)).toContain('To change it, change the package instead');
    const res = await finance.post(paths.budgets.reverseTransaction(commitment), { token: randomUUID(), reason: 'Wrong', ...parts('postedOn', today) });
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toEqual([
      `Transaction ${commitment} is a package’s commitment, worked out from the package’s terms and split: it cannot be reversed. To change it, change the package instead`,
    ]);
    expect(await reversalsOf(commitment)).toEqual([]);
  });

  it('refuses to reverse an invoice’s posting on its own, which would leave the invoice saying otherwise', async () => {
    const { posted } = await recordInvoice(
      db(),
      {
        agreementId: pool.agreementId,
        providerId: pool.providerId,
        supplierReference: `INV-CORR-${randomUUID().slice(0, 8)}`,
        packageId: null,
        serviceFrom: today,
        serviceTo: today,
        amountPence: 12_345,
        receivedOn: today,
        description: null,
      },
      { id: pool.financeUserId },
    );
    const invoice = posted.transactionId;
    expect(text((await finance.get(paths.budgetReports.transaction(invoice))).body)).not.toContain('Correct this by reversing it');
    const res = await finance.post(paths.budgets.reverseTransaction(invoice), { token: randomUUID(), reason: 'Wrong', ...parts('postedOn', today) });
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toEqual([
      `Transaction ${invoice} records an invoice or a payment, whose own record would then disagree with the ledger: it cannot be reversed on its own`,
    ]);
    expect(await reversalsOf(invoice)).toEqual([]);
  });

  it('refuses a reversal dated in a closed period', async () => {
    const target = (
      await recordContribution(
        db(),
        {
          agreementId: pool.agreementId,
          financialYear: fy,
          serviceCategory: 'therapies',
          partnerId: pool.education,
          amountPence: 20_000,
          postedOn: today,
          reason: 'Therapies (fictional)',
          eventId: randomUUID(),
        },
        { id: pool.financeUserId },
      )
    ).transactionId;
    await closePeriod(db(), fy - 1, 12, { id: pool.financeUserId });
    await finance.get(paths.budgets.reverseTransaction(target));
    const res = await finance.post(paths.budgets.reverseTransaction(target), {
      token: randomUUID(),
      reason: 'Wrong year',
      ...parts('postedOn', `${fy}-03-15`),
    });
    expect(res.status).toBe(400);
    expect(errorsOf(res.body)).toEqual([`March ${fy} (period 12 of ${fy - 1} to ${fy}) is closed: nothing more can be posted to it`]);
    expect(await reversalsOf(target)).toEqual([]);
  });

  it('transfers budget within a year, balanced and once, refusing bad amounts in plain words', async () => {
    const url = paths.budgets.moveBudget(pool.agreementId);
    const form = await finance.get(url);
    expect(form.status).toBe(200);
    const token = tokenOf(form.body);
    const base = {
      token,
      kind: 'transfer',
      financialYear: String(fy),
      fromPartnerId: pool.socialCare,
      fromCategory: 'short-breaks',
      toPartnerId: pool.health,
      toCategory: 'therapies',
      reason: 'Board moved money to therapies (fictional)',
      ...parts('postedOn', today),
    };
    const cases: [string, string][] = [
      ['-5', 'The amount cannot be negative. To correct an amount already recorded, reverse it instead'],
      ['12.345', 'The amount cannot include part of a penny: use no more than 2 digits after the decimal point, like 12.50'],
      ['0', 'The amount must be more than £0'],
      ['twelve', 'The amount must be an amount in pounds and pence, like 1,234.56'],
      [
        '5,000.01',
        'The amount is more than is left to move: £5,000.00 of the giving side’s £5,000.00 budget in ' + `${fy} to ${fy + 1} is not committed or spent`,
      ],
    ];
    for (const [amount, message] of cases) {
      const res = await finance.post(url, { ...base, amount });
      expect(res.status, amount).toBe(400);
      expect(errorsOf(res.body), amount).toEqual([message]);
    }
    const same = await finance.post(url, { ...base, toPartnerId: pool.socialCare, toCategory: 'short-breaks', amount: '10' });
    expect(errorsOf(same.body)).toEqual(['The budget must move to a different partner or kind of service: choose where it goes to']);
    const noReason = await finance.post(url, { ...base, reason: '', amount: '10' });
    expect(errorsOf(noReason.body)).toEqual(['Enter why the budget is being moved']);
    expect(await db().selectFrom('ledger_transactions').select('id').where('kind', '=', 'transfer').execute()).toEqual([]);

    const ok = await finance.post(url, { ...base, amount: '1,234.56' });
    expect(ok.status).toBe(303);
    const again = await finance.post(url, { ...base, amount: '1,234.56' });
    expect(again.location).toBe(ok.location);
    const transfers = await db().selectFrom('ledger_transactions').select(['id', 'reason', 'recorded_by']).where('kind', '=', 'transfer').execute();
    expect(transfers).toHaveLength(1);
    expect(transfers[0]).toMatchObject({ reason: 'Board moved money to therapies (fictional)', recorded_by: pool.financeUserId });
    expect((await linesOf(db(), transfers[0]!.id)).map((l) => [l.account, l.partnerId, l.serviceCategory, l.financialYear, l.amountPence]).sort()).toEqual(
      [
        ['budget', pool.health, 'therapies', fy, 123_456],
        ['budget', pool.socialCare, 'short-breaks', fy, -123_456],
      ].sort(),
    );
    expect(text((await finance.get(ok.location!)).body)).toContain('Transfer');
    expect(await unbalancedTransactions(db())).toEqual([]);
  });

  it('carries an underspend forward to the next year, and only into a year the agreement has', async () => {
    const url = paths.budgets.moveBudget(pool.agreementId);
    const token = tokenOf((await finance.get(url)).body);
    const base = {
      token,
      kind: 'carry-forward',
      financialYear: String(fy),
      fromPartnerId: pool.socialCare,
      fromCategory: 'short-breaks',
      toPartnerId: pool.socialCare,
      toCategory: 'short-breaks',
      reason: 'Underspend carried forward (fictional)',
      ...parts('postedOn', today),
    };
    const noYear = await finance.post(url, { ...base, financialYear: String(fy + 1), amount: '10' });
    expect(errorsOf(noYear.body)).toEqual([
      `The agreement has no financial year ${fy + 2} to ${fy + 3} to carry the money forward into. Add that year and its shares first`,
    ]);
    const ok = await finance.post(url, { ...base, amount: '100' });
    expect(ok.status).toBe(303);
    expect((await finance.post(url, { ...base, amount: '100' })).location).toBe(ok.location);
    const moved = await db().selectFrom('ledger_transactions').select('id').where('kind', '=', 'year-end-adjustment').execute();
    expect(moved).toHaveLength(1);
    expect((await linesOf(db(), moved[0]!.id)).map((l) => [l.financialYear, l.amountPence]).sort()).toEqual(
      [
        [fy, -10_000],
        [fy + 1, 10_000],
      ].sort(),
    );
    expect(await unbalancedTransactions(db())).toEqual([]);
  });

  it('refuses people without budgets:manage', async () => {
    for (const email of [COMMISSIONER, ADMIN]) {
      const c = new Client(t.app);
      expect((await c.signIn(email)).status, email).toBe(303);
      expect((await c.get(paths.budgets.reverseTransaction(contribution))).status, email).toBe(403);
      expect((await c.get(paths.budgets.moveBudget(pool.agreementId))).status, email).toBe(403);
      await c.get('/');
      expect(
        (await c.post(paths.budgets.reverseTransaction(contribution), { token: randomUUID(), reason: 'x', ...parts('postedOn', today) })).status,
        email,
      ).toBe(403);
      expect((await c.post(paths.budgets.moveBudget(pool.agreementId), { token: randomUUID(), kind: 'transfer', amount: '1' })).status, email).toBe(403);
    }
  });

  it('rolls continuing packages into the new year by the daily job, once', async () => {
    const packages = await db().selectFrom('packages').select('id').where('agreement_id', '=', pool.agreementId).execute();
    expect(packages).toHaveLength(1);
    const before = (await postedCommitment(db(), packages[0]!.id)).filter((p) => p.financialYear === fy + 1);
    expect(before).toEqual([]);
    const newYear = `${fy + 1}-04-01`;
    const job = await t.jobs.enqueue(db(), ROLLOVER_JOB, { scheduledFor: newYear }, { key: `test-rollover-1` });
    await t.jobs.runPending();
    expect(await t.jobs.get(db(), job)).toMatchObject({ status: 'succeeded', result: { posted: 1 } });
    // £100 a week for every day of the new year (365 or 366), rounded to the penny once.
    const days = daysInclusive(`${fy + 1}-04-01`, `${fy + 2}-03-31`);
    expect((await postedCommitment(db(), packages[0]!.id)).filter((p) => p.financialYear === fy + 1).map((p) => [p.partnerId, p.pence])).toEqual([
      [pool.socialCare, Math.round((10_000 * days) / 7)],
    ]);
    const again = await t.jobs.enqueue(db(), ROLLOVER_JOB, { scheduledFor: newYear }, { key: `test-rollover-2` });
    await t.jobs.runPending();
    expect(await t.jobs.get(db(), again)).toMatchObject({ status: 'succeeded', result: { posted: 0 } });
    expect(await unbalancedTransactions(db())).toEqual([]);
  });

  // Cancelling a wrongly recorded invoice (after the rollover test, which counts the pool's packages).
  describe('cancelling an invoice', () => {
    const by = () => ({ id: pool.financeUserId });
    const newInvoice = async (ref: string, opts: { packageId?: string | null; amountPence?: number } = {}) =>
      recordInvoice(
        db(),
        {
          agreementId: pool.agreementId,
          providerId: pool.providerId,
          supplierReference: ref,
          packageId: opts.packageId ?? null,
          serviceFrom: today,
          serviceTo: today,
          amountPence: opts.amountPence ?? 40_000,
          receivedOn: today,
          description: null,
        },
        by(),
      );
    const packageId = async () => (await db().selectFrom('packages').select('id').where('agreement_id', '=', pool.agreementId).executeTakeFirstOrThrow()).id;
    /** The invoice's net effect by account, over all its transactions (postings and reversals). */
    const netOf = async (invoiceId: string) => {
      const rows = await db()
        .selectFrom('ledger_entries as e')
        .innerJoin('ledger_transactions as x', 'x.id', 'e.transaction_id')
        .select(['e.account', 'e.amount_pence'])
        .where('x.invoice_id', '=', invoiceId)
        .execute();
      const net = new Map<string, number>();
      for (const r of rows) net.set(r.account, (net.get(r.account) ?? 0) + Number(r.amount_pence));
      return Object.fromEntries(net);
    };
    const unmatchedOnBoard = async () => (await boardRows(db(), fy)).filter((r) => r.agreementId === pool.agreementId).reduce((a, r) => a + r.unmatched, 0);
    const ref = () => `INV-CXL-${randomUUID().slice(0, 8)}`;

    it('cancels an unmatched invoice from its page: reversed, off the unmatched list and the report, and recordable again', async () => {
      const supplierReference = ref();
      const boardBefore = await unmatchedOnBoard();
      const { invoiceId } = await newInvoice(supplierReference);
      expect(await unmatchedOnBoard()).toBe(boardBefore + 40_000);
      expect((await unmatched(db(), pool.agreementId)).invoices.map((i) => i.id)).toContain(invoiceId);

      const page = await finance.get(paths.budgets.invoice(invoiceId));
      expect(text(page.body)).toContain('Cancel this invoice');
      expect(page.body).toContain(paths.budgets.cancelInvoice(invoiceId));
      const form = await finance.get(paths.budgets.cancelInvoice(invoiceId));
      expect(form.status).toBe(200);
      const token = tokenOf(form.body);
      const noReason = await finance.post(paths.budgets.cancelInvoice(invoiceId), { token, ...parts('postedOn', today) });
      expect(noReason.status).toBe(400);
      expect(errorsOf(noReason.body)).toEqual(['Enter why the invoice is being cancelled']);

      const good = { token, reason: 'Recorded with the wrong amount', ...parts('postedOn', today) };
      const first = await finance.post(paths.budgets.cancelInvoice(invoiceId), good);
      expect(first.status).toBe(303);
      expect(first.location).toBe(`${paths.budgets.invoice(invoiceId)}?done=invoice-cancelled`);
      // A double submit posts once.
      const again = await finance.post(paths.budgets.cancelInvoice(invoiceId), good);
      expect(again.status).toBe(303);
      const reversals = await db()
        .selectFrom('ledger_transactions')
        .select(['id', 'kind'])
        .where('invoice_id', '=', invoiceId)
        .where('kind', '=', 'reversal')
        .execute();
      expect(reversals).toHaveLength(1);

      expect(await netOf(invoiceId)).toEqual({ suspense: 0, creditors: 0 });
      expect(await unbalancedTransactions(db())).toEqual([]);
      expect(await unmatchedOnBoard()).toBe(boardBefore);
      expect((await unmatched(db(), pool.agreementId)).invoices.map((i) => i.id)).not.toContain(invoiceId);
      const after = text((await finance.get(paths.budgets.invoice(invoiceId))).body);
      expect(after).toMatch(/Cancelled on .+ by .+ because Recorded with the wrong amount/);
      // What it owes follows its postings: cancelled, it owes nothing (issue 19).
      expect(after).toContain('Still owed Nothing: the invoice was cancelled');
      expect(after).not.toContain('Still owed £400.00');
      expect(after).not.toContain('Cancel this invoice');
      expect(after).not.toContain('Record a payment');
      // The pool's list of invoices still shows it, marked as cancelled.
      const list = (await finance.get(paths.budgets.invoices(pool.agreementId))).body;
      expect(list).toMatch(new RegExp(`${supplierReference}</a> <strong class="govuk-tag govuk-tag--grey">Cancelled</strong>`));

      // A second, separate attempt is refused; the corrected invoice can be recorded under the same reference.
      const twice = await finance.post(paths.budgets.cancelInvoice(invoiceId), { ...good, token: randomUUID() });
      expect(twice.status).toBe(400);
      expect(errorsOf(twice.body)).toEqual([`Invoice ${supplierReference} has already been cancelled: it cannot be cancelled twice`]);
      const corrected = await newInvoice(supplierReference, { amountPence: 4_000 });
      expect(corrected.invoiceId).not.toBe(invoiceId);
      await expect(newInvoice(supplierReference)).rejects.toThrow(/already recorded/);
    });

    it('cancels a matched invoice: its spend, suspense and creditors all net to nothing', async () => {
      const { invoiceId } = await newInvoice(ref());
      await matchInvoice(db(), invoiceId, await packageId(), by(), today);
      expect((await netOf(invoiceId)).spend).toBe(40_000);
      const r = await cancelInvoice(db(), invoiceId, { reason: 'Sent to us in error', postedOn: today, token: randomUUID() }, by());
      expect(r.transactionIds).toHaveLength(2);
      expect(await netOf(invoiceId)).toEqual({ spend: 0, suspense: 0, creditors: 0 });
      expect(await unbalancedTransactions(db())).toEqual([]);
      const row = await db()
        .selectFrom('invoices')
        .select(['cancelled_at', 'cancelled_by', 'cancel_reason'])
        .where('id', '=', invoiceId)
        .executeTakeFirstOrThrow();
      expect(row.cancelled_by).toBe(pool.financeUserId);
      expect(row.cancel_reason).toBe('Sent to us in error');
      expect(row.cancelled_at).not.toBeNull();
    });

    it('refuses an invoice with a payment on it, and a cancellation dated in a closed period', async () => {
      const { invoiceId } = await newInvoice(ref(), { packageId: await packageId() });
      await payInvoice(db(), invoiceId, { id: randomUUID(), amountPence: 1_000, paidOn: today, reference: null }, by());
      const partPaid = text((await finance.get(paths.budgets.invoice(invoiceId))).body);
      expect(partPaid).not.toContain('Cancel this invoice');
      expect(partPaid).toContain('Paid £10.00 Still owed £390.00');
      expect(partPaid).toContain('Part paid');
      expect(text((await finance.get(paths.budgets.cancelInvoice(invoiceId))).body)).toContain(
        'Payments have been recorded against this invoice: it cannot be cancelled',
      );
      const paid = await finance.post(paths.budgets.cancelInvoice(invoiceId), { token: randomUUID(), reason: 'Wrong', ...parts('postedOn', today) });
      expect(paid.status).toBe(400);
      expect(errorsOf(paid.body)).toEqual(['Payments have been recorded against this invoice: it cannot be cancelled']);

      const other = await newInvoice(ref());
      // March of the previous financial year (closed by the reversal test above, or here).
      await closePeriod(db(), fy - 1, 12, by()).catch(() => undefined);
      await finance.get(paths.budgets.cancelInvoice(other.invoiceId));
      const closed = await finance.post(paths.budgets.cancelInvoice(other.invoiceId), {
        token: randomUUID(),
        reason: 'Wrong',
        ...parts('postedOn', `${fy}-03-15`),
      });
      expect(closed.status).toBe(400);
      expect(errorsOf(closed.body)).toEqual([`March ${fy} (period 12 of ${fy - 1} to ${fy}) is closed: nothing more can be posted to it`]);
      for (const id of [invoiceId, other.invoiceId]) {
        expect((await db().selectFrom('invoices').select('cancelled_at').where('id', '=', id).executeTakeFirstOrThrow()).cancelled_at).toBeNull();
        expect(await db().selectFrom('ledger_transactions').select('id').where('invoice_id', '=', id).where('kind', '=', 'reversal').execute()).toEqual([]);
      }
    });

    it('refuses people without budgets:manage', async () => {
      const { invoiceId } = await newInvoice(ref());
      const c = new Client(t.app);
      expect((await c.signIn(COMMISSIONER)).status).toBe(303);
      expect((await c.get(paths.budgets.cancelInvoice(invoiceId))).status).toBe(403);
      await c.get('/');
      expect((await c.post(paths.budgets.cancelInvoice(invoiceId), { token: randomUUID(), reason: 'x', ...parts('postedOn', today) })).status).toBe(403);
      expect((await db().selectFrom('invoices').select('cancelled_at').where('id', '=', invoiceId).executeTakeFirstOrThrow()).cancelled_at).toBeNull();
    });
  });
});
