// Partners, pooling agreements, their financial years and contribution shares, contributions
// into the pool, and the accounting periods.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, ValidationError } from '../../../platform/http/errors.js';
import { todayInLondon } from '../../../platform/dates.js';
import { financialYearLabel, periodBounds } from '../../../platform/financial-year.js';
import { FULL_SHARE, formatShare } from './split.js';
import { inTransaction, post, type Posted } from './ledger.js';
import { isUuid } from '../../../platform/ids.js';

export const LEGAL_BASES = {
  'nhs-act-2006-s75': 'Section 75 of the NHS Act 2006 (pooled fund or aligned budgets)',
  'children-act-2004-s10': 'Section 10 of the Children Act 2004 (co-operation to improve well-being)',
  'children-and-families-act-2014-s26': 'Section 26 of the Children and Families Act 2014 (joint commissioning)',
  other: 'Another basis (explain it)',
} as const;
export type LegalBasis = keyof typeof LEGAL_BASES;

export const ARRANGEMENTS = {
  pooled: 'Pooled fund, held by a host partner',
  aligned: 'Aligned budgets: each partner keeps its own budget, managed against one plan',
} as const;

interface Actor {
  id: string;
}

// Partners --------------------------------------------------------------------------------------

export const listPartners = (db: Db) =>
  db
    .selectFrom('budget_partners as p')
    .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
    .select(['p.id', 'p.short_name', 'p.organisation_id', 'p.active', 'o.name as organisation_name', 'o.type as organisation_type'])
    .orderBy('p.short_name')
    .execute();

export async function createPartner(db: Db, input: { organisationId: string; shortName: string }) {
  const org = isUuid(input.organisationId)
    ? await db.selectFrom('organisations').select(['id', 'name', 'active']).where('id', '=', input.organisationId).executeTakeFirst()
    : undefined;
  if (!org?.active) throw new ValidationError([{ text: 'Select the organisation', href: '#organisationId' }]);
  const clash = await db
    .selectFrom('budget_partners')
    .select(['organisation_id', 'short_name'])
    .where((eb) => eb.or([eb('organisation_id', '=', org.id), eb(sql`lower(short_name)`, '=', input.shortName.toLowerCase())]))
    .executeTakeFirst();
  if (clash?.organisation_id === org.id) throw new ValidationError([{ text: `${org.name} is already a partner`, href: '#organisationId' }]);
  if (clash) throw new ValidationError([{ text: `Another partner is already called ${clash.short_name}. Choose a different short name`, href: '#shortName' }]);
  return db.insertInto('budget_partners').values({ organisation_id: org.id, short_name: input.shortName }).returning(['id']).executeTakeFirstOrThrow();
}

// Agreements ------------------------------------------------------------------------------------

export interface NewAgreement {
  code: string;
  name: string;
  arrangement: 'pooled' | 'aligned';
  legalBasis: LegalBasis;
  legalBasisNote: string | null;
  hostPartnerId: string | null;
  startsOn: string;
}

export async function createAgreement(db: Db, input: NewAgreement, by: Actor) {
  if (input.arrangement === 'pooled') {
    const host =
      input.hostPartnerId && isUuid(input.hostPartnerId)
        ? await db.selectFrom('budget_partners').select('id').where('id', '=', input.hostPartnerId).executeTakeFirst()
        : undefined;
    if (!host) throw new ValidationError([{ text: 'Select the partner that hosts the pooled fund', href: '#hostPartnerId' }]);
  }
  if (input.legalBasis === 'other' && !input.legalBasisNote) {
    throw new ValidationError([{ text: 'Explain the legal basis of the agreement', href: '#legalBasisNote' }]);
  }
  const clash = await db.selectFrom('pooling_agreements').select('name').where('code', '=', input.code).executeTakeFirst();
  if (clash) throw new ValidationError([{ text: `The agreement ${clash.name} already uses the code ${input.code}. Choose a different code`, href: '#code' }]);
  return db
    .insertInto('pooling_agreements')
    .values({
      code: input.code,
      name: input.name,
      arrangement: input.arrangement,
      legal_basis: input.legalBasis,
      legal_basis_note: input.legalBasisNote,
      host_partner_id: input.arrangement === 'pooled' ? input.hostPartnerId : null,
      starts_on: input.startsOn,
      created_by: by.id,
    })
    .returning(['id'])
    .executeTakeFirstOrThrow();
}

export const listAgreements = (db: Db) =>
  db
    .selectFrom('pooling_agreements as a')
    .leftJoin('budget_partners as h', 'h.id', 'a.host_partner_id')
    .select(['a.id', 'a.code', 'a.name', 'a.arrangement', 'a.legal_basis', 'a.starts_on', 'h.short_name as host_name'])
    .orderBy('a.name')
    .execute();

export async function getAgreement(db: Db, id: string | undefined) {
  if (!isUuid(id)) throw new NotFoundError('agreement');
  const a = await db
    .selectFrom('pooling_agreements as a')
    .leftJoin('budget_partners as h', 'h.id', 'a.host_partner_id')
    .selectAll('a')
    .select(['h.short_name as host_name'])
    .where('a.id', '=', id)
    .executeTakeFirst();
  if (!a) throw new NotFoundError('agreement');
  return a;
}

