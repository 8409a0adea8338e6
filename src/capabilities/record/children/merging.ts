// The children capability's part in merging two records and undoing it (linkage's matching
// review decides and orchestrates; these write the children tables). Rows travel as JSON from the
// database itself, so timestamps keep their full precision for an exact restore.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError } from '../../../platform/http/errors.js';

export type ChildRow = Record<string, unknown>;

/** Locks both records for the rest of the transaction (in a fixed order, so two merges cannot deadlock); false if either has gone. */
export async function lockChildren(db: Db, ids: readonly string[]): Promise<boolean> {
  const locked = await db.selectFrom('children').select('id').where('id', 'in', ids).orderBy('id').forUpdate().execute();
  return locked.length === ids.length;
}

/** A children row, every column but the generated search keys. */
export async function childRow(db: Db, id: string): Promise<ChildRow> {
  const { rows } = await sql<{ r: ChildRow | string }>`select to_jsonb(c) - 'search_keys' as r from children c where c.id = ${id}`.execute(db);
  const r = rows[0]?.r;
  if (!r) throw new NotFoundError('child');
  return typeof r === 'string' ? (JSON.parse(r) as ChildRow) : r;
}

/** Writes a row from childRow back: every column (the generated search keys follow). */
export async function restoreChildRow(db: Db, row: ChildRow, mode: 'insert' | 'update') {
  // A snapshot taken before a column moved elsewhere (the key worker, migration 0019) still names it.
  const { rows } = await sql<{ name: string }>`select attname as name from pg_attribute
    where attrelid = 'children'::regclass and attnum > 0 and not attisdropped`.execute(db);
  const exists = new Set(rows.map((r) => r.name));
  const cols = Object.keys(row).filter((c) => exists.has(c) && c !== 'search_keys' && (mode === 'insert' || c !== 'id'));
  const list = sql.join(cols.map((c) => sql.ref(c)));
  const from = sql`from jsonb_populate_record(null::children, ${JSON.stringify(row)}::jsonb)`;
  if (mode === 'insert') await sql`insert into children (${list}) select ${list} ${from}`.execute(db);
  else await sql`update children set (${list}) = (select ${list} ${from}) where id = ${row.id}`.execute(db);
}

export async function deleteChild(db: Db, id: string) {
  await db.deleteFrom('children').where('id', '=', id).execute();
}

/**
 * The kept record after a merge: gaps filled from the merged one, either's EHC plan, found by
 * either's names. Returns its new version.
 */
export async function completeMergedChild(db: Db, id: string, change: { fill: ChildRow; hasEhcPlan: boolean; searchNames: string }): Promise<number> {
  const { version } = await db
    .updateTable('children')
    .set((eb) => ({
      ...(change.fill as object),
      has_ehc_plan: change.hasEhcPlan,
      search_names: change.searchNames,
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .returning('version')
    .executeTakeFirstOrThrow();
  return version;
}

export type CriterionRow = Record<string, unknown> & { criterion_id: string };

/**
 * One row per child and criterion: the merged record's assessments move to the kept record where
 * it has none for that criterion; the kept record's stand where both have one. Returns the merged
 * record's rows as they were and the criteria carried over, for the undo.
 */
export async function moveCriteria(db: Db, fromId: string, toId: string): Promise<{ criteria: CriterionRow[]; carried: string[] }> {
  const criteria = (await db.selectFrom('child_criteria').selectAll().where('child_id', '=', fromId).execute()) as CriterionRow[];
  const kept = new Set((await db.selectFrom('child_criteria').select('criterion_id').where('child_id', '=', toId).execute()).map((c) => c.criterion_id));
  await db.deleteFrom('child_criteria').where('child_id', '=', fromId).execute();
  const carried = criteria.filter((c) => !kept.has(c.criterion_id));
  if (carried.length)
    await db
      .insertInto('child_criteria')
      .values(carried.map((c) => ({ ...c, child_id: toId }) as never))
      .execute();
  return { criteria, carried: carried.map((c) => c.criterion_id) };
}

/** Undoes moveCriteria: the carried criteria leave the kept record, the merged record's rows return. */
export async function restoreCriteria(db: Db, keptId: string, moved: { criteria: readonly CriterionRow[]; carried: readonly string[] }) {
  if (moved.carried.length) await db.deleteFrom('child_criteria').where('child_id', '=', keptId).where('criterion_id', 'in', moved.carried).execute();
  if (moved.criteria.length)
    await db
      .insertInto('child_criteria')
      .values(moved.criteria as never)
      .execute();
}

/** Whether any record besides `exceptId` belongs to the family. */
export async function familyHasOtherChildren(db: Db, familyId: string, exceptId: string): Promise<boolean> {
  return !!(await db.selectFrom('children').select('id').where('family_id', '=', familyId).where('id', '<>', exceptId).executeTakeFirst());
}

/** A line in the record's history (merged, unmerged, and the like), written with the change. */
export async function addChildHistory(db: Db, childId: string, userId: string | null, changes: Record<string, unknown>) {
  await db
    .insertInto('child_history')
    .values({ child_id: childId, user_id: userId, changes: JSON.stringify(changes) })
    .execute();
}
