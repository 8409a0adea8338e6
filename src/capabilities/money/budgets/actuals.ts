// Actual spend: invoices from providers and payments (of invoices, or direct payments to a
// family), each posted to the ledger and matched to a package's commitment. An invoice that
// names no package is posted to the suspense account and listed as unmatched until someone
// matches it. Invoices can also be imported from a CSV file, all or nothing.
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { isIsoDate, todayInLondon } from '../../../platform/dates.js';
import { allocate, dayWeights } from './split.js';
import { financialYearOf } from '../../../platform/financial-year.js';
import { formatPence, moneyMessage, parseMoney } from '../../../platform/money.js';
import { inTransaction, LedgerError, post, reverse, type LedgerLine, type Posted } from './ledger.js';
import { currentTerms } from './packages.js';
import { isUuid } from '../../../platform/ids.js';

interface Actor {
  id: string;
}

export interface NewInvoice {
  agreementId: string;
  providerId: string;
  supplierReference: string;
  packageId: string | null;
  serviceFrom: string;
  serviceTo: string;
  amountPence: number;
  receivedOn: string;
  description: string | null;
}

const day = (iso: string) => iso.split('-').reverse().join('/');

/** The spend lines (by year and partner, by the package's split over the days served) and their other side. */
async function spendLines(
  db: Db,
  packageId: string,
  from: string,
  to: string,
  amountPence: number,
  other: (fy: number, partnerId: string, pence: number) => LedgerLine[],
) {
  const { pkg, split } = await currentTerms(db, packageId);
  const weights = dayWeights(split, from, to, financialYearOf);
  const parts = allocate(
    amountPence,
    [...weights.entries()].map(([key, weight]) => ({ key, weight })),
  );
  const lines: LedgerLine[] = [];
  for (const [key, pence] of parts) {
    if (pence === 0) continue;
    const [fy, partnerId] = key.split('|') as [string, string];
    const dims = {
      agreementId: pkg.agreement_id,
      partnerId,
      financialYear: Number(fy),
      serviceCategory: pkg.service_category,
      packageId,
      childId: pkg.child_id,
    };
    lines.push({ account: 'spend', amountPence: pence, ...dims }, ...other(Number(fy), partnerId, pence));
  }
  return { pkg, lines };
}

async function packageFor(db: Db, agreementId: string, packageId: string, from: string, to: string, field = '#packageId') {
  const pkg = isUuid(packageId)
    ? await db.selectFrom('packages').select(['id', 'reference', 'agreement_id', 'starts_on', 'ends_on']).where('id', '=', packageId).executeTakeFirst()
    : undefined;
  if (!pkg || pkg.agreement_id !== agreementId) throw new ValidationError([{ text: 'Select a package paid from this pool', href: field }]);
  if (from < pkg.starts_on || (pkg.ends_on !== null && to > pkg.ends_on)) {
    const runs = pkg.ends_on ? `from ${day(pkg.starts_on)} to ${day(pkg.ends_on)}` : `from ${day(pkg.starts_on)}`;
    throw new ValidationError([
      {
        text: `The invoice is for ${day(from)} to ${day(to)}, but ${pkg.reference} runs ${runs}. Check the dates, or record it without a package so it is listed as unmatched`,
        href: '#serviceFrom-day',
      },
    ]);
  }
  return pkg;
}

async function duplicateMessage(db: Db, providerId: string, ref: string): Promise<string | null> {
  const dup = await db
    .selectFrom('invoices as i')
    .innerJoin('organisations as o', 'o.id', 'i.provider_id')
    .select(['i.received_on', 'i.amount_pence', 'o.name'])
    .where('i.provider_id', '=', providerId)
    .where('i.supplier_reference', '=', ref)
    .where('i.cancelled_at', 'is', null)
    .executeTakeFirst();
  return dup
    ? `Invoice ${ref} from ${dup.name} is already recorded (received ${day(dup.received_on)}, ${formatPence(dup.amount_pence)}). Each invoice can be recorded only once`
    : null;
}

