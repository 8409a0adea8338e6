// How many statements one view of a child's record sends to the database (issue 13): the child,
// the sharing rule, the criteria met, where the values came from and the referrals with their
// latest decisions are one query, however many referrals and decisions there are; then the audit
// entry. Counted from Kysely's query log, which sees every statement the app sends on that
// database, BEGIN and COMMIT included, on both databases. What is counted, per request:
//   - session: the session lookup before the route (src/platform/auth/sessions.ts);
//   - transaction: BEGIN and COMMIT of the route's transaction;
//   - audit: the audit entry's statements (src/platform/audit/audit.ts, whatever it needs);
//   - data: everything else: what the page itself reads. At most 3 by the issue (the child with
//     the sections the viewer may see, the involvements and referrals, the audit write): 1 here.
import type { LogEvent } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createPanelWorld, PANEL_USERS } from './support/panel-world.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';

const PRACTITIONER = 'practitioner@demoshire.example.org'; // DEMO-TRUST: not involved with the panel world's child

interface Counted {
  session: string[];
  transaction: string[];
  audit: string[];
  data: string[];
}

function classify(statements: readonly string[]): Counted {
  const out: Counted = { session: [], transaction: [], audit: [], data: [] };
  for (const s of statements) {
    const q = s.trim().toLowerCase();
    if (/^(begin|commit|rollback|start transaction)\b/.test(q)) out.transaction.push(s);
    else if (/\baudit_log\b|\baudit_children\b|pg_advisory_xact_lock/.test(q)) out.audit.push(s);
    else if (/from "sessions"|update "sessions"/.test(q)) out.session.push(s);
    else out.data.push(s);
  }
  return out;
}

describe.each(databaseKinds())('the statements of one view of a child’s record on %s', (kind) => {
  let t: TestApp;
  let recording = false;
  const statements: string[] = [];
  const log = (e: LogEvent) => {
    if (recording) statements.push(e.query.sql);
  };

  /** The statements one GET sends, classified. */
  async function count(client: Client, path: string) {
    statements.length = 0;
    recording = true;
    const res = await client.get(path);
    recording = false;
    return { res, counted: classify(statements) };
  }

  beforeAll(async () => {
    t = await buildTestApp(kind, {}, { log });
  });
  afterAll(() => t?.close());

  it('reads the record, its criteria, provenance and referrals with two decisions in one query, then writes the audit entry', async () => {
    const db = t.database.db;
    const w = await createPanelWorld(db);
    // A second referral for the same child, and a decision on each.
    const other = await createPanelWorld(db, { pool: w.pool });
    await db.updateTable('referrals').set({ child_id: w.childId }).where('id', '=', other.referralId).execute();
    const today = todayInLondon();
    for (const [world, outcome] of [
      [w, 'defer'],
      [other, 'decline'],
    ] as const) {
      await db
        .insertInto('panel_decisions')
        .values({
          case_id: world.caseId,
          referral_id: world.referralId,
          meeting_id: world.meetingId,
          outcome,
          reasons: 'Reasons for the test (fictional)',
          decided_on: today,
          sheet_due_on: today,
          recorded_by: world.administratorId,
        })
        .execute();
    }
    const caseworker = new Client(t.app);
    expect((await caseworker.signIn(PANEL_USERS.administrator)).status).toBe(303);
    const { res, counted } = await count(caseworker, paths.children.record(w.childId));
    expect(res.status).toBe(200);
    expect(text(res.body)).toContain('Declined');
    expect(text(res.body)).toContain('Deferred');
    expect(counted.session, JSON.stringify(counted)).toHaveLength(1);
    expect(counted.data, JSON.stringify(counted)).toHaveLength(1);
    expect(counted.transaction).toEqual(['begin', 'commit']);
    expect(counted.audit.length).toBeGreaterThan(0);
    // The audit entry was written, about this child.
    const entry = await db.selectFrom('audit_log').select(['action', 'subject_id']).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(entry).toEqual({ action: 'children.record.view', subject_id: w.childId });
  });

  it('reads a record opened through emergency access, banner included, in one query', async () => {
    const db = t.database.db;
    const child = await db.selectFrom('children').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow();
    const practitioner = new Client(t.app);
    expect((await practitioner.signIn(PRACTITIONER)).status).toBe(303);
    const user = await db.selectFrom('users').select(['id', 'organisation_id']).where('email', '=', PRACTITIONER).executeTakeFirstOrThrow();
    await db
      .insertInto('break_glass')
      .values({
        child_id: child.id,
        user_id: user.id,
        organisation_id: user.organisation_id,
        reason: 'A fictional emergency for a test of round trips',
        started_at: new Date(),
        expires_at: new Date(Date.now() + 60 * 60_000),
      })
      .execute();
    const { res, counted } = await count(practitioner, paths.children.record(child.id));
    expect(res.status).toBe(200);
    expect(text(res.body)).toContain('A fictional emergency for a test of round trips');
    expect(counted.session, JSON.stringify(counted)).toHaveLength(1);
    expect(counted.data, JSON.stringify(counted)).toHaveLength(1);
    expect(counted.transaction).toEqual(['begin', 'commit']);
  });

  it('refuses a child the person may not see, with nothing of it on the page, and records the refused attempt (issue 19)', async () => {
    const db = t.database.db;
    const w = await createPanelWorld(db);
    const name = await db.selectFrom('children').select('family_name').where('id', '=', w.childId).executeTakeFirstOrThrow();
    const practitioner = new Client(t.app);
    expect((await practitioner.signIn(PRACTITIONER)).status).toBe(303);
    const { res, counted } = await count(practitioner, paths.children.record(w.childId));
    expect(res.status).toBe(404);
    expect(res.body).not.toContain(name.family_name);
    // The record's one query finds nothing it may show; one more asks why (no such child, or one
    // kept out by the sharing rule), only on this refusal path.
    expect(counted.data, JSON.stringify(counted)).toHaveLength(2);
    const refused = await db
      .selectFrom('audit_log')
      .select(['result', 'details'])
      .where('subject_id', '=', w.childId)
      .where('action', '=', 'children.record.view')
      .where('result', '=', 'denied')
      .execute();
    expect(refused).toHaveLength(1);
    expect(refused[0]!.details).toContain('refused by the sharing rule');
  });
});
