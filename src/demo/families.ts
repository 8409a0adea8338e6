// Demoshire's family accounts (issue 15): a parent, parent@demoshire.example.org, of a child the
// demo panel agreed short breaks for (so they see a referral, the panel's decision, the package and
// who pays), and a young person aged 17 with their own account, young-person@demoshire.example.org.
// Both are invited through the family capability's own writers, as a caseworker would from the
// child's record, and then given the demo password, as every demo account is. Staff then look at
// the parent's child's record, so "who has looked" has something in it. Every name is fictional.
// Added after the living demo (src/demo/life.ts), which makes the decision and package.
import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import { appendAudit } from '../platform/audit/audit.js';
import { OutboxNotifier } from '../platform/notify/notify.js';
import { addDays } from '../platform/financial-year.js';
import { todayInLondon } from '../platform/dates.js';
import { hashPassword } from '../capabilities/administration/sign-in/passwords.js';
import { addMember } from '../capabilities/record/family/service.js';
import { familyMemberForm } from '../capabilities/record/family/schema.js';
import { addAboutMeVersion, recordChronologyEvent } from '../capabilities/record/tell-it-once/index.js';
import { approveFamilyAccount, inviteFamilyMember, inviteYoungPerson } from '../capabilities/families/my-family/service.js';
import { DEMO_FAMILY_ACCOUNTS, DEMO_PASSWORD } from './seed.js';

export const DEMO_PARENT_EMAIL = DEMO_FAMILY_ACCOUNTS[0].email;
export const DEMO_YOUNG_PERSON_EMAIL = DEMO_FAMILY_ACCOUNTS[1].email;

export type DemoFamiliesResult = { skipped: 'already-there' | 'no-decision' } | { parentChildId: string; youngPersonId: string | null };

// The invitation e-mails go only to the outbox (quietly), and their links are used up at once: the
// demo accounts sign in with the demo password instead.
const tell = { notifier: new OutboxNotifier(), baseUrl: 'http://localhost' };

