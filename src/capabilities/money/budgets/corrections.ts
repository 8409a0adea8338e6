// Corrections and movements of budget: reversing a transaction, transferring budget between
// partners or kinds of service within a pool's year, carrying an underspend forward to the next
// year, and the new-year rollover of package commitments. Each is one balanced, idempotent
// ledger transaction (docs/adr/0009, "Corrections, transfers and the rollover").
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { ValidationError } from '../../../platform/http/errors.js';
import { financialYearLabel } from '../../../platform/financial-year.js';
import { inTransaction, post, reverse, type Posted } from './ledger.js';
import { formatPence } from '../../../platform/money.js';
import { repostCommitments } from './packages.js';

interface Actor {
  id: string;
}

// Reversal ---------------------------------------------------------------------------------------

const INVOICE_KINDS = new Set(['invoice', 'invoice-match', 'payment', 'direct-payment']);
/** Kinds of transaction that may be reversed from their page (see reversalRefusal for the others). */
export const REVERSIBLE_KINDS: ReadonlySet<string> = new Set(['contribution', 'transfer', 'year-end-adjustment']);

/** Why a transaction cannot be reversed, in plain words, or null when it can. */
export async function reversalRefusal(db: Db, transactionId: number): Promise<string | null> {
  const t = await db.selectFrom('ledger_transactions').select(['id', 'kind', 'reverses_transaction_id']).where('id', '=', transactionId).executeTakeFirst();
  if (!t) return `There is no transaction ${transactionId}`;
  if (t.kind === 'reversal') {
    return `Transaction ${t.id} reverses transaction ${t.reverses_transaction_id}: a reversal cannot itself be reversed. If the original was right after all, record it again`;
  }
  // A package's posted commitment must always equal what its rule implies: reversing one of its
  // postings would break that, and the next change would post it back. Change the package.
  if (t.kind === 'commitment') {
    return `Transaction ${t.id} is a package’s commitment, worked out from the package’s terms and split: it cannot be reversed. To change it, change the package instead`;
  }
  // An invoice's or payment's own record (matched, paid, owed) follows its postings; reversing one
  // alone would leave that record saying otherwise.
  if (INVOICE_KINDS.has(t.kind)) {
    return `Transaction ${t.id} records an invoice or a payment, whose own record would then disagree with the ledger: it cannot be reversed on its own`;
  }
  const by = await db.selectFrom('ledger_transactions').select('id').where('reverses_transaction_id', '=', transactionId).executeTakeFirst();
  if (by) return `Transaction ${t.id} has already been reversed by transaction ${by.id}: it cannot be reversed twice`;
  return null;
}

/**
 * Reverses a transaction on `postedOn` (an open period). `token` is the form's one-time token: a
 * double submit posts once; a second, different request is refused as already reversed.
 */
export async function reverseTransaction(db: Db, r: { transactionId: number; postedOn: string; reason: string; token: string }, by: Actor): Promise<Posted> {
  return inTransaction(db, async (tx) => {
    const key = `reversal:${r.transactionId}:${r.token}`;
    // A repeat of the same submission finds its own posting, before the "already reversed" check.
    const mine = await tx.selectFrom('ledger_transactions').select('id').where('idempotency_key', '=', key).executeTakeFirst();
    if (mine) return { transactionId: mine.id, created: false };
    const refusal = await reversalRefusal(tx, r.transactionId);
    if (refusal) throw new ValidationError([{ text: refusal, href: '#reason' }]);
    return reverse(tx, { transactionId: r.transactionId, postedOn: r.postedOn, reason: r.reason, recordedBy: by.id, idempotencyKey: key });
  });
}

// Transfers and carrying forward -----------------------------------------------------------------

export interface Movement {
  agreementId: string;
  /** 'transfer': within one financial year; 'carry-forward': from a year to the next. */
  kind: 'transfer' | 'carry-forward';
  financialYear: number;
  fromPartnerId: string;
  fromCategory: string;
  toPartnerId: string;
  toCategory: string;
  amountPence: number;
  postedOn: string;
  reason: string;
  token: string;
}

