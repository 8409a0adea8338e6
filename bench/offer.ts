// The Local Offer benchmark (issue 16), on PostgreSQL (a throwaway cluster) against the built app
// (node dist/src/main.js) over HTTP:
//   - the public search with two facets (a need and a type of support) and a postcode, rotating
//     over needs, support types and postcodes: one connection (the cost of one search) and under
//     load (10 connections: searches per second);
//   - the ORUK API's /oruk/services page (rotating pages), one connection;
//   - need against supply for a commissioner, one connection, with OFFER_BENCH_CHILDREN children on
//     the register (default 100,000).
// Data: `jointly seed-demo --children N` (the demo area with its 320 services), then services made
// by the demo generator with three or four places each, written through the Local Offer's own
// saveEntries in batches, to 10,000 services and at least 30,000 locations. Targets: docs/performance.md.
import { openPostgres } from '../src/platform/db/database.js';
import { findPostgresBin, startCluster, type Cluster } from '../test/support/postgres-cluster.js';
import { saveEntries } from '../src/capabilities/planning/local-offer/index.js';
import { demoDirectory, demoPostcodePosition } from '../src/demo/local-offer.js';
import { todayInLondon } from '../src/platform/dates.js';
import { paths } from '../src/paths.js';
import { Random } from '../src/synthetic-extracts/random.js';
import { build, startServer, type Server } from './support/server.js';
import { queryOn, seedDemoChildren, versionOf } from './support/database.js';
import { runLoad, type LoadResult, type RotatingRequest } from './support/load.js';
import { signIn } from './support/sign-in.js';
import { machineLoad, round, target, writeResult, type BenchResult } from './support/results.js';

const CHILDREN = Number(process.env.OFFER_BENCH_CHILDREN ?? 100_000);
const SERVICES = 10_000;
const LOCATIONS = 30_000;
const CONNECTIONS = 10;
const WARMUP_S = 1;
const DURATION_S = 6;
const SINGLE_S = 5;
const TIMEOUT_S = 60;
const COMMISSIONER = { email: 'commissioner@demoshire.example.org', password: 'demo-password-only' };
const NEEDS = ['ASD', 'SLCN', 'SEMH', 'PD', 'MLD', 'SLD', 'HI', 'VI'];
const SUPPORT = ['SHORT-BREAKS', 'THERAPY', 'ACTIVITIES', 'SCHOOL-SUPPORT', 'HEALTH', 'FAMILY-SUPPORT'];
const UNIT_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

const log = (line: string) => console.log(`[offer] ${line}`);

/** Services from the demo generator, each with three or four places, to the wanted totals. */
async function loadDirectory(url: string, today: string) {
  const database = await openPostgres(url, 2);
  try {
    const db = database.db;
    const have = Number((await queryOn<{ n: number }>(url, 'select count(*)::int as n from offer_services')).rows[0]!.n);
    const places = Number((await queryOn<{ n: number }>(url, 'select count(*)::int as n from offer_locations')).rows[0]!.n);
    const add = SERVICES - have;
    const r = new Random(1616);
    const entries = demoDirectory(add, today, 1616);
    let locations = places;
    for (const [i, e] of entries.entries()) {
      const wanted = Math.ceil((LOCATIONS - locations) / (add - i));
      const first = e.locations[0]!;
      e.locations = Array.from({ length: Math.max(3, wanted) }, () => {
        const postcode = `DM${r.int(1, 9)} ${r.int(0, 9)}${r.pick([...UNIT_LETTERS])}${r.pick([...UNIT_LETTERS])}`;
        return { ...first, id: r.uuid(), type: 'physical' as const, postcode, ...demoPostcodePosition(postcode)! };
      });
      locations += e.locations.length;
    }
    const started = performance.now();
    for (let i = 0; i < entries.length; i += 500) await db.transaction().execute((tx) => saveEntries(tx, entries.slice(i, i + 500)));
    return { ms: performance.now() - started };
  } finally {
    await database.close();
  }
}

