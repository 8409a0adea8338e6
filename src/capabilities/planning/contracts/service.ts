// The contracts register on the database: contracts with their shares, the packages paid under
// them (spend from the ledger, through the budgets' public module), KPIs and their returns, the
// procurement pipeline from the plans' intentions, and the import (all or nothing).
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, ValidationError } from '../../../platform/http/errors.js';
import { isUuid } from '../../../platform/ids.js';
import { listAgreements, listPartners, packageIdByReference, packagesWithSpend } from '../../money/budgets/index.js';
import { serviceName } from '../local-offer/index.js';
import { intentionForContract } from '../commissioning-plans/index.js';
import { addMonths, EXPIRY_TEXT, expiry, sharesProblem, type ContractShare } from './rules.js';
import type { Notifier } from '../../../platform/notify/notify.js';
import { ROLE_PERMISSIONS } from '../../../platform/access/roles.js';
import { longDate } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';

interface Actor {
  id: string;
}

export interface NewContract {
  title: string;
  providerId: string;
  serviceId: string | null;
  startsOn: string;
  endsOn: string;
  annualValuePence: number;
  shares: ContractShare[];
  intentionId: string | null;
}

/** Organisations that can hold a contract: every active organisation in the partnership. */
export const providerChoices = (db: Db) => db.selectFrom('organisations').select(['id', 'name', 'code']).where('active', '=', true).orderBy('name').execute();

/** Checks that need the database; throws ValidationError naming every problem. */
async function check(db: Db, c: NewContract, prefix = '') {
  const errors: { text: string; href: string }[] = [];
  const at = (field: string) => (prefix ? '#csv' : `#${field}`);
  if (c.endsOn < c.startsOn) errors.push({ text: `${prefix}The contract cannot end before it starts`, href: at('endsOn-day') });
  const problem = sharesProblem(c.annualValuePence, c.shares);
  if (problem) errors.push({ text: `${prefix}${problem}`, href: at('shares') });
  const provider = isUuid(c.providerId) ? await db.selectFrom('organisations').select('id').where('id', '=', c.providerId).executeTakeFirst() : undefined;
  if (!provider) errors.push({ text: `${prefix}Select the provider`, href: at('providerId') });
  if (c.serviceId && !(isUuid(c.serviceId) && (await serviceName(db, c.serviceId))))
    errors.push({ text: `${prefix}There is no Local Offer service with the id ${c.serviceId}`, href: at('serviceId') });
  const [partners, pools] = await Promise.all([listPartners(db), listAgreements(db)]);
  for (const s of c.shares) {
    if (!partners.some((p) => p.id === s.partnerId) || !pools.some((p) => p.id === s.agreementId)) {
      errors.push({ text: `${prefix}A share names a partner or pool that does not exist`, href: at('shares') });
      break;
    }
  }
  if (c.intentionId) {
    const taken = await db.selectFrom('contracts').select('id').where('intention_id', '=', c.intentionId).executeTakeFirst();
    const { problem: p } = await intentionForContract(db, c.intentionId, taken !== undefined);
    if (p) errors.push({ text: `${prefix}${p}`, href: at('intentionId') });
  }
  return errors;
}

export async function createContract(db: Db, c: NewContract, by: Actor) {
  const errors = await check(db, c);
  if (errors.length) throw new ValidationError(errors);
  return insertContract(db, c, by);
}

async function insertContract(db: Db, c: NewContract, by: Actor) {
  const row = await db
    .insertInto('contracts')
    .values({
      title: c.title,
      provider_id: c.providerId,
      service_id: c.serviceId,
      starts_on: c.startsOn,
      ends_on: c.endsOn,
      annual_value_pence: c.annualValuePence,
      intention_id: c.intentionId,
      created_by: by.id,
    })
    .returning(['id', 'reference'])
    .executeTakeFirstOrThrow();
  await db
    .insertInto('contract_shares')
    .values(c.shares.map((s) => ({ contract_id: row.id, partner_id: s.partnerId, agreement_id: s.agreementId, pence: s.pence })))
    .execute();
  return row;
}

/**
 * Imports contracts all or nothing: every row is checked first, and one bad row stores none.
 * `rows` carry their line numbers; problems name them.
 */
export async function importContracts(db: Db, rows: { line: number; contract: NewContract }[], by: Actor) {
  const errors: { text: string; href: string }[] = [];
  for (const r of rows) errors.push(...(await check(db, r.contract, `Row ${r.line}: `)));
  if (errors.length) throw new ValidationError(errors);
  const out = [];
  for (const r of rows) out.push(await insertContract(db, r.contract, by));
  return out;
}

