// Reads the configuration, opens the database, migrates, seeds the demo area, and listens.
import { ConfigError, loadConfig, type Config } from './config.js';
import { createApp } from './app.js';
import { openRuntime } from './runtime.js';
import type { Message } from './platform/notify/notify.js';
import { demoSignInText, seedDemo } from './demo/seed.js';
import { seedDemoDfe } from './demo/needs.js';
import { DEFAULT_DEMO_CHILDREN, DEMO_POPULATION_JOB, registerDemoPopulationJob } from './demo/population.js';

let config: Config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

// Without GOV.UK Notify (never in production mode) the outbox keeps messages with their links
// removed, so the real message is printed here for the developer to follow.
const printMessage = (m: Message) => {
  console.log(`\n--- Message for ${m.to} (not sent: GOV.UK Notify is not configured) ---\n${m.subject ? `${m.subject}\n\n` : ''}${m.body}\n---\n`);
};
const runtime = await openRuntime(config, config.production ? {} : { deliver: printMessage });
if (config.demo) registerDemoPopulationJob(runtime.jobs);
if (config.demo && (await seedDemo(runtime.database.db))) {
  // The DfE statistics for the needs assessment's comparison, from the shared reference folder when it is there.
  if (!(await seedDemoDfe(runtime.database.db))) console.log('The DfE EHC plan statistics were not found: load them with `jointly import-dfe-ehcp DIR`.');
  // The fictional children are added in the background, so the first start stays quick.
  await runtime.jobs.enqueue(runtime.database.db, DEMO_POPULATION_JOB, { children: DEFAULT_DEMO_CHILDREN }, { key: DEMO_POPULATION_JOB });
  console.log(`\n${demoSignInText()}\n\nAdding ${DEFAULT_DEMO_CHILDREN.toLocaleString('en-GB')} fictional children to the register in the background.\n`);
} else if (config.demo) {
  console.log('\nDemo accounts are listed in the README (password: demo-password-only).\n');
}
const app = await createApp({ config, ...runtime });
// Signed audit checkpoints are written as log lines through the app's logger from now on.
runtime.auditCheckpoints.log = app.log;
runtime.jobs.start();
await app.listen({ port: config.port, host: config.host });
console.log(`Jointly is running on ${runtime.database.kind === 'pglite' ? 'the embedded database' : 'PostgreSQL'}: open ${config.baseUrl}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await app.close();
      await runtime.jobs.stop();
      await runtime.database.close();
      process.exit(0);
    })();
  });
}
