// A multi-agency panel ready to decide a case, for tests (issue 6). Budgets are set up through
// the budgets services (test/support/budgets.ts); the referral, panel, members, meeting, agenda
// and attendance are inserted directly, so this fixture does not depend on the referral and panel
// screens being finished. Every name is fictional (the demo organisations and users).
//
//   const w = await createPanelWorld(db);                       // three members present, £50,000 each
//   const w = await createPanelWorld(db, { present: ['education', 'socialCare'] });
//   const w = await createPanelWorld(db, { interests: { health: 'Knows the family' } });
import { insertReferral } from './referrals.js';
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db/database.js';
import { addDays, financialYearEnd, financialYearOf } from '../../src/platform/financial-year.js';
import { todayInLondon } from '../../src/platform/dates.js';
import { createTestPool, type TestPool } from './budgets.js';
import { createChild, userIdByEmail } from './register.js';
import { text } from './app.js';
import { dateParts } from './dates.js';
export { dateParts };

export type PartnerKey = 'education' | 'socialCare' | 'health';
export const PARTNER_KEYS: readonly PartnerKey[] = ['education', 'socialCare', 'health'];

/** The demo users who sit on the panel, one per partner, and the panel's administrator. */
export const PANEL_USERS = {
  administrator: 'caseworker@demoshire.example.org', // DEMO-EDU caseworker: runs the meeting
  education: 'panel-chair@demoshire.example.org', // DEMO-EDU
  socialCare: 'panel-care@demoshire.example.org', // DEMO-CSC
  health: 'panel@demoshire.example.org', // DEMO-ICB
  referrer: 'keyworker@demoshire.example.org', // DEMO-CSC key worker who made the referral
} as const;

export interface PanelWorldOptions {
  /** Who is present (default all three). */
  present?: PartnerKey[];
  /** Declarations of interest, by member. */
  interests?: Partial<Record<PartnerKey, string>>;
  /** Each member's delegated authority a year, in pence (default £50,000), or per member. */
  authorityPence?: number | Partial<Record<PartnerKey, number>>;
  quorumMembers?: number;
  /** Organisation types needed for a joint funding decision (default the three). */
  jointFundingAgencies?: string[];
  meetsOn?: string;
  meetingStatus?: 'planned' | 'published' | 'held' | 'cancelled';
  /** An existing pool to use instead of a new one. */
  pool?: TestPool;
  /** The referral's route: 'family' uses the family's own contact details. */
  route?: 'partner' | 'family';
}

export interface PanelWorld {
  pool: TestPool;
  partners: Record<PartnerKey, string>;
  childId: string;
  referralId: string;
  panelId: string;
  meetingId: string;
  caseId: string;
  administratorId: string;
  referrerId: string;
  /** Member users and panel_members ids. */
  members: Record<PartnerKey, { userId: string; memberId: string }>;
}

let counter = 0;

