// The budgets benchmark (issue 5): ten financial years of ledger entries for 20,000 fictional
// children on PostgreSQL (a throwaway cluster), then:
//   - posting through the ledger service (post() in src/capabilities/money/budgets/ledger.ts) by
//     several concurrent posters for a fixed time: postings a second, sustained, and the
//     invariants checked afterwards (every transaction balances, none lost);
//   - the board report (GET /budgets/reports?year=…) as the demo finance officer, over HTTP
//     against the built app (node dist/src/main.js), under load and one request at a time;
//   - a child's money (GET /budgets/reports/children/:id?year=…) as the demo key worker, rotating
//     over children the sharing rule lets them see.
// How the ten years are made: partners, pools, agreed shares and contributions go through the
// budgets services; the packages and their ten years of commitments, invoices and payments
// (millions of entries) are bulk-loaded with INSERT … SELECT in the same shapes the services post
// (every transaction balanced, the same dimensions on each line), with the ledger's triggers
// off for the load; the books are then checked as the triggers would have: every transaction
// balances with at least two lines, and every reference points at a row that exists.
// Targets from the issue: board report p95 under 500 ms, drill-down p95 under 100 ms, posting at
// least 2,000 a second.
import pg from 'pg';
import { sql } from 'kysely';
import { findPostgresBin, startCluster, type Cluster } from '../test/support/postgres-cluster.js';
import { openPostgres, type Database } from '../src/platform/db/database.js';
import { post, unbalancedTransactions, type LedgerLine } from '../src/capabilities/money/budgets/ledger.js';
import { addAgreementYear, createAgreement, createPartner, recordContribution } from '../src/capabilities/money/budgets/agreements.js';
import { visibleChild } from '../src/capabilities/record/sharing/service.js';
import type { Viewer } from '../src/capabilities/record/sharing/rules.js';
import { todayInLondon } from '../src/platform/dates.js';
import { financialYearOf } from '../src/platform/financial-year.js';
import { formatPence } from '../src/platform/money.js';
import { paths } from '../src/paths.js';
import { build, startServer, type Server } from './support/server.js';
import { queryOn, seedDemoChildren, versionOf } from './support/database.js';
import { runLoad, type LoadResult, type RotatingRequest } from './support/load.js';
import { signIn } from './support/sign-in.js';
import { machineLoad, round, target, writeResult, type BenchResult } from './support/results.js';

const CHILDREN = 20_000;
const YEARS = 10;
/** Concurrent posters, each with its own database connection. */
const POSTERS = 8;
const POSTING_WARMUP_S = 3;
const POSTING_S = 20;
/** HTTP loads: connections, warm-up and measured run; then one connection alone. */
const CONNECTIONS = 10;
const WARMUP_S = 2;
const DURATION_S = 10;
const SINGLE_S = 5;
const TIMEOUT_S = 60;
const CHILDREN_ROTATED = 1000;
const PASSWORD = 'demo-password-only';
const FINANCE = 'finance@demoshire.example.org';
const KEYWORKER = 'keyworker@demoshire.example.org';

const log = (line: string) => console.log(`[budgets] ${line}`);

// ---------------------------------------------------------------------------------------------
// Partners, pools, shares and contributions: through the budgets services.

interface Setup {
  edu: string;
  csc: string;
  icb: string;
  s75: string;
  align: string;
  providerId: string;
  financeUserId: string;
  firstYear: number;
  lastYear: number;
}