export async function seedDemoFamilies(db: Db, opts: { today?: string } = {}): Promise<DemoFamiliesResult> {
  const today = opts.today ?? todayInLondon();
  if (await db.selectFrom('users').select('id').where('email', '=', DEMO_PARENT_EMAIL).executeTakeFirst()) return { skipped: 'already-there' };
  return db.transaction().execute(async (tx) => {
    const staff = Object.fromEntries(
      (
        await tx
          .selectFrom('users as u')
          .innerJoin('user_roles as r', 'r.user_id', 'u.id')
          .select(['u.id', 'u.email', 'u.organisation_id', 'r.role'])
          .where(
            'u.email',
            'in',
            ['caseworker', 'keyworker', 'practitioner', 'panel', 'finance'].map((w) => `${w}@demoshire.example.org`),
          )
          .execute()
      ).map((u) => [u.email.split('@')[0]!, u]),
    );
    const caseworker = staff.caseworker;
    if (!caseworker) return { skipped: 'no-decision' as const };

    // The child the panel agreed a package for (the demo's short breaks), with their family.
    const child = await tx
      .selectFrom('panel_decisions as d')
      .innerJoin('referrals as r', 'r.id', 'd.referral_id')
      .innerJoin('children as c', 'c.id', 'r.child_id')
      .select(['c.id', 'c.family_id', 'c.given_name'])
      .where('d.package_id', 'is not', null)
      .where('c.family_id', 'is not', null)
      .where('c.status', '=', 'active')
      .orderBy('d.decided_on')
      .orderBy('c.council_id')
      .executeTakeFirst();
    if (!child?.family_id) return { skipped: 'no-decision' as const };

    // A parent with parental responsibility and the demo e-mail address, added as on the family page.
    const form = familyMemberForm.parse({
      fullName: 'Jordan Demo-Parent (fictional)',
      relationship: 'parent',
      parentalResponsibility: 'yes',
      email: DEMO_PARENT_EMAIL,
      preferredContact: 'email',
      contactConsents: ['email'],
    });
    const member = await addMember(tx, child.family_id, form);
    const parent = await inviteFamilyMember(tx, child.id, member.id, caseworker.id);
    // Asked for by the caseworker, approved by a second person (the key worker), as anyone's must be.
    const approver = staff.keyworker ?? staff.practitioner!;
    await approveFamilyAccount(tx, tell, child.id, parent.userId, approver.id);
    const hash = await hashPassword(DEMO_PASSWORD);
    await setDemoPassword(tx, parent.userId, hash);

    // What the family wrote about their child a little over a year ago: due for them to check.
    const parentOrg = (await tx.selectFrom('users').select('organisation_id').where('id', '=', parent.userId).executeTakeFirstOrThrow()).organisation_id;
    await addAboutMeVersion(
      tx,
      child.id,
      {
        whatMatters: `${child.given_name} loves music and being outdoors, and likes to know what is happening next (demo).`,
        whatWorks: 'A picture timetable; a quiet space to calm down; the same people each week (demo).',
        whatDoesNotWork: 'Sudden changes and loud, crowded rooms (demo).',
        communication: 'Uses some words and signs; a communication book goes everywhere (demo).',
        aspirations: 'To go to the youth club with friends (demo).',
        writtenWith: `${child.given_name} and their parent (demo)`,
        basedOn: Number(
          (
            await tx
              .selectFrom('about_me_versions')
              .select((eb) => eb.fn.max('version').as('v'))
              .where('child_id', '=', child.id)
              .executeTakeFirst()
          )?.v ?? 0,
        ),
      },
      { id: parent.userId, organisationId: parentOrg },
    );
    await sql`update about_me_versions set recorded_at = ${`${addDays(today, -380)}T12:00:00Z`}::timestamptz
              where child_id = ${child.id} and version = (select max(version) from about_me_versions where child_id = ${child.id})`.execute(tx);
    await recordChronologyEvent(tx, {
      childId: child.id,
      organisationId: caseworker.organisation_id,
      occurredOn: today,
      section: 'core',
      title: 'The family were invited to use Jointly (demo)',
      recordedBy: caseworker.id,
    });

    // Who has looked: the people who worked on the request for help read the record.
    const looks: [string, string, string][] = [
      ['caseworker', 'children.record.view', 'Preparing the summary for the joint resources panel (demo)'],
      ['caseworker', 'child.about-me.view', 'Preparing the summary for the joint resources panel (demo)'],
      ['keyworker', 'children.record.view', 'Key working: checking the plan before a family visit (demo)'],
      ['keyworker', 'child.family.view', 'Key working: checking contact details (demo)'],
      ['panel', 'children.record.view', 'Reading the papers for the panel (demo)'],
      ['finance', 'child.packages.view', 'Checking the agreed short breaks before paying the provider (demo)'],
      ['practitioner', 'children.record.view', 'Community health: before an appointment (demo)'],
      ['caseworker', 'child.sharing.view', 'Checking who the family agreed to share with (demo)'],
    ];
    for (const [who, action, purpose] of looks) {
      const u = staff[who];
      if (!u) continue;
      await appendAudit(tx, {
        userId: u.id,
        organisationId: u.organisation_id,
        roles: [u.role],
        action,
        subjectType: 'child',
        subjectId: child.id,
        purpose,
        result: 'allowed',
        details: { demo: true },
      });
    }

    // A young person of 17 with their own account: the first such demo child, invited by the caseworker.
    const seventeen = await tx
      .selectFrom('children as c')
      .select(['c.id'])
      .where('c.council_id', 'like', 'DEMO-POP-%')
      .where('c.status', '=', 'active')
      .where('c.id', '!=', child.id)
      .where('c.date_of_birth', '<=', sql<string>`(${today}::date - interval '17 years')::date`)
      .where('c.date_of_birth', '>', sql<string>`(${today}::date - interval '18 years' + interval '60 days')::date`)
      .orderBy('c.council_id')
      .executeTakeFirst();
    let youngPersonId: string | null = null;
    if (seventeen) {
      const yp = await inviteYoungPerson(tx, seventeen.id, DEMO_YOUNG_PERSON_EMAIL, caseworker.id, today);
      await approveFamilyAccount(tx, tell, seventeen.id, yp.userId, approver.id);
      await setDemoPassword(tx, yp.userId, hash);
      youngPersonId = seventeen.id;
    }
    return { parentChildId: child.id, youngPersonId };
  });
}

/** The demo password, as every demo account has, and the e-mailed invitation used up. */
async function setDemoPassword(tx: Db, userId: string, hash: string) {
  await tx.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
  await tx.updateTable('invitations').set({ used_at: new Date() }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
}
