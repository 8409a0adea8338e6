// The demo area's recent weeks, so every demo account opens Jointly to something to do: referrals
// waiting for triage; a panel meeting a few weeks ago with its decisions (one outcome sheet
// issued, two still to issue) and a dispute about a share now at the ladder's second step; the
// next meeting's agenda published with its papers; an emergency access waiting for review; a
// consent waiting for a second person; an agency extract applied with uncertain matches to review
// and another checked and waiting. Everything goes through the capabilities' own services, with
// the day each step happened on, as the screens would have done it. Every person, child and
// reason is fictional, and each text says "(demo)". Added after the population, money and panel.
import type { Db } from '../platform/db/database.js';
import type { CurrentUser } from '../platform/auth/current-user.js';
import { permissionsOf, type Role } from '../platform/access/roles.js';
import { OutboxNotifier } from '../platform/notify/notify.js';
import { todayInLondon } from '../platform/dates.js';
import { addDays } from '../platform/financial-year.js';
import { createPartnerReferral, triage } from '../capabilities/referral-and-panel/referrals/service.js';
import { addCase, addMeeting, getMeeting, getPanel, markHeld, publish, recordAttendance } from '../capabilities/referral-and-panel/panels/service.js';
import { meetingDeadlines, nextMonthlyMeetings } from '../capabilities/referral-and-panel/panels/rules.js';
import { getDecision, recordDecision } from '../capabilities/referral-and-panel/panel-decisions/service.js';
import { issueSheet } from '../capabilities/referral-and-panel/panel-decisions/sheets.js';
import { escalateDispute, raiseDispute } from '../capabilities/referral-and-panel/disputes/service.js';
import { addConsent, grantEmergencyAccess, viewerOf, visibleChild } from '../capabilities/record/sharing/service.js';
import { applyImport, claimForApply, createImport, dryRun, sourceByName } from '../capabilities/linkage/imports/service.js';
import { demoExtracts, ensureDemoSources } from '../capabilities/linkage/imports/demo-extracts.js';
import { DEMO_PANEL_NAME } from './panel.js';

export type DemoLifeResult = { skipped: 'already-there' | 'no-panel' } | { referrals: number; decisions: number; disputes: number; imports: number };

const EMAIL = (who: string) => `${who}@demoshire.example.org`;
const SECOND_WEDNESDAY = { weekday: 3, nth: 2 } as const;
/** A quiet notifier: what the demo "sent" is in the outbox, as it would be without GOV.UK Notify, but not printed on the console. */
const notifier = new OutboxNotifier();
const tell = { notifier, baseUrl: '' };

/** A demo account as the services see a signed-in person. */
async function demoUser(db: Db, who: string): Promise<CurrentUser> {
  const u = await db
    .selectFrom('users as u')
    .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
    .select(['u.id', 'u.display_name', 'u.email', 'u.organisation_id', 'o.name', 'o.type'])
    .where('u.email', '=', EMAIL(who))
    .executeTakeFirstOrThrow();
  const roles = (await db.selectFrom('user_roles').select('role').where('user_id', '=', u.id).execute()).map((r) => r.role as Role);
  return {
    id: u.id,
    displayName: u.display_name,
    email: u.email,
    organisationId: u.organisation_id,
    organisationName: u.name,
    organisationType: u.type,
    roles,
    permissions: permissionsOf(roles),
    sessionIdHash: '',
  };
}

/** Children this person may see, not already referred, in a stable order. */
async function visibleChildren(db: Db, user: CurrentUser, n: number, skip: readonly string[]) {
  return db
    .selectFrom('children as c')
    .select(['c.id'])
    .where(visibleChild(viewerOf(user), 'c'))
    .where('c.status', '=', 'active')
    .where('c.council_id', 'like', 'DEMO-POP-%')
    .$if(skip.length > 0, (q) => q.where('c.id', 'not in', skip))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('referrals as r').select('r.id').whereRef('r.child_id', '=', 'c.id'))))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('packages as k').select('k.id').whereRef('k.child_id', '=', 'c.id'))))
    .orderBy('c.council_id')
    .limit(n)
    .execute();
}