export async function setUpPools(database: Database, today: string): Promise<Setup> {
  const db = database.db;
  const orgs = Object.fromEntries((await db.selectFrom('organisations').select(['id', 'code']).execute()).map((o) => [o.code, o.id]));
  const finance = await db.selectFrom('users').select('id').where('email', '=', FINANCE).executeTakeFirstOrThrow();
  const by = { id: finance.id };
  const lastYear = financialYearOf(today);
  const firstYear = lastYear - YEARS + 1;
  return db.transaction().execute(async (tx) => {
    const edu = (await createPartner(tx, { organisationId: orgs['DEMO-EDU']!, shortName: 'Education' })).id;
    const csc = (await createPartner(tx, { organisationId: orgs['DEMO-CSC']!, shortName: 'Social care' })).id;
    const icb = (await createPartner(tx, { organisationId: orgs['DEMO-ICB']!, shortName: 'Health' })).id;
    const start = `${firstYear}-04-01`;
    const s75 = (
      await createAgreement(
        tx,
        {
          code: 'BENCH-S75',
          name: 'Benchmark pooled fund (fictional)',
          arrangement: 'pooled',
          legalBasis: 'nhs-act-2006-s75',
          legalBasisNote: null,
          hostPartnerId: csc,
          startsOn: start,
        },
        by,
      )
    ).id;
    const align = (
      await createAgreement(
        tx,
        {
          code: 'BENCH-ALIGN',
          name: 'Benchmark aligned budget (fictional)',
          arrangement: 'aligned',
          legalBasis: 'children-and-families-act-2014-s26',
          legalBasisNote: null,
          hostPartnerId: null,
          startsOn: start,
        },
        by,
      )
    ).id;
    let n = 0;
    for (let fy = firstYear; fy <= lastYear; fy++) {
      await addAgreementYear(tx, s75, fy, [
        { partnerId: csc, bp: 7000 },
        { partnerId: icb, bp: 3000 },
      ]);
      await addAgreementYear(tx, align, fy, [
        { partnerId: edu, bp: 4000 },
        { partnerId: icb, bp: 6000 },
      ]);
      for (const [agreementId, partnerId, serviceCategory, pounds] of [
        [s75, csc, 'short-breaks', 9_000_000],
        [s75, icb, 'short-breaks', 3_000_000],
        [s75, csc, 'key-working', 4_000_000],
        [s75, icb, 'personal-budgets', 2_000_000],
        [align, edu, 'therapies', 3_000_000],
        [align, icb, 'therapies', 4_500_000],
      ] as const) {
        await recordContribution(
          tx,
          {
            agreementId,
            financialYear: fy,
            partnerId,
            serviceCategory,
            amountPence: pounds * 100,
            postedOn: `${fy}-04-01`,
            reason: `Agreed contribution ${fy} (benchmark)`,
            eventId: `bench-${++n}`,
          },
          by,
        );
      }
    }
    return { edu, csc, icb, s75, align, providerId: orgs['DEMO-PROV']!, financeUserId: finance.id, firstYear, lastYear };
  });
}

// ---------------------------------------------------------------------------------------------
// The ten years, bulk-loaded in the services' shapes.

