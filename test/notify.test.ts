// The notifications interface: the outbox records messages; the GOV.UK Notify implementation
// speaks Notify's real HTTP API (here to a local server standing in for Notify) and records
// what happened either way.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from './support/db.js';
import type { Database } from '../src/platform/db/database.js';
import { GovukNotifyNotifier, OutboxNotifier, SECRET_REMOVED, type Message } from '../src/platform/notify/notify.js';

const SERVICE_ID = '11111111-2222-3333-4444-555555555555';
const KEY_ID = '66666666-7777-8888-9999-000000000000';
const API_KEY = `jointly_test-${SERVICE_ID}-${KEY_ID}`;
const EMAIL_TEMPLATE = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const SMS_TEMPLATE = 'ffffffff-bbbb-cccc-dddd-eeeeeeeeeeee';

describe('notifications', () => {
  let database: Database;
  let server: Server;
  let base = '';
  const received: { path: string; auth: string; body: Record<string, unknown> }[] = [];
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    // Node ignores what a request listener returns: the answer is an async function set going with `void`.
    const answer = async (req: IncomingMessage, res: ServerResponse) => {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      received.push({ path: req.url ?? '', auth: req.headers.authorization ?? '', body });
      if (body.email_address === 'refused@example.org') {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ status_code: 400, errors: [{ error: 'BadRequestError', message: 'Can’t send to this recipient using a team-only API key' }] }),
        );
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 'notify-ref-1', reference: null, content: {}, uri: '', template: {} }));
    };
    server = createServer((req, res) => void answer(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server?.close();
    await database?.close();
  });

  it('records messages in the outbox when Notify is not configured', async () => {
    const n = new OutboxNotifier();
    await n.send(database.db, { channel: 'sms', to: '07700900000', body: 'Your panel outcome is ready' });
    const row = await database.db.selectFrom('notifications').selectAll().where('recipient', '=', '07700900000').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ channel: 'sms', status: 'recorded', provider: 'outbox', body: 'Your panel outcome is ready' });
  });

  it('keeps a message’s secrets out of the outbox, and hands the real message to the delivery callback', async () => {
    const delivered: Message[] = [];
    const n = new OutboxNotifier((m) => void delivered.push(m));
    const link = 'https://jointly.example.org/invitation/secret-token-1';
    await n.send(database.db, {
      channel: 'email',
      to: 'invited@example.org',
      subject: 'Invited',
      body: `Create your password:\n${link}\nThanks`,
      secrets: [link],
    });
    const row = await database.db.selectFrom('notifications').selectAll().where('recipient', '=', 'invited@example.org').executeTakeFirstOrThrow();
    expect(row.body).toBe(`Create your password:\n${SECRET_REMOVED}\nThanks`);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.body).toContain(link);
  });

  it('sends the real message through Notify but stores it with its secrets removed, with Notify’s id', async () => {
    const n = new GovukNotifyNotifier(API_KEY, { email: EMAIL_TEMPLATE, sms: SMS_TEMPLATE }, base);
    const link = 'https://jointly.example.org/invitation/secret-token-2';
    await n.send(database.db, { channel: 'email', to: 'invited.notify@example.org', subject: 'Invited', body: `Go to ${link}`, secrets: [link] });
    const email = received.find((r) => (r.body as { email_address?: string }).email_address === 'invited.notify@example.org')!;
    expect(email.body).toMatchObject({ personalisation: { body: `Go to ${link}` } });
    const row = await database.db.selectFrom('notifications').selectAll().where('recipient', '=', 'invited.notify@example.org').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ body: `Go to ${SECRET_REMOVED}`, status: 'sent', provider_reference: 'notify-ref-1' });
  });

  it('sends e-mail and SMS through Notify’s API with a signed token, and records the reference', async () => {
    const n = new GovukNotifyNotifier(API_KEY, { email: EMAIL_TEMPLATE, sms: SMS_TEMPLATE }, base);
    await n.send(database.db, { channel: 'email', to: 'someone@example.org', subject: 'Hello', body: 'Body text' });
    await n.send(database.db, { channel: 'sms', to: '07700900001', body: 'Text body' });
    const email = received.find((r) => r.path === '/v2/notifications/email' && r.body.email_address === 'someone@example.org')!;
    expect(email.body).toMatchObject({
      template_id: EMAIL_TEMPLATE,
      email_address: 'someone@example.org',
      personalisation: { subject: 'Hello', body: 'Body text' },
    });
    // Notify authenticates with a JWT whose issuer is the service id.
    const [, payload] = email.auth.replace('Bearer ', '').split('.');
    expect((JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { iss: string }).iss).toBe(SERVICE_ID);
    const sms = received.find((r) => r.path === '/v2/notifications/sms')!;
    expect(sms.body).toMatchObject({ template_id: SMS_TEMPLATE, phone_number: '07700900001' });
    const rows = await database.db
      .selectFrom('notifications')
      .selectAll()
      .where('provider', '=', 'govuk-notify')
      .where('recipient', 'in', ['someone@example.org', '07700900001'])
      .execute();
    expect(rows.map((r) => [r.status, r.provider_reference])).toEqual([
      ['sent', 'notify-ref-1'],
      ['sent', 'notify-ref-1'],
    ]);
  });

  it('records a message Notify refuses as failed, with Notify’s reason', async () => {
    const n = new GovukNotifyNotifier(API_KEY, { email: EMAIL_TEMPLATE, sms: SMS_TEMPLATE }, base);
    await n.send(database.db, { channel: 'email', to: 'refused@example.org', subject: 'Hello', body: 'x' });
    const row = await database.db.selectFrom('notifications').selectAll().where('recipient', '=', 'refused@example.org').executeTakeFirstOrThrow();
    expect(row.status).toBe('failed');
    expect(row.error).toContain('team-only API key');
  });
});