/** Records an invoice and posts it: to the package's spend by its split, or to suspense when it names no package. */
export async function recordInvoice(db: Db, input: NewInvoice, by: Actor | null): Promise<{ invoiceId: string; posted: Posted }> {
  if (input.serviceTo < input.serviceFrom)
    throw new ValidationError([{ text: 'The period the invoice is for cannot end before it starts', href: '#serviceTo-day' }]);
  return inTransaction(db, async (tx) => {
    const provider = isUuid(input.providerId)
      ? await tx.selectFrom('organisations').select(['id', 'name']).where('id', '=', input.providerId).executeTakeFirst()
      : undefined;
    if (!provider) throw new ValidationError([{ text: 'Select the provider that sent the invoice', href: '#providerId' }]);
    const dup = await duplicateMessage(tx, input.providerId, input.supplierReference);
    if (dup) throw new ValidationError([{ text: dup, href: '#supplierReference' }]);
    if (input.packageId) await packageFor(tx, input.agreementId, input.packageId, input.serviceFrom, input.serviceTo);
    const invoice = await tx
      .insertInto('invoices')
      .values({
        agreement_id: input.agreementId,
        provider_id: input.providerId,
        supplier_reference: input.supplierReference,
        package_id: input.packageId,
        service_from: input.serviceFrom,
        service_to: input.serviceTo,
        amount_pence: input.amountPence,
        received_on: input.receivedOn,
        description: input.description,
        recorded_by: by?.id ?? null,
        matched_at: input.packageId ? new Date() : null,
      })
      // Two people recording the same invoice at once: the second waits, then finds the first.
      .onConflict((oc) => oc.columns(['provider_id', 'supplier_reference']).where('cancelled_at', 'is', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!invoice) throw new ValidationError([{ text: (await duplicateMessage(tx, input.providerId, input.supplierReference))!, href: '#supplierReference' }]);
    const reason = `Invoice ${input.supplierReference} from ${provider.name}`;
    let lines: LedgerLine[];
    if (input.packageId) {
      lines = (
        await spendLines(tx, input.packageId, input.serviceFrom, input.serviceTo, input.amountPence, (fy, partnerId, pence) => [
          { account: 'creditors', amountPence: -pence, agreementId: input.agreementId, partnerId, financialYear: fy },
        ])
      ).lines;
    } else {
      const fy = financialYearOf(input.serviceFrom);
      lines = [
        { account: 'suspense', amountPence: input.amountPence, agreementId: input.agreementId, financialYear: fy },
        { account: 'creditors', amountPence: -input.amountPence, agreementId: input.agreementId, financialYear: fy },
      ];
    }
    const posted = await post(tx, {
      idempotencyKey: `invoice:${invoice.id}`,
      kind: 'invoice',
      postedOn: input.receivedOn,
      reason,
      recordedBy: by?.id ?? null,
      invoiceId: invoice.id,
      lines,
    });
    return { invoiceId: invoice.id, posted };
  });
}

export async function getInvoice(db: Db, id: string | undefined) {
  if (!isUuid(id)) throw new NotFoundError('invoice');
  const row = await invoiceQuery(db).where('i.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('invoice');
  return row;
}

const invoiceQuery = (db: Db) =>
  db
    .selectFrom('invoices as i')
    .innerJoin('organisations as o', 'o.id', 'i.provider_id')
    .leftJoin('packages as k', 'k.id', 'i.package_id')
    .selectAll('i')
    .select([
      'o.name as provider_name',
      'k.reference as package_reference',
      'k.child_id as package_child_id',
      // What it owes and what has been paid follow its postings (the creditors account): a
      // cancellation's reversal brings what it owes to nothing, whatever the row says.
      sql<number>`(select coalesce(sum(e.amount_pence), 0)::bigint from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
                    where t.invoice_id = i.id and t.kind = 'payment' and e.account = 'creditors')`.as('paid_pence'),
      sql<number>`(select coalesce(-sum(e.amount_pence), 0)::bigint from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
                    where t.invoice_id = i.id and e.account = 'creditors')`.as('owed_pence'),
    ]);

export type InvoiceState = 'cancelled' | 'paid' | 'part-paid' | 'not-paid';

/**
 * Where an invoice stands, from its postings: what it still owes is what its creditor lines net
 * to (so a cancelled invoice, its posting reversed, owes nothing), and what was paid is its
 * payments' postings. Pure.
 */
export function invoiceState(i: { cancelled: boolean; paidPence: number; owedPence: number }): { state: InvoiceState; text: string; owedText: string | null } {
  if (i.cancelled && i.owedPence === 0) return { state: 'cancelled', text: 'Cancelled', owedText: 'Nothing: the invoice was cancelled' };
  if (i.owedPence <= 0) return { state: 'paid', text: 'Paid', owedText: null };
  if (i.paidPence > 0) return { state: 'part-paid', text: 'Part paid', owedText: null };
  return { state: 'not-paid', text: 'Not paid yet', owedText: null };
}

export const listInvoices = (db: Db, agreementId: string, opts: { packageId?: string } = {}) => {
  let q = invoiceQuery(db).where('i.agreement_id', '=', agreementId);
  if (opts.packageId) q = q.where('i.package_id', '=', opts.packageId);
  return q.orderBy('i.received_on', 'desc').orderBy('i.supplier_reference').execute();
};

/**
 * What is not matched to a commitment: invoices that name no package, and packages whose spend
 * in a year is more than their commitment for it.
 */
export async function unmatched(db: Db, agreementId: string) {
  const invoices = await invoiceQuery(db)
    .where('i.agreement_id', '=', agreementId)
    .where('i.package_id', 'is', null)
    .where('i.cancelled_at', 'is', null)
    .orderBy('i.received_on')
    .execute();
  const over = await db
    .selectFrom('ledger_entries as e')
    .innerJoin('packages as k', 'k.id', 'e.package_id')
    .select([
      'e.package_id',
      'k.reference',
      'k.child_id',
      'e.financial_year',
      sql<number>`sum(case when e.account = 'commitments' then e.amount_pence else 0 end)::bigint`.as('committed'),
      sql<number>`sum(case when e.account = 'spend' then e.amount_pence else 0 end)::bigint`.as('spent'),
    ])
    .where('e.agreement_id', '=', agreementId)
    .where('e.account', 'in', ['commitments', 'spend'])
    .groupBy(['e.package_id', 'k.reference', 'k.child_id', 'e.financial_year'])
    .having(
      sql`sum(case when e.account = 'spend' then e.amount_pence else 0 end)`,
      '>',
      sql`sum(case when e.account = 'commitments' then e.amount_pence else 0 end)`,
    )
    .orderBy('k.reference')
    .execute();
  return {
    invoices,
    overCommitted: over.map((o) => ({
      packageId: o.package_id!,
      reference: o.reference,
      childId: o.child_id,
      financialYear: o.financial_year,
      committed: Number(o.committed),
      spent: Number(o.spent),
      over: Number(o.spent) - Number(o.committed),
    })),
  };
}

/** Matches an unmatched invoice to a package: moves it from suspense to the package's spend. */
export async function matchInvoice(db: Db, invoiceId: string, packageId: string, by: Actor, today = todayInLondon()): Promise<Posted> {
  return inTransaction(db, async (tx) => {
    const inv = await getInvoice(tx, invoiceId);
    if (inv.cancelled_at)
      throw new ValidationError([{ text: `Invoice ${inv.supplier_reference} has been cancelled: it cannot be matched`, href: '#packageId' }]);
    if (inv.package_id)
      throw new ValidationError([{ text: `Invoice ${inv.supplier_reference} is already matched to ${inv.package_reference}`, href: '#packageId' }]);
    await packageFor(tx, inv.agreement_id, packageId, inv.service_from, inv.service_to);
    const updated = await tx
      .updateTable('invoices')
      .set({ package_id: packageId, matched_at: new Date() })
      .where('id', '=', invoiceId)
      .where('package_id', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw new ValidationError([{ text: `Invoice ${inv.supplier_reference} has just been matched by someone else`, href: '#packageId' }]);
    const { lines } = await spendLines(tx, packageId, inv.service_from, inv.service_to, inv.amount_pence, () => []);
    lines.push({ account: 'suspense', amountPence: -inv.amount_pence, agreementId: inv.agreement_id, financialYear: financialYearOf(inv.service_from) });
    return post(tx, {
      idempotencyKey: `invoice-match:${invoiceId}`,
      kind: 'invoice-match',
      postedOn: today,
      reason: `Invoice ${inv.supplier_reference} matched to a package`,
      recordedBy: by.id,
      invoiceId,
      lines,
    });
  });
}

export interface Cancellation {
  reason: string;
  postedOn: string;
  /** The form's one-time token: a double submit cancels (and posts) once. */
  token: string;
}

/**
 * Cancels a wrongly recorded invoice on which nothing has been paid: reverses its invoice posting
 * and, if it was matched, its match posting (on `postedOn`, an open period), and marks it
 * cancelled with who and why. The row stays, as its postings point at it.
 */
export async function cancelInvoice(db: Db, invoiceId: string, c: Cancellation, by: Actor): Promise<{ transactionIds: number[]; created: boolean }> {
  return inTransaction(db, async (tx) => {
    if (!isUuid(invoiceId)) throw new NotFoundError('invoice');
    // Lock the invoice: a payment or a match at the same time must wait and then see it cancelled.
    await sql`select id from invoices where id = ${invoiceId} for update`.execute(tx);
    const inv = await getInvoice(tx, invoiceId);
    const keyPrefix = `invoice-cancel:${invoiceId}:${c.token}:`;
    if (inv.cancelled_at) {
      // A repeat of the same submission finds its own postings.
      const mine = await tx.selectFrom('ledger_transactions').select('id').where('idempotency_key', 'like', `${keyPrefix}%`).orderBy('id').execute();
      if (mine.length) return { transactionIds: mine.map((m) => m.id), created: false };
      throw new ValidationError([{ text: `Invoice ${inv.supplier_reference} has already been cancelled: it cannot be cancelled twice`, href: '#reason' }]);
    }
    if (!c.reason.trim()) throw new ValidationError([{ text: 'Enter why the invoice is being cancelled', href: '#reason' }]);
    if (Number(inv.paid_pence) > 0)
      throw new ValidationError([{ text: 'Payments have been recorded against this invoice: it cannot be cancelled', href: '#reason' }]);
    const postings = await tx
      .selectFrom('ledger_transactions')
      .select(['id', 'kind'])
      .where('invoice_id', '=', invoiceId)
      .where('kind', 'in', ['invoice', 'invoice-match'])
      .orderBy('id')
      .execute();
    const transactionIds: number[] = [];
    for (const t of postings) {
      const r = await reverse(tx, {
        transactionId: t.id,
        postedOn: c.postedOn,
        reason: `Invoice ${inv.supplier_reference} cancelled: ${c.reason}`,
        recordedBy: by.id,
        idempotencyKey: `${keyPrefix}${t.id}`,
      });
      transactionIds.push(r.transactionId);
    }
    await tx.updateTable('invoices').set({ cancelled_at: new Date(), cancelled_by: by.id, cancel_reason: c.reason }).where('id', '=', invoiceId).execute();
    return { transactionIds, created: true };
  });
}

export interface NewPayment {
  /** The form's one-time token: the payment's id, so sending the form twice pays once. */
  id: string;
  amountPence: number;
  paidOn: string;
  reference: string | null;
}

/** Pays (part of) an invoice: Dr creditors, Cr cash, shared like the invoice's own creditor lines. */
export async function payInvoice(db: Db, invoiceId: string, p: NewPayment, by: Actor): Promise<{ paymentId: string; posted: Posted }> {
  return inTransaction(db, async (tx) => {
    // Lock the invoice first: what is still owed is read below, and two payments at once must
    // not both see the same balance and overpay it together.
    await sql`select id from invoices where id = ${invoiceId} for update`.execute(tx);
    const inv = await getInvoice(tx, invoiceId);
    if (inv.cancelled_at) throw new ValidationError([{ text: `Invoice ${inv.supplier_reference} has been cancelled: it cannot be paid`, href: '#amount' }]);
    const seen = await tx.selectFrom('payments').select(['id', 'invoice_id']).where('id', '=', p.id).executeTakeFirst();
    if (seen) {
      const t = await tx.selectFrom('ledger_transactions').select('id').where('idempotency_key', '=', `payment:${p.id}`).executeTakeFirstOrThrow();
      return { paymentId: p.id, posted: { transactionId: t.id, created: false } };
    }
    const owed = Number(inv.owed_pence);
    if (p.amountPence > owed) {
      throw new ValidationError([
        {
          text: `The payment (${formatPence(p.amountPence)}) is more than is still owed on invoice ${inv.supplier_reference} (${formatPence(owed)})`,
          href: '#amount',
        },
      ]);
    }
    if (p.paidOn < inv.received_on)
      throw new ValidationError([{ text: `The payment date must be on or after the invoice was received (${day(inv.received_on)})`, href: '#paidOn-day' }]);
    await tx
      .insertInto('payments')
      .values({
        id: p.id,
        kind: 'invoice',
        invoice_id: invoiceId,
        package_id: inv.package_id,
        amount_pence: p.amountPence,
        paid_on: p.paidOn,
        reference: p.reference,
        recorded_by: by.id,
      })
      .execute();
    const creditors = await tx
      .selectFrom('ledger_entries as e')
      .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
      .select(['e.partner_id', 'e.financial_year', sql<number>`sum(e.amount_pence)::bigint`.as('pence')])
      .where('t.invoice_id', '=', invoiceId)
      .where('t.kind', '=', 'invoice')
      .where('e.account', '=', 'creditors')
      .groupBy(['e.partner_id', 'e.financial_year'])
      .execute();
    const parts = allocate(
      p.amountPence,
      creditors.map((c) => ({ key: `${c.financial_year}|${c.partner_id ?? ''}`, weight: BigInt(-Number(c.pence)) })),
    );
    const lines: LedgerLine[] = [];
    for (const [key, pence] of parts) {
      if (pence === 0) continue;
      const [fy, partner] = key.split('|') as [string, string];
      const dims = { agreementId: inv.agreement_id, partnerId: partner || null, financialYear: Number(fy) };
      lines.push({ account: 'creditors', amountPence: pence, ...dims }, { account: 'cash', amountPence: -pence, ...dims });
    }
    const posted = await post(tx, {
      idempotencyKey: `payment:${p.id}`,
      kind: 'payment',
      postedOn: p.paidOn,
      reason: `Payment of invoice ${inv.supplier_reference}${p.reference ? ` (${p.reference})` : ''}`,
      recordedBy: by.id,
      invoiceId,
      paymentId: p.id,
      lines,
    });
    return { paymentId: p.id, posted };
  });
}

/** A direct payment to the family for a package: Dr spend by the split on the day paid, Cr cash. */
export async function recordDirectPayment(db: Db, packageId: string, p: NewPayment, by: Actor): Promise<{ paymentId: string; posted: Posted }> {
  return inTransaction(db, async (tx) => {
    const seen = await tx.selectFrom('payments').select('id').where('id', '=', p.id).executeTakeFirst();
    if (seen) {
      const t = await tx.selectFrom('ledger_transactions').select('id').where('idempotency_key', '=', `direct-payment:${p.id}`).executeTakeFirstOrThrow();
      return { paymentId: p.id, posted: { transactionId: t.id, created: false } };
    }
    const pkg = isUuid(packageId) ? await tx.selectFrom('packages').select(['agreement_id']).where('id', '=', packageId).executeTakeFirst() : undefined;
    if (!pkg) throw new NotFoundError('package');
    await packageFor(tx, pkg.agreement_id, packageId, p.paidOn, p.paidOn, '#paidOn-day').catch(() => {
      throw new ValidationError([{ text: 'The payment date must be within the package’s dates', href: '#paidOn-day' }]);
    });
    await tx
      .insertInto('payments')
      .values({
        id: p.id,
        kind: 'direct-payment',
        package_id: packageId,
        amount_pence: p.amountPence,
        paid_on: p.paidOn,
        reference: p.reference,
        recorded_by: by.id,
      })
      .execute();
    const { lines } = await spendLines(tx, packageId, p.paidOn, p.paidOn, p.amountPence, (fy, partnerId, pence) => [
      { account: 'cash', amountPence: -pence, agreementId: pkg.agreement_id, partnerId, financialYear: fy },
    ]);
    const posted = await post(tx, {
      idempotencyKey: `direct-payment:${p.id}`,
      kind: 'direct-payment',
      postedOn: p.paidOn,
      reason: `Direct payment${p.reference ? ` (${p.reference})` : ''}`,
      recordedBy: by.id,
      paymentId: p.id,
      lines,
    });
    return { paymentId: p.id, posted };
  });
}

export const paymentsOfInvoice = (db: Db, invoiceId: string) =>
  db.selectFrom('payments').selectAll().where('invoice_id', '=', invoiceId).orderBy('paid_on').execute();

export const directPaymentsOfPackage = (db: Db, packageId: string) =>
  db.selectFrom('payments').selectAll().where('package_id', '=', packageId).where('kind', '=', 'direct-payment').orderBy('paid_on').execute();

// CSV import ------------------------------------------------------------------------------------

export const IMPORT_COLUMNS = [
  'provider_code',
  'supplier_reference',
  'package_reference',
  'service_from',
  'service_to',
  'amount',
  'received_on',
  'description',
] as const;
const REQUIRED = ['provider_code', 'supplier_reference', 'service_from', 'service_to', 'amount', 'received_on'] as const;
export const MAX_IMPORT_ROWS = 5000;

export interface ImportProblem {
  row: number;
  column: string | null;
  message: string;
}
export interface ImportRow {
  row: number;
  status: 'new' | 'already-recorded';
  invoice: NewInvoice;
  providerName: string;
  packageReference: string | null;
}
export interface ImportResult {
  problems: ImportProblem[];
  rows: ImportRow[];
  recorded: number;
}

/** 'YYYY-MM-DD' or 'DD/MM/YYYY' → 'YYYY-MM-DD', or null. */
function csvDate(v: string): string | null {
  const s = v.trim();
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  const iso = uk ? `${uk[3]}-${uk[2]!.padStart(2, '0')}-${uk[1]!.padStart(2, '0')}` : s;
  return isIsoDate(iso) ? iso : null;
}

export const problemText = (p: ImportProblem) => (p.row === 0 ? p.message : `Row ${p.row}${p.column ? `, column ${p.column}` : ''}: ${p.message}`);

/**
 * Checks every row of a CSV of invoices for the pool; unless `dryRun`, records them all, or none
 * if any row has a problem. A row already recorded with the same details is left alone, so
 * importing the same file again changes nothing. Row numbers count the header as row 1, as a
 * spreadsheet does.
 */
export async function importInvoices(db: Db, agreementId: string, csv: string, by: Actor, opts: { dryRun: boolean }): Promise<ImportResult> {
  const problems: ImportProblem[] = [];
  let records: string[][];
  try {
    records = parse(csv.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true, trim: true });
  } catch (e) {
    return { problems: [{ row: 0, column: null, message: `The file is not valid CSV: ${(e as Error).message}` }], rows: [], recorded: 0 };
  }
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (records.length === 0) return { problems: [{ row: 0, column: null, message: 'The file is empty' }], rows: [], recorded: 0 };
  if (missing.length) {
    return { problems: [{ row: 1, column: null, message: `The first row must name the columns. Missing: ${missing.join(', ')}` }], rows: [], recorded: 0 };
  }
  const unknown = header.filter((h) => h && !(IMPORT_COLUMNS as readonly string[]).includes(h));
  if (unknown.length)
    return {
      problems: [{ row: 1, column: null, message: `Unknown column ${unknown.join(', ')}. The columns are: ${IMPORT_COLUMNS.join(', ')}` }],
      rows: [],
      recorded: 0,
    };
  if (records.length - 1 > MAX_IMPORT_ROWS)
    return {
      problems: [{ row: 0, column: null, message: `The file has ${records.length - 1} rows: import no more than ${MAX_IMPORT_ROWS} at a time` }],
      rows: [],
      recorded: 0,
    };
  if (records.length === 1)
    return { problems: [{ row: 0, column: null, message: 'The file has no invoices in it, only the row of column names' }], rows: [], recorded: 0 };

  const [orgs, pkgs] = await Promise.all([
    db.selectFrom('organisations').select(['id', 'code', 'name']).execute(),
    db.selectFrom('packages').select(['id', 'reference', 'agreement_id', 'starts_on', 'ends_on']).execute(),
  ]);
  const rows: ImportRow[] = [];
  const seenInFile = new Map<string, number>();
  for (let i = 1; i < records.length; i++) {
    const rowNo = i + 1;
    const cell = (c: string) => (records[i]![header.indexOf(c)] ?? '').trim();
    const bad = (column: string, message: string) => problems.push({ row: rowNo, column, message });
    const before = problems.length;
    const org = orgs.find((o) => o.code.toLowerCase() === cell('provider_code').toLowerCase());
    if (!cell('provider_code')) bad('provider_code', 'Enter the provider’s organisation code');
    else if (!org) bad('provider_code', `There is no organisation with the code ${cell('provider_code')}`);
    const ref = cell('supplier_reference');
    if (!ref) bad('supplier_reference', 'Enter the invoice number the provider gave it');
    else if (ref.length > 60) bad('supplier_reference', 'The invoice number must be 60 characters or fewer');
    let pkg: (typeof pkgs)[number] | undefined;
    const pkgRef = cell('package_reference');
    if (pkgRef) {
      pkg = pkgs.find((k) => k.reference.toLowerCase() === pkgRef.toLowerCase());
      if (!pkg) bad('package_reference', `There is no package ${pkgRef}`);
      else if (pkg.agreement_id !== agreementId) bad('package_reference', `${pkg.reference} is paid from another pool`);
    }
    const from = csvDate(cell('service_from'));
    const to = csvDate(cell('service_to'));
    const received = csvDate(cell('received_on'));
    if (!from) bad('service_from', 'Enter the first day the invoice is for as a date, like 2025-04-30 or 30/04/2025');
    if (!to) bad('service_to', 'Enter the last day the invoice is for as a date, like 2025-04-30 or 30/04/2025');
    if (!received) bad('received_on', 'Enter the date the invoice was received, like 2025-04-30 or 30/04/2025');
    if (from && to && to < from) bad('service_to', 'The last day the invoice is for is before its first day');
    if (pkg && from && to && (from < pkg.starts_on || (pkg.ends_on !== null && to > pkg.ends_on))) {
      bad('service_from', `The invoice’s dates are outside the dates of ${pkg.reference}`);
    }
    const money = parseMoney(cell('amount'));
    if (!money.ok) bad('amount', moneyMessage(money.problem, 'the amount'));
    else if (money.pence === 0) bad('amount', moneyMessage('zero', 'the amount'));
    const description = cell('description') || null;
    if (description && description.length > 500) bad('description', 'The description must be 500 characters or fewer');
    if (org && ref) {
      const k = `${org.id}|${ref}`;
      const first = seenInFile.get(k);
      if (first) bad('supplier_reference', `Invoice ${ref} from ${org.name} is also on row ${first}: each invoice can be recorded only once`);
      else seenInFile.set(k, rowNo);
    }
    if (problems.length > before || !org || !from || !to || !received || !money.ok) continue;
    const invoice: NewInvoice = {
      agreementId,
      providerId: org.id,
      supplierReference: ref,
      packageId: pkg?.id ?? null,
      serviceFrom: from,
      serviceTo: to,
      amountPence: money.pence,
      receivedOn: received,
      description,
    };
    const existing = await db
      .selectFrom('invoices')
      .selectAll()
      .where('provider_id', '=', org.id)
      .where('supplier_reference', '=', ref)
      .where('cancelled_at', 'is', null)
      .executeTakeFirst();
    if (existing) {
      const same =
        existing.agreement_id === agreementId &&
        existing.amount_pence === invoice.amountPence &&
        existing.service_from === from &&
        existing.service_to === to &&
        existing.received_on === received &&
        (existing.package_id === invoice.packageId || invoice.packageId === null);
      if (!same) {
        bad(
          'supplier_reference',
          `Invoice ${ref} from ${org.name} is already recorded with different details (received ${day(existing.received_on)}, ${formatPence(existing.amount_pence)}). Each invoice can be recorded only once`,
        );
        continue;
      }
      rows.push({ row: rowNo, status: 'already-recorded', invoice, providerName: org.name, packageReference: pkg?.reference ?? null });
      continue;
    }
    rows.push({ row: rowNo, status: 'new', invoice, providerName: org.name, packageReference: pkg?.reference ?? null });
  }
  if (problems.length || opts.dryRun) return { problems, rows, recorded: 0 };
  let recorded = 0;
  await inTransaction(db, async (tx) => {
    for (const r of rows) {
      if (r.status !== 'new') continue;
      try {
        await recordInvoice(tx, r.invoice, by);
      } catch (e) {
        if (e instanceof ValidationError) throw new ImportFailed([{ row: r.row, column: null, message: e.errors.map((x) => x.text).join('; ') }]);
        if (e instanceof LedgerError) throw new ImportFailed([{ row: r.row, column: null, message: e.message }]);
        throw e;
      }
      recorded++;
    }
  });
  return { problems, rows, recorded };
}

/** Thrown (so the whole import rolls back) when a row fails while being recorded. */
export class ImportFailed extends ValidationError {
  constructor(readonly problems: ImportProblem[]) {
    super(problems.map((p): FieldError => ({ text: problemText(p), href: '#csv' })));
  }
}
