// The family benchmark (issue 15): a family's own pages at the size of a large area. On PostgreSQL
// only (a throwaway cluster), against the built app over HTTP, with 100,000 fictional children
// from the demo population (`jointly seed-demo`, as the register benchmark):
//   - FAMILY_ACCOUNTS parents with parental responsibility, each of a different family, invited
//     through the family capability's own writer (inviteFamilyMember) and given the demo password;
//   - a family's home (GET /my-family: their children and what is theirs to do) and a child's page
//     (GET /my-family/children/:id: the record, referrals, packages, who can see it), rotating over
//     the signed-in parents and their children;
//   - each load at 10 connections for 10 seconds after a 2-second warm-up, then over one connection
//     for 5 seconds (the cost of a request without queueing), as bench/register.ts measures.
// Every response must be 2xx (a 404 would mean a child the parent may not see), or the run fails.
// Targets from issue 15: family_home_single_p95_ms <= 10 and family_child_single_p95_ms <= 10.
import { findPostgresBin, startCluster, type Cluster } from '../test/support/postgres-cluster.js';
import { openPostgres } from '../src/platform/db/database.js';
import { OutboxNotifier } from '../src/platform/notify/notify.js';
import { hashPassword } from '../src/capabilities/administration/sign-in/passwords.js';
import { approveFamilyAccount, inviteFamilyMember } from '../src/capabilities/families/my-family/service.js';
import { paths } from '../src/paths.js';
import { build, startServer, type Server } from './support/server.js';
import { queryOn, seedDemoChildren, versionOf } from './support/database.js';
import { runLoad, type LoadResult, type RotatingRequest } from './support/load.js';
import { signIn } from './support/sign-in.js';
import { machineLoad, round, target, writeResult, type BenchResult } from './support/results.js';

const CHILDREN = 100_000;
/** Parents given an account; the load rotates over the first SIGNED_IN of them. */
const FAMILY_ACCOUNTS = 200;
const SIGNED_IN = 8;
const CONNECTIONS = 10;
const DURATION_S = 10;
const WARMUP_S = 2;
const SINGLE_S = 5;
const TIMEOUT_S = 60;
const PASSWORD = 'demo-password-only';

const log = (line: string) => console.log(`[family] ${line}`);

async function getPage(server: Server, path: string, cookie: string) {
  const res = await fetch(`${server.url}${path}`, { redirect: 'manual', headers: { cookie } });
  return { status: res.status, body: await res.text() };
}

async function measured(
  label: string,
  url: string,
  rotate: RotatingRequest[],
): Promise<LoadResult & { single: LoadResult; loadBefore: ReturnType<typeof machineLoad> }> {
  await runLoad({ url, rotate, connections: CONNECTIONS, durationS: WARMUP_S, timeoutS: TIMEOUT_S, warmUp: true });
  const loadBefore = machineLoad();
  const r = await runLoad({ url, rotate, connections: CONNECTIONS, durationS: DURATION_S, timeoutS: TIMEOUT_S });
  const single = await runLoad({ url, rotate, connections: 1, durationS: SINGLE_S, timeoutS: TIMEOUT_S });
  log(`${label}: ${r.requests} requests, ${round(r.perS, 0)}/s, p50 ${round(r.p50Ms)} ms, p95 ${round(r.p95Ms)} ms at ${CONNECTIONS} connections`);
  log(`${label}, one connection: ${single.requests} requests, p50 ${round(single.p50Ms)} ms, p95 ${round(single.p95Ms)} ms`);
  return { ...r, single, loadBefore };
}

