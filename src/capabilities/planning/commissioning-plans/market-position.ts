// The market position statement (issue 17 part 5): for providers, what the partnership means to
// commission, generated from the intentions of approved plans, around two parts the commissioner
// writes (an introduction, and what the partnership asks of providers). Plain text, shown as
// paragraphs: nothing typed is ever shown as HTML.
//
// Placeholders for the other parts of issue 17, to be drawn in when they exist (not on the page):
// - NEEDS: a summary of the needs assessment (/commissioning/needs);
// - FORECAST: the forecast of demand and cost for the next 5 years.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { StaleVersionError } from '../../../platform/http/errors.js';
import { STAGES } from './rules.js';

export async function readStatement(db: Db) {
  const row = await db.selectFrom('market_position_statements').selectAll().orderBy('updated_at').limit(1).executeTakeFirst();
  return row ?? { id: null, introduction: '', to_providers: '', updated_by: null, updated_at: null, version: 0 };
}

/** The intentions of approved plans, by plan, with what the plan expects to spend a year. */
export async function statementIntentions(db: Db) {
  const rows = await db
    .selectFrom('commissioning_intentions as i')
    .innerJoin('commissioning_plans as p', 'p.id', 'i.plan_id')
    .leftJoin('commissioning_priorities as pr', 'pr.id', 'i.priority_id')
    .select(['i.id', 'i.what', 'i.why', 'i.due_on', 'i.stage', 'i.expected_pence', 'p.title as plan', 'pr.title as priority'])
    .where('p.status', '=', 'approved')
    .orderBy('p.title')
    .orderBy('i.due_on')
    .execute();
  return rows.map((r) => ({ ...r, expected_pence: r.expected_pence === null ? null : Number(r.expected_pence), stageText: STAGES[r.stage] }));
}

export async function saveStatement(db: Db, input: { introduction: string; toProviders: string; version: number }, by: { id: string }) {
  const current = await readStatement(db);
  if (current.version !== input.version) throw new StaleVersionError();
  if (current.id === null) {
    await db
      .insertInto('market_position_statements')
      .values({ introduction: input.introduction, to_providers: input.toProviders, updated_by: by.id })
      .execute();
    return;
  }
  const updated = await db
    .updateTable('market_position_statements')
    .set({ introduction: input.introduction, to_providers: input.toProviders, updated_by: by.id, updated_at: new Date(), version: sql`version + 1` })
    .where('id', '=', current.id)
    .where('version', '=', input.version)
    .returning('id')
    .executeTakeFirst();
  if (!updated) throw new StaleVersionError();
}

/** Plain text as paragraphs: split on blank lines. */
export const paragraphs = (text: string) =>
  text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
