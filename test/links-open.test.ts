// Every link Jointly sends or shows to someone opens for that person (issue 19, item 1), on real
// databases. The scenario makes Jointly send what it sends about a dispute (raised, escalated,
// withdrawn: to the paying partners' panel members and the panel's administrator) and use
// emergency access (reviewed by the information governance lead); the check is then generated:
// for each message in the outbox, its recipient signs in and opens each link in it, and each link
// on the page it leads to; for each demo role, each link on the pages its work starts from. Every
// link must open (2xx) for that person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createChild, fakeNhsNumber } from './support/register.js';
import { createDisputeWorld, EXAMPLE_LADDER } from './support/dispute-world.js';
import { PANEL_USERS } from './support/panel-world.js';
import { paths } from '../src/paths.js';
import { DEMO_USERS } from '../src/demo/seed.js';
import { OutboxNotifier } from '../src/platform/notify/notify.js';
import { SECTION_KEYS } from '../src/capabilities/record/sharing/rules.js';
import {
  escalateDispute,
  getDispute,
  getLadder,
  ladderFingerprint,
  raiseDispute,
  replaceLadder,
  withdrawDispute,
} from '../src/capabilities/referral-and-panel/disputes/service.js';
import { DEFAULT_INTERIM } from '../src/capabilities/referral-and-panel/disputes/rules.js';
import { getDecision } from '../src/capabilities/referral-and-panel/panel-decisions/service.js';
import { issueSheet } from '../src/capabilities/referral-and-panel/panel-decisions/sheets.js';
import { cancelMeeting } from '../src/capabilities/referral-and-panel/panels/service.js';
import { createPanelWorld } from './support/panel-world.js';

const STARTS = '2026-10-05';
const ENDS = '2026-11-29';
const RAISED = '2026-11-02';
const IG = 'ig@demoshire.example.org';
const PRACTITIONER = 'practitioner@demoshire.example.org';

