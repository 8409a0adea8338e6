// What the composition root hands every capability's routes.
import type { Config } from '../config.js';
import type { Notifier } from '../platform/notify/notify.js';
import type { Jobs } from '../platform/jobs/jobs.js';

export interface CapabilityDeps {
  config: Config;
  notifier: Notifier;
  jobs: Jobs;
}
