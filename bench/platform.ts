// The platform benchmark: what the foundation costs before any feature is built on it.
// In one run on one machine, for PostgreSQL and for embedded PGlite:
//   - the floor (/health/live: no session, no database) and the signed-in home page (/: session
//     lookup in the database, then a rendered page), each at 50 connections for 10 seconds;
//   - the server's memory after that load;
//   - the cold start: spawning the built app on a fresh data folder until /health/ready answers 200.
// Targets from the issue: page p95 at most 3x the floor p95 on PostgreSQL; PGlite cold start under 2 s.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { findPostgresBin, startCluster, type Cluster } from '../test/support/postgres-cluster.js';
import { projectPath } from '../src/platform/paths-on-disk.js';
import { paths } from '../src/paths.js';
import { build, startServer, type Server } from './support/server.js';
import { runLoad, type LoadResult } from './support/load.js';
import { signIn } from './support/sign-in.js';
import { machineLoad, round, target, writeResult, type BenchResult } from './support/results.js';

const CONNECTIONS = 50;
const DURATION_S = 10;
/** Each load is preceded by a short unmeasured one, so the JIT and the pools are warm. */
const WARMUP_S = 2;
const COLD_START_RUNS = 3;
const POLL_MS = 20;

type Kind = 'pg' | 'pglite';