/** Same-site links in a page's main content (not the header's and footer's, checked elsewhere), without their fragment. */
function linksOnPage(html: string): string[] {
  const main = /<main[\s\S]*?<\/main>/.exec(html)?.[0] ?? '';
  const out = new Set<string>();
  for (const m of main.matchAll(/<a [^>]*href="(\/[^"#]*)[^"]*"/g)) {
    const href = m[1]!.replace(/&amp;/g, '&');
    // Downloads are files, not pages; sign-out ends the session the check needs.
    if (/\/sign-out|\.(csv|xlsx|pdf)(\?|$)/.test(href)) continue;
    out.add(href);
  }
  return [...out];
}

describe.each(databaseKinds())('links sent and shown open for the person on %s', (kind) => {
  let t: TestApp;
  const db = () => t.database.db;
  const clients = new Map<string, Client>();
  const signedIn = async (email: string) => {
    const known = clients.get(email);
    if (known) return known;
    const c = new Client(t.app);
    expect((await c.signIn(email)).status).toBe(303);
    clients.set(email, c);
    return c;
  };
  const actorOf = async (email: string) => {
    const u = await db().selectFrom('users').select(['id', 'organisation_id']).where('email', '=', email).executeTakeFirstOrThrow();
    return { id: u.id, organisationId: u.organisation_id };
  };

  /** Opens each link as the person; returns those that did not open, with the status they got. */
  const refusedLinks = async (email: string, links: string[], seen: Set<string>) => {
    const c = await signedIn(email);
    const refused: string[] = [];
    for (const link of links) {
      const key = `${email} ${link}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const res = await c.get(link);
      if (res.status < 200 || res.status >= 300) refused.push(`${email} got ${res.status} on ${link}`);
    }
    return refused;
  };

  beforeAll(async () => {
    t = await buildTestApp(kind, { JOINTLY_SIGN_IN_RATE_PER_MINUTE: '1000' });
    if ((await getLadder(db())).length === 0) await replaceLadder(db(), EXAMPLE_LADDER, ladderFingerprint([]));

    // A dispute raised, escalated and withdrawn: each step tells the panel by e-mail.
    const notifier = new OutboxNotifier();
    const tell = { notifier, baseUrl: t.config.baseUrl };
    const { case: c } = await createDisputeWorld(db(), { startsOn: STARTS, endsOn: ENDS, today: STARTS });
    const raiser = await actorOf(PANEL_USERS.socialCare);
    const { id } = await raiseDispute(
      db(),
      notifier,
      { decisionId: c.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: RAISED },
      raiser,
      t.config.baseUrl,
    );
    let d = await getDispute(db(), id, RAISED);
    await escalateDispute(db(), id, d.version, 'Chairs could not agree (fictional)', await actorOf(PANEL_USERS.health), '2026-11-12', tell);
    d = await getDispute(db(), id, '2026-11-12');
    await withdrawDispute(db(), id, d.version, 'Agreed after all (fictional)', raiser, '2026-11-13', tell);
    // The decision's outcome sheet: the referrer and the funding partners' panel members are sent a link.
    const admin = await actorOf(PANEL_USERS.administrator);
    await issueSheet(db(), await getDecision(db(), c.decisionId), { notifier, baseUrl: t.config.baseUrl, today: STARTS, by: admin });
    // A published meeting cancelled: its members are sent a link to it.
    const published = await createPanelWorld(db(), { meetingStatus: 'published' });
    const meeting = await db().selectFrom('panel_meetings').select('version').where('id', '=', published.meetingId).executeTakeFirstOrThrow();
    await cancelMeeting(db(), published.meetingId, meeting.version, {
      reason: 'Not quorate (fictional)',
      actorId: admin.id,
      notifier,
      baseUrl: t.config.baseUrl,
    });

    // Emergency access to a child the practitioner's trust does not work with, for the IG lead to review.
    const { childId, familyMemberId } = await createChild(db(), {
      givenName: 'Linka',
      nhsNumber: fakeNhsNumber(901),
      involvedOrgCodes: ['DEMO-EDU'],
      consentScopes: SECTION_KEYS.map((section) => ({ organisationType: 'council-education', section })),
    });
    // A consent covering the caseworker's own organisation waits for the IG lead, who is mailed;
    // approving it mails the caseworker a link to the child's sharing page.
    const cw = await signedIn(PANEL_USERS.administrator);
    await cw.get(paths.children.addConsent(childId));
    const [y, m, d0] = STARTS.split('-');
    const recorded = await cw.post(paths.children.addConsent(childId), {
      givenBy: 'parent',
      memberId: familyMemberId!,
      method: 'verbal',
      'givenOn-day': String(Number(d0)),
      'givenOn-month': String(Number(m)),
      'givenOn-year': y!,
      'reviewOn-day': String(Number(d0)),
      'reviewOn-month': String(Number(m)),
      'reviewOn-year': String(Number(y) + 1),
      scope: ['council-education.core'],
    });
    expect(recorded.location).toBe(`${paths.children.sharing(childId)}?done=consent-pending`);
    const pending = await db().selectFrom('consents').select('id').where('child_id', '=', childId).where('approval', '=', 'pending').executeTakeFirstOrThrow();
    const ig = await signedIn(IG);
    await ig.get(paths.register.sharingApprovals);
    const approved = await ig.post(paths.register.sharingApprovals, {
      kind: 'consent',
      id: pending.id,
      decision: 'approve',
      note: 'Checked the note (fictional)',
    });
    expect(approved.status).toBe(303);

    const p = await signedIn(PRACTITIONER);
    await p.get(paths.children.emergencyAccess(childId));
    const granted = await p.post(paths.children.emergencyAccess(childId), { reason: 'Seen in A&E today (fictional)', hours: '1' });
    expect(granted.status).toBe(303);
    expect((await p.get(paths.children.record(childId))).status).toBe(200);
  });
  afterAll(() => t?.close());

  it('opens every link in every message Jointly sent, and every link on the page it leads to, for the person it was sent to', async () => {
    const messages = await db().selectFrom('notifications').select(['recipient', 'body']).where('channel', '=', 'email').execute();
    const base = new URL(t.config.baseUrl);
    const known = new Set(DEMO_USERS.map((u) => u.email));
    const sentTo = new Map<string, Set<string>>();
    for (const m of messages) {
      if (!known.has(m.recipient)) continue;
      for (const raw of m.body.match(/https?:\/\/\S+/g) ?? []) {
        const url = new URL(raw);
        if (url.origin !== base.origin) continue;
        const links = sentTo.get(m.recipient) ?? new Set<string>();
        links.add(url.pathname + url.search);
        sentTo.set(m.recipient, links);
      }
    }
    // The scenario mailed the panel's administrator (a caseworker) about the dispute, the referrer
    // the outcome sheet, and the members the cancelled meeting.
    expect([...(sentTo.get(PANEL_USERS.administrator) ?? [])].some((l) => l.startsWith('/disputes/'))).toBe(true);
    expect([...(sentTo.get(PANEL_USERS.referrer) ?? [])].some((l) => l.startsWith('/decisions/'))).toBe(true);
    expect([...(sentTo.get(PANEL_USERS.health) ?? [])].some((l) => l.startsWith('/panels/meetings/'))).toBe(true);
    // ...and the IG lead the sharing waiting for approval, and the caseworker the approved consent's record.
    expect(sentTo.get(IG)?.has(paths.register.sharingApprovals)).toBe(true);
    expect([...(sentTo.get(PANEL_USERS.administrator) ?? [])].some((l) => /^\/children\/[^/]+\/sharing$/.test(l))).toBe(true);

    const seen = new Set<string>();
    const refused: string[] = [];
    for (const [email, links] of sentTo) {
      refused.push(...(await refusedLinks(email, [...links], seen)));
      const c = await signedIn(email);
      for (const link of links) {
        const page = await c.get(link);
        if (page.status === 200) refused.push(...(await refusedLinks(email, linksOnPage(page.body), seen)));
      }
    }
    expect(refused).toEqual([]);
  });

  it('opens every link on the pages each role is directed to, for that role', async () => {
    // Where each role's work starts: the home page, and for the information governance lead the
    // emergency access review, which sends them to each record's "who has looked".
    const startsOf: Record<string, string[]> = { [IG]: [paths.register.emergencyAccessReview] };
    const seen = new Set<string>();
    const refused: string[] = [];
    for (const u of DEMO_USERS) {
      const c = await signedIn(u.email);
      for (const start of ['/', ...(startsOf[u.email] ?? [])]) {
        const page = await c.get(start);
        expect(page.status, `${u.email} on ${start}`).toBe(200);
        refused.push(...(await refusedLinks(u.email, linksOnPage(page.body), seen)));
      }
    }
    // The review page does send the IG lead to the record's "who has looked".
    const review = await (await signedIn(IG)).get(paths.register.emergencyAccessReview);
    expect(linksOnPage(review.body).some((l) => /\/children\/[^/]+\/who-has-looked/.test(l))).toBe(true);
    expect(refused).toEqual([]);
  });

  it('opens those pages to nobody else: no dispute for someone on no panel, no "who has looked" for the IG lead on a record nobody reached through emergency access', async () => {
    const someDispute = await db().selectFrom('disputes').select('id').executeTakeFirstOrThrow();
    const keyWorker = await signedIn(PANEL_USERS.referrer);
    expect((await keyWorker.get(paths.disputes.list)).status).toBe(403);
    expect((await keyWorker.get(paths.disputes.dispute(someDispute.id))).status).toBe(403);
    // Given a role that attends panels but administering none: the list is offered, empty, and says why; a dispute stays closed.
    const keyWorkerId = (await db().selectFrom('users').select('id').where('email', '=', PANEL_USERS.referrer).executeTakeFirstOrThrow()).id;
    await db().insertInto('user_roles').values({ user_id: keyWorkerId, role: 'caseworker' }).execute();
    try {
      const empty = await keyWorker.get(paths.disputes.list);
      expect(empty.status).toBe(200);
      expect(empty.body).toContain('You do not administer a panel now, so there are none to show you');
      expect(empty.body).not.toContain(paths.disputes.dispute(someDispute.id));
      expect((await keyWorker.get(paths.disputes.dispute(someDispute.id))).status).toBe(403);
    } finally {
      await db().deleteFrom('user_roles').where('user_id', '=', keyWorkerId).where('role', '=', 'caseworker').execute();
    }

    const { childId } = await createChild(db(), {
      givenName: 'Quieta',
      nhsNumber: fakeNhsNumber(902),
      involvedOrgCodes: ['DEMO-EDU'],
      consentScopes: SECTION_KEYS.map((section) => ({ organisationType: 'council-education', section })),
    });
    const ig = await signedIn(IG);
    expect((await ig.get(paths.children.whoHasLooked(childId))).status).toBe(403);
    const refusal = await db()
      .selectFrom('audit_log')
      .select(['result'])
      .where('action', '=', 'child.who-has-looked.view')
      .where('subject_id', '=', childId)
      .executeTakeFirstOrThrow();
    expect(refusal.result).toBe('denied');

    // On a record under review, the IG lead's look is itself recorded, with why.
    const reviewed = await db().selectFrom('break_glass').select('child_id').executeTakeFirstOrThrow();
    const page = await ig.get(paths.children.whoHasLooked(reviewed.child_id));
    expect(page.status).toBe(200);
    const entry = await db()
      .selectFrom('audit_log as a')
      .innerJoin('users as u', 'u.id', 'a.user_id')
      .select(['a.purpose', 'a.result'])
      .where('a.action', '=', 'child.who-has-looked.view')
      .where('a.subject_id', '=', reviewed.child_id)
      .where('u.email', '=', IG)
      .executeTakeFirstOrThrow();
    expect(entry).toEqual({ purpose: 'Reviewing emergency access', result: 'allowed' });
    // Its navigation offers only this page: the rest of the record is not theirs to open.
    expect(linksOnPage(page.body).filter((l) => l.startsWith('/children/'))).toEqual([paths.children.whoHasLooked(reviewed.child_id)]);
  });
});
