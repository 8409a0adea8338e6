// The commissioning benchmark (issue 17): joint commissioning's pages at the size of a large area.
// On PostgreSQL only (a throwaway cluster), with 100,000 fictional children from the demo population,
// Demoshire's fictional 0 to 25 population and, when the shared reference folder is there (or
// NEEDS_DFE_DIR names it), the DfE EHC plan statistics:
//   - the needs assessment (GET /commissioning/needs) as the commissioner (full figures) and as the
//     participation lead (small numbers protected), rotating: at 10 connections for 6 s after a 1 s
//     warm-up, then one connection for 5 s. The page keeps the register's counts for 60 seconds, as
//     the register overview does, so the load measures mostly pages with counts already made; the
//     counting itself is measured on its own, uncached (the first request, and the queries run directly).
//   - the forecast (bench/commissioning-forecast.ts, in this process on embedded PGlite: the model is
//     the cost, not the database): five years with three scenarios, and the DfE backtest.
// Targets from the issue: needs_p95_ms <= 300; forecast_5y_3_scenarios_ms <= 2,000; backtest_all_las_ms <= 60,000.
import { existsSync } from 'node:fs';
import { openPostgres } from '../src/platform/db/database.js';
import { findPostgresBin, startCluster, type Cluster } from '../test/support/postgres-cluster.js';
import { DEFAULT_DFE_DIR, loadDfeFigures, readDfeDir } from '../src/capabilities/planning/needs-assessment/index.js';
import { countNeeds, countPlans } from '../src/capabilities/planning/needs-assessment/service.js';
import { todayInLondon } from '../src/platform/dates.js';
import { paths } from '../src/paths.js';
import { build, startServer, type Server } from './support/server.js';
import { queryOn, seedDemoChildren, versionOf } from './support/database.js';
import { runLoad, type LoadResult, type RotatingRequest } from './support/load.js';
import { signIn } from './support/sign-in.js';
import { machineLoad, round, target, writeResult, type BenchResult } from './support/results.js';
import { forecastFigures } from './commissioning-forecast.js';

const CHILDREN = Number(process.env.COMMISSIONING_BENCH_CHILDREN ?? 100_000);
const CONNECTIONS = 10;
const WARMUP_S = 1;
const DURATION_S = 6;
const SINGLE_S = 5;
const TIMEOUT_S = 60;
/** Direct, uncached runs of the needs assessment's counting queries. */
const COUNT_RUNS = 5;
const COMMISSIONER = { email: 'commissioner@demoshire.example.org', password: 'demo-password-only' };
const PARTICIPATION = { email: 'participation@demoshire.example.org', password: 'demo-password-only' };
const DFE_DIR = process.env.NEEDS_DFE_DIR ?? DEFAULT_DFE_DIR;

