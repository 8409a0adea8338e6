// Reading the ledger for the budget reports and their drill-downs. Only reads: money gets into
// the ledger through the budgets capability's services. The board report is one pass over a
// year's entries (an index-only scan of ledger_entries_board, migrations/0010, in group order).
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError } from '../../../platform/http/errors.js';
import type { Viewer } from '../../record/sharing/index.js';
import { visibleChild } from '../../record/sharing/index.js';
import { NEED_CODES, isNeedCode } from '../../record/children/index.js';
import { MEASURE_ACCOUNTS, type FineRow, type Measure } from './rules.js';
import { isUuid } from '../../../platform/ids.js';
import { getPackage, packageHistory } from '../budgets/index.js';

// Reference data -------------------------------------------------------------------------------

export async function referenceData(db: Db) {
  const [partners, agreements, categories] = await Promise.all([
    db.selectFrom('budget_partners').select(['id', 'short_name']).orderBy('short_name').execute(),
    db.selectFrom('pooling_agreements').select(['id', 'code', 'name', 'arrangement']).orderBy('name').execute(),
    db.selectFrom('service_categories').select(['code', 'name']).orderBy('position').execute(),
  ]);
  return {
    partners: partners.map((p) => ({ id: p.id, name: p.short_name })),
    agreements: agreements.map((a) => ({ id: a.id, name: a.name, code: a.code, arrangement: a.arrangement })),
    categories: categories.map((c) => ({ id: c.code, name: c.name })),
  };
}
export type ReferenceData = Awaited<ReturnType<typeof referenceData>>;

/** Financial years that have an agreement or any posting (periods are made by the first posting in them). */
export async function yearsInUse(db: Db): Promise<number[]> {
  const { rows } = await sql<{ fy: number }>`
    select financial_year as fy from agreement_years union select financial_year from ledger_periods order by 1 desc`.execute(db);
  return rows.map((r) => Number(r.fy));
}

// The board report -----------------------------------------------------------------------------

/**
 * The year's ledger by pool, partner and service category, with each package's unspent
 * commitment added up (nothing for a package that as a whole has cost more than committed; see
 * rules.ts): everything the board report needs, in one query.
 */
export async function boardRows(db: Db, financialYear: number): Promise<FineRow[]> {
  const { rows } = await sql<{
    agreement_id: string;
    partner_id: string | null;
    service_category: string | null;
    budget: string;
    commitment: string;
    actual: string;
    unmatched: string;
    remaining: string;
  }>`
    with g as (
      select agreement_id, partner_id, service_category, package_id,
             coalesce(sum(amount_pence) filter (where account = 'budget'), 0) as budget,
             coalesce(sum(amount_pence) filter (where account = 'commitments'), 0) as commitment,
             coalesce(sum(amount_pence) filter (where account = 'spend'), 0) as actual,
             coalesce(sum(amount_pence) filter (where account = 'suspense'), 0) as unmatched
      from ledger_entries
      where financial_year = ${financialYear} and account in ('budget', 'commitments', 'spend', 'suspense')
      group by agreement_id, partner_id, service_category, package_id
    ),
    -- Whether each package, over all its partners, has cost more than committed (rules.ts).
    w as (select package_id, sum(commitment) >= sum(actual) as within from g where package_id is not null group by package_id)
    select g.agreement_id, g.partner_id, g.service_category,
           sum(g.budget)::bigint as budget, sum(g.commitment)::bigint as commitment, sum(g.actual)::bigint as actual,
           sum(g.unmatched)::bigint as unmatched,
           coalesce(sum(g.commitment - g.actual) filter (where w.within), 0)::bigint as remaining
    from g left join w on w.package_id = g.package_id
    group by g.agreement_id, g.partner_id, g.service_category`.execute(db);
  return rows.map((r) => ({
    agreementId: r.agreement_id,
    partnerId: r.partner_id,
    category: r.service_category,
    budget: Number(r.budget),
    commitment: Number(r.commitment),
    actual: Number(r.actual),
    unmatched: Number(r.unmatched),
    remaining: Number(r.remaining),
  }));
}

/** Agreed shares for the year: agreement → partner → basis points. */
export async function agreedShares(db: Db, financialYear: number) {
  const rows = await db.selectFrom('agreement_shares').select(['agreement_id', 'partner_id', 'share_bp']).where('financial_year', '=', financialYear).execute();
  const out = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const m = out.get(r.agreement_id) ?? new Map<string, number>();
    m.set(r.partner_id, r.share_bp);
    out.set(r.agreement_id, m);
  }
  return out;
}

