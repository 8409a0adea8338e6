// A young person's own account is tied to their record by a second person's check (migration 0032):
// merging the record it belongs to into another would carry it across unchecked, so the merge is
// refused with the reason, and nothing moves. The other way round (the kept record has the
// account) merges as usual.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, openTestDatabase } from './support/db.js';
import { createChild, userIdByEmail } from './support/register.js';
import { seedDemo } from '../src/demo/seed.js';
import { todayInLondon } from '../src/platform/dates.js';
import { addMonths } from '../src/capabilities/families/my-family/rules.js';
import { inviteYoungPerson } from '../src/capabilities/families/my-family/service.js';
import { mergeChildren } from '../src/capabilities/linkage/matching-review/merge.js';
import type { Database } from '../src/platform/db/database.js';

describe.each(databaseKinds())('merging a record with a young person’s own account, on %s', (kind) => {
  let database: Database;
  const db = () => database.db;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await seedDemo(database.db);
  });
  afterAll(() => database?.close());

  const seventeen = addMonths(todayInLondon(), -12 * 17);

  it('refuses when the newer record has the account, and moves nothing', async () => {
    const older = await createChild(db(), { givenName: 'Olderrecord', dateOfBirth: seventeen });
    const newer = await createChild(db(), { givenName: 'Newerrecord', dateOfBirth: seventeen });
    const cw = await userIdByEmail(db(), 'caseworker@demoshire.example.org');
    await inviteYoungPerson(db(), newer.childId, 'newer.own@example.net', cw);
    await expect(
      db()
        .transaction()
        .execute((tx) => mergeChildren(tx, older.childId, newer.childId, { userId: cw })),
    ).rejects.toThrow(/cannot be merged: the newer one has the young person’s own account/);
    const account = await db().selectFrom('family_accounts').select('child_id').where('child_id', 'in', [older.childId, newer.childId]).execute();
    expect(account).toEqual([{ child_id: newer.childId }]);
    const both = await db().selectFrom('children').select(['id', 'status']).where('id', 'in', [older.childId, newer.childId]).orderBy('id').execute();
    expect(both.every((c) => c.status === 'active')).toBe(true);
  });

  it('merges as usual when the kept (older) record has the account', async () => {
    const older = await createChild(db(), { givenName: 'Keptrecord', dateOfBirth: seventeen });
    const newer = await createChild(db(), { givenName: 'Mergedrecord', dateOfBirth: seventeen });
    const cw = await userIdByEmail(db(), 'caseworker@demoshire.example.org');
    await inviteYoungPerson(db(), older.childId, 'kept.own@example.net', cw);
    const merged = await db()
      .transaction()
      .execute((tx) => mergeChildren(tx, older.childId, newer.childId, { userId: cw }));
    expect(merged.keptId).toBe(older.childId);
    expect(await db().selectFrom('family_accounts').select('child_id').where('child_id', '=', older.childId).execute()).toHaveLength(1);
  });
});