export async function bulkLoad(url: string, s: Setup, today: string): Promise<{ ms: number; indexMs: number; checkMs: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const q = <R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []) => client.query<R>(text, values);
  const started = performance.now();
  try {
    // Secondary indexes are made again after the load (faster than keeping them up row by row).
    const indexes = (await q(`select indexname, indexdef from pg_indexes where tablename = 'ledger_entries' and indexname <> 'ledger_entries_pkey'`)).rows as {
      indexname: string;
      indexdef: string;
    }[];
    for (const i of indexes) await q(`drop index ${i.indexname}`);
    // Triggers off for this session (foreign keys, the balance check, the period check): the
    // checks they make are made once, in bulk, after the load.
    await q('set session_replication_role = replica');
    await q('begin');
    await q(`create temp table bp on commit drop as
      select row_number() over (order by c.id)::int as n, c.id as child_id from children c`);
    // One package per child: two pools, a fixed or two-partner split, a weekly cost of £50 to £350.
    await q(
      `create temp table pk on commit drop as
       select n, child_id, gen_random_uuid() as package_id, gen_random_uuid() as change_id,
              case when n % 3 = 0 then $2::uuid else $1::uuid end as agreement_id,
              case when n % 3 = 0 then (array['therapies','equipment'])[n % 2 + 1]
                   else (array['short-breaks','key-working','personal-budgets','transport','placements','other'])[n % 6 + 1] end as category,
              (5000 + (n * 37) % 30000)::bigint as weekly,
              case when n % 3 = 0 then $3::uuid else $4::uuid end as p1,
              case when n % 3 = 0 then $5::uuid when n % 2 = 1 then $5::uuid else null end as p2,
              case when n % 3 = 0 then 4000 when n % 2 = 1 then 7000 else 10000 end as bp1
       from bp`,
      [s.s75, s.align, s.edu, s.csc, s.icb],
    );
    const start = `${s.firstYear}-04-01`;
    await q(
      `insert into packages (id, agreement_id, child_id, service_category, service, provider_id, unit_cost_pence, units_x100, frequency, starts_on, created_by)
       select package_id, agreement_id, child_id, category, 'Benchmark service ' || category, $1, weekly, 100, 'week', $2::date, $3 from pk`,
      [s.providerId, start, s.financeUserId],
    );
    await q(
      `insert into package_changes (id, package_id, version, service_category, service, provider_id, unit_cost_pence, units_x100, frequency, starts_on, reason, changed_by)
       select change_id, package_id, 1, category, 'Benchmark service ' || category, $1, weekly, 100, 'week', $2::date, 'Agreed at panel (benchmark)', $3 from pk`,
      [s.providerId, start, s.financeUserId],
    );
    await q(
      `insert into package_split_shares (package_change_id, segment, from_on, partner_id, share_bp)
       select change_id, 1, $1::date, p1, bp1 from pk
       union all select change_id, 1, $1::date, p2, 10000 - bp1 from pk where p2 is not null`,
      [start],
    );
    // The events: per package and year, a commitment (k = 0), four quarterly invoices (1-4) and
    // their payments (5-8), each on its accounting date, none after today.
    const base = Number((await q<{ m: string }>(`select coalesce(max(id), 0) as m from ledger_transactions`)).rows[0]!.m);
    await q(
      `create temp table ev on commit drop as
       with raw as (
         select pk.*, y, k,
                case when k = 0 then make_date(y, 4, 1)
                     when k <= 4 then (make_date(y, 4, 1) + make_interval(months => 3 * k))::date + 9
                     else (make_date(y, 4, 1) + make_interval(months => 3 * (k - 4)))::date + 39 end as posted_on,
                case when k = 0 then weekly * 52 else weekly * 13 end as amount
         from pk cross join generate_series($1::int, $2::int) as y cross join generate_series(0, 8) as k
       )
       select raw.*, $3::bigint + ((n - 1) * ${YEARS} + (y - $1)) * 9 + k + 1 as tx_id,
              case when k between 1 and 4 then md5('inv' || n || '-' || y || '-' || k)::uuid
                   when k >= 5 then md5('inv' || n || '-' || y || '-' || (k - 4))::uuid end as invoice_id,
              case when k >= 5 then md5('pay' || n || '-' || y || '-' || (k - 4))::uuid end as payment_id,
              case when p2 is null then amount else round(amount * bp1 / 10000.0)::bigint end as part1
       from raw where posted_on <= $4::date`,
      [s.firstYear, s.lastYear, base, today],
    );
    await q(
      `insert into invoices (id, agreement_id, provider_id, supplier_reference, package_id, service_from, service_to, amount_pence, received_on, recorded_by, matched_at)
       select invoice_id, agreement_id, $1, 'B-' || n || '-' || y || '-' || k, package_id,
              (make_date(y, 4, 1) + make_interval(months => 3 * (k - 1)))::date,
              (make_date(y, 4, 1) + make_interval(months => 3 * k))::date - 1, amount, posted_on, $2, now()
       from ev where k between 1 and 4`,
      [s.providerId, s.financeUserId],
    );
    await q(
      `insert into payments (id, kind, invoice_id, package_id, amount_pence, paid_on, recorded_by)
       select payment_id, 'invoice', invoice_id, package_id, amount, posted_on, $1 from ev where k >= 5`,
      [s.financeUserId],
    );
    await q(
      `insert into ledger_transactions (id, idempotency_key, payload_hash, kind, posted_on, financial_year, period, reason, recorded_by,
                                        invoice_id, payment_id, package_change_id)
       overriding system value
       select tx_id,
              case when k = 0 then 'bench-commitment:' || package_id || ':' || y when k <= 4 then 'invoice:' || invoice_id else 'payment:' || payment_id end,
              md5(tx_id::text),
              case when k = 0 then 'commitment' when k <= 4 then 'invoice' else 'payment' end,
              posted_on,
              extract(year from posted_on)::int - case when extract(month from posted_on) < 4 then 1 else 0 end,
              (extract(month from posted_on)::int + 8) % 12 + 1,
              case when k = 0 then 'Commitment for ' || y || ' (benchmark)' when k <= 4 then 'Invoice B-' || n || '-' || y || '-' || k else 'Payment of invoice B-' || n || '-' || y || '-' || (k - 4) end,
              $1,
              invoice_id, payment_id, case when k = 0 then change_id end
       from ev`,
      [s.financeUserId],
    );
    // Lines: each partner's part, debit and credit, with the dimensions the services give each account.
    await q(
      `insert into ledger_entries (transaction_id, account, amount_pence, agreement_id, partner_id, financial_year, service_category, package_id, child_id)
       select ev.tx_id, side.account, side.sign * parts.pence, ev.agreement_id, parts.partner, ev.y,
              case when side.dims then ev.category end, case when side.dims then ev.package_id end, case when side.dims then ev.child_id end
       from ev
       cross join lateral (values (ev.p1, ev.part1), (ev.p2, ev.amount - ev.part1)) as parts(partner, pence)
       cross join lateral (values
         (case when ev.k = 0 then 'commitments' when ev.k <= 4 then 'spend' else 'creditors' end, 1, ev.k <= 4),
         (case when ev.k = 0 then 'commitments-reserve' when ev.k <= 4 then 'creditors' else 'cash' end, -1, ev.k = 0)
       ) as side(account, sign, dims)
       where parts.partner is not null and parts.pence <> 0`,
    );
    await q(
      `insert into ledger_periods (financial_year, period, starts_on, ends_on)
       select distinct financial_year, period, date_trunc('month', posted_on)::date, (date_trunc('month', posted_on) + interval '1 month' - interval '1 day')::date
       from ledger_transactions on conflict do nothing`,
    );
    await q(`select setval(pg_get_serial_sequence('ledger_transactions', 'id'), (select max(id) from ledger_transactions))`);
    await q('commit');
    await q('set session_replication_role = origin');
    const loadedMs = performance.now() - started;
    const indexStarted = performance.now();
    for (const i of indexes) await q(i.indexdef);
    const indexMs = performance.now() - indexStarted;

    // The checks the triggers and foreign keys would have made.
    const checkStarted = performance.now();
    const dangling = (
      await q(`select
        (select count(*) from ledger_entries e where not exists (select 1 from ledger_transactions t where t.id = e.transaction_id))::int as entries_without_transaction,
        (select count(*) from ledger_entries e where e.package_id is not null and not exists (select 1 from packages k where k.id = e.package_id))::int as entries_without_package,
        (select count(*) from ledger_entries e where e.child_id is not null and not exists (select 1 from children c where c.id = e.child_id))::int as entries_without_child,
        (select count(*) from ledger_transactions t where t.invoice_id is not null and not exists (select 1 from invoices i where i.id = t.invoice_id))::int as transactions_without_invoice,
        (select count(*) from ledger_transactions t where t.payment_id is not null and not exists (select 1 from payments y where y.id = t.payment_id))::int as transactions_without_payment,
        (select count(*) from ledger_transactions t where not exists (select 1 from ledger_periods p where p.financial_year = t.financial_year and p.period = t.period))::int as transactions_without_period`)
    ).rows[0] as Record<string, number>;
    for (const [k, v] of Object.entries(dangling)) if (Number(v) !== 0) throw new Error(`Bulk load: ${v} ${k.replace(/_/g, ' ')}`);
    return { ms: loadedMs, indexMs, checkMs: performance.now() - checkStarted };
  } catch (e) {
    await q('rollback').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}