// Drill-down: the entries behind a figure ------------------------------------------------------

export interface EntryFilter {
  financialYear: number;
  measure: Measure;
  agreementId?: string;
  /** A partner's id, or 'none' for money with no partner. */
  partnerId?: string;
  /** A category code, or 'none'. */
  category?: string;
  packageId?: string;
  /** A service as the spend report groups it: `<category>|<service name>`. */
  service?: string;
}

export const ENTRIES_PAGE_SIZE = 50;

function entryConditions(f: EntryFilter) {
  const c = [sql`e.financial_year = ${f.financialYear}`, sql`e.account in (${sql.join(MEASURE_ACCOUNTS[f.measure].map((a) => sql`${a}`))})`];
  if (f.agreementId) c.push(sql`e.agreement_id = ${f.agreementId}::uuid`);
  if (f.partnerId === 'none') c.push(sql`e.partner_id is null`);
  else if (f.partnerId) c.push(sql`e.partner_id = ${f.partnerId}::uuid`);
  if (f.category === 'none') c.push(sql`e.service_category is null`);
  else if (f.category) c.push(sql`e.service_category = ${f.category}`);
  if (f.packageId) c.push(sql`e.package_id = ${f.packageId}::uuid`);
  if (f.service) c.push(sql`exists (select 1 from packages k where k.id = e.package_id and k.service_category || '|' || k.service = ${f.service})`);
  return sql.join(c, sql` and `);
}

/** The entries behind a figure, newest first, a page at a time, with their count and sums by account. */
export async function entriesFor(db: Db, f: EntryFilter, page: number) {
  const where = entryConditions(f);
  const [sums, list] = await Promise.all([
    sql<{
      account: string;
      pence: string;
      n: string;
    }>`select e.account, sum(e.amount_pence)::bigint as pence, count(*)::bigint as n from ledger_entries e where ${where} group by e.account`.execute(db),
    sql<{
      id: string;
      transaction_id: string;
      account: string;
      amount_pence: string;
      partner_name: string | null;
      service_category: string | null;
      package_id: string | null;
      package_reference: string | null;
      child_id: string | null;
      kind: string;
      posted_on: string;
      reason: string;
      agreement_code: string;
    }>`
      select e.id, e.transaction_id, e.account, e.amount_pence, p.short_name as partner_name, e.service_category, e.package_id,
             k.reference as package_reference, e.child_id, t.kind, t.posted_on, t.reason, a.code as agreement_code
      from ledger_entries e
      join ledger_transactions t on t.id = e.transaction_id
      join pooling_agreements a on a.id = e.agreement_id
      left join budget_partners p on p.id = e.partner_id
      left join packages k on k.id = e.package_id
      where ${where}
      order by e.transaction_id desc, e.id
      limit ${ENTRIES_PAGE_SIZE} offset ${(page - 1) * ENTRIES_PAGE_SIZE}`.execute(db),
  ]);
  const byAccount = new Map(sums.rows.map((r) => [r.account, Number(r.pence)]));
  const count = sums.rows.reduce((a, r) => a + Number(r.n), 0);
  return {
    byAccount,
    count,
    entries: list.rows.map((r) => ({
      id: Number(r.id),
      transactionId: Number(r.transaction_id),
      account: r.account,
      amountPence: Number(r.amount_pence),
      partnerName: r.partner_name,
      serviceCategory: r.service_category,
      packageId: r.package_id,
      packageReference: r.package_reference,
      childId: r.child_id,
      kind: r.kind,
      postedOn: r.posted_on,
      reason: r.reason,
      agreementCode: r.agreement_code,
    })),
  };
}

// One transaction --------------------------------------------------------------------------------

