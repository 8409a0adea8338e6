// Opening everything the app needs from the configuration: shared by main.ts, the CLI and benchmarks.
import { pino } from 'pino';
import type { Config } from './config.js';
import { openDatabase, type Database } from './platform/db/database.js';
import { migrate } from './platform/db/migrate.js';
import { GovukNotifyNotifier, OutboxNotifier, type Delivery, type Notifier } from './platform/notify/notify.js';
import { createJobs, type Jobs } from './platform/jobs/jobs.js';
import { loadCheckpointKey } from './platform/audit/checkpoint-file.js';
import { registerAuditSealer, type AuditCheckpointing } from './platform/audit/sealer.js';

export interface Runtime {
  database: Database;
  notifier: Notifier;
  jobs: Jobs;
  auditCheckpoints: AuditCheckpointing;
}

type Log = NonNullable<AuditCheckpointing['log']>;

/**
 * How the audit sealer signs and keeps checkpoints: the configured key (or one kept in the data
 * folder), the checkpoint file, every so many entries or minutes.
 */
export function auditCheckpointing(config: Config, log: Log = pino({ level: config.logLevel })): AuditCheckpointing {
  return {
    key: loadCheckpointKey({ configured: config.auditCheckpointKey, dataDir: config.dataDir }),
    file: config.auditCheckpointFile,
    policy: { everyEntries: config.auditCheckpointEntries, everyMinutes: config.auditCheckpointMinutes },
    log,
  };
}

/**
 * `deliver`: without GOV.UK Notify, where the real messages (invitation links included) go; the
 * outbox keeps them with their links removed. Production mode always has Notify (config.ts).
 */
export async function openRuntime(config: Config, opts: { migrate?: boolean; deliver?: Delivery; log?: Log } = {}): Promise<Runtime> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, databaseReadUrl: config.databaseReadUrl, dataDir: config.dataDir });
  if (opts.migrate !== false) await migrate(database);
  const notifier = config.notify
    ? new GovukNotifyNotifier(config.notify.apiKey, { email: config.notify.emailTemplateId, sms: config.notify.smsTemplateId })
    : new OutboxNotifier(opts.deliver);
  const jobs = createJobs(database.db);
  const auditCheckpoints = auditCheckpointing(config, opts.log);
  // The sealer runs in the background of every process; the jobs table has one process run it at a time.
  registerAuditSealer(jobs, { checkpointing: auditCheckpoints, everySeconds: config.auditSealSeconds });
  return { database, notifier, jobs, auditCheckpoints };
}
