// Opening everything the app needs from the configuration: shared by main.ts, the CLI and benchmarks.
import type { Config } from './config.js';
import { openDatabase, type Database } from './platform/db/database.js';
import { migrate } from './platform/db/migrate.js';
import { GovukNotifyNotifier, OutboxNotifier, type Delivery, type Notifier } from './platform/notify/notify.js';
import { createJobs, type Jobs } from './platform/jobs/jobs.js';

export interface Runtime {
  database: Database;
  notifier: Notifier;
  jobs: Jobs;
}

/**
 * `deliver`: without GOV.UK Notify, where the real messages (invitation links included) go; the
 * outbox keeps them with their links removed. Production mode always has Notify (config.ts).
 */
export async function openRuntime(config: Config, opts: { migrate?: boolean; deliver?: Delivery } = {}): Promise<Runtime> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, databaseReadUrl: config.databaseReadUrl, dataDir: config.dataDir });
  if (opts.migrate !== false) await migrate(database);
  const notifier = config.notify
    ? new GovukNotifyNotifier(config.notify.apiKey, { email: config.notify.emailTemplateId, sms: config.notify.smsTemplateId })
    : new OutboxNotifier(opts.deliver);
  return { database, notifier, jobs: createJobs(database.db) };
}
