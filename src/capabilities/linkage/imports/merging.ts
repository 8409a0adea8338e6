// Imports' part in merging two records: the merged record's own values are kept on the kept
// record as alternatives (never lost), and removed again on an undo.
import type { Db } from '../../../platform/db/database.js';

export async function keepMergedValues(
  db: Db,
  childId: string,
  mergeId: string,
  suppliedAt: string,
  values: readonly { field: string; value: string }[],
): Promise<string[]> {
  if (!values.length) return [];
  const added = await db
    .insertInto('child_field_values')
    .values(values.map((x) => ({ child_id: childId, field: x.field, value: x.value, merge_id: mergeId, supplied_at: suppliedAt })))
    .returning('id')
    .execute();
  return added.map((x) => String(x.id));
}

export async function removeMergedValues(db: Db, ids: readonly string[]) {
  if (ids.length) await db.deleteFrom('child_field_values').where('id', 'in', ids).execute();
}
