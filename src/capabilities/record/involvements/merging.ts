// Involvements' part in merging two records: the kept record keeps its key worker; when it has
// none, the merged record's key worker becomes its own. The merged record's key worker, as it was,
// goes into the merge's snapshot so an undo puts it back exactly.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';

export type HeldKeyWorker = { user_id: string; version: number; updated_at: string; moved: boolean } | null;

export async function moveKeyWorker(db: Db, fromId: string, toId: string): Promise<HeldKeyWorker> {
  const merged = await db
    .selectFrom('key_workers')
    // The time as PostgreSQL writes it, microseconds and all, for an exact restore.
    .select(['user_id', 'version', sql<string>`updated_at::text`.as('at')])
    .where('child_id', '=', fromId)
    .executeTakeFirst();
  if (!merged) return null;
  const keptHasOne = !!(await db.selectFrom('key_workers').select('child_id').where('child_id', '=', toId).executeTakeFirst());
  if (keptHasOne) await db.deleteFrom('key_workers').where('child_id', '=', fromId).execute();
  else await db.updateTable('key_workers').set({ child_id: toId }).where('child_id', '=', fromId).execute();
  return { user_id: merged.user_id, version: merged.version, updated_at: merged.at, moved: !keptHasOne };
}

export async function restoreKeyWorker(db: Db, mergedId: string, keptId: string, held: HeldKeyWorker) {
  if (!held) return;
  if (held.moved) await db.deleteFrom('key_workers').where('child_id', '=', keptId).execute();
  await db.insertInto('key_workers').values({ child_id: mergedId, user_id: held.user_id, version: held.version, updated_at: held.updated_at }).execute();
}
