// Actual spend by child and service category in one financial year, read from the ledger's spend
// account: what the forecast's unit costs are made of (planning/forecast). Sums only; no names.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';

export interface ChildSpend {
  childId: string;
  serviceCategory: string;
  pence: number;
}

/** The latest financial year with any actual spend in the ledger (null when there is none). */
export async function latestSpendYear(db: Db): Promise<number | null> {
  const row = await db
    .selectFrom('ledger_entries')
    .select(sql<number | null>`max(financial_year)`.as('fy'))
    .where('account', '=', 'spend')
    .executeTakeFirst();
  return row?.fy ?? null;
}

/** Actual spend in `financialYear` for each child and service category (entries without a child are left out). */
export async function actualSpendByChild(db: Db, financialYear: number): Promise<ChildSpend[]> {
  const rows = await db
    .selectFrom('ledger_entries')
    .select(['child_id', 'service_category', sql<string>`sum(amount_pence)`.as('pence')])
    .where('account', '=', 'spend')
    .where('financial_year', '=', financialYear)
    .where('child_id', 'is not', null)
    .where('service_category', 'is not', null)
    .groupBy(['child_id', 'service_category'])
    .execute();
  return rows.map((r) => ({ childId: r.child_id!, serviceCategory: r.service_category!, pence: Number(r.pence) })).filter((r) => r.pence > 0);
}