export async function createPanelWorld(db: Db, opts: PanelWorldOptions = {}): Promise<PanelWorld> {
  const today = todayInLondon();
  const n = ++counter;
  const pool = opts.pool ?? (await createTestPool(db));
  const partners: Record<PartnerKey, string> = { education: pool.education, socialCare: pool.socialCare, health: pool.health };
  const administratorId = await userIdByEmail(db, PANEL_USERS.administrator);
  const referrerId = await userIdByEmail(db, PANEL_USERS.referrer);
  const { childId } = await createChild(db, {
    givenName: 'Panelchild',
    familyName: `Testfamily${n}`,
    involvedOrgCodes: ['DEMO-EDU', 'DEMO-CSC'],
    familyMember: {
      fullName: 'Pat Testparent',
      relationship: 'mother',
      email: `pat.testparent${n}@example.org`,
      consentsToEmail: true,
      preferredContact: 'email',
    },
  });
  const referrerOrg = await db.selectFrom('users').select('organisation_id').where('id', '=', referrerId).executeTakeFirstOrThrow();
  const family = opts.route === 'family';
  const referral = await insertReferral(db, {
    route: family ? 'family' : 'partner',
    child_id: childId,
    child_details: JSON.stringify({ givenName: 'Panelchild', familyName: `Testfamily${n}` }),
    referrer_user_id: family ? null : referrerId,
    referrer_organisation_id: family ? null : referrerOrg.organisation_id,
    referrer_name: family ? 'Pat Testparent' : 'Demo Key Worker',
    referrer_relationship: family ? 'parent' : 'professional',
    referrer_email: family ? `pat.testparent${n}@example.org` : PANEL_USERS.referrer,
    help_needed: 'Personal care at home after an operation (fictional)',
    reason: 'Needs help from education, social care and health together (fictional)',
    consent_given_by: 'Pat Testparent (parent)',
    status: 'to-panel',
    received_on: today,
  });

  const panel = await db
    .insertInto('panels')
    .values({
      name: `Joint funding panel ${n}-${Math.floor(Math.random() * 1e6)} (fictional)`,
      purpose: 'Decides packages that no single agency can meet (fictional)',
      frequency: 'Monthly',
      administrator_id: administratorId,
      quorum_members: opts.quorumMembers ?? 3,
      joint_funding_agencies: JSON.stringify(opts.jointFundingAgencies ?? ['council-education', 'council-social-care', 'nhs-commissioner']),
    })
    .returning('id')
    .executeTakeFirstOrThrow();

  const authority = (k: PartnerKey) => (typeof opts.authorityPence === 'number' ? opts.authorityPence : (opts.authorityPence?.[k] ?? 5_000_000));
  const members = {} as Record<PartnerKey, { userId: string; memberId: string }>;
  for (const k of PARTNER_KEYS) {
    const userId = await userIdByEmail(db, PANEL_USERS[k]);
    const m = await db
      .insertInto('panel_members')
      .values({ panel_id: panel.id, user_id: userId, role: k === 'education' ? 'chair' : 'member', partner_id: partners[k], authority_pence: authority(k) })
      .returning('id')
      .executeTakeFirstOrThrow();
    members[k] = { userId, memberId: m.id };
  }

  const meetsOn = opts.meetsOn ?? today;
  const shift = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const meeting = await db
    .insertInto('panel_meetings')
    .values({
      panel_id: panel.id,
      meets_on: meetsOn,
      cut_off_on: shift(meetsOn, -10),
      papers_due_on: shift(meetsOn, -7),
      place: 'Committee room 2 (fictional)',
      status: opts.meetingStatus ?? 'held',
      published_at: new Date(),
      published_by: administratorId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const pc = await db
    .insertInto('panel_cases')
    .values({ meeting_id: meeting.id, referral_id: referral.id, position: 1, summary: 'Post-operative personal care (fictional)', added_by: administratorId })
    .returning('id')
    .executeTakeFirstOrThrow();

  const present = new Set(opts.present ?? PARTNER_KEYS);
  for (const k of PARTNER_KEYS) {
    await db
      .insertInto('meeting_attendance')
      .values({
        meeting_id: meeting.id,
        user_id: members[k].userId,
        present: present.has(k),
        interests: opts.interests?.[k] ?? null,
        recorded_by: administratorId,
      })
      .execute();
  }
  return { pool, partners, childId, referralId: referral.id, panelId: panel.id, meetingId: meeting.id, caseId: pc.id, administratorId, referrerId, members };
}

// Helpers shared by the panel decision tests ------------------------------------------------------

/** The day, month and year fields of a GOV.UK date input named `field`, for an ISO date. */

/** The links in a page's error summary, as { href, text }. */
export const errorsOf = (body: string) =>
  [...body.matchAll(/<a href="(#[^"]+)">([^<]+)<\/a>/g)]
    .filter((m) => body.indexOf('govuk-error-summary') < m.index)
    .map((m) => ({ href: m[1]!, text: text(m[2]!).trim() }));

/** 13 weeks inside this financial year, starting on or before today: their whole cost is committed now. */
export const decisionWindow = (today: string) => {
  const start = [today, addDays(financialYearEnd(financialYearOf(today)), -90)].sort()[0]!;
  return { start, end: addDays(start, 90) };
};

/** The code of the first service category, as the decision form lists them. */
export const firstServiceCategory = async (db: Db) =>
  (await db.selectFrom('service_categories').select('code').orderBy('position').executeTakeFirstOrThrow()).code;

/** The decision form's package terms: personal care at £20 for 10 units a week from start to end, reviewed after six weeks. */
export const personalCareTerms = (w: PanelWorld, category: string, start: string, end: string) => ({
  serviceCategory: category,
  service: 'Personal care at home',
  providerId: w.pool.providerId,
  unitCost: '20.00',
  units: '10',
  frequency: 'week',
  ...dateParts('startsOn', start),
  ...dateParts('endsOn', end),
  ...dateParts('reviewOn', addDays(start, 42)),
});

/** What recording a decision on the world's case writes, to show a refused decision wrote nothing. */
export async function decisionCounts(db: Db, w: PanelWorld) {
  const n = async (q: Promise<{ n: number | string | bigint }>) => Number((await q).n);
  return {
    decisions: await n(
      db
        .selectFrom('panel_decisions')
        .select(sql<number>`count(*)`.as('n'))
        .where('case_id', '=', w.caseId)
        .executeTakeFirstOrThrow(),
    ),
    packages: await n(
      db
        .selectFrom('packages')
        .select(sql<number>`count(*)`.as('n'))
        .where('child_id', '=', w.childId)
        .executeTakeFirstOrThrow(),
    ),
    ledger: await n(
      db
        .selectFrom('ledger_transactions')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow(),
    ),
    status: (await db.selectFrom('referrals').select('status').where('id', '=', w.referralId).executeTakeFirstOrThrow()).status,
    events: await n(
      db
        .selectFrom('referral_events')
        .select(sql<number>`count(*)`.as('n'))
        .where('referral_id', '=', w.referralId)
        .executeTakeFirstOrThrow(),
    ),
  };
}