async function contractRow(db: Db, id: string) {
  if (!isUuid(id)) throw new NotFoundError('contract');
  const c = await db
    .selectFrom('contracts as c')
    .innerJoin('organisations as o', 'o.id', 'c.provider_id')
    .selectAll('c')
    .select('o.name as provider_name')
    .where('c.id', '=', id)
    .executeTakeFirst();
  if (!c) throw new NotFoundError('contract');
  return { ...c, annual_value_pence: Number(c.annual_value_pence) };
}

const sharesOf = (db: Db, ids: string[]) =>
  ids.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('contract_shares as s')
        .innerJoin('budget_partners as p', 'p.id', 's.partner_id')
        .innerJoin('pooling_agreements as a', 'a.id', 's.agreement_id')
        .select(['s.contract_id', 's.partner_id', 's.agreement_id', 's.pence', 'p.short_name as partner', 'a.name as pool', 'a.code as pool_code'])
        .where('s.contract_id', 'in', ids)
        .orderBy('p.short_name')
        .orderBy('a.name')
        .execute();

/** Every contract with its shares and the spend of its packages, soonest ending first. */
export async function listContracts(db: Db) {
  const contracts = await db
    .selectFrom('contracts as c')
    .innerJoin('organisations as o', 'o.id', 'c.provider_id')
    .selectAll('c')
    .select(['o.name as provider_name', 'o.code as provider_code'])
    .orderBy('c.ends_on')
    .orderBy('c.reference')
    .execute();
  const ids = contracts.map((c) => c.id);
  const [shares, links] = await Promise.all([
    sharesOf(db, ids),
    ids.length ? db.selectFrom('contract_packages').select(['contract_id', 'package_id']).where('contract_id', 'in', ids).execute() : Promise.resolve([]),
  ]);
  const packages = await packagesWithSpend(
    db,
    links.map((l) => l.package_id),
  );
  const services = new Map<string, string>();
  for (const c of contracts) if (c.service_id && !services.has(c.service_id)) services.set(c.service_id, (await serviceName(db, c.service_id))?.name ?? '');
  return contracts.map((c) => {
    const mine = links.filter((l) => l.contract_id === c.id).map((l) => l.package_id);
    return {
      ...c,
      annual_value_pence: Number(c.annual_value_pence),
      serviceName: c.service_id ? (services.get(c.service_id) ?? null) : null,
      shares: shares.filter((s) => s.contract_id === c.id).map((s) => ({ ...s, pence: Number(s.pence) })),
      packages: mine.length,
      spentPence: packages.filter((p) => mine.includes(p.id)).reduce((t, p) => t + p.spentPence, 0),
    };
  });
}

export async function readContract(db: Db, id: string) {
  const c = await contractRow(db, id);
  const [shares, links, kpis, returns] = await Promise.all([
    sharesOf(db, [c.id]),
    db.selectFrom('contract_packages').select('package_id').where('contract_id', '=', c.id).execute(),
    db.selectFrom('contract_kpis').selectAll().where('contract_id', '=', c.id).orderBy('created_at').execute(),
    db
      .selectFrom('contract_kpi_returns as r')
      .innerJoin('contract_kpis as k', 'k.id', 'r.kpi_id')
      .selectAll('r')
      .where('k.contract_id', '=', c.id)
      .orderBy('r.period_ending', 'desc')
      .execute(),
  ]);
  const packages = await packagesWithSpend(
    db,
    links.map((l) => l.package_id),
  );
  const service = c.service_id ? await serviceName(db, c.service_id) : null;
  return {
    contract: c,
    service,
    shares: shares.map((s) => ({ ...s, pence: Number(s.pence) })),
    packages,
    kpis: kpis.map((k) => ({
      ...k,
      target: Number(k.target),
      returns: returns.filter((r) => r.kpi_id === k.id).map((r) => ({ ...r, value: Number(r.value) })),
    })),
  };
}

