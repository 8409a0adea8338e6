// Builds the real app on a real test database, with a small browser-like client for
// app.inject: it keeps cookies, reads the CSRF token from each page, and follows nothing
// implicitly, so tests see every redirect.
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { createApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { OutboxNotifier, type Message } from '../../src/platform/notify/notify.js';
import { createJobs, type Jobs } from '../../src/platform/jobs/jobs.js';
import { seedDemo, DEMO_PASSWORD } from '../../src/demo/seed.js';
import { openTestDatabase, type DbKind } from './db.js';
import { withReadReplica, type Database, type OpenOptions } from '../../src/platform/db/database.js';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointKey } from '../../src/platform/audit/checkpoints.js';
import type { AuditCheckpointing } from '../../src/platform/audit/sealer.js';
import { absorbResponse } from './cookies.js';

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  config: Config;
  jobs: Jobs;
  /** Signs the audit log's checkpoints (a key made for this app) and keeps them in a file of its own. */
  auditCheckpoints: AuditCheckpointing;
  /**
   * Every message as really sent, secrets included (the notifications table keeps them with
   * their links removed): what the person would find in their inbox.
   */
  sent: Message[];
  close(): Promise<void>;
}

export async function buildTestApp(
  kind: DbKind,
  env: Record<string, string> = {},
  opts: {
    demo?: boolean;
    localOffer?: boolean;
    logger?: FastifyServerOptions['logger'];
    log?: OpenOptions['log'];
    readReplicaUrl?: string;
    database?: Database;
  } = {},
): Promise<TestApp> {
  const primary = opts.database ?? (await openTestDatabase(kind, opts.log ? { log: opts.log } : {}));
  // A read replica for dashboards, reports and exports (DATABASE_READ_URL), when asked for.
  const database = opts.readReplicaUrl ? await withReadReplica(primary, opts.readReplicaUrl, 2, opts.log ? { log: opts.log } : {}) : primary;
  // The Local Offer's directory only for tests that ask for it (it costs about a second).
  if (opts.demo !== false) await seedDemo(database.db, { localOffer: opts.localOffer ?? false });
  const config = loadConfig({ LOG_LEVEL: 'silent', JOINTLY_BASE_URL: 'http://localhost:3000', ...env });
  const jobs = createJobs(database.db, { error() {} });
  const sent: Message[] = [];
  const checkpointDir = mkdtempSync(join(tmpdir(), 'jointly-checkpoints-'));
  const auditCheckpoints: AuditCheckpointing = {
    key: checkpointKey(generateKeyPairSync('ed25519').privateKey),
    file: join(checkpointDir, 'audit-checkpoints.jsonl'),
    policy: { everyEntries: config.auditCheckpointEntries, everyMinutes: config.auditCheckpointMinutes },
  };
  const app = await createApp({
    config,
    database,
    notifier: new OutboxNotifier((m) => void sent.push(m)),
    jobs,
    auditCheckpoints,
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  await app.ready();
  return {
    app,
    database,
    config,
    jobs,
    auditCheckpoints,
    sent,
    async close() {
      await app.close();
      await database.close();
      rmSync(checkpointDir, { recursive: true, force: true });
    },
  };
}

/**
 * The path of the newest invitation link e-mailed to `email`, as the person reads it in their
 * inbox (the outbox never holds it).
 */
export function invitationLinkFor(sent: readonly Message[], email: string): string {
  const message = [...sent].reverse().find((m) => m.to === email && /\/invitation\//.test(m.body));
  if (!message) throw new Error(`No invitation was sent to ${email}`);
  return new URL(/https?:\/\/\S+\/invitation\/\S+/.exec(message.body)![0]).pathname;
}

export interface Response {
  status: number;
  body: string;
  location: string | undefined;
  headers: Record<string, unknown>;
}

export class Client {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  constructor(private readonly app: FastifyInstance) {}

  /** The Cookie header this client sends, for requests it has no method for. */
  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  private absorb(res: { headers: Record<string, unknown>; body: string }) {
    const set = res.headers['set-cookie'];
    const setCookies = (Array.isArray(set) ? set : set ? [set] : []).map((c) => String(c));
    this.csrf = absorbResponse(this.cookies, setCookies, res.body) ?? this.csrf;
  }

  async get(url: string): Promise<Response> {
    const res = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader() } });
    this.absorb(res);
    return { status: res.statusCode, body: res.body, location: res.headers.location, headers: res.headers };
  }

  /** Posts a form with the CSRF token from the last page seen (unless the form sets its own). */
  async post(url: string, form: Record<string, string | string[]> = {}, opts: { csrf?: boolean } = {}): Promise<Response> {
    const params = new URLSearchParams();
    if (opts.csrf !== false && this.csrf && !('_csrf' in form)) params.append('_csrf', this.csrf);
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: params.toString(),
    });
    this.absorb(res);
    return { status: res.statusCode, body: res.body, location: res.headers.location, headers: res.headers };
  }

  /** Signs in with a local password (no second factor configured). */
  async signIn(email: string, password = DEMO_PASSWORD): Promise<Response> {
    await this.get('/sign-in');
    const res = await this.post('/sign-in', { email, password });
    // Like a browser, land on the home page: forms' tokens are bound to the session, so the
    // sign-in page's token is no good once signed in.
    if (res.status === 303 && res.location === '/') await this.get('/');
    return res;
  }
}

/** Visible text of a page, tags stripped and spaces collapsed, for assertions on what a user reads. */
export const text = (html: string) =>
  html
    .replace(/<script[\s\S]*?<\/script>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