const log = (line: string) => console.log(`[commissioning] ${line}`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function measure(label: string, server: Server, rotate: RotatingRequest[]) {
  await runLoad({ url: server.url, rotate, connections: CONNECTIONS, durationS: WARMUP_S, timeoutS: TIMEOUT_S, warmUp: true });
  const machineBefore = machineLoad();
  const load: LoadResult = await runLoad({ url: server.url, rotate, connections: CONNECTIONS, durationS: DURATION_S, timeoutS: TIMEOUT_S });
  log(`${label}, ${CONNECTIONS} connections: ${load.requests} requests, ${round(load.perS, 0)}/s, p50 ${round(load.p50Ms)} ms, p95 ${round(load.p95Ms)} ms`);
  const single = await runLoad({ url: server.url, rotate, connections: 1, durationS: SINGLE_S, timeoutS: TIMEOUT_S });
  log(`${label}, one connection: ${single.requests} requests, p50 ${round(single.p50Ms)} ms, p95 ${round(single.p95Ms)} ms`);
  return { load, single, machineBefore };
}

export async function commissioning(): Promise<BenchResult> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL was not found (install postgresql, or set PG_BIN): the commissioning benchmark needs it');
  const wholeStarted = performance.now();
  log('building (npm run build)');
  build();
  const machineAtStart = machineLoad();
  const today = todayInLondon();
  const cluster: Cluster = await startCluster(bin);
  try {
    const postgresVersion = String((await queryOn<{ server_version: string }>(cluster.adminUrl, 'show server_version')).rows[0]!.server_version);
    await queryOn(cluster.adminUrl, 'create database jointly_bench_commissioning');
    const url = cluster.urlFor('jointly_bench_commissioning');
    log(`seeding the demo area and ${CHILDREN.toLocaleString('en-GB')} fictional children (jointly seed-demo)`);
    const seedMs = await seedDemoChildren(url, CHILDREN);
    const dfeLoaded = existsSync(DFE_DIR);
    const database = await openPostgres(url, 2);
    const counting: number[] = [];
    let dfeMs = 0;
    try {
      if (dfeLoaded) {
        const started = performance.now();
        const figures = await readDfeDir(DFE_DIR);
        await database.db.transaction().execute((tx) => loadDfeFigures(tx, figures));
        dfeMs = performance.now() - started;
        log(`loaded ${figures.length.toLocaleString('en-GB')} DfE figures in ${round(dfeMs / 1000, 1)} s`);
      } else log(`no DfE folder at ${DFE_DIR}: the page is measured without the comparison`);
      await queryOn(url, 'vacuum analyze');
      for (let i = 0; i < COUNT_RUNS; i++) {
        const started = performance.now();
        await Promise.all([countNeeds(database.db, today), countPlans(database.db, today)]);
        counting.push(performance.now() - started);
      }
    } finally {
      await database.close();
    }
    log(`counting, uncached, direct: median ${round(median(counting))} ms over ${COUNT_RUNS} runs`);
    const active = Number((await queryOn<{ n: number }>(url, "select count(*)::int as n from children where status = 'active'")).rows[0]!.n);

    const server = await startServer({ databaseUrl: url });
    try {
      const commissioner = await signIn(server.url, COMMISSIONER);
      const participation = await signIn(server.url, PARTICIPATION);
      const needs = paths.commissioning.needs;
      const firstStarted = performance.now();
      const first = await fetch(`${server.url}${needs}`, { headers: { cookie: commissioner }, redirect: 'manual' });
      const body = await first.text();
      const firstMs = performance.now() - firstStarted;
      if (first.status !== 200 || !body.includes('children and young people on the register')) throw new Error(`The needs assessment answered ${first.status}`);
      if (dfeLoaded && !body.includes('2024/25')) throw new Error('The needs assessment has no DfE comparison');
      const shared = await fetch(`${server.url}${needs}`, { headers: { cookie: participation }, redirect: 'manual' });
      if (shared.status !== 200) throw new Error(`The shared needs assessment answered ${shared.status}`);
      await shared.text();
      const page = await measure('needs assessment (commissioner and participation lead)', server, [
        { path: needs, headers: { cookie: commissioner } },
        { path: needs, headers: { cookie: participation } },
      ]);

      const forecast = await forecastFigures();

      const metrics: Record<string, number> = {
        needs_p50_ms: round(page.load.p50Ms),
        needs_p95_ms: round(page.load.p95Ms),
        needs_per_s: round(page.load.perS, 1),
        needs_single_p50_ms: round(page.single.p50Ms),
        needs_single_p95_ms: round(page.single.p95Ms),
        needs_first_request_ms: round(firstMs),
        needs_counting_uncached_median_ms: round(median(counting)),
        needs_counting_uncached_max_ms: round(Math.max(...counting)),
        children_active_count: active,
        seed_ms: Math.round(seedMs),
        dfe_load_ms: Math.round(dfeMs),
        server_rss_mb: round(server.memory().rssMb, 1),
        ...forecast,
        whole_run_ms: Math.round(performance.now() - wholeStarted),
      };
      const { path, result } = writeResult({
        name: 'commissioning',
        metrics,
        targets: {
          needs_p95_ms: target('needs_p95_ms', metrics.needs_p95_ms!, { max: 300 }),
          forecast_5y_3_scenarios_ms: target('forecast_5y_3_scenarios_ms', metrics.forecast_5y_3_scenarios_ms!, { max: 2000 }),
          backtest_all_las_ms: target('backtest_all_las_ms', metrics.backtest_all_las_ms!, { max: 60_000 }),
        },
        context: {
          settings: {
            data: `jointly seed-demo --children ${CHILDREN} (Demoshire's fictional population and neighbours), ${dfeLoaded ? `DfE figures from ${DFE_DIR}` : 'no DfE figures'}, VACUUM ANALYZE`,
            needs: `GET ${needs} alternating the commissioner (full figures) and the participation lead (protected); ${CONNECTIONS} connections for ${DURATION_S} s after ${WARMUP_S} s warm-up, then 1 connection for ${SINGLE_S} s. The register's counts are kept 60 s, so the load measures mostly cached counts; needs_first_request_ms and needs_counting_uncached_* are the counting itself`,
            server: 'node dist/src/main.js, LOG_LEVEL=warn, pool of 10 connections',
            postgres_cluster: 'throwaway local cluster from test/support/postgres-cluster.ts (fsync=off, synchronous_commit=off, full_page_writes=off)',
          },
          counting_runs_ms: counting.map((x) => round(x)),
          versions: { postgres: postgresVersion, autocannon: versionOf('autocannon') },
          load: { needs: page.machineBefore },
          machine_load: { at_start: machineAtStart, at_end: machineLoad() },
          note: 'Measured on a shared 2-core machine while other work was running: figures under load, not a quiet machine.',
        },
      });
      log(`wrote ${path}`);
      for (const x of Object.values(result.targets ?? {})) log(`target ${x.metric}: ${x.value} — ${x.met ? 'MET' : 'MISSED'}`);
      return result;
    } finally {
      await server.stop();
    }
  } finally {
    cluster.stop();
  }
}