/** The agreement's financial years, each with its partners' shares. */
export async function agreementYears(db: Db, agreementId: string) {
  const [years, shares] = await Promise.all([
    db.selectFrom('agreement_years').select('financial_year').where('agreement_id', '=', agreementId).orderBy('financial_year').execute(),
    db
      .selectFrom('agreement_shares as s')
      .innerJoin('budget_partners as p', 'p.id', 's.partner_id')
      .select(['s.financial_year', 's.partner_id', 's.share_bp', 'p.short_name'])
      .where('s.agreement_id', '=', agreementId)
      .orderBy('p.short_name')
      .execute(),
  ]);
  return years.map((y) => ({
    financialYear: y.financial_year,
    label: financialYearLabel(y.financial_year),
    shares: shares
      .filter((s) => s.financial_year === y.financial_year)
      .map((s) => ({ partnerId: s.partner_id, name: s.short_name, bp: s.share_bp, share: formatShare(s.share_bp) })),
  }));
}

/** Adds a financial year with each partner's agreed share; shares must add up to exactly 100%. */
export async function addAgreementYear(db: Db, agreementId: string, financialYear: number, shares: { partnerId: string; bp: number }[]) {
  await getAgreement(db, agreementId);
  const given = shares.filter((s) => s.bp > 0);
  const total = given.reduce((a, s) => a + s.bp, 0);
  if (given.length === 0 || total !== FULL_SHARE) {
    throw new ValidationError([{ text: `The partners’ shares add up to ${formatShare(total)}: they must add up to exactly 100%`, href: '#shares' }]);
  }
  const exists = await db
    .selectFrom('agreement_years')
    .select('financial_year')
    .where('agreement_id', '=', agreementId)
    .where('financial_year', '=', financialYear)
    .executeTakeFirst();
  if (exists)
    throw new ValidationError([{ text: `The agreement already has the financial year ${financialYearLabel(financialYear)}`, href: '#financialYear' }]);
  await inTransaction(db, async (tx) => {
    await tx.insertInto('agreement_years').values({ agreement_id: agreementId, financial_year: financialYear }).execute();
    await tx
      .insertInto('agreement_shares')
      .values(given.map((s) => ({ agreement_id: agreementId, financial_year: financialYear, partner_id: s.partnerId, share_bp: s.bp })))
      .execute();
  });
}

// Contributions ---------------------------------------------------------------------------------

export interface Contribution {
  agreementId: string;
  financialYear: number;
  partnerId: string;
  serviceCategory: string;
  amountPence: number;
  postedOn: string;
  reason: string;
  /** Names this contribution (a form's one-time token, or the import row): posting it twice records it once. */
  eventId: string;
}

/** A partner's contribution to the pool's budget for a year and service: Dr budget, Cr contributions. */
export async function recordContribution(db: Db, c: Contribution, by: Actor | null): Promise<Posted> {
  const year = await db
    .selectFrom('agreement_shares')
    .select('share_bp')
    .where('agreement_id', '=', c.agreementId)
    .where('financial_year', '=', c.financialYear)
    .where('partner_id', '=', c.partnerId)
    .executeTakeFirst();
  if (!year) {
    throw new ValidationError([
      {
        text: `The partner has no agreed share of ${financialYearLabel(c.financialYear)} in this agreement. Add the year and its shares first`,
        href: '#partnerId',
      },
    ]);
  }
  const dims = { agreementId: c.agreementId, partnerId: c.partnerId, financialYear: c.financialYear, serviceCategory: c.serviceCategory };
  return post(db, {
    idempotencyKey: `contribution:${c.eventId}`,
    kind: 'contribution',
    postedOn: c.postedOn,
    reason: c.reason,
    recordedBy: by?.id ?? null,
    lines: [
      { account: 'budget', amountPence: c.amountPence, ...dims },
      { account: 'contributions', amountPence: -c.amountPence, ...dims },
    ],
  });
}

// Periods ---------------------------------------------------------------------------------------

/** The periods of a financial year, open or closed. */
export async function listPeriods(db: Db, financialYear: number) {
  const rows = await db
    .selectFrom('ledger_periods as p')
    .leftJoin('users as u', 'u.id', 'p.closed_by')
    .select(['p.period', 'p.closed_at', 'u.display_name as closed_by_name'])
    .where('p.financial_year', '=', financialYear)
    .execute();
  return Array.from({ length: 12 }, (_, i) => {
    const period = i + 1;
    const row = rows.find((r) => r.period === period);
    return { period, ...periodBounds(financialYear, period), closedAt: row?.closed_at ?? null, closedBy: row?.closed_by_name ?? null };
  });
}

/**
 * Closes a period once it has ended. Takes the period's row FOR UPDATE, which waits for postings
 * in flight (they hold it FOR KEY SHARE), so none lands in it after it is closed.
 */
export async function closePeriod(db: Db, financialYear: number, period: number, by: Actor, today = todayInLondon()) {
  const bounds = periodBounds(financialYear, period);
  if (bounds.endsOn >= today)
    throw new ValidationError([{ text: `${bounds.name} has not ended yet: a period can be closed only after its last day`, href: '#period' }]);
  await inTransaction(db, async (tx) => {
    await tx
      .insertInto('ledger_periods')
      .values({ financial_year: financialYear, period, starts_on: bounds.startsOn, ends_on: bounds.endsOn })
      .onConflict((oc) => oc.columns(['financial_year', 'period']).doNothing())
      .execute();
    const row = await tx
      .selectFrom('ledger_periods')
      .select('closed_at')
      .where('financial_year', '=', financialYear)
      .where('period', '=', period)
      .forUpdate()
      .executeTakeFirstOrThrow();
    if (row.closed_at) throw new ValidationError([{ text: `${bounds.name} is already closed`, href: '#period' }]);
    await tx
      .updateTable('ledger_periods')
      .set({ closed_at: new Date(), closed_by: by.id })
      .where('financial_year', '=', financialYear)
      .where('period', '=', period)
      .execute();
  });
}