/** The budget of one partner and kind of service in a pool's year, less what is committed and spent. */
async function available(db: Db, m: { agreementId: string; financialYear: number; partnerId: string; category: string }) {
  const r = await db
    .selectFrom('ledger_entries')
    .select([
      sql<string>`coalesce(sum(amount_pence) filter (where account = 'budget'), 0)`.as('budget'),
      sql<string>`coalesce(sum(amount_pence) filter (where account = 'commitments'), 0)`.as('committed'),
      sql<string>`coalesce(sum(amount_pence) filter (where account = 'spend'), 0)`.as('spent'),
    ])
    .where('agreement_id', '=', m.agreementId)
    .where('financial_year', '=', m.financialYear)
    .where('partner_id', '=', m.partnerId)
    .where('service_category', '=', m.category)
    .executeTakeFirstOrThrow();
  const budget = Number(r.budget);
  return { budget, unused: budget - Math.max(Number(r.committed), Number(r.spent)) };
}

/**
 * Moves budget: Dr budget on the receiving side, Cr budget on the giving side, one transaction.
 * A transfer stays in its year; carrying forward moves an underspend into the next year. Never
 * more than the giving side has left uncommitted and unspent.
 */
export async function postMovement(db: Db, m: Movement, by: Actor): Promise<Posted> {
  const toYear = m.kind === 'carry-forward' ? m.financialYear + 1 : m.financialYear;
  const key = `${m.kind === 'transfer' ? 'transfer' : 'year-end-adjustment'}:${m.token}`;
  return inTransaction(db, async (tx) => {
    const mine = await tx.selectFrom('ledger_transactions').select('id').where('idempotency_key', '=', key).executeTakeFirst();
    if (mine) return { transactionId: mine.id, created: false };
    if (m.kind === 'transfer' && m.fromPartnerId === m.toPartnerId && m.fromCategory === m.toCategory) {
      throw new ValidationError([{ text: 'The budget must move to a different partner or kind of service: choose where it goes to', href: '#toPartnerId' }]);
    }
    const shares = await tx.selectFrom('agreement_shares').select(['financial_year', 'partner_id']).where('agreement_id', '=', m.agreementId).execute();
    const has = (fy: number, partnerId: string) => shares.some((s) => s.financial_year === fy && s.partner_id === partnerId);
    if (!has(m.financialYear, m.fromPartnerId)) {
      throw new ValidationError([
        { text: `The partner moving the budget has no agreed share of ${financialYearLabel(m.financialYear)} in this agreement`, href: '#fromPartnerId' },
      ]);
    }
    if (!has(toYear, m.toPartnerId)) {
      const text =
        m.kind === 'carry-forward' && !shares.some((s) => s.financial_year === toYear)
          ? `The agreement has no financial year ${financialYearLabel(toYear)} to carry the money forward into. Add that year and its shares first`
          : `The partner receiving the budget has no agreed share of ${financialYearLabel(toYear)} in this agreement`;
      throw new ValidationError([{ text, href: '#toPartnerId' }]);
    }
    const left = await available(tx, { agreementId: m.agreementId, financialYear: m.financialYear, partnerId: m.fromPartnerId, category: m.fromCategory });
    if (m.amountPence > left.unused) {
      throw new ValidationError([
        {
          text: `The amount is more than is left to move: ${formatPence(Math.max(0, left.unused))} of the giving side’s ${formatPence(left.budget)} budget in ${financialYearLabel(m.financialYear)} is not committed or spent`,
          href: '#amount',
        },
      ]);
    }
    const common = { agreementId: m.agreementId };
    return post(tx, {
      idempotencyKey: key,
      kind: m.kind === 'transfer' ? 'transfer' : 'year-end-adjustment',
      postedOn: m.postedOn,
      reason: m.reason,
      recordedBy: by.id,
      lines: [
        { account: 'budget', amountPence: m.amountPence, ...common, partnerId: m.toPartnerId, financialYear: toYear, serviceCategory: m.toCategory },
        {
          account: 'budget',
          amountPence: -m.amountPence,
          ...common,
          partnerId: m.fromPartnerId,
          financialYear: m.financialYear,
          serviceCategory: m.fromCategory,
        },
      ],
    });
  });
}

// Rollover ---------------------------------------------------------------------------------------

export const ROLLOVER_JOB = 'budgets.rollover';

/** Posts each live package's commitment for the current year (a no-op for those already posted). */
export const rollover = (db: Db, today?: string) => repostCommitments(db, today ? { today, by: null } : { by: null });