export async function transactionTrail(db: Db, id: number) {
  if (!Number.isSafeInteger(id) || id <= 0) throw new NotFoundError('transaction');
  const t = await db
    .selectFrom('ledger_transactions as t')
    .leftJoin('users as u', 'u.id', 't.recorded_by')
    .leftJoin('organisations as o', 'o.id', 'u.organisation_id')
    .leftJoin('package_changes as c', 'c.id', 't.package_change_id')
    .leftJoin('packages as k', 'k.id', 'c.package_id')
    .leftJoin('invoices as i', 'i.id', 't.invoice_id')
    .leftJoin('payments as y', 'y.id', 't.payment_id')
    .selectAll('t')
    .select([
      'u.display_name as recorded_by_name',
      'o.name as recorded_by_organisation',
      'c.version as change_version',
      'c.reason as change_reason',
      'c.package_id as change_package_id',
      'k.reference as change_package_reference',
      'i.supplier_reference as invoice_reference',
      'y.kind as payment_kind',
      'y.paid_on as payment_paid_on',
    ])
    .where('t.id', '=', id)
    .executeTakeFirst();
  if (!t) throw new NotFoundError('transaction');
  const [entries, reversedBy] = await Promise.all([
    db
      .selectFrom('ledger_entries as e')
      .innerJoin('ledger_accounts as ac', 'ac.code', 'e.account')
      .innerJoin('pooling_agreements as a', 'a.id', 'e.agreement_id')
      .leftJoin('budget_partners as p', 'p.id', 'e.partner_id')
      .leftJoin('service_categories as s', 's.code', 'e.service_category')
      .leftJoin('packages as k', 'k.id', 'e.package_id')
      .select([
        'e.id',
        'e.account',
        'ac.name as account_name',
        'e.amount_pence',
        'e.financial_year',
        'a.name as agreement_name',
        'a.id as agreement_id',
        'p.short_name as partner_name',
        's.name as category_name',
        'e.package_id',
        'k.reference as package_reference',
        'e.child_id',
      ])
      .where('e.transaction_id', '=', id)
      .orderBy('e.id')
      .execute(),
    db.selectFrom('ledger_transactions').select(['id', 'posted_on']).where('reverses_transaction_id', '=', id).executeTakeFirst(),
  ]);
  return { transaction: t, entries: entries.map((e) => ({ ...e, amount_pence: Number(e.amount_pence) })), reversedBy: reversedBy ?? null };
}

// A package's trail ----------------------------------------------------------------------------

export async function packageTrail(db: Db, packageId: string | undefined) {
  const pkg = await getPackage(db, packageId);
  const [changes, shares, transactions, invoices] = await Promise.all([
    packageHistory(db, pkg.id),
    db
      .selectFrom('package_split_shares as s')
      .innerJoin('package_changes as c', 'c.id', 's.package_change_id')
      .innerJoin('budget_partners as p', 'p.id', 's.partner_id')
      .select(['s.package_change_id', 's.segment', 's.from_on', 's.to_on', 's.share_bp', 'p.short_name'])
      .where('c.package_id', '=', pkg.id)
      .orderBy('s.segment')
      .orderBy('p.short_name')
      .execute(),
    sql<{ id: string; kind: string; posted_on: string; reason: string; pence: string }>`
      select t.id, t.kind, t.posted_on, t.reason, sum(e.amount_pence) filter (where e.amount_pence > 0)::bigint as pence
      from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
      where e.package_id = ${pkg.id}::uuid
      group by t.id order by t.id desc limit 200`.execute(db),
    db
      .selectFrom('invoices')
      .select(['id', 'supplier_reference', 'amount_pence', 'service_from', 'service_to', 'received_on'])
      .where('package_id', '=', pkg.id)
      .orderBy('received_on', 'desc')
      .limit(100)
      .execute(),
  ]);
  return {
    pkg,
    changes: changes.map((c) => ({ ...c, split: shares.filter((s) => s.package_change_id === c.id) })),
    transactions: transactions.rows.map((t) => ({ ...t, id: Number(t.id), pence: Number(t.pence ?? 0) })),
    invoices,
  };
}

export async function invoiceTrail(db: Db, invoiceId: string | undefined) {
  if (!isUuid(invoiceId)) throw new NotFoundError('invoice');
  const invoice = await db
    .selectFrom('invoices as i')
    .innerJoin('organisations as o', 'o.id', 'i.provider_id')
    .innerJoin('pooling_agreements as a', 'a.id', 'i.agreement_id')
    .leftJoin('packages as k', 'k.id', 'i.package_id')
    .leftJoin('users as u', 'u.id', 'i.recorded_by')
    .selectAll('i')
    .select(['o.name as provider_name', 'a.name as agreement_name', 'k.reference as package_reference', 'u.display_name as recorded_by_name'])
    .where('i.id', '=', invoiceId)
    .executeTakeFirst();
  if (!invoice) throw new NotFoundError('invoice');
  const [payments, transactions] = await Promise.all([
    db.selectFrom('payments').select(['id', 'amount_pence', 'paid_on', 'reference']).where('invoice_id', '=', invoiceId).orderBy('paid_on').execute(),
    db
      .selectFrom('ledger_transactions as t')
      .leftJoin('payments as y', 'y.id', 't.payment_id')
      .select(['t.id', 't.kind', 't.posted_on', 't.reason'])
      .where((eb) => eb.or([eb('t.invoice_id', '=', invoiceId), eb('y.invoice_id', '=', invoiceId)]))
      .orderBy('t.id')
      .execute(),
  ]);
  return { invoice, payments, transactions };
}