/** The books: every transaction balances with two lines or more, and all entries add up to zero. */
async function checkBooks(database: Database) {
  const t = performance.now();
  const unbalanced = await unbalancedTransactions(database.db);
  if (unbalanced.length) throw new Error(`${unbalanced.length} transactions do not balance, e.g. ${unbalanced.slice(0, 5).join(', ')}`);
  const total = await database.db
    .selectFrom('ledger_entries')
    .select(sql<string>`coalesce(sum(amount_pence), 0)::bigint`.as('p'))
    .executeTakeFirstOrThrow();
  if (Number(total.p) !== 0) throw new Error(`The ledger's entries add up to ${total.p} pence, not 0`);
  return performance.now() - t;
}

// ---------------------------------------------------------------------------------------------
// Posting through the ledger service, concurrently.

interface PostingRun {
  postings: number;
  entries: number;
  perS: number;
  entriesPerS: number;
  p50Ms: number;
  p95Ms: number;
  durationS: number;
  retriesNeeded: number;
}

async function postingRun(url: string, s: Setup, today: string, posters = POSTERS, tag = 'a'): Promise<PostingRun> {
  const database = await openPostgres(url, posters);
  try {
    // Packages with two partners to post against (dimensions as a direct payment posts them).
    const pkgs = (
      await database.db
        .selectFrom('packages as k')
        .innerJoin('package_changes as c', (j) => j.onRef('c.package_id', '=', 'k.id').on('c.version', '=', 1))
        .select(['k.id', 'k.child_id', 'k.agreement_id', 'k.service_category'])
        .where('k.agreement_id', '=', s.align)
        .limit(500)
        .execute()
    ).map((p) => ({ ...p }));
    const fy = financialYearOf(today);
    let seq = 0;
    const lines = (p: (typeof pkgs)[number], pence: number): LedgerLine[] => {
      const a = Math.round(pence * 0.4);
      const dims = (partnerId: string) => ({
        agreementId: p.agreement_id,
        partnerId,
        financialYear: fy,
        serviceCategory: p.service_category,
        packageId: p.id,
        childId: p.child_id,
      });
      return [
        { account: 'spend', amountPence: a, ...dims(s.edu) },
        { account: 'cash', amountPence: -a, ...dims(s.edu) },
        { account: 'spend', amountPence: pence - a, ...dims(s.icb) },
        { account: 'cash', amountPence: -(pence - a), ...dims(s.icb) },
      ];
    };
    const run = async (seconds: number, measure: boolean) => {
      const times: number[] = [];
      let done = 0;
      const stopAt = performance.now() + seconds * 1000;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: posters }, async () => {
          while (performance.now() < stopAt) {
            const n = ++seq;
            const p = pkgs[n % pkgs.length]!;
            const t = performance.now();
            const r = await post(database.db, {
              idempotencyKey: `bench-post-${tag}:${n}`,
              kind: 'direct-payment',
              postedOn: today,
              reason: `Direct payment ${n} (benchmark)`,
              recordedBy: s.financeUserId,
              lines: lines(p, 5_000 + (n % 20_000)),
            });
            if (!r.created) throw new Error(`Posting ${n} was not created`);
            if (measure) {
              times.push(performance.now() - t);
              done++;
            }
          }
        }),
      );
      return { times, done, durationS: (performance.now() - started) / 1000 };
    };
    log(`posting: ${posters} concurrent posters, ${POSTING_WARMUP_S} s warm-up`);
    await run(POSTING_WARMUP_S, false);
    const before = Number(
      (
        await database.db
          .selectFrom('ledger_transactions')
          .select(sql<string>`count(*)`.as('n'))
          .where('idempotency_key', 'like', `bench-post-${tag}:%`)
          .executeTakeFirstOrThrow()
      ).n,
    );
    const r = await run(POSTING_S, true);
    const after = Number(
      (
        await database.db
          .selectFrom('ledger_transactions')
          .select(sql<string>`count(*)`.as('n'))
          .where('idempotency_key', 'like', `bench-post-${tag}:%`)
          .executeTakeFirstOrThrow()
      ).n,
    );
    // Nothing lost: every posting the posters were told was made is in the ledger, with its four lines.
    if (after - before !== r.done) throw new Error(`Posters made ${r.done} postings but the ledger gained ${after - before}`);
    const entries = Number(
      (
        await database.db
          .selectFrom('ledger_entries as e')
          .innerJoin('ledger_transactions as t', 't.id', 'e.transaction_id')
          .select(sql<string>`count(*)`.as('n'))
          .where('t.idempotency_key', 'like', `bench-post-${tag}:%`)
          .executeTakeFirstOrThrow()
      ).n,
    );
    if (entries !== after * 4) throw new Error(`${after} postings should have ${after * 4} entries, found ${entries}`);
    r.times.sort((a, b) => a - b);
    const pct = (p: number) => r.times[Math.min(r.times.length - 1, Math.ceil((p / 100) * r.times.length) - 1)]!;
    return {
      postings: r.done,
      entries: r.done * 4,
      perS: r.done / r.durationS,
      entriesPerS: (r.done * 4) / r.durationS,
      p50Ms: pct(50),
      p95Ms: pct(95),
      durationS: r.durationS,
      retriesNeeded: 0,
    };
  } finally {
    await database.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Pages over HTTP.

async function getPage(server: Server, path: string, cookie: string) {
  const t = performance.now();
  const res = await fetch(`${server.url}${path}`, { redirect: 'manual', headers: { cookie } });
  const body = await res.text();
  return { status: res.status, body, ms: performance.now() - t };
}

async function measured(
  label: string,
  server: Server,
  rotate: RotatingRequest[],
): Promise<{ load: LoadResult; single: LoadResult; loadBefore: ReturnType<typeof machineLoad>; serverCpuMsPerRequest: number }> {
  await runLoad({ url: server.url, rotate, connections: CONNECTIONS, durationS: WARMUP_S, timeoutS: TIMEOUT_S, warmUp: true });
  await new Promise((r) => setTimeout(r, 1000));
  const loadBefore = machineLoad();
  const cpu = server.cpuSeconds();
  const load = await runLoad({ url: server.url, rotate, connections: CONNECTIONS, durationS: DURATION_S, timeoutS: TIMEOUT_S });
  const serverCpuMsPerRequest = ((server.cpuSeconds() - cpu) * 1000) / Math.max(1, load.requests);
  await new Promise((r) => setTimeout(r, 1000));
  const single = await runLoad({ url: server.url, rotate, connections: 1, durationS: SINGLE_S, timeoutS: TIMEOUT_S });
  log(
    `${label}: ${CONNECTIONS} connections: ${load.requests} requests, ${round(load.perS, 0)}/s, p50 ${round(load.p50Ms)} ms, p95 ${round(load.p95Ms)} ms, p99 ${round(load.p99Ms)} ms; one connection: p50 ${round(single.p50Ms)} ms, p95 ${round(single.p95Ms)} ms`,
  );
  return { load, single, loadBefore, serverCpuMsPerRequest };
}

export async function budgets(): Promise<BenchResult> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL was not found (install postgresql, or set PG_BIN): the budgets benchmark needs it');
  log('building (npm run build)');
  build();
  const machineAtStart = machineLoad();
  const today = todayInLondon();
  log('starting a throwaway PostgreSQL cluster');
  const cluster: Cluster = await startCluster(bin);
  try {
    const postgresVersion = String((await queryOn<{ server_version: string }>(cluster.adminUrl, 'show server_version')).rows[0]!.server_version);
    await queryOn(cluster.adminUrl, 'create database jointly_bench_budgets');
    const url = cluster.urlFor('jointly_bench_budgets');

    log(`seeding the demo area and ${CHILDREN.toLocaleString('en-GB')} fictional children (jointly seed-demo)`);
    const seedMs = await seedDemoChildren(url, CHILDREN);
    log(`seeded in ${round(seedMs / 1000, 1)} s`);

    const database = await openPostgres(url, 4);
    let setup: Setup;
    let bulk: Awaited<ReturnType<typeof bulkLoad>>;
    let booksMs: number;
    try {
      const t = performance.now();
      setup = await setUpPools(database, today);
      log(`partners, pools, ${YEARS} years of agreed shares and contributions through the services in ${round((performance.now() - t) / 1000, 1)} s`);
      log(`bulk-loading ${YEARS} financial years (${setup.firstYear} to ${setup.lastYear + 1}) of packages, commitments, invoices and payments`);
      bulk = await bulkLoad(url, setup, today);
      log(
        `loaded in ${round(bulk.ms / 1000, 1)} s, indexes made in ${round(bulk.indexMs / 1000, 1)} s, references checked in ${round(bulk.checkMs / 1000, 1)} s`,
      );
      booksMs = await checkBooks(database);
      log(`the books balance (checked in ${round(booksMs / 1000, 1)} s)`);
    } finally {
      await database.close();
    }

    const posting = await postingRun(url, setup, today);
    log(
      `posting: ${posting.postings} postings in ${round(posting.durationS, 1)} s = ${round(posting.perS, 0)}/s (${round(posting.entriesPerS, 0)} entries/s), p50 ${round(posting.p50Ms)} ms, p95 ${round(posting.p95Ms)} ms`,
    );
    // The same with twice as many posters: is posting limited by waiting (more posters help) or by the processors?
    const posting2 = await postingRun(url, setup, today, POSTERS * 2, 'b');
    log(
      `posting with ${POSTERS * 2} posters: ${posting2.postings} postings in ${round(posting2.durationS, 1)} s = ${round(posting2.perS, 0)}/s, p50 ${round(posting2.p50Ms)} ms, p95 ${round(posting2.p95Ms)} ms`,
    );
    const check = await openPostgres(url, 2);
    const booksAfterMs = await checkBooks(check).finally(() => undefined);
    log('the books still balance after the concurrent posting');

    log('VACUUM ANALYZE');
    const vacuumStarted = performance.now();
    await queryOn(url, 'vacuum analyze');
    const vacuumMs = performance.now() - vacuumStarted;
    const sizes = (
      await queryOn(
        url,
        `select (select count(*) from ledger_entries)::bigint as entries, (select count(*) from ledger_transactions)::bigint as transactions,
                (select count(*) from packages)::int as packages, (select count(*) from invoices)::int as invoices, (select count(*) from payments)::int as payments,
                (select count(*) from children)::int as children, pg_database_size(current_database())::bigint as bytes,
                pg_total_relation_size('ledger_entries')::bigint as ledger_entries_bytes`,
      )
    ).rows[0] as Record<string, string | number>;
    log(`database: ${JSON.stringify(sizes)}`);
    const reportYear = setup.lastYear - 1; // the last full financial year: the most entries
    const yearEntries = Number(
      (await queryOn<{ n: string }>(url, 'select count(*)::bigint as n from ledger_entries where financial_year = $1', [reportYear])).rows[0]!.n,
    );

    // Children the key worker may see, by the sharing rule itself.
    const kw = await check.db
      .selectFrom('users as u')
      .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
      .select(['u.id', 'u.organisation_id', 'o.type'])
      .where('u.email', '=', KEYWORKER)
      .executeTakeFirstOrThrow();
    const viewer: Viewer = { userId: kw.id, organisationId: kw.organisation_id, organisationType: kw.type, roles: ['key-worker'] };
    const visible = (
      await check.db
        .selectFrom('children as c')
        .select('c.id')
        .where(visibleChild(viewer, 'c'))
        .orderBy(sql`md5(c.id::text)`)
        .limit(CHILDREN_ROTATED)
        .execute()
    ).map((r) => r.id);
    const hidden = await check.db
      .selectFrom('children as c')
      .select('c.id')
      .where(sql<boolean>`not ${visibleChild(viewer, 'c')}`)
      .limit(1)
      .executeTakeFirstOrThrow();
    const spendOf = async (childId: string) =>
      Number(
        (
          await check.db
            .selectFrom('ledger_entries')
            .select(sql<string>`coalesce(sum(amount_pence), 0)::bigint`.as('p'))
            .where('child_id', '=', childId)
            .where('account', '=', 'spend')
            .where('financial_year', '=', reportYear)
            .executeTakeFirstOrThrow()
        ).p,
      );
    const firstChildSpend = await spendOf(visible[0]!);
    const yearSpend = Number(
      (
        await check.db
          .selectFrom('ledger_entries')
          .select(sql<string>`coalesce(sum(amount_pence), 0)::bigint`.as('p'))
          .where('account', '=', 'spend')
          .where('financial_year', '=', reportYear)
          .executeTakeFirstOrThrow()
      ).p,
    );
    await check.close();
    if (visible.length < 100) throw new Error(`The key worker may see only ${visible.length} children`);

    const server = await startServer({ databaseUrl: url });
    try {
      const finance = await signIn(server.url, { email: FINANCE, password: PASSWORD });
      const keyworker = await signIn(server.url, { email: KEYWORKER, password: PASSWORD });
      const boardPath = `${paths.budgetReports.board}?year=${reportYear}`;
      // Checked by hand first: the real pages, with the ledger's figures on them.
      const first = await getPage(server, boardPath, finance);
      if (first.status !== 200 || !first.body.includes(formatPence(yearSpend)))
        throw new Error(`The board report answered ${first.status} without the year's actual spend ${formatPence(yearSpend)}`);
      log(`board report, first request: ${round(first.ms, 1)} ms (${first.body.length} bytes)`);
      const childPath = (id: string) => `${paths.budgetReports.child(id)}?year=${reportYear}`;
      const c = await getPage(server, childPath(visible[0]!), keyworker);
      if (c.status !== 200 || !c.body.includes(formatPence(firstChildSpend)))
        throw new Error(`A child's money page answered ${c.status} without the child's spend ${formatPence(firstChildSpend)}`);
      const h = await getPage(server, childPath(hidden.id), keyworker);
      if (h.status !== 404) throw new Error(`A child the sharing rule hides answered ${h.status}, not 404`);

      const board = await measured('board report', server, [{ path: boardPath, headers: { cookie: finance } }]);
      const child = await measured(
        'child drill-down',
        server,
        visible.map((id) => ({ path: childPath(id), headers: { cookie: keyworker } })),
      );
      const memory = server.memory();

      const metrics: Record<string, number> = {
        entries_count: Number(sizes.entries),
        transactions_count: Number(sizes.transactions),
        board_report_p95_ms: round(board.load.p95Ms),
        child_drilldown_p95_ms: round(child.load.p95Ms),
        posting_per_s: round(posting.perS, 0),
        posting_entries_per_s: round(posting.entriesPerS, 0),
        posting_p50_ms: round(posting.p50Ms),
        posting_p95_ms: round(posting.p95Ms),
        postings_count: posting.postings,
        posting_double_posters_per_s: round(posting2.perS, 0),
        posting_double_posters_p95_ms: round(posting2.p95Ms),
        board_report_p50_ms: round(board.load.p50Ms),
        board_report_p99_ms: round(board.load.p99Ms),
        board_report_per_s: round(board.load.perS, 1),
        board_report_single_p50_ms: round(board.single.p50Ms),
        board_report_single_p95_ms: round(board.single.p95Ms),
        board_report_first_ms: round(first.ms),
        board_report_bytes: Math.round(board.load.bytesPerResponse),
        board_report_server_cpu_per_request_ms: round(board.serverCpuMsPerRequest, 3),
        child_drilldown_p50_ms: round(child.load.p50Ms),
        child_drilldown_p99_ms: round(child.load.p99Ms),
        child_drilldown_per_s: round(child.load.perS, 0),
        child_drilldown_single_p50_ms: round(child.single.p50Ms),
        child_drilldown_single_p95_ms: round(child.single.p95Ms),
        child_drilldown_server_cpu_per_request_ms: round(child.serverCpuMsPerRequest, 3),
        report_year_entries_count: yearEntries,
        children_count: Number(sizes.children),
        packages_count: Number(sizes.packages),
        seed_children_ms: Math.round(seedMs),
        bulk_load_ms: Math.round(bulk.ms),
        bulk_index_ms: Math.round(bulk.indexMs),
        books_check_ms: Math.round(booksMs),
        books_check_after_posting_ms: Math.round(booksAfterMs),
        vacuum_analyze_ms: Math.round(vacuumMs),
        database_bytes: Number(sizes.bytes),
        ledger_entries_bytes: Number(sizes.ledger_entries_bytes),
        server_rss_mb: round(memory.rssMb, 1),
        server_peak_rss_mb: round(memory.peakRssMb, 1),
      };
      const { path, result } = writeResult({
        name: 'budgets',
        metrics,
        targets: {
          board_report_p95_ms: target('board_report_p95_ms', metrics.board_report_p95_ms!, { below: 500 }),
          child_drilldown_p95_ms: target('child_drilldown_p95_ms', metrics.child_drilldown_p95_ms!, { below: 100 }),
          posting_per_s: { metric: 'posting_per_s', value: metrics.posting_per_s!, met: metrics.posting_per_s! >= 2000 },
        },
        context: {
          settings: {
            children: CHILDREN,
            financial_years: `${setup.firstYear} to ${setup.lastYear + 1} (${YEARS} years, the last one up to ${today})`,
            data: 'one package per child (two pools; a third of packages split 40/60 Education/Health, a third 70/30 Social care/Health, a third Social care alone; weekly cost £50 to £350); per package and year a commitment, four quarterly invoices and four payments. Partners, pools, shares and contributions through the budgets services; the rest bulk-loaded with INSERT … SELECT in the services’ shapes with triggers off, then checked: every transaction balances with two or more lines, the entries add up to zero, every reference resolves',
            posting: `${POSTERS} concurrent posters (one pooled connection each; posting_double_posters_* the same with ${POSTERS * 2}) calling post() from src/capabilities/money/budgets/ledger.ts in a loop for ${POSTING_S} s after a ${POSTING_WARMUP_S} s warm-up; each posting a direct-payment-shaped transaction of 4 lines (spend and cash, two partners) with its own idempotency key; posting_per_s = postings committed / seconds; afterwards the ledger must hold exactly the postings made, each with 4 entries, and every transaction in the ledger must balance`,
            board_report: `GET ${paths.budgetReports.board}?year=${reportYear} (the last full financial year, ${yearEntries} entries) as ${FINANCE}; nothing is cached between requests`,
            child_drilldown: `GET ${paths.budgetReports.child()}?year=${reportYear} as ${KEYWORKER}, rotating over ${visible.length} children the sharing rule lets them see (each request runs the sharing rule and writes an audit entry)`,
            loads: `${CONNECTIONS} connections for ${DURATION_S} s after a ${WARMUP_S} s warm-up; then 1 connection for ${SINGLE_S} s (*_single_*); percentiles nearest rank over every 2xx response time`,
            server:
              'node dist/src/main.js, LOG_LEVEL=warn, pool of 10 connections; autocannon and the posters in this benchmark’s process, on the same machine',
            postgres_cluster: 'throwaway local cluster from test/support/postgres-cluster.ts (fsync=off, synchronous_commit=off, full_page_writes=off)',
          },
          versions: { postgres: postgresVersion, autocannon: versionOf('autocannon') },
          database: sizes,
          load: {
            board: { requests: board.load.requests, duration_s: board.load.durationS, mean_ms: round(board.load.meanMs), machine_before: board.loadBefore },
            child: { requests: child.load.requests, duration_s: child.load.durationS, mean_ms: round(child.load.meanMs), machine_before: child.loadBefore },
          },
          machine_load: { at_start: machineAtStart, at_end: machineLoad() },
        },
      });
      log(`wrote ${path}`);
      for (const t of Object.values(result.targets ?? {})) log(`target ${t.metric}: ${t.value} — ${t.met ? 'MET' : 'MISSED'}`);
      return result;
    } finally {
      await server.stop();
    }
  } finally {
    cluster.stop();
  }
}
