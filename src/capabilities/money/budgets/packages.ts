// Packages of support for a child: their terms, their funding split (a rule that can change over
// time) and their commitment in the ledger. Every create or change keeps a version of the terms
// (package_changes) and posts only the difference between what the rule now implies and what is
// already posted for the package, so posting again converges and never double-counts.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, StaleVersionError, ValidationError } from '../../../platform/http/errors.js';
import { todayInLondon } from '../../../platform/dates.js';
import { commitmentByYear, commitmentHorizon, type PackageTerms } from './commitment.js';
import { validateSplit, type Split } from './split.js';
import { inTransaction, post, type LedgerLine, type Posted } from './ledger.js';
import { isUuid } from '../../../platform/ids.js';

export interface PackageInput {
  serviceCategory: string;
  service: string;
  providerId: string | null;
  unitCostPence: number;
  unitsX100: number;
  frequency: 'week' | 'month';
  startsOn: string;
  endsOn: string | null;
  reviewOn: string | null;
  split: Split;
  /** Why it was set up or changed (shown in the history and on the ledger). */
  reason: string;
  /** The panel decision it follows, when there is one. */
  decisionId?: string | null;
}
export interface NewPackage extends PackageInput {
  agreementId: string;
  childId: string;
}

interface Actor {
  id: string;
}

const day = (iso: string) => iso.split('-').reverse().join('/');

/** The checks that need no database: dates and split. Throws ValidationError. */
export function checkTerms(input: PackageInput): void {
  if (input.endsOn !== null && input.endsOn < input.startsOn) {
    throw new ValidationError([{ text: `The package cannot end (${day(input.endsOn)}) before it starts (${day(input.startsOn)})`, href: '#endsOn-day' }]);
  }
  if (input.reviewOn !== null && input.reviewOn < input.startsOn) {
    throw new ValidationError([{ text: 'The review date must be on or after the start date', href: '#reviewOn-day' }]);
  }
  const problems = validateSplit(input.split, { from: input.startsOn, to: input.endsOn });
  if (problems.length) throw new ValidationError(problems.map((p) => ({ text: p.message, href: p.segment > 0 ? `#split-${p.segment}` : '#split-1' })));
}

async function checkReferences(db: Db, input: PackageInput) {
  const category = await db.selectFrom('service_categories').select('code').where('code', '=', input.serviceCategory).executeTakeFirst();
  if (!category) throw new ValidationError([{ text: 'Select the kind of service', href: '#serviceCategory' }]);
  if (input.providerId !== null) {
    const provider = isUuid(input.providerId)
      ? await db.selectFrom('organisations').select('id').where('id', '=', input.providerId).where('active', '=', true).executeTakeFirst()
      : undefined;
    if (!provider) throw new ValidationError([{ text: 'Select the provider from the list', href: '#providerId' }]);
  }
  const partnerIds = [...new Set(input.split.flatMap((s) => s.shares.map((sh) => sh.partnerId)))];
  const partners =
    partnerIds.every(isUuid) && partnerIds.length ? await db.selectFrom('budget_partners').select('id').where('id', 'in', partnerIds).execute() : [];
  if (partners.length !== partnerIds.length)
    throw new ValidationError([{ text: 'The funding split names a partner that is not in the list', href: '#split-1' }]);
}

/** A package's terms as its table's columns (the same on creation and on change). */
const termColumns = (input: PackageInput) => ({
  service_category: input.serviceCategory,
  service: input.service,
  provider_id: input.providerId,
  unit_cost_pence: input.unitCostPence,
  units_x100: input.unitsX100,
  frequency: input.frequency,
  starts_on: input.startsOn,
  ends_on: input.endsOn,
  review_on: input.reviewOn,
});