// Children -------------------------------------------------------------------------------------

/**
 * A child's money for the per-child drill-down, in one round trip (the page is on a hot path):
 * the child's name, packages, figures by year, and the year's commitment and spend entries.
 */
export async function childMoney(db: Db, childId: string, financialYear: number) {
  interface Row {
    child: { given_name: string; family_name: string } | null;
    packages: {
      id: string;
      reference: string;
      service: string;
      category_name: string;
      agreement_name: string;
      starts_on: string;
      ends_on: string | null;
      unit_cost_pence: number;
      units_x100: number;
      frequency: string;
    }[];
    by_year: { financial_year: number; commitment: number; actual: number }[];
    entries: {
      id: number;
      transaction_id: number;
      account: string;
      amount_pence: number;
      partner_name: string | null;
      package_reference: string | null;
      kind: string;
      posted_on: string;
    }[];
  }
  const { rows } = await sql<Row>`
    select
      (select json_build_object('given_name', given_name, 'family_name', family_name) from children where id = ${childId}::uuid) as child,
      coalesce((select json_agg(p order by p.starts_on desc, p.reference) from (
         select k.id, k.reference, k.service, s.name as category_name, a.name as agreement_name, k.starts_on, k.ends_on, k.unit_cost_pence, k.units_x100, k.frequency
         from packages k join service_categories s on s.code = k.service_category join pooling_agreements a on a.id = k.agreement_id
         where k.child_id = ${childId}::uuid) p), '[]'::json) as packages,
      coalesce((select json_agg(y order by y.financial_year desc) from (
         select financial_year,
                coalesce(sum(amount_pence) filter (where account = 'commitments'), 0)::bigint as commitment,
                coalesce(sum(amount_pence) filter (where account = 'spend'), 0)::bigint as actual
         from ledger_entries where child_id = ${childId}::uuid and account in ('commitments', 'spend') group by financial_year) y), '[]'::json) as by_year,
      coalesce((select json_agg(x order by x.transaction_id desc, x.id) from (
         select e.id, e.transaction_id, e.account, e.amount_pence, p.short_name as partner_name, k.reference as package_reference, t.kind, t.posted_on
         from ledger_entries e join ledger_transactions t on t.id = e.transaction_id
         left join budget_partners p on p.id = e.partner_id left join packages k on k.id = e.package_id
         where e.child_id = ${childId}::uuid and e.financial_year = ${financialYear} and e.account in ('commitments', 'spend')
         order by e.transaction_id desc, e.id limit 200) x), '[]'::json) as entries`.execute(db);
  const r = rows[0]!;
  if (!r.child) throw new NotFoundError('child');
  return {
    child: r.child,
    packages: r.packages.map((p) => ({ ...p, unit_cost_pence: Number(p.unit_cost_pence) })),
    byYear: r.by_year.map((y) => ({ financialYear: Number(y.financial_year), commitment: Number(y.commitment), actual: Number(y.actual) })),
    entries: r.entries.map((e) => ({ ...e, transaction_id: Number(e.transaction_id), amount_pence: Number(e.amount_pence) })),
  };
}

/** Whether this person may see the child (the sharing rule), and the child's name if so. */
export async function childIfVisible(db: Db, viewer: Viewer, childId: string | null) {
  if (!childId) return null;
  return (
    (await db
      .selectFrom('children as c')
      .select(['c.id', 'c.given_name', 'c.family_name'])
      .where('c.id', '=', childId)
      .where(visibleChild(viewer, 'c'))
      .executeTakeFirst()) ?? null
  );
}

export const SPEND_PAGE_SIZE = 50;

