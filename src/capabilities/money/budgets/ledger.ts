// The ledger: double entry in integer pence. post() writes one business event as one balanced
// transaction, in one database transaction, and is idempotent: the event's key is unique, so
// posting it again (a retry, a double click, a re-run import, two posters at once) finds the
// first posting and changes nothing, and a different payload under a used key is refused.
// Nothing is ever updated or deleted (the database refuses it too); reverse() corrects.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { LedgerKind } from '../../../platform/db/schema.js';
import { financialYearLabel, periodBounds, periodOf } from '../../../platform/financial-year.js';

export const ACCOUNTS = ['budget', 'contributions', 'commitments', 'commitments-reserve', 'spend', 'suspense', 'creditors', 'cash'] as const;
export type Account = (typeof ACCOUNTS)[number];

export interface LedgerLine {
  account: Account;
  /** Signed pence: debit positive, credit negative. Never zero. */
  amountPence: number;
  agreementId: string;
  partnerId?: string | null;
  /** The financial year the money belongs to. */
  financialYear: number;
  serviceCategory?: string | null;
  packageId?: string | null;
  childId?: string | null;
}

export interface Posting {
  /** Names the business event, e.g. `package-change:<id>`, `invoice:<id>`. */
  idempotencyKey: string;
  kind: LedgerKind;
  /** The accounting date: its period must be open. */
  postedOn: string;
  /** Why, in plain words. */
  reason: string;
  recordedBy: string | null;
  decisionId?: string | null;
  invoiceId?: string | null;
  paymentId?: string | null;
  packageChangeId?: string | null;
  reversesTransactionId?: number | null;
  lines: LedgerLine[];
}

export interface Posted {
  transactionId: number;
  /** False when the event had been posted before: nothing was written this time. */
  created: boolean;
}

export class LedgerError extends Error {}
export class UnbalancedError extends LedgerError {}
export class PeriodClosedError extends LedgerError {
  constructor(
    readonly financialYear: number,
    readonly period: number,
  ) {
    super(`${periodBounds(financialYear, period).name} (period ${period} of ${financialYearLabel(financialYear)}) is closed: nothing more can be posted to it`);
  }
}
export class IdempotencyConflictError extends LedgerError {
  constructor(readonly key: string) {
    super(`The event ${key} has already been posted with different amounts: it was not posted again`);
  }
}
export class AlreadyReversedError extends LedgerError {
  constructor(readonly transactionId: number) {
    super(`Transaction ${transactionId} has already been reversed`);
  }
}

/** Checks a posting's lines; answers the problem in plain words, or null. */
export function lineProblem(lines: readonly LedgerLine[]): string | null {
  if (lines.length < 2) return 'A transaction needs at least two lines';
  for (const l of lines) {
    if (!Number.isSafeInteger(l.amountPence) || l.amountPence === 0) return 'Every line must be a whole, non-zero number of pence';
    if (!(ACCOUNTS as readonly string[]).includes(l.account)) return `There is no account called ${l.account}`;
  }
  const total = lines.reduce((a, l) => a + l.amountPence, 0);
  return total === 0 ? null : `The transaction does not balance: its lines add up to ${total} pence, not 0`;
}

const canonicalLine = (l: LedgerLine) =>
  [l.account, l.amountPence, l.agreementId, l.partnerId ?? '', l.financialYear, l.serviceCategory ?? '', l.packageId ?? '', l.childId ?? ''].join('|');

/** The fingerprint of what a posting does (not when or by whom): its kind, references and lines. */
export function payloadHash(p: Posting): string {
  const lines = p.lines.map(canonicalLine).sort();
  const refs = [p.kind, p.decisionId ?? '', p.invoiceId ?? '', p.paymentId ?? '', p.packageChangeId ?? '', p.reversesTransactionId ?? ''].join('|');
  return createHash('sha256')
    .update(`${refs}\n${lines.join('\n')}`)
    .digest('hex');
}

/** Runs fn in a database transaction: the caller's, or a new one. */
export const inTransaction = <T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> => (db.isTransaction ? fn(db) : db.transaction().execute(fn));

const isConstraint = (e: unknown, name: string) =>
  (e as { constraint?: string } | null)?.constraint === name || String((e as Error)?.message ?? '').includes(name);