async function measure(label: string, server: Server, rotate: RotatingRequest[], loaded: boolean) {
  await runLoad({ url: server.url, rotate, connections: CONNECTIONS, durationS: WARMUP_S, timeoutS: TIMEOUT_S, warmUp: true });
  let load: LoadResult | null = null;
  const machineBefore = machineLoad();
  if (loaded) {
    load = await runLoad({ url: server.url, rotate, connections: CONNECTIONS, durationS: DURATION_S, timeoutS: TIMEOUT_S });
    log(`${label}, ${CONNECTIONS} connections: ${load.requests} requests, ${round(load.perS, 0)}/s, p50 ${round(load.p50Ms)} ms, p95 ${round(load.p95Ms)} ms`);
  }
  const single = await runLoad({ url: server.url, rotate, connections: 1, durationS: SINGLE_S, timeoutS: TIMEOUT_S });
  log(`${label}, one connection: ${single.requests} requests, p50 ${round(single.p50Ms)} ms, p95 ${round(single.p95Ms)} ms`);
  return { load, single, machineBefore };
}

export async function offer(): Promise<BenchResult> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL was not found (install postgresql, or set PG_BIN): the offer benchmark needs it');
  const wholeStarted = performance.now();
  log('building (npm run build)');
  build();
  const machineAtStart = machineLoad();
  const today = todayInLondon();
  const cluster: Cluster = await startCluster(bin);
  try {
    const postgresVersion = String((await queryOn<{ server_version: string }>(cluster.adminUrl, 'show server_version')).rows[0]!.server_version);
    await queryOn(cluster.adminUrl, 'create database jointly_bench_offer');
    const url = cluster.urlFor('jointly_bench_offer');
    log(`seeding the demo area and ${CHILDREN.toLocaleString('en-GB')} fictional children (jointly seed-demo)`);
    const seedMs = await seedDemoChildren(url, CHILDREN);
    log(`seeded in ${round(seedMs / 1000, 1)} s; adding services to ${SERVICES.toLocaleString('en-GB')}`);
    const dir = await loadDirectory(url, today);
    await queryOn(url, 'vacuum analyze');
    const count = async (sql: string) => Number((await queryOn<{ n: number }>(url, sql)).rows[0]!.n);
    const sizes = {
      services_count: await count('select count(*)::int as n from offer_services'),
      locations_count: await count('select count(*)::int as n from offer_locations'),
      children_count: await count("select count(*)::int as n from children where status = 'active'"),
    };
    log(`directory: ${JSON.stringify(sizes)} (added in ${round(dir.ms / 1000, 1)} s)`);
    if (sizes.services_count < SERVICES || sizes.locations_count < LOCATIONS) throw new Error(`Expected ${SERVICES} services and ${LOCATIONS} locations`);

    const server = await startServer({ databaseUrl: url });
    try {
      const r = new Random(7);
      const searches: RotatingRequest[] = Array.from({ length: 400 }, () => ({
        path: `${paths.localOffer.search}?need=${r.pick(NEEDS)}&support=${r.pick(SUPPORT)}&postcode=${encodeURIComponent(`DM${r.int(1, 7)} ${r.int(0, 9)}${r.pick([...UNIT_LETTERS])}${r.pick([...UNIT_LETTERS])}`)}&distance=5`,
      }));
      // Checked by hand first: a real results page.
      const first = await fetch(`${server.url}${searches[0]!.path}`);
      const body = await first.text();
      if (first.status !== 200 || !/\d+ services? found/.test(body)) throw new Error(`The search answered ${first.status} without a results count`);
      const pages = Math.ceil(sizes.services_count / 50);
      const oruk: RotatingRequest[] = Array.from({ length: 50 }, (_, i) => ({ path: `${paths.oruk.services}?page=${1 + ((i * 37) % pages)}&per_page=50` }));
      const orukFirst = (await (await fetch(`${server.url}${oruk[0]!.path}`)).json()) as { total_items: number; contents: unknown[] };
      if (orukFirst.total_items !== sizes.services_count || orukFirst.contents.length !== 50)
        throw new Error('The ORUK services page is not the full directory');
      const commissioner = await signIn(server.url, COMMISSIONER);
      const supplyPath = paths.localOffer.needAndSupply;
      const supply = await fetch(`${server.url}${supplyPath}`, { headers: { cookie: commissioner }, redirect: 'manual' });
      if (supply.status !== 200 || !(await supply.text()).includes('Need against supply')) throw new Error(`Need against supply answered ${supply.status}`);

      const search = await measure('search, two facets and a postcode', server, searches, true);
      const orukLoad = await measure('ORUK /services page of 50', server, oruk, false);
      const supplyLoad = await measure('need against supply', server, [{ path: supplyPath, headers: { cookie: commissioner } }], false);

      const metrics: Record<string, number> = {
        offer_search_single_p50_ms: round(search.single.p50Ms),
        offer_search_single_p95_ms: round(search.single.p95Ms),
        offer_search_p50_ms: round(search.load!.p50Ms),
        offer_search_p95_ms: round(search.load!.p95Ms),
        offer_search_per_s: round(search.load!.perS, 1),
        oruk_services_single_p50_ms: round(orukLoad.single.p50Ms),
        oruk_services_single_p95_ms: round(orukLoad.single.p95Ms),
        need_supply_single_p50_ms: round(supplyLoad.single.p50Ms),
        need_supply_single_p95_ms: round(supplyLoad.single.p95Ms),
        ...sizes,
        seed_ms: Math.round(seedMs),
        directory_load_ms: Math.round(dir.ms),
        server_rss_mb: round(server.memory().rssMb, 1),
        whole_run_ms: Math.round(performance.now() - wholeStarted),
      };
      const { path, result } = writeResult({
        name: 'offer',
        metrics,
        targets: {
          offer_search_single_p95_ms: target('offer_search_single_p95_ms', metrics.offer_search_single_p95_ms!, { max: 25 }),
          offer_search_per_s: target('offer_search_per_s', metrics.offer_search_per_s!, { min: 300 }),
          oruk_services_single_p95_ms: target('oruk_services_single_p95_ms', metrics.oruk_services_single_p95_ms!, { max: 25 }),
          need_supply_single_p95_ms: target('need_supply_single_p95_ms', metrics.need_supply_single_p95_ms!, { max: 300 }),
        },
        context: {
          settings: {
            data: `jointly seed-demo --children ${CHILDREN}, then demo-generator services with 3 or 4 places each through saveEntries (batches of 500), VACUUM ANALYZE`,
            search: `GET ${paths.localOffer.search}?need=&support=&postcode=&distance=5 rotating over 400 searches (8 needs, 6 support types, random Demoshire postcodes); ${CONNECTIONS} connections for ${DURATION_S} s after ${WARMUP_S} s warm-up, then 1 connection for ${SINGLE_S} s`,
            oruk: `GET ${paths.oruk.services}?page=&per_page=50 rotating over 50 pages, 1 connection for ${SINGLE_S} s`,
            need_supply: `GET ${supplyPath} as ${COMMISSIONER.email}, 1 connection for ${SINGLE_S} s`,
            server: 'node dist/src/main.js, LOG_LEVEL=warn, pool of 10 connections',
            postgres_cluster: 'throwaway local cluster from test/support/postgres-cluster.ts (fsync=off, synchronous_commit=off, full_page_writes=off)',
          },
          versions: { postgres: postgresVersion, autocannon: versionOf('autocannon') },
          load: { search: search.machineBefore, oruk: orukLoad.machineBefore, need_supply: supplyLoad.machineBefore },
          machine_load: { at_start: machineAtStart, at_end: machineLoad() },
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