export async function family(): Promise<BenchResult> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL was not found (install postgresql, or set PG_BIN): the family benchmark needs it');
  log('building (npm run build)');
  build();
  const machineAtStart = machineLoad();
  log('starting a throwaway PostgreSQL cluster');
  const cluster: Cluster = await startCluster(bin);
  try {
    const postgresVersion = String((await queryOn<{ server_version: string }>(cluster.adminUrl, 'show server_version')).rows[0]!.server_version);
    await queryOn(cluster.adminUrl, 'create database jointly_bench_family');
    const url = cluster.urlFor('jointly_bench_family');
    log(`seeding the demo area and ${CHILDREN.toLocaleString('en-GB')} fictional children (jointly seed-demo)`);
    const seedMs = await seedDemoChildren(url, CHILDREN, (line) => {
      if (/fictional children/.test(line)) log(`seed-demo: ${line}`);
    });

    // Parents of different families, each with an e-mail address no one else has, invited as a caseworker would.
    const database = await openPostgres(url, 2);
    const emails: string[] = [];
    try {
      const db = database.db;
      const caseworker = (await db.selectFrom('users').select('id').where('email', '=', 'caseworker@demoshire.example.org').executeTakeFirstOrThrow()).id;
      const keyworker = (await db.selectFrom('users').select('id').where('email', '=', 'keyworker@demoshire.example.org').executeTakeFirstOrThrow()).id;
      const parents = (
        await queryOn<{ child_id: string; member_id: string; email: string }>(
          url,
          `with once as (select lower(email) as e from family_members where email is not null group by lower(email) having count(*) = 1)
           select distinct on (m.family_id) c.id as child_id, m.id as member_id, m.email
             from family_members m join once on once.e = lower(m.email) join children c on c.family_id = m.family_id
            where m.parental_responsibility and c.status = 'active'
            order by m.family_id, c.id
            limit $1`,
          [FAMILY_ACCOUNTS],
        )
      ).rows;
      const deps = { notifier: new OutboxNotifier(), baseUrl: 'http://localhost' };
      const hash = await hashPassword(PASSWORD);
      for (const p of parents) {
        const { userId } = await inviteFamilyMember(db, p.child_id, p.member_id, caseworker);
        await approveFamilyAccount(db, deps, p.child_id, userId, keyworker);
        await db.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
        emails.push(p.email);
      }
      log(`${emails.length} family accounts invited through inviteFamilyMember`);
    } finally {
      await database.close();
    }
    await queryOn(url, 'vacuum analyze');
    const sizes = (
      await queryOn(
        url,
        `select (select count(*) from children)::int as children, (select count(*) from family_accounts)::int as family_accounts,
                (select count(*) from family_members)::int as family_members, pg_database_size(current_database())::bigint as bytes`,
      )
    ).rows[0] as Record<string, number | string>;
    if (Number(sizes.children) !== CHILDREN) throw new Error(`Expected ${CHILDREN} children, found ${String(sizes.children)}`);
    log(`database: ${JSON.stringify(sizes)}`);

    const server = await startServer({ databaseUrl: url });
    try {
      const homes: RotatingRequest[] = [];
      const childPages: RotatingRequest[] = [];
      for (const email of emails.slice(0, SIGNED_IN)) {
        const cookie = await signIn(server.url, { email, password: PASSWORD }, 'family');
        const home = await getPage(server, paths.myFamily.home, cookie);
        if (home.status !== 200 || !home.body.includes('Things for you to do')) throw new Error(`${email}: /my-family answered ${home.status}`);
        homes.push({ path: paths.myFamily.home, headers: { cookie } });
        const ids = [...home.body.matchAll(/href="\/my-family\/children\/([0-9a-f-]{36})"/g)].map((m) => m[1]!);
        if (!ids.length) throw new Error(`${email}: no child on their home page`);
        for (const id of new Set(ids)) {
          const page = await getPage(server, paths.myFamily.child(id), cookie);
          if (page.status !== 200 || !page.body.includes('Who can see the record')) throw new Error(`${email}: their child's page answered ${page.status}`);
          childPages.push({ path: paths.myFamily.child(id), headers: { cookie } });
        }
      }
      log(`${homes.length} parents signed in; ${childPages.length} children's pages to rotate over`);
      const home = await measured(`home ${paths.myFamily.home}`, server.url, homes);
      const child = await measured(`child ${paths.myFamily.child()}`, server.url, childPages);
      const memory = server.memory();
      const metrics = {
        family_home_single_p95_ms: round(home.single.p95Ms),
        family_home_single_p50_ms: round(home.single.p50Ms),
        family_home_p95_ms: round(home.p95Ms),
        family_home_per_s: round(home.perS, 0),
        family_child_single_p95_ms: round(child.single.p95Ms),
        family_child_single_p50_ms: round(child.single.p50Ms),
        family_child_p95_ms: round(child.p95Ms),
        family_child_per_s: round(child.perS, 0),
        seed_ms: round(seedMs, 0),
      };
      const { path, result } = writeResult({
        name: 'family',
        metrics,
        targets: {
          family_home_single_p95_ms: target('family_home_single_p95_ms', metrics.family_home_single_p95_ms, { max: 10 }),
          family_child_single_p95_ms: target('family_child_single_p95_ms', metrics.family_child_single_p95_ms, { max: 10 }),
        },
        context: {
          children: CHILDREN,
          family_accounts: emails.length,
          signed_in_parents: homes.length,
          connections: CONNECTIONS,
          duration_s: DURATION_S,
          warm_up_s: WARMUP_S,
          single_s: SINGLE_S,
          database: sizes,
          postgres: postgresVersion,
          autocannon: versionOf('autocannon'),
          server_rss_mb: round(memory.rssMb, 1),
          server_peak_rss_mb: round(memory.peakRssMb, 1),
          notes: {
            single: `*_single_*: after each load, the same requests over 1 connection for ${SINGLE_S} s: the cost of one request without queueing`,
            percentiles: 'nearest rank over every 2xx response time of the measured run (autocannon has no p95)',
          },
          machine_load: { at_start: machineAtStart, before_home: home.loadBefore, before_child: child.loadBefore, at_end: machineLoad() },
        },
      });
      log(`written ${path}`);
      return result;
    } finally {
      await server.stop();
    }
  } finally {
    cluster.stop();
  }
}