/** Links a package (by its finance reference) to a contract: its spend then shows against the contract. */
export async function linkPackage(db: Db, contractId: string, reference: string, by: Actor) {
  const c = await contractRow(db, contractId);
  const packageId = await packageIdByReference(db, reference);
  if (!packageId) throw new ValidationError([{ text: `There is no package with the reference ${reference}`, href: '#reference' }]);
  const other = await db
    .selectFrom('contract_packages as l')
    .innerJoin('contracts as c', 'c.id', 'l.contract_id')
    .select('c.reference')
    .where('l.package_id', '=', packageId)
    .executeTakeFirst();
  if (other)
    throw new ValidationError([
      {
        text:
          other.reference === c.reference
            ? `${reference} is already paid under this contract`
            : `${reference} is already paid under contract ${other.reference}`,
        href: '#reference',
      },
    ]);
  await db.insertInto('contract_packages').values({ contract_id: c.id, package_id: packageId, linked_by: by.id }).execute();
  return { contract: c, packageId };
}

export async function addKpi(db: Db, contractId: string, k: { name: string; target: number; unit: string; higherIsBetter: boolean }, by: Actor) {
  const c = await contractRow(db, contractId);
  return db
    .insertInto('contract_kpis')
    .values({ contract_id: c.id, name: k.name, target: k.target, unit: k.unit, higher_is_better: k.higherIsBetter, created_by: by.id })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function kpiRow(db: Db, id: string) {
  if (!isUuid(id)) throw new NotFoundError('KPI');
  const k = await db.selectFrom('contract_kpis').selectAll().where('id', '=', id).executeTakeFirst();
  if (!k) throw new NotFoundError('KPI');
  return { ...k, target: Number(k.target) };
}

export async function recordReturn(db: Db, kpiId: string, r: { periodEnding: string; value: number; note: string | null }, by: Actor) {
  const k = await kpiRow(db, kpiId);
  const dup = await db
    .selectFrom('contract_kpi_returns')
    .select('id')
    .where('kpi_id', '=', k.id)
    .where('period_ending', '=', r.periodEnding)
    .executeTakeFirst();
  if (dup) throw new ValidationError([{ text: 'A return for the period ending on that date is already recorded', href: '#periodEnding-day' }]);
  await db
    .insertInto('contract_kpi_returns')
    .values({ kpi_id: k.id, period_ending: r.periodEnding, value: r.value, note: r.note, recorded_by: by.id })
    .execute();
  return k;
}

/** Intentions ready to contract (the pipeline) that have no contract yet. */
export async function pipeline(db: Db, ready: { id: string }[]) {
  if (ready.length === 0) return new Set<string>();
  const taken = await db
    .selectFrom('contracts')
    .select('intention_id')
    .where(
      'intention_id',
      'in',
      ready.map((r) => r.id),
    )
    .execute();
  return new Set(taken.map((t) => t.intention_id));
}

/**
 * The daily alert: every contract that has come within 6 months, or within 3 months, of its end
 * since its last alert is e-mailed once to everyone who manages commissioning (a link, nothing
 * else). Safe to run any number of times a day.
 */
export async function alertExpiring(db: Db, notifier: Notifier, baseUrl: string, today: string) {
  const rows = await db
    .selectFrom('contracts')
    .select(['id', 'reference', 'title', 'ends_on', 'alerted'])
    .where('ends_on', '>=', today)
    .where('ends_on', '<=', addMonths(today, 7))
    .orderBy('ends_on')
    .execute();
  const due = rows
    .map((r) => ({ ...r, now: expiry(r.ends_on, today) }))
    .filter((r) => (r.now === 'within-3-months' && r.alerted !== '3-months') || (r.now === 'within-6-months' && r.alerted === null));
  if (due.length === 0) return { contracts: 0, messages: 0 };
  const managers = Object.entries(ROLE_PERMISSIONS)
    .filter(([, ps]) => ps.includes('commissioning:manage'))
    .map(([r]) => r);
  const people = await db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .select('u.email')
    .distinct()
    .where('u.active', '=', true)
    .where('r.role', 'in', managers)
    .execute();
  const body = [
    `${due.length} ${due.length === 1 ? 'contract is' : 'contracts are'} coming to an end:`,
    '',
    ...due.map((d) => `- ${d.reference}: ${d.title}, ends ${longDate(d.ends_on)} (${EXPIRY_TEXT[d.now as 'within-3-months']})`),
    '',
    `Decide what follows: ${baseUrl}${paths.commissioning.contracts}`,
  ].join('\n');
  for (const p of people) await notifier.send(db, { channel: 'email', to: p.email, subject: 'Contracts coming to an end', body });
  for (const d of due)
    await db
      .updateTable('contracts')
      .set({ alerted: d.now === 'within-3-months' ? '3-months' : '6-months' })
      .where('id', '=', d.id)
      .execute();
  return { contracts: due.length, messages: people.length };
}