const log = (line: string) => console.log(`[platform] ${line}`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const versionOf = (pkg: string) => (JSON.parse(readFileSync(projectPath('node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(cluster: Cluster, text: string): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: cluster.adminUrl });
  await client.connect();
  try {
    return await client.query<R>(text);
  } finally {
    await client.end();
  }
}

async function freshDatabase(cluster: Cluster, name: string): Promise<string> {
  await adminQuery(cluster, `drop database if exists ${name}`);
  await adminQuery(cluster, `create database ${name}`);
  return cluster.urlFor(name);
}

type Measured = LoadResult & { serverCpuMsPerRequest: number; serverCpuRatio: number };

/** A warm-up, then the measured load, with the server's own CPU time over the measured run. */
async function measured(label: string, server: Server, url: string, headers?: Record<string, string>): Promise<Measured> {
  await runLoad({ url, headers, connections: CONNECTIONS, durationS: WARMUP_S });
  const cpuBefore = server.cpuSeconds();
  const r = await runLoad({ url, headers, connections: CONNECTIONS, durationS: DURATION_S });
  const cpu = server.cpuSeconds() - cpuBefore;
  const m = { ...r, serverCpuMsPerRequest: (cpu * 1000) / r.requests, serverCpuRatio: cpu / r.durationS };
  log(
    `${label}: ${r.requests} requests, ${round(r.perS, 0)}/s, p50 ${round(r.p50Ms)} ms, p95 ${round(r.p95Ms)} ms, p99 ${round(r.p99Ms)} ms; ` +
      `server CPU ${round(m.serverCpuMsPerRequest, 3)} ms a request, ${round(m.serverCpuRatio)} of a core`,
  );
  return m;
}

/** Floor and home page under load on one server, then its memory. */
async function loadOn(kind: Kind, databaseUrl?: string) {
  const server = await startServer({ databaseUrl, pollMs: POLL_MS });
  try {
    const cookie = await signIn(server.url);
    const loadBefore = machineLoad();
    const floor = await measured(`${kind} floor ${paths.health.live}`, server, `${server.url}${paths.health.live}`);
    const page = await measured(`${kind} signed-in page ${paths.home}`, server, `${server.url}${paths.home}`, { cookie });
    const memory = server.memory();
    log(`${kind} server memory after load: ${round(memory.rssMb, 1)} MiB resident (peak ${round(memory.peakRssMb, 1)} MiB)`);
    return { floor, page, memory, loadBefore, loadAfter: machineLoad() };
  } finally {
    await server.stop();
  }
}

/** Spawn to /health/ready = 200, each time on a fresh data folder (and for PostgreSQL a fresh database). */
async function coldStarts(kind: Kind, cluster?: Cluster): Promise<number[]> {
  const runs: number[] = [];
  for (let i = 1; i <= COLD_START_RUNS; i++) {
    const databaseUrl = cluster ? await freshDatabase(cluster, `jointly_bench_cold_${i}`) : undefined;
    const server = await startServer({ databaseUrl, pollMs: POLL_MS });
    runs.push(server.readyAfterMs);
    await server.stop();
    log(`${kind} cold start ${i}: ${round(server.readyAfterMs, 0)} ms`);
  }
  return runs;
}

function metricsFor(kind: Kind, load: Awaited<ReturnType<typeof loadOn>>, cold: number[]): Record<string, number> {
  const { floor, page, memory } = load;
  return {
    [`${kind}_floor_p50_ms`]: round(floor.p50Ms),
    [`${kind}_floor_p95_ms`]: round(floor.p95Ms),
    [`${kind}_floor_p99_ms`]: round(floor.p99Ms),
    [`${kind}_floor_per_s`]: round(floor.perS, 0),
    [`${kind}_page_p50_ms`]: round(page.p50Ms),
    [`${kind}_page_p95_ms`]: round(page.p95Ms),
    [`${kind}_page_p99_ms`]: round(page.p99Ms),
    [`${kind}_page_per_s`]: round(page.perS, 0),
    [`${kind}_page_to_floor_p95_ratio`]: round(page.p95Ms / floor.p95Ms),
    [`${kind}_page_bytes`]: Math.round(page.bytesPerResponse),
    // CPU of the app process only (for PostgreSQL, the database's own processes are not counted).
    [`${kind}_floor_server_cpu_per_request_ms`]: round(floor.serverCpuMsPerRequest, 3),
    [`${kind}_page_server_cpu_per_request_ms`]: round(page.serverCpuMsPerRequest, 3),
    [`${kind}_floor_server_cpu_ratio`]: round(floor.serverCpuRatio),
    [`${kind}_page_server_cpu_ratio`]: round(page.serverCpuRatio),
    [`${kind}_server_rss_mb`]: round(memory.rssMb, 1),
    [`${kind}_server_peak_rss_mb`]: round(memory.peakRssMb, 1),
    [`${kind}_cold_start_ms`]: Math.round(median(cold)),
    [`${kind}_cold_start_min_ms`]: Math.round(Math.min(...cold)),
    [`${kind}_cold_start_max_ms`]: Math.round(Math.max(...cold)),
  };
}

function loadContext(load: Awaited<ReturnType<typeof loadOn>>) {
  const one = (r: Measured) => ({
    requests: r.requests,
    duration_s: r.durationS,
    mean_ms: round(r.meanMs),
    max_ms: round(r.maxMs),
    autocannon_p97_5_ms: r.autocannonP97_5Ms,
    autocannon_p99_ms: r.autocannonP99Ms,
  });
  return { floor: one(load.floor), page: one(load.page), machine_before: load.loadBefore, machine_after: load.loadAfter };
}

export async function platform(): Promise<BenchResult> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL was not found (install postgresql, or set PG_BIN): the platform benchmark needs it');
  log('building (npm run build)');
  build();
  const machineAtStart = machineLoad();

  log('starting a throwaway PostgreSQL cluster');
  const cluster = await startCluster(bin);
  try {
    const postgresVersion = String((await adminQuery<{ server_version: string }>(cluster, 'show server_version')).rows[0]!.server_version);
    const pgLoad = await loadOn('pg', await freshDatabase(cluster, 'jointly_bench'));
    const pgliteLoad = await loadOn('pglite');
    const pgliteCold = await coldStarts('pglite');
    const pgCold = await coldStarts('pg', cluster);

    const metrics = { ...metricsFor('pg', pgLoad, pgCold), ...metricsFor('pglite', pgliteLoad, pgliteCold) };
    const { path, result } = writeResult({
      name: 'platform',
      metrics,
      targets: {
        pg_page_to_floor_p95_ratio: target('pg_page_to_floor_p95_ratio', metrics.pg_page_to_floor_p95_ratio!, { max: 3 }),
        pglite_cold_start_ms: target('pglite_cold_start_ms', metrics.pglite_cold_start_ms!, { below: 2000 }),
      },
      context: {
        settings: {
          connections: CONNECTIONS,
          duration_s: DURATION_S,
          warmup_s: WARMUP_S,
          pipelining: 1,
          cold_start_runs: COLD_START_RUNS,
          cold_start_poll_ms: POLL_MS,
          percentiles: 'nearest rank over every 2xx response time of the measured run (autocannon has no p95)',
          per_s: '2xx responses in the measured run divided by its duration',
          server_cpu: 'user + system CPU of the app process over the measured run (/proc/<pid>/stat); PostgreSQL backends not included',
          server: 'node dist/src/main.js, LOG_LEVEL=warn, fresh JOINTLY_DATA_DIR; load generator in the same machine',
          page_session: 'admin@demoshire.example.org, signed in once over HTTP; cookies jointly_csrf and jointly_session',
          postgres_cluster: 'throwaway local cluster from test/support/postgres-cluster.ts (fsync=off, synchronous_commit=off, full_page_writes=off)',
        },
        versions: { postgres: postgresVersion, pglite: versionOf('@electric-sql/pglite'), autocannon: versionOf('autocannon') },
        cold_start_runs_ms: { pglite: pgliteCold.map((x) => Math.round(x)), pg: pgCold.map((x) => Math.round(x)) },
        load: { pg: loadContext(pgLoad), pglite: loadContext(pgliteLoad) },
        machine_load: { at_start: machineAtStart, at_end: machineLoad() },
      },
    });
    log(`wrote ${path}`);
    for (const t of Object.values(result.targets ?? {})) {
      const rule = t.max !== undefined ? `at most ${t.max}` : `under ${t.below}`;
      log(`target ${t.metric} ${rule}: ${t.value} — ${t.met ? 'MET' : 'MISSED'}`);
    }
    return result;
  } finally {
    cluster.stop();
  }
}