async function writeChange(db: Db, packageId: string, version: number, input: PackageInput, by: Actor) {
  const change = await db
    .insertInto('package_changes')
    .values({
      package_id: packageId,
      version,
      ...termColumns(input),
      reason: input.reason,
      decision_id: input.decisionId ?? null,
      changed_by: by.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('package_split_shares')
    .values(
      input.split.flatMap((s, i) =>
        s.shares.map((sh) => ({ package_change_id: change.id, segment: i + 1, from_on: s.from, to_on: s.to, partner_id: sh.partnerId, share_bp: sh.bp })),
      ),
    )
    .execute();
  return change.id;
}

/** Sets up a package and posts its commitment. */
export async function createPackage(db: Db, input: NewPackage, by: Actor, today = todayInLondon()) {
  checkTerms(input);
  return inTransaction(db, async (tx) => {
    if (!isUuid(input.agreementId) || !(await tx.selectFrom('pooling_agreements').select('id').where('id', '=', input.agreementId).executeTakeFirst())) {
      throw new NotFoundError('agreement');
    }
    if (!isUuid(input.childId) || !(await tx.selectFrom('children').select('id').where('id', '=', input.childId).executeTakeFirst())) {
      throw new ValidationError([{ text: 'No child on the register has this reference. Check it with their key worker', href: '#childReference' }]);
    }
    await checkReferences(tx, input);
    const pkg = await tx
      .insertInto('packages')
      .values({
        agreement_id: input.agreementId,
        child_id: input.childId,
        ...termColumns(input),
        created_by: by.id,
      })
      .returning(['id', 'reference'])
      .executeTakeFirstOrThrow();
    await writeChange(tx, pkg.id, 1, input, by);
    const posted = await postCommitment(tx, pkg.id, { today, by });
    return { id: pkg.id, reference: pkg.reference, posted };
  });
}

/** Changes a package's terms or split (only if nobody changed it since `expectedVersion`) and re-posts its commitment. */
export async function changePackage(db: Db, packageId: string, expectedVersion: number, input: PackageInput, by: Actor, today = todayInLondon()) {
  checkTerms(input);
  return inTransaction(db, async (tx) => {
    await getPackageRow(tx, packageId);
    await checkReferences(tx, input);
    const updated = await tx
      .updateTable('packages')
      .set({
        ...termColumns(input),
        version: sql`version + 1`,
      })
      .where('id', '=', packageId)
      .where('version', '=', expectedVersion)
      .returning('version')
      .executeTakeFirst();
    if (!updated) throw new StaleVersionError();
    await writeChange(tx, packageId, updated.version, input, by);
    return postCommitment(tx, packageId, { today, by });
  });
}

async function getPackageRow(db: Db, packageId: string) {
  if (!isUuid(packageId)) throw new NotFoundError('package');
  const row = await db.selectFrom('packages').selectAll().where('id', '=', packageId).executeTakeFirst();
  if (!row) throw new NotFoundError('package');
  return row;
}

/** The split of a package version, from its rows. */
export async function splitOfChange(db: Db, changeId: string): Promise<Split> {
  return (await splitsOfChanges(db, [changeId])).get(changeId) ?? [];
}

/** The splits of many package versions in one query (for reports over many decisions). */
export async function splitsOfChanges(db: Db, changeIds: readonly string[]): Promise<Map<string, Split>> {
  const out = new Map<string, Split>();
  for (let i = 0; i < changeIds.length; i += 5000) {
    const rows = await db
      .selectFrom('package_split_shares')
      .selectAll()
      .where('package_change_id', 'in', changeIds.slice(i, i + 5000))
      .orderBy('package_change_id')
      .orderBy('segment')
      .orderBy('partner_id')
      .execute();
    for (const r of rows) {
      let split = out.get(r.package_change_id);
      if (!split) out.set(r.package_change_id, (split = []));
      let seg = split[r.segment - 1];
      if (!seg) split[r.segment - 1] = seg = { from: r.from_on, to: r.to_on, shares: [] };
      seg.shares.push({ partnerId: r.partner_id, bp: r.share_bp });
    }
  }
  return out;
}

/** The package's current version: its terms and split. */
export async function currentTerms(db: Db, packageId: string) {
  const pkg = await getPackageRow(db, packageId);
  const change = await db
    .selectFrom('package_changes')
    .selectAll()
    .where('package_id', '=', packageId)
    .where('version', '=', pkg.version)
    .executeTakeFirstOrThrow();
  const terms: PackageTerms = {
    unitCostPence: pkg.unit_cost_pence,
    unitsX100: pkg.units_x100,
    frequency: pkg.frequency,
    startsOn: pkg.starts_on,
    endsOn: pkg.ends_on,
  };
  return { pkg, change, terms, split: await splitOfChange(db, change.id) };
}

const key3 = (fy: number, partnerId: string | null, category: string | null) => `${fy}|${partnerId ?? ''}|${category ?? ''}`;

/** What is posted to the commitments account for a package, by year, partner and service. */
export async function postedCommitment(db: Db, packageId: string) {
  const rows = await db
    .selectFrom('ledger_entries')
    .select([
      'financial_year',
      'partner_id',
      'service_category',
      sql<number>`sum(amount_pence)::bigint`.as('pence'),
      sql<number>`max(transaction_id)`.as('last'),
    ])
    .where('package_id', '=', packageId)
    .where('account', '=', 'commitments')
    .groupBy(['financial_year', 'partner_id', 'service_category'])
    .execute();
  return rows.map((r) => ({
    financialYear: r.financial_year,
    partnerId: r.partner_id,
    serviceCategory: r.service_category,
    pence: Number(r.pence),
    last: Number(r.last),
  }));
}

/**
 * Posts the difference between what the package's current rule implies (to the end of the
 * horizon year, see commitmentHorizon) and what is posted for it. Answers null when there is no
 * difference. The package row is locked while this runs, so two changes of one package queue.
 * The event's key names the version, the horizon and the last commitment posting it builds on,
 * so the same state always gives the same key, and a retry finds its first posting.
 */
export async function postCommitment(db: Db, packageId: string, opts: { today?: string; by: Actor | null; reason?: string }): Promise<Posted | null> {
  const today = opts.today ?? todayInLondon();
  return inTransaction(db, async (tx) => {
    await tx.selectFrom('packages').select('id').where('id', '=', packageId).forUpdate().executeTakeFirst();
    const { pkg, change, terms, split } = await currentTerms(tx, packageId);
    const through = commitmentHorizon(terms, today);
    const implied = commitmentByYear(terms, split, through);
    const posted = await postedCommitment(tx, packageId);
    const delta = new Map<string, { fy: number; partnerId: string | null; category: string | null; pence: number }>();
    for (const y of implied) {
      for (const p of y.byPartner)
        delta.set(key3(y.financialYear, p.partnerId, pkg.service_category), {
          fy: y.financialYear,
          partnerId: p.partnerId,
          category: pkg.service_category,
          pence: p.pence,
        });
    }
    for (const p of posted) {
      const k = key3(p.financialYear, p.partnerId, p.serviceCategory);
      const d = delta.get(k) ?? { fy: p.financialYear, partnerId: p.partnerId, category: p.serviceCategory, pence: 0 };
      delta.set(k, { ...d, pence: d.pence - p.pence });
    }
    const changes = [...delta.values()].filter((d) => d.pence !== 0).sort((a, b) => a.fy - b.fy || (a.partnerId ?? '').localeCompare(b.partnerId ?? ''));
    if (changes.length === 0) return null;
    const lines: LedgerLine[] = changes.flatMap((d) => {
      const dims = {
        agreementId: pkg.agreement_id,
        partnerId: d.partnerId,
        financialYear: d.fy,
        serviceCategory: d.category,
        packageId,
        childId: pkg.child_id,
      };
      return [
        { account: 'commitments' as const, amountPence: d.pence, ...dims },
        { account: 'commitments-reserve' as const, amountPence: -d.pence, ...dims },
      ];
    });
    const after = posted.reduce((m, p) => Math.max(m, p.last), 0);
    return post(tx, {
      idempotencyKey: `package-commitment:${packageId}:v${pkg.version}:through-${through}:after-${after}`,
      kind: 'commitment',
      postedOn: today,
      reason: opts.reason ?? `${pkg.reference} version ${pkg.version}: ${change.reason}`,
      recordedBy: opts.by?.id ?? null,
      packageChangeId: change.id,
      decisionId: change.decision_id,
      lines,
    });
  });
}

/** What the package's rule implies now, by year and partner, for comparing with what is posted. */
export async function impliedCommitment(db: Db, packageId: string, today = todayInLondon()) {
  const { terms, split } = await currentTerms(db, packageId);
  return commitmentByYear(terms, split, commitmentHorizon(terms, today));
}

// Reading ---------------------------------------------------------------------------------------

export const packageQuery = (db: Db) =>
  db
    .selectFrom('packages as k')
    .innerJoin('service_categories as c', 'c.code', 'k.service_category')
    .innerJoin('pooling_agreements as a', 'a.id', 'k.agreement_id')
    .leftJoin('organisations as o', 'o.id', 'k.provider_id')
    .selectAll('k')
    .select(['c.name as category_name', 'a.name as agreement_name', 'a.code as agreement_code', 'o.name as provider_name']);

export async function getPackage(db: Db, id: string | undefined) {
  if (!isUuid(id)) throw new NotFoundError('package');
  const row = await packageQuery(db).where('k.id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('package');
  return row;
}

export const listPackagesOfAgreement = (db: Db, agreementId: string) =>
  packageQuery(db).where('k.agreement_id', '=', agreementId).orderBy('k.starts_on', 'desc').orderBy('k.reference').execute();

export const packageHistory = (db: Db, packageId: string) =>
  db
    .selectFrom('package_changes as c')
    .leftJoin('users as u', 'u.id', 'c.changed_by')
    .select([
      'c.id',
      'c.version',
      'c.reason',
      'c.changed_at',
      'c.decision_id',
      'c.unit_cost_pence',
      'c.units_x100',
      'c.frequency',
      'c.starts_on',
      'c.ends_on',
      'c.service',
      'u.display_name as changed_by_name',
    ])
    .where('c.package_id', '=', packageId)
    .orderBy('c.version', 'desc')
    .execute();

/** Money by account, year and partner for a package (commitments, spend, paid). */
export async function packageMoney(db: Db, packageId: string) {
  const rows = await db
    .selectFrom('ledger_entries as e')
    .leftJoin('budget_partners as p', 'p.id', 'e.partner_id')
    .select(['e.account', 'e.financial_year', 'e.partner_id', 'p.short_name', sql<number>`sum(e.amount_pence)::bigint`.as('pence')])
    .where('e.package_id', '=', packageId)
    .where('e.account', 'in', ['commitments', 'spend'])
    .groupBy(['e.account', 'e.financial_year', 'e.partner_id', 'p.short_name'])
    .orderBy('e.financial_year')
    .orderBy('p.short_name')
    .execute();
  return rows.map((r) => ({ account: r.account, financialYear: r.financial_year, partnerId: r.partner_id, partnerName: r.short_name, pence: Number(r.pence) }));
}

/** A child's packages with what is committed and spent on each: the money in the child's record. */
export async function packagesOfChild(db: Db, childId: string) {
  const packages = await packageQuery(db).where('k.child_id', '=', childId).orderBy('k.starts_on', 'desc').execute();
  if (packages.length === 0) return [];
  const money = await db
    .selectFrom('ledger_entries')
    .select(['package_id', 'account', sql<number>`sum(amount_pence)::bigint`.as('pence')])
    .where(
      'package_id',
      'in',
      packages.map((p) => p.id),
    )
    .where('account', 'in', ['commitments', 'spend'])
    .groupBy(['package_id', 'account'])
    .execute();
  const paid = await db
    .selectFrom('payments as y')
    .leftJoin('invoices as i', 'i.id', 'y.invoice_id')
    .select([sql<string>`coalesce(y.package_id, i.package_id)`.as('package_id'), sql<number>`sum(y.amount_pence)::bigint`.as('pence')])
    .where(sql<boolean>`coalesce(y.package_id, i.package_id) in (${sql.join(packages.map((p) => p.id))})`)
    .groupBy(sql`coalesce(y.package_id, i.package_id)`)
    .execute();
  const out = [];
  for (const p of packages) {
    const { split } = await currentTerms(db, p.id);
    const sum = (account: string) => Number(money.find((m) => m.package_id === p.id && m.account === account)?.pence ?? 0);
    out.push({
      ...p,
      split,
      committedPence: sum('commitments'),
      spentPence: sum('spend'),
      paidPence: Number(paid.find((x) => x.package_id === p.id)?.pence ?? 0),
    });
  }
  return out;
}

/** The child a finance reference (the first 12 hex digits of the record's id, as C-XXXX-XXXX-XXXX) points at. */
export async function childIdFromReference(db: Db, reference: string): Promise<string | null> {
  const hex = reference.replace(/^C-?/i, '').replace(/[-\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]{12}$/.test(hex)) return null;
  const prefix = `${hex.slice(0, 8)}-${hex.slice(8, 12)}`;
  const rows = await db
    .selectFrom('children')
    .select('id')
    .where(sql<boolean>`id::text like ${`${prefix}%`}`)
    .limit(2)
    .execute();
  return rows.length === 1 ? rows[0]!.id : null;
}

/** The reference finance uses for a child instead of their name: C-XXXX-XXXX-XXXX from the record's id. */
export const childReference = (childId: string) => {
  const hex = childId.replace(/-/g, '').slice(0, 12).toUpperCase();
  return `C-${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 12)}`;
};

/**
 * Brings every package still running in the financial year of `today` up to its rule: at the
 * start of a new year this commits that year. Safe to run any number of times (each package
 * posts only a difference, and nothing when there is none). Answers how many packages posted.
 */
export async function repostCommitments(db: Db, opts: { today?: string; by: Actor | null }): Promise<number> {
  const today = opts.today ?? todayInLondon();
  const yearStart = `${Number(today.slice(5, 7)) < 4 ? Number(today.slice(0, 4)) - 1 : Number(today.slice(0, 4))}-04-01`;
  const live = await db
    .selectFrom('packages')
    .select('id')
    .where((eb) => eb.or([eb('ends_on', 'is', null), eb('ends_on', '>=', yearStart)]))
    .orderBy('id')
    .execute();
  let posted = 0;
  for (const p of live) {
    // One database transaction a package: a long rollover never holds many locks at once.
    if (await postCommitment(db, p.id, { today, by: opts.by, reason: 'Committed for the new financial year' })) posted++;
  }
  return posted;
}

/**
 * Packages by id with what the ledger holds committed and spent on each, without the child: what
 * the contracts register shows of the packages paid under a contract.
 */
export async function packagesWithSpend(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const [rows, money] = await Promise.all([
    packageQuery(db)
      .where('k.id', 'in', [...ids])
      .orderBy('k.reference')
      .execute(),
    db
      .selectFrom('ledger_entries')
      .select(['package_id', 'account', sql<number>`sum(amount_pence)::bigint`.as('pence')])
      .where('package_id', 'in', [...ids])
      .where('account', 'in', ['commitments', 'spend'])
      .groupBy(['package_id', 'account'])
      .execute(),
  ]);
  const sum = (id: string, account: string) => Number(money.find((m) => m.package_id === id && m.account === account)?.pence ?? 0);
  return rows.map((k) => ({
    id: k.id,
    reference: k.reference,
    service: k.service,
    categoryName: k.category_name,
    agreementName: k.agreement_name,
    providerName: k.provider_name,
    startsOn: k.starts_on,
    endsOn: k.ends_on,
    committedPence: sum(k.id, 'commitments'),
    spentPence: sum(k.id, 'spend'),
  }));
}

/** The package a finance reference (PKG-1001) names, or null. */
export async function packageIdByReference(db: Db, reference: string): Promise<string | null> {
  const row = await db.selectFrom('packages').select('id').where('reference', '=', reference.trim().toUpperCase()).executeTakeFirst();
  return row?.id ?? null;
}
