// "Your work" for families (issue 15): what is the family's to do, read from the database for each
// child they may see, on both sides of every threshold: "about me" 12 months after it was written,
// a consent's review from 30 days before, a panel decision for six weeks after, a panel meeting
// about the child from four weeks before. A child the account may not see gives nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, databaseKinds } from './support/db.js';
import { migrate } from '../src/platform/db/migrate.js';
import { seedDemo } from '../src/demo/seed.js';
import type { Database } from '../src/platform/db/database.js';
import { OutboxNotifier } from '../src/platform/notify/notify.js';
import { addDays } from '../src/platform/financial-year.js';
import { todayInLondon } from '../src/platform/dates.js';
import { approveFamilyAccount, familyWork, familyWorklist, inviteFamilyMember } from '../src/capabilities/families/my-family/service.js';
import { CONTRIBUTORS } from '../src/capabilities/home/worklist.js';
import { createPanelWorld } from './support/panel-world.js';
import { addDecidedCase } from './support/dispute-world.js';
import { insertReferral } from './support/referrals.js';
import { userIdByEmail } from './support/register.js';

describe.each(databaseKinds())('what is the family’s to do on %s', (kind) => {
  let database: Database;
  const db = () => database.db;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrate(database);
    await seedDemo(database.db, { localOffer: false });
  });
  afterAll(() => database?.close());

  /** A child with a planned panel meeting on `meetsOn`, and their parent's account. */
  async function familyAccount(meetsOn: string) {
    const w = await createPanelWorld(db(), { meetsOn, meetingStatus: 'planned' });
    const member = await db()
      .selectFrom('family_members as m')
      .innerJoin('children as c', 'c.family_id', 'm.family_id')
      .select(['m.id', 'm.email', 'm.parental_responsibility'])
      .where('c.id', '=', w.childId)
      .executeTakeFirstOrThrow();
    expect(member.parental_responsibility && member.email).toBeTruthy();
    const caseworker = await userIdByEmail(db(), 'caseworker@demoshire.example.org');
    const { userId } = await inviteFamilyMember(db(), w.childId, member.id, caseworker);
    await approveFamilyAccount(
      db(),
      { notifier: new OutboxNotifier(), baseUrl: 'http://localhost' },
      w.childId,
      userId,
      await userIdByEmail(db(), 'keyworker@demoshire.example.org'),
    );
    return { w, userId };
  }
  const kinds = async (userId: string, today: string) => (await familyWork(db(), userId, today)).map((i) => i.text.split(' ').slice(0, 3).join(' '));

  it('is asked of family accounts only, through the home page’s contract', () => {
    expect(CONTRIBUTORS).toContain(familyWorklist);
    expect(familyWorklist.permissions).toEqual(['family:view']);
  });

  it('shows each kind of work on the right side of its threshold', async () => {
    const today = todayInLondon();
    const meetsOn = addDays(today, 60);
    const { w, userId } = await familyAccount(meetsOn);
    const childId = w.childId;

    // "About me": never written, so due at once; written, due 12 months later and not before.
    expect(await kinds(userId, today)).toContain('Check what “about');
    await db()
      .insertInto('about_me_versions')
      .values({
        child_id: childId,
        version: 1,
        what_matters: 'Trains (fictional)',
        written_with: 'Test family (fictional)',
        recorded_at: new Date('2025-03-10T12:00:00Z'),
      })
      .execute();
    expect(await kinds(userId, '2026-03-09')).not.toContain('Check what “about');
    const due = (await familyWork(db(), userId, '2026-03-10')).find((i) => i.text.startsWith('Check what “about me”'));
    expect(due).toMatchObject({ dueOn: '2026-03-10', href: `/my-family/children/${childId}/about-me`, children: [childId] });

    // A panel meeting about the child: from 28 days before, up to the day.
    const referral = await insertReferral(db(), { child_id: childId, status: 'to-panel', received_on: addDays(today, -5) });
    await db().insertInto('panel_cases').values({ meeting_id: w.meetingId, referral_id: referral.id, position: 1, added_by: w.administratorId }).execute();
    expect(await kinds(userId, addDays(meetsOn, -29))).not.toContain('The panel will');
    expect(await kinds(userId, addDays(meetsOn, -28))).toContain('The panel will');
    expect(await kinds(userId, meetsOn)).toContain('The panel will');
    expect(await kinds(userId, addDays(meetsOn, 1))).not.toContain('The panel will');

    // A decision: from the day it was made, for 42 days.
    const decidedOn = addDays(today, -10);
    await addDecidedCase(db(), w, { outcome: 'decline', receivedOn: addDays(today, -40), decidedOn });
    expect(await kinds(userId, addDays(decidedOn, -1))).not.toContain('Read what the');
    expect(await kinds(userId, decidedOn)).toContain('Read what the');
    expect(await kinds(userId, addDays(decidedOn, 42))).toContain('Read what the');
    expect(await kinds(userId, addDays(decidedOn, 43))).not.toContain('Read what the');

    // A consent's review: from 30 days before it.
    const consent = await db().selectFrom('consents').select('id').where('child_id', '=', childId).where('withdrawn_at', 'is', null).executeTakeFirst();
    expect(consent).toBeDefined();
    const reviewOn = addDays(today, 100);
    await db().updateTable('consents').set({ review_on: reviewOn }).where('child_id', '=', childId).execute();
    expect(await kinds(userId, addDays(reviewOn, -31))).not.toContain('Check who can');
    expect(await kinds(userId, addDays(reviewOn, -30))).toContain('Check who can');
    // Withdrawn, it is no longer the family's to review.
    await db().updateTable('consents').set({ withdrawn_at: new Date() }).where('child_id', '=', childId).execute();
    expect(await kinds(userId, addDays(reviewOn, -30))).not.toContain('Check who can');

    // Another family's account sees none of this child's work.
    const other = await familyAccount(addDays(today, 60));
    const theirs = await familyWork(db(), other.userId, decidedOn);
    expect(theirs.every((i) => i.children?.every((c) => c === other.w.childId))).toBe(true);
  });
});
