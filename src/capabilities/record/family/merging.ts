// The family's part in merging two records: when the merged record's family has no other child,
// its parents and carers join the kept record's family, and go back on an undo.
import type { Db } from '../../../platform/db/database.js';

/** Moves every member of one family to another; returns the ids moved. */
export async function moveFamilyMembers(db: Db, fromFamilyId: string, toFamilyId: string): Promise<string[]> {
  const members = await db.updateTable('family_members').set({ family_id: toFamilyId }).where('family_id', '=', fromFamilyId).returning('id').execute();
  return members.map((m) => m.id);
}

export async function restoreFamilyMembers(db: Db, ids: readonly string[], familyId: string) {
  if (ids.length) await db.updateTable('family_members').set({ family_id: familyId }).where('id', 'in', ids).execute();
}