/** Posts a balanced transaction once. See the module comment. */
export async function post(db: Db, p: Posting): Promise<Posted> {
  const problem = lineProblem(p.lines);
  if (problem) throw new UnbalancedError(problem);
  const { financialYear, period } = periodOf(p.postedOn);
  const hash = payloadHash(p);
  return inTransaction(db, async (tx) => {
    // A closed period is refused by the insert's own trigger (ledger_period_must_be_open), which
    // also holds the period open until commit; no separate read first (a round trip per posting).
    let inserted: { id: number } | undefined;
    try {
      inserted = await tx
        .insertInto('ledger_transactions')
        .values({
          idempotency_key: p.idempotencyKey,
          payload_hash: hash,
          kind: p.kind,
          posted_on: p.postedOn,
          financial_year: financialYear,
          period,
          reason: p.reason,
          recorded_by: p.recordedBy,
          decision_id: p.decisionId ?? null,
          invoice_id: p.invoiceId ?? null,
          payment_id: p.paymentId ?? null,
          package_change_id: p.packageChangeId ?? null,
          reverses_transaction_id: p.reversesTransactionId ?? null,
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .returning('id')
        .executeTakeFirst();
    } catch (e) {
      if (isConstraint(e, 'ledger_period_closed')) throw new PeriodClosedError(financialYear, period);
      if (p.reversesTransactionId && isConstraint(e, 'ledger_transactions_reverses_transaction_id_key'))
        throw new AlreadyReversedError(p.reversesTransactionId);
      throw e;
    }
    if (!inserted) {
      const existing = await tx
        .selectFrom('ledger_transactions')
        .select(['id', 'payload_hash'])
        .where('idempotency_key', '=', p.idempotencyKey)
        .executeTakeFirstOrThrow();
      if (existing.payload_hash !== hash) throw new IdempotencyConflictError(p.idempotencyKey);
      return { transactionId: existing.id, created: false };
    }
    await tx
      .insertInto('ledger_entries')
      .values(
        p.lines.map((l) => ({
          transaction_id: inserted.id,
          account: l.account,
          amount_pence: l.amountPence,
          agreement_id: l.agreementId,
          partner_id: l.partnerId ?? null,
          financial_year: l.financialYear,
          service_category: l.serviceCategory ?? null,
          package_id: l.packageId ?? null,
          child_id: l.childId ?? null,
        })),
      )
      .execute();
    return { transactionId: inserted.id, created: true };
  });
}

export async function linesOf(db: Db, transactionId: number): Promise<LedgerLine[]> {
  const rows = await db.selectFrom('ledger_entries').selectAll().where('transaction_id', '=', transactionId).orderBy('id').execute();
  return rows.map((r) => ({
    account: r.account as Account,
    amountPence: r.amount_pence,
    agreementId: r.agreement_id,
    partnerId: r.partner_id,
    financialYear: r.financial_year,
    serviceCategory: r.service_category,
    packageId: r.package_id,
    childId: r.child_id,
  }));
}

/**
 * Reverses a transaction: a new transaction with every line negated, on `postedOn` (its period
 * must be open; the original's may be closed). A transaction is reversed at most once.
 */
export async function reverse(
  db: Db,
  r: { transactionId: number; postedOn: string; reason: string; recordedBy: string | null; idempotencyKey?: string },
): Promise<Posted> {
  return inTransaction(db, async (tx) => {
    const original = await tx.selectFrom('ledger_transactions').selectAll().where('id', '=', r.transactionId).executeTakeFirst();
    if (!original) throw new LedgerError(`There is no transaction ${r.transactionId}`);
    const key = r.idempotencyKey ?? `reversal:${r.transactionId}`;
    const already = await tx
      .selectFrom('ledger_transactions')
      .select(['id', 'idempotency_key'])
      .where('reverses_transaction_id', '=', r.transactionId)
      .executeTakeFirst();
    if (already && already.idempotency_key !== key) throw new AlreadyReversedError(r.transactionId);
    const lines = (await linesOf(tx, r.transactionId)).map((l) => ({ ...l, amountPence: -l.amountPence }));
    return post(tx, {
      idempotencyKey: key,
      kind: 'reversal',
      postedOn: r.postedOn,
      reason: r.reason,
      recordedBy: r.recordedBy,
      reversesTransactionId: r.transactionId,
      decisionId: original.decision_id,
      invoiceId: original.invoice_id,
      paymentId: original.payment_id,
      packageChangeId: original.package_change_id,
      lines,
    });
  });
}

/** Balances by account (signed pence), optionally for one agreement or financial year. */
export async function balances(db: Db, filter: { agreementId?: string; financialYear?: number } = {}) {
  let q = db
    .selectFrom('ledger_entries')
    .select(['account', sql<number>`sum(amount_pence)::bigint`.as('pence')])
    .groupBy('account');
  if (filter.agreementId) q = q.where('agreement_id', '=', filter.agreementId);
  if (filter.financialYear !== undefined) q = q.where('financial_year', '=', filter.financialYear);
  const rows = await q.execute();
  return new Map(rows.map((r) => [r.account as Account, Number(r.pence)]));
}

/** Transactions whose entries do not add up to zero (there must never be any). */
export async function unbalancedTransactions(db: Db): Promise<number[]> {
  const rows = await db
    .selectFrom('ledger_transactions as t')
    .leftJoin('ledger_entries as e', 'e.transaction_id', 't.id')
    .select(['t.id'])
    .groupBy('t.id')
    .having((eb) => eb.or([eb(sql`coalesce(sum(e.amount_pence), 0)`, '<>', 0), eb(sql`count(e.id)`, '<', 2)]))
    .execute();
  return rows.map((r) => r.id);
}

/** The entries of a pool, newest first, with their transaction: the simple list of a pool's entries. */
export const poolEntries = (db: Db, agreementId: string, opts: { limit?: number; offset?: number } = {}) =>
  db
    .selectFrom('ledger_entries as e')
    .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
    .leftJoin('budget_partners as p', 'p.id', 'e.partner_id')
    .leftJoin('packages as k', 'k.id', 'e.package_id')
    .leftJoin('users as u', 'u.id', 't.recorded_by')
    .select([
      'e.id',
      'e.transaction_id',
      'e.account',
      'e.amount_pence',
      'e.financial_year',
      'e.service_category',
      'e.package_id',
      't.kind',
      't.posted_on',
      't.reason',
      't.recorded_at',
      't.idempotency_key',
      't.reverses_transaction_id',
      'p.short_name as partner_name',
      'k.reference as package_reference',
      'u.display_name as recorded_by_name',
    ])
    .where('e.agreement_id', '=', agreementId)
    .orderBy('e.transaction_id', 'desc')
    .orderBy('e.id')
    .limit(opts.limit ?? 200)
    .offset(opts.offset ?? 0)
    .execute();
