// `npm run bench` runs every benchmark; `npm run bench -- <name> [<name>...]` runs the ones named.
// Each benchmark writes bench/results/<name>.json (see bench/support/results.ts for the shape).
import type { BenchResult } from './support/results.js';

const benchmarks: Record<string, () => Promise<BenchResult>> = {
  platform: async () => (await import('./platform.js')).platform(),
  register: async () => (await import('./register.js')).register(),
  budgets: async () => (await import('./budgets.js')).budgets(),
  linkage: async () => (await import('./linkage.js')).linkage(),
  panel: async () => (await import('./panel.js')).panel(),
  offer: async () => (await import('./offer.js')).offer(),
  commissioning: async () => (await import('./commissioning.js')).commissioning(),
  family: async () => (await import('./family.js')).family(),
};

const asked = process.argv.slice(2).filter((a) => a !== '--');
const unknown = asked.filter((n) => !(n in benchmarks));
if (unknown.length) {
  console.error(`No benchmark called ${unknown.join(', ')}. Benchmarks: ${Object.keys(benchmarks).join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const name of asked.length ? asked : Object.keys(benchmarks)) {
  console.log(`\n== benchmark: ${name} ==`);
  try {
    const result = await benchmarks[name]!();
    const missed = Object.values(result.targets ?? {}).filter((t) => !t.met);
    if (missed.length) console.log(`${name}: ${missed.length} target(s) missed: ${missed.map((t) => t.metric).join(', ')}`);
  } catch (e) {
    failed++;
    console.error(`\n${name} FAILED, no results written:\n${(e as Error).stack ?? String(e)}`);
  }
}
// Benchmarks start servers and clusters; make sure nothing keeps the process alive.
process.exit(failed ? 1 : 0);
