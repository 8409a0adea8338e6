// Tell it once's part in merging two records: the merged record's "about me" versions follow the
// kept record's, in order, and go back on an undo.
import type { Db } from '../../../platform/db/database.js';

export type MovedVersion = { id: string; version: number };

/** Moves the versions; returns each one's id and number as it was. */
export async function moveAboutMe(db: Db, fromId: string, toId: string): Promise<MovedVersion[]> {
  const top = await db
    .selectFrom('about_me_versions')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('child_id', '=', toId)
    .executeTakeFirst();
  const moved = (await db.selectFrom('about_me_versions').select(['id', 'version']).where('child_id', '=', fromId).orderBy('version').execute()).map((x) => ({
    id: x.id,
    version: x.version,
  }));
  for (const [i, v] of moved.entries()) {
    await db
      .updateTable('about_me_versions')
      .set({ child_id: toId, version: Number(top?.v ?? 0) + i + 1 })
      .where('id', '=', v.id)
      .execute();
  }
  return moved;
}

export async function restoreAboutMe(db: Db, childId: string, moved: readonly MovedVersion[]) {
  for (const v of moved) await db.updateTable('about_me_versions').set({ child_id: childId, version: v.version }).where('id', '=', v.id).execute();
}