const REFERRALS = [
  {
    help: 'Overnight short breaks so the family can rest; support with personal care at home (demo).',
    reason: 'Needs across education, health and social care; the family are finding evenings and nights very hard (fictional, demo).',
  },
  {
    help: 'A review of therapy support in school and equipment at home (demo).',
    reason: 'New diagnosis; the school and the therapy team both see a change in needs this term (fictional, demo).',
  },
  {
    help: 'Key working to bring the professionals around the family together (demo).',
    reason: 'Several services involved and the parents are telling their story again and again (fictional, demo).',
  },
];

export async function seedDemoLife(db: Db, opts: { today?: string; now?: Date } = {}): Promise<DemoLifeResult> {
  const today = opts.today ?? todayInLondon(opts.now);
  const panelRow = await db.selectFrom('panels').select('id').where('name', '=', DEMO_PANEL_NAME).executeTakeFirst();
  if (!panelRow) return { skipped: 'no-panel' };
  const already = await db
    .selectFrom('panel_cases as c')
    .innerJoin('panel_meetings as m', 'm.id', 'c.meeting_id')
    .select('c.id')
    .where('m.panel_id', '=', panelRow.id)
    .executeTakeFirst();
  if (already) return { skipped: 'already-there' };

  const result = await db.transaction().execute(async (tx) => {
    const caseworker = await demoUser(tx, 'caseworker');
    const keyworker = await demoUser(tx, 'keyworker');
    const practitioner = await demoUser(tx, 'practitioner');
    const chair = await demoUser(tx, 'panel-chair');
    const care = await demoUser(tx, 'panel-care');
    const health = await demoUser(tx, 'panel');
    const finance = await demoUser(tx, 'finance');
    const panel = await getPanel(tx, panelRow.id);
    const at = (day: string, hour = 10) => new Date(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);
    const referred: string[] = [];
    let referrals = 0;
    /** A partner's referral, received on `on`, optionally triaged two days later. */
    const refer = async (by: CurrentUser, childId: string, i: number, on: string, decision?: 'to-panel' | 'more-information') => {
      const r = REFERRALS[i % REFERRALS.length]!;
      const row = await createPartnerReferral(
        tx,
        notifier,
        by,
        { childId, helpNeeded: r.help, reason: r.reason, basis: 'consent', consentGivenBy: 'Parent, at a family meeting (demo)', lawfulBasis: null },
        on,
      );
      referrals++;
      referred.push(childId);
      if (decision)
        await triage(
          tx,
          notifier,
          caseworker,
          row.id,
          {
            decision,
            version: 1,
            reason:
              decision === 'to-panel'
                ? 'Needs that no single agency can meet: for the joint resources panel (demo).'
                : 'Please send the latest therapy report so we can decide (demo).',
          },
          at(addDays(on, 2)),
        );
      return row;
    };
    const children = async (by: CurrentUser, n: number) => (await visibleChildren(tx, by, n, referred)).map((c) => c.id);

    // A meeting a few weeks ago: the last second Wednesday at least a week before today.
    const past = nextMonthlyMeetings(addDays(today, -75), SECOND_WEDNESDAY, 3)
      .filter((m) => m.problem === null && m.meetsOn <= addDays(today, -7))
      .at(-1)!.meetsOn;
    const pastDeadlines = meetingDeadlines(past, { papersDays: panel.papers_days, cutOffDays: panel.cut_off_days });
    const pastCases = await children(caseworker, 3);
    for (const [i, id] of pastCases.entries()) await refer(caseworker, id, i, addDays(pastDeadlines.cutOffOn, -20), 'to-panel');
    const meeting = await addMeeting(tx, panel, { meetsOn: past, place: 'Demoshire Civic Centre, Room 2 (fictional), and online' }, addDays(past, -40));
    const version = async (id: string) => (await getMeeting(tx, id)).meeting.version;
    const waiting = async () =>
      tx.selectFrom('referrals').select(['id', 'reference']).where('status', '=', 'to-panel').where('child_id', 'in', referred).orderBy('reference').execute();
    const addAll = async (meetingId: string, day: string, late: boolean) => {
      const ids: string[] = [];
      for (const r of await waiting()) {
        const c = await addCase(
          tx,
          meetingId,
          await version(meetingId),
          { referralId: r.id, summary: 'Summary for the panel: needs, what has been tried, and what the family ask for (fictional, demo).', late },
          caseworker.id,
          day,
        );
        ids.push(c.caseId);
      }
      return ids;
    };
    const pastCaseIds = await addAll(meeting.id, addDays(pastDeadlines.cutOffOn, -1), false);
    await publish(tx, meeting.id, await version(meeting.id), {
      today: addDays(pastDeadlines.papersDueOn, -1),
      confirmLate: false,
      actorId: caseworker.id,
      notifier,
      baseUrl: '',
    });
    await recordAttendance(
      tx,
      meeting.id,
      await version(meeting.id),
      [chair, care, health].map((m) => ({ userId: m.id, present: true, interests: null })),
      caseworker.id,
    );

    // The decisions: short breaks shared by social care and health; a decline; therapies shared by education and health.
    const partners = Object.fromEntries(
      (await tx.selectFrom('budget_partners as b').innerJoin('organisations as o', 'o.id', 'b.organisation_id').select(['b.id', 'o.code']).execute()).map(
        (p) => [p.code, p.id],
      ),
    );
    const agreements = Object.fromEntries((await tx.selectFrom('pooling_agreements').select(['id', 'code']).execute()).map((a) => [a.code, a.id]));
    const provider = (await tx.selectFrom('organisations').select('id').where('code', '=', 'DEMO-PROV').executeTakeFirstOrThrow()).id;
    const trust = (await tx.selectFrom('organisations').select('id').where('code', '=', 'DEMO-TRUST').executeTakeFirstOrThrow()).id;
    const startsOn = addDays(past, 14);
    const decisionIds: string[] = [];
    const by = { id: caseworker.id, organisationId: caseworker.organisationId };
    /** An approval: a new weekly package from `startsOn`, reviewed after six months, split between two partners. */
    const approval = (
      reasons: string,
      agreementId: string,
      service: { category: string; name: string; providerId: string; unitCostPence: number },
      shares: { partnerId: string; bp: number }[],
    ): Parameters<typeof recordDecision>[2] => ({
      outcome: 'approve',
      reasons,
      package: {
        kind: 'new',
        agreementId,
        terms: {
          serviceCategory: service.category,
          service: service.name,
          providerId: service.providerId,
          unitCostPence: service.unitCostPence,
          unitsX100: 100,
          frequency: 'week',
          startsOn,
          endsOn: null,
          reviewOn: addDays(startsOn, 182),
          split: [{ from: startsOn, to: null, shares }],
          reason: 'Agreed at the joint resources panel (demo)',
        },
      },
    });
    const decide = async (caseId: string, decision: Parameters<typeof recordDecision>[2]) =>
      decisionIds.push((await recordDecision(tx, caseId, decision, by, past)).decisionId);
    if (pastCaseIds[0] && agreements['DEMO-S75'] && partners['DEMO-CSC'] && partners['DEMO-ICB'])
      await decide(
        pastCaseIds[0],
        approval(
          'Agreed: needs meet three of the joint funding conditions; social care and health share the cost (demo).',
          agreements['DEMO-S75'],
          { category: 'short-breaks', name: 'Overnight short break', providerId: provider, unitCostPence: 32_500 },
          [
            { partnerId: partners['DEMO-CSC'], bp: 5000 },
            { partnerId: partners['DEMO-ICB'], bp: 5000 },
          ],
        ),
      );
    if (pastCaseIds[1])
      await decide(pastCaseIds[1], {
        outcome: 'decline',
        reasons: 'Not agreed: the school’s own support plan meets these needs; the family can come back after the review (demo).',
      });
    if (pastCaseIds[2] && agreements['DEMO-ALIGN'] && partners['DEMO-EDU'] && partners['DEMO-ICB'])
      await decide(
        pastCaseIds[2],
        approval(
          'Agreed: therapy in school and at home, education and health sharing the cost (demo).',
          agreements['DEMO-ALIGN'],
          { category: 'therapies', name: 'Speech and language therapy session', providerId: trust, unitCostPence: 9_500 },
          [
            { partnerId: partners['DEMO-EDU'], bp: 4000 },
            { partnerId: partners['DEMO-ICB'], bp: 6000 },
          ],
        ),
      );
    await markHeld(tx, meeting.id, await version(meeting.id), past);
    // The decline's sheet went out two days later; the two approvals' sheets are still to issue.
    if (decisionIds[1]) await issueSheet(tx, await getDecision(tx, decisionIds[1]), { notifier, baseUrl: '', today: addDays(past, 2), by: caseworker });

    // Social care disputes its half of the short breaks; the chairs did not settle it, so it went up to heads of service.
    let disputes = 0;
    if (decisionIds[0]) {
      const raised = await raiseDispute(
        tx,
        notifier,
        {
          decisionId: decisionIds[0],
          reason: 'Social care thinks the nights are mostly for health needs, so health should pay more than half (demo).',
          interim: 'The split as decided stands while the dispute is open.',
          today: addDays(past, 3),
        },
        { id: finance.id, organisationId: finance.organisationId },
      );
      await escalateDispute(tx, raised.id, 1, 'The panel chairs could not agree; for heads of service (demo).', { id: chair.id }, addDays(today, -1), tell);
      disputes++;
    }

    // The next meeting: cases on the agenda, papers published to the members.
    const next = await tx
      .selectFrom('panel_meetings')
      .select(['id', 'cut_off_on', 'papers_due_on'])
      .where('panel_id', '=', panel.id)
      .where('status', '=', 'planned')
      .where('meets_on', '>', today)
      .orderBy('meets_on')
      .executeTakeFirst();
    if (next) {
      const nextCases = await children(keyworker, 2);
      for (const [i, id] of nextCases.entries()) await refer(keyworker, id, i + 1, addDays(today, -12 - i), 'to-panel');
      for (const id of await children(practitioner, 1)) await refer(practitioner, id, 2, addDays(today, -9), 'to-panel');
      await addAll(next.id, today, today > next.cut_off_on);
      await publish(tx, next.id, await version(next.id), { today, confirmLate: today > next.papers_due_on, actorId: caseworker.id, notifier, baseUrl: '' });
    }

    // Waiting for triage: two new referrals, and one back for more information.
    for (const id of await children(keyworker, 1)) await refer(keyworker, id, 0, addDays(today, -3));
    for (const id of await children(practitioner, 1)) await refer(practitioner, id, 1, addDays(today, -1));
    for (const id of await children(caseworker, 1)) await refer(caseworker, id, 2, addDays(today, -6), 'more-information');

    // A practitioner used emergency access yesterday for a child their trust does not yet see: waiting for review.
    const unseen = await tx
      .selectFrom('children as c')
      .select('c.id')
      .where('c.council_id', 'like', 'DEMO-POP-%')
      .where((eb) => eb.not(visibleChild(viewerOf(practitioner), 'c')))
      .orderBy('c.council_id')
      .limit(1)
      .executeTakeFirst();
    if (unseen)
      await grantEmergencyAccess(
        tx,
        {
          childId: unseen.id,
          userId: practitioner.id,
          organisationId: practitioner.organisationId,
          reason: 'Brought to the emergency department out of hours; needed their health needs and who to contact (demo).',
          hours: 4,
        },
        at(addDays(today, -1), 22),
      );

    // A key worker recorded a consent that widens their own team's access: waiting for a second person (ADR 0012).
    const own = (await visibleChildren(tx, keyworker, 1, referred))[0];
    if (own)
      await addConsent(
        tx,
        own.id,
        {
          givenBy: 'parent',
          memberId: null,
          capacityNote: null,
          givenOn: addDays(today, -2),
          method: 'written',
          evidence: 'Signed consent form on file (demo)',
          reviewOn: addDays(today, 363),
          scopes: ['core', 'family', 'social-care', 'about-me'].map((section) => ({ organisationType: keyworker.organisationType, section })),
        },
        { userId: keyworker.id, organisationId: keyworker.organisationId, organisationType: keyworker.organisationType },
      );
    return { referrals, decisions: decisionIds.length, disputes };
  });

  // Agency extracts: health's and social care's applied (their uncertain pairs wait for review),
  // education's checked and waiting to be applied.
  let imports = 0;
  const finance = await demoUser(db, 'finance');
  const extracts = await demoExtracts(db, { limit: 300 });
  await ensureDemoSources(db, extracts, finance.id);
  for (const kind of ['health', 'social-care', 'education']) {
    const e = extracts.find((x) => x.file.includes(kind));
    const source = e && (await sourceByName(db, e.source.name));
    if (!e || !source) continue;
    const id = await createImport(db, source, { name: e.file, bytes: new TextEncoder().encode(e.csv) }, finance.id);
    await dryRun(db, id);
    imports++;
    if (kind === 'education') continue;
    await claimForApply(db, id, true);
    await applyImport(db, id, { userId: finance.id, organisationId: finance.organisationId, roles: finance.roles });
  }
  return { ...result, imports };
}
