// Opening everything the app needs from the configuration: shared by main.ts, the CLI and benchmarks.
import type { Config } from '../config.js';
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { GovukNotifyNotifier, OutboxNotifier, type Notifier } from './notify/notify.js';
import { createJobs, type Jobs } from './jobs/jobs.js';

export interface Runtime {
  database: Database;
  notifier: Notifier;
  jobs: Jobs;
}

export async function openRuntime(config: Config, opts: { migrate?: boolean } = {}): Promise<Runtime> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  if (opts.migrate !== false) await migrate(database);
  const notifier = config.notify
    ? new GovukNotifyNotifier(config.notify.apiKey, { email: config.notify.emailTemplateId, sms: config.notify.smsTemplateId })
    : new OutboxNotifier();
  return { database, notifier, jobs: createJobs(database.db) };
}
