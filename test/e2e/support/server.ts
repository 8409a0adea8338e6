// The real app listening on a real port, for browser tests: PostgreSQL when this run has one,
// else PGlite. JOINTLY_BASE_URL is the address it really listens on, so the links it writes
// (invitations, captured in `sent` as the person would receive them) work in the browser.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, inject } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './pages.js';
import { createApp } from '../../../src/app.js';
import { loadConfig, type Config } from '../../../src/config.js';
import { OutboxNotifier, type Message } from '../../../src/platform/notify/notify.js';
import { createJobs } from '../../../src/platform/jobs/jobs.js';
import { seedDemo } from '../../../src/demo/seed.js';
import type { Database } from '../../../src/platform/db/database.js';
import { openTestDatabase, type DbKind } from '../../support/db.js';
import { freePort } from '../../support/postgres-cluster.js';

export interface E2eServer {
  baseUrl: string;
  kind: DbKind;
  app: FastifyInstance;
  database: Database;
  config: Config;
  /** Every message as really sent, secrets included (the outbox keeps them with their links removed). */
  sent: Message[];
  close(): Promise<void>;
}

export async function startServer(env: Record<string, string> = {}, opts: { kind?: DbKind } = {}): Promise<E2eServer> {
  const kind: DbKind = opts.kind ?? (inject('postgres') ? 'postgres' : 'pglite');
  const database = await openTestDatabase(kind);
  try {
    await seedDemo(database.db);
    const port = await freePort();
    const host = '127.0.0.1';
    const baseUrl = `http://${host}:${port}`;
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      PORT: String(port),
      HOST: host,
      JOINTLY_BASE_URL: baseUrl,
      // The tests sign in many times a minute from one address; the limit itself is tested elsewhere.
      JOINTLY_SIGN_IN_RATE_PER_MINUTE: '1000',
      ...env,
    });
    const jobs = createJobs(database.db, { error() {} });
    const sent: Message[] = [];
    const app = await createApp({ config, database, notifier: new OutboxNotifier((m) => void sent.push(m)), jobs });
    const listening = await app.listen({ port, host });
    if (new URL(listening).origin !== new URL(baseUrl).origin) throw new Error(`Listening on ${listening}, not on ${baseUrl}`);
    return {
      baseUrl,
      kind,
      app,
      database,
      config,
      sent,
      async close() {
        await app.close();
        await database.close();
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}

/**
 * One server and one browser for a journey file, started before its tests and closed after.
 * Read `journey.server` and `journey.browser` inside tests.
 */
export function useJourney(env: Record<string, string> = {}): { readonly server: E2eServer; readonly browser: Browser } {
  let server: E2eServer | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(env), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      return server!;
    },
    get browser() {
      return browser!;
    },
  };
}