/** Spend per child in the year, for the children this person may see (the sharing rule), most first. */
export async function spendPerVisibleChild(db: Db, viewer: Viewer, financialYear: number, page: number) {
  const base = db
    .selectFrom('ledger_entries as e')
    .innerJoin('children as c', 'c.id', 'e.child_id')
    .where('e.financial_year', '=', financialYear)
    .where('e.account', 'in', ['commitments', 'spend'])
    .where(visibleChild(viewer, 'c'));
  const rows = await base
    .select([
      'c.id',
      'c.given_name',
      'c.family_name',
      sql<string>`coalesce(sum(e.amount_pence) filter (where e.account = 'commitments'), 0)::bigint`.as('commitment'),
      sql<string>`coalesce(sum(e.amount_pence) filter (where e.account = 'spend'), 0)::bigint`.as('actual'),
      sql<string>`count(*) over ()`.as('total_children'),
    ])
    .groupBy(['c.id', 'c.given_name', 'c.family_name'])
    .orderBy(sql`coalesce(sum(e.amount_pence) filter (where e.account = 'spend'), 0)`, 'desc')
    .orderBy('c.family_name')
    .orderBy('c.id')
    .limit(SPEND_PAGE_SIZE)
    .offset((page - 1) * SPEND_PAGE_SIZE)
    .execute();
  return {
    total: Number(rows[0]?.total_children ?? 0),
    rows: rows.map((r) => ({ id: r.id, name: `${r.given_name} ${r.family_name}`, commitment: Number(r.commitment), actual: Number(r.actual) })),
  };
}

export interface SpendGroup {
  key: string | null;
  label: string;
  children: number;
  actual: number;
  commitment: number;
}

/** Actual spend and commitment in the year by a child's primary need, locality, or the service. */
export async function spendBy(db: Db, financialYear: number, by: 'need' | 'locality' | 'service'): Promise<SpendGroup[]> {
  const common = sql`e.financial_year = ${financialYear} and e.account in ('commitments', 'spend') and e.child_id is not null`;
  const q =
    by === 'need'
      ? sql`select c.primary_need as key, c.primary_need as label, count(distinct e.child_id)::int as children,
               coalesce(sum(e.amount_pence) filter (where e.account = 'spend'), 0)::bigint as actual,
               coalesce(sum(e.amount_pence) filter (where e.account = 'commitments'), 0)::bigint as commitment
            from ledger_entries e join children c on c.id = e.child_id
            where ${common} group by 1, 2`
      : by === 'locality'
        ? sql`select c.locality_id::text as key, l.name as label, count(distinct e.child_id)::int as children,
                 coalesce(sum(e.amount_pence) filter (where e.account = 'spend'), 0)::bigint as actual,
                 coalesce(sum(e.amount_pence) filter (where e.account = 'commitments'), 0)::bigint as commitment
              from ledger_entries e join children c on c.id = e.child_id left join localities l on l.id = c.locality_id
              where ${common} group by 1, 2`
        : sql`select k.service_category || '|' || k.service as key, s.name || ': ' || k.service as label, count(distinct e.child_id)::int as children,
                 coalesce(sum(e.amount_pence) filter (where e.account = 'spend'), 0)::bigint as actual,
                 coalesce(sum(e.amount_pence) filter (where e.account = 'commitments'), 0)::bigint as commitment
              from ledger_entries e join packages k on k.id = e.package_id join service_categories s on s.code = k.service_category
              where ${common} group by 1, 2`;
  const { rows } = await sql<{ key: string | null; label: string | null; children: number; actual: string; commitment: string }>`${q}`.execute(db);
  const label = (r: { key: string | null; label: string | null }) =>
    (by === 'need' ? (r.key && isNeedCode(r.key) ? NEED_CODES[r.key] : r.key) : r.label) ?? 'Not recorded';
  return rows
    .map((r) => ({ key: r.key, label: label(r), children: Number(r.children), actual: Number(r.actual), commitment: Number(r.commitment) }))
    .sort((a, b) => b.actual - a.actual || a.label.localeCompare(b.label));
}

/** Packages running at some time in the year, by service, for unit costs. */
export async function packagesInYear(db: Db, financialYear: number) {
  return db
    .selectFrom('packages as k')
    .innerJoin('service_categories as s', 's.code', 'k.service_category')
    .select(['k.service_category', 's.name as category_name', 'k.service', 'k.unit_cost_pence', 'k.units_x100', 'k.frequency', 'k.child_id'])
    .where('k.starts_on', '<=', `${financialYear + 1}-03-31`)
    .where((eb) => eb.or([eb('k.ends_on', 'is', null), eb('k.ends_on', '>=', `${financialYear}-04-01`)]))
    .execute();
}
