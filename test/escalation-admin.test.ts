// Issue 11, written as the attacks: an administrator who tries to widen their own access, or to
// take over someone else's account, is refused or held for a second administrator. Each test
// replays the attack exactly as it was reproduced, and failed on the code before the fix.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, invitationLinkFor, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { loggerOptions } from '../src/platform/http/logging.js';
import { paths } from '../src/paths.js';

const ADMIN = 'admin@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';
const PASSWORD = 'a new password for the test';

describe.each(databaseKinds())('an administrator cannot take over accounts on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  const lines: string[] = [];
  beforeAll(async () => {
    let pending = '';
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        pending += chunk.toString('utf8');
        const parts = pending.split('\n');
        pending = parts.pop()!;
        lines.push(...parts.filter(Boolean));
        done();
      },
    });
    t = await buildTestApp(kind, {}, { logger: { ...(loggerOptions('info') as object), stream } });
    admin = new Client(t.app);
    await admin.signIn(ADMIN);
  });
  afterAll(() => t?.close());

  const userByEmail = (email: string) => t.database.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  /** The administrator sends a new invitation to the person, from the person's page. */
  const sendInvitation = async (email: string) => {
    const person = await userByEmail(email);
    await admin.get(paths.admin.user(person.id));
    const res = await admin.post(paths.admin.resendInvitation(person.id));
    expect(res.status).toBe(303);
    return invitationLinkFor(t.sent, email);
  };

  it('(c) keeps the invitation link out of the outbox: only the person receives it', async () => {
    const link = await sendInvitation(CASEWORKER);
    const token = link.split('/').pop()!;
    expect(token.length).toBeGreaterThan(20);

    // The administrator reads the outbox page: the message is there, its link is not.
    const outbox = await admin.get(paths.admin.outbox);
    expect(outbox.status).toBe(200);
    expect(text(outbox.body)).toContain('You have been invited to Jointly');
    expect(text(outbox.body)).toContain('[link removed: sent only to the person]');
    expect(outbox.body).not.toContain(token);
    expect(outbox.body).not.toContain('/invitation/');

    // Nor is it anywhere in the notifications table.
    const rows = await t.database.db.selectFrom('notifications').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(`${row.subject} ${row.body}`).not.toContain(token);
      expect(`${row.subject} ${row.body}`).not.toContain('/invitation/');
    }

    // The message the person really received carries it.
    const real = t.sent.filter((m) => m.to === CASEWORKER).at(-1)!;
    expect(real.body).toContain(`/invitation/${token}`);
  });

  it('(d) accepting an invitation ends every other session of that person', async () => {
    const email = 'commissioner@demoshire.example.org';
    // The person is signed in somewhere (an old password, a shared computer).
    const elsewhere = new Client(t.app);
    expect((await elsewhere.signIn(email)).location).toBe(paths.home);
    expect((await elsewhere.get(paths.home)).status).toBe(200);

    const link = await sendInvitation(email);
    const holder = new Client(t.app);
    await holder.get(link);
    const accepted = await holder.post(link, { password: PASSWORD, confirmPassword: PASSWORD });
    expect(accepted.location).toBe(paths.home);
    expect((await holder.get(paths.home)).status).toBe(200);

    // The other session no longer works.
    const after = await elsewhere.get(paths.home);
    expect(after.status).toBe(303);
    expect(after.location).toMatch(new RegExp(`^${paths.signIn}`));
    const person = await userByEmail(email);
    const open = await t.database.db.selectFrom('sessions').select('id_hash').where('user_id', '=', person.id).where('ended_at', 'is', null).execute();
    expect(open).toHaveLength(1);
  });

  it('(e) never writes an invitation token to the request log', async () => {
    const link = await sendInvitation('participation@demoshire.example.org');
    const token = link.split('/').pop()!;
    const visitor = new Client(t.app);
    expect((await visitor.get(link)).status).toBe(200);
    // A refused form and a second look are logged too.
    expect((await visitor.post(link, { password: 'short', confirmPassword: 'short' })).status).toBe(400);
    expect((await visitor.get(`${link}?utm=1`)).status).toBe(200);

    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).not.toContain(token);
    const paths_ = lines.map((l) => (JSON.parse(l) as { req?: { path?: string } }).req?.path).filter(Boolean);
    expect(paths_).toContain('/invitation/[redacted]');
  });
});
