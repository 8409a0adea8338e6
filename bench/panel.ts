// The referrals and panel benchmark (issue 6), on PostgreSQL (a throwaway cluster) against the
// built app (node dist/src/main.js) over HTTP:
//   - the triage queue (GET /referrals: the first page of open referrals, and a deep page of
//     every referral), a referral's page, a meeting's papers (10 cases), the panel reports for
//     this financial year: each under load (10 connections) after a short warm-up;
//   - recording a decision (POST /panels/cases/:id/decision, an approval that sets up a package
//     through createPackage and posts its commitment), by 10 concurrent posters, each case once.
// Data: the demo area with fictional children (jointly seed-demo), the demo money and the demo
// panel (as the demo population job adds them), then 20,000 referrals across every status, 10 panels with 50 held meetings
// each of 10 decided cases (5,000 decisions) inserted with SQL; 1,000 of the approvals get their
// package through createPackage (so the ledger holds real commitments); and 400 held meetings of
// the demo panel with 10 cases each waiting for a decision. Targets and why: docs/performance.md.
import pg from 'pg';
import { findPostgresBin, startCluster, type Cluster } from '../test/support/postgres-cluster.js';
import { openPostgres, type Database } from '../src/platform/db/database.js';
import { createPackage } from '../src/capabilities/money/budgets/packages.js';
import { addDays, financialYearEnd, financialYearOf } from '../src/platform/financial-year.js';
import { todayInLondon } from '../src/platform/dates.js';
import { DEMO_PANEL_NAME, seedDemoPanel } from '../src/demo/panel.js';
import { seedDemoMoney } from '../src/demo/money.js';
import { paths } from '../src/paths.js';
import { build, startServer, type Server } from './support/server.js';
import { queryOn, seedDemoChildren, versionOf } from './support/database.js';
import { percentile, runLoad, type LoadResult, type RotatingRequest } from './support/load.js';
import { signIn } from './support/sign-in.js';
import { machineLoad, round, target, writeResult, type BenchResult } from './support/results.js';

const CHILDREN = 3_000;
const REFERRALS = 20_000;
const HISTORY_PANELS = 10;
const HISTORY_MEETINGS = 50; // per panel
const CASES_PER_MEETING = 10;
const PACKAGES_THROUGH_SERVICE = 1_000;
const PENDING_MEETINGS = 400; // demo panel, held, every case waiting for a decision
const CONNECTIONS = 10;
const WARMUP_S = 1;
const DURATION_S = 6;
const DECISION_S = 10;
const TIMEOUT_S = 60;
const PASSWORD = 'demo-password-only';
const CASEWORKER = 'caseworker@demoshire.example.org'; // triage, and the demo panel's administrator
const FINANCE = 'finance@demoshire.example.org'; // panel-reports:view
const TARGETS_MS = { queue: 200, referral: 200, papers: 300, reports: 1000, decision: 300 } as const;

const log = (line: string) => console.log(`[panel] ${line}`);

interface World {
  panelId: string;
  adminId: string;
  members: { userId: string; partnerId: string }[];
  agreementId: string;
  providerId: string;
  category: string;
}

async function world(database: Database): Promise<World> {
  const db = database.db;
  const panel = await db.selectFrom('panels').select(['id', 'administrator_id']).where('name', '=', DEMO_PANEL_NAME).executeTakeFirst();
  if (!panel?.administrator_id) throw new Error(`seed-demo did not add the demo panel "${DEMO_PANEL_NAME}" with an administrator`);
  const members = await db.selectFrom('panel_members').select(['user_id', 'partner_id']).where('panel_id', '=', panel.id).where('active', '=', true).execute();
  if (members.length !== 3 || members.some((m) => !m.partner_id)) throw new Error('The demo panel should have three members, each for a partner');
  const agreement = await db.selectFrom('pooling_agreements').select('id').where('code', '=', 'DEMO-S75').executeTakeFirstOrThrow();
  const provider = await db.selectFrom('organisations').select('id').where('code', '=', 'DEMO-PROV').executeTakeFirstOrThrow();
  const category = await db.selectFrom('service_categories').select('code').orderBy('position').executeTakeFirstOrThrow();
  return {
    panelId: panel.id,
    adminId: panel.administrator_id,
    members: members.map((m) => ({ userId: m.user_id, partnerId: m.partner_id! })),
    agreementId: agreement.id,
    providerId: provider.id,
    category: category.code,
  };
}

/** Referrals, panels, meetings, cases, attendance and decisions, in the tables' own shapes, with SQL. */
async function bulkLoad(url: string, w: World, today: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const q = <R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []) => client.query<R>(text, values);
  const history = HISTORY_PANELS * HISTORY_MEETINGS * CASES_PER_MEETING; // decided referrals
  const pending = PENDING_MEETINGS * CASES_PER_MEETING; // to-panel referrals on the pending meetings
  try {
    await q('begin');
    await q(`create temp table ch on commit drop as select row_number() over (order by id)::int as n, id, given_name, family_name from children`);
    const children = Number((await q<{ n: number }>('select count(*)::int as n from ch')).rows[0]!.n);
    const kw = (await q(`select u.id, u.organisation_id from users u where u.email = 'keyworker@demoshire.example.org'`)).rows[0] as {
      id: string;
      organisation_id: string;
    };
    // Statuses by number: the first `history` decided (oldest), then `pending` to-panel, then the rest spread over the others.
    await q(
      `insert into referrals (route, child_id, child_details, referrer_user_id, referrer_organisation_id, referrer_name, referrer_relationship, referrer_email,
                              help_needed, reason, sharing_basis, consent_given_by, status, received_on, received_at, triaged_by, triaged_at)
       select 'partner', ch.id, json_build_object('givenName', ch.given_name, 'familyName', ch.family_name)::text, $1, $2, 'Demo Key Worker', 'professional',
              'keyworker@demoshire.example.org', 'Short breaks and personal care (fictional)', 'Caring alone for a child with complex needs (fictional)',
              'consent', 'A parent (fictional)', s.status, (t.at at time zone 'Europe/London')::date, t.at,
              case when s.status in ('received') then null else $3::uuid end, case when s.status in ('received') then null else t.at + interval '3 days' end
       from generate_series(1, $4::int) g
       join ch on ch.n = 1 + (g * 7919) % $5::int
       cross join lateral (select case
           when g <= $6 then 'decided'
           when g <= $6 + $7 then 'to-panel'
           else (array['received','received','more-information','accepted','to-panel','signposted','signposted','signposted','closed','closed','closed','closed'])[1 + g % 12]
         end as status) s
       -- Decided ones received over the last three years; the others over the last year, newest last.
       cross join lateral (select case when g <= $6 then now() - interval '3 years' + g * (interval '35 months' / $6::int) else now() - interval '1 year' + (g - $6) * (interval '1 year' / ($4::int - $6::int)) end as at) t`,
      [kw.id, kw.organisation_id, w.adminId, REFERRALS, children, history, pending],
    );
    // Ten panels of history (the same three demo members, the caseworker administering).
    await q(
      `insert into panels (name, purpose, frequency, administrator_id, quorum_members, joint_funding_agencies)
       select 'Benchmark panel ' || g || ' (fictional)', 'Decides jointly funded packages (fictional)', 'Fortnightly', $1, 3,
              '["council-education","council-social-care","nhs-commissioner"]'
       from generate_series(1, $2::int) g`,
      [w.adminId, HISTORY_PANELS],
    );
    await q(
      `insert into panel_members (panel_id, user_id, role, partner_id, authority_pence)
       select p.id, m.user_id, 'member', m.partner_id, m.authority_pence from panels p cross join panel_members m
       where p.name like 'Benchmark panel %' and m.panel_id = $1`,
      [w.panelId],
    );
    // Held meetings: 50 a panel, a fortnight apart, ending a fortnight ago; and the demo panel's pending ones (one a day, ending yesterday).
    await q(`create temp table mt (k int, panel_id uuid, meets_on date, id uuid default gen_random_uuid()) on commit drop`);
    // Numbered oldest first, so older decided referrals go to older meetings (never decided before they were received).
    await q(
      `insert into mt (k, panel_id, meets_on)
       select row_number() over (order by d, p.name)::int, p.id, d
       from panels p cross join generate_series(1, $1::int) j cross join lateral (select ($2::date - 14 - 14 * (j - 1))::date as d) x
       where p.name like 'Benchmark panel %'`,
      [HISTORY_MEETINGS, today],
    );
    await q(`insert into mt (k, panel_id, meets_on) select $1 + j, $2::uuid, ($3::date - j)::date from generate_series(1, $4::int) j`, [
      HISTORY_PANELS * HISTORY_MEETINGS,
      w.panelId,
      today,
      PENDING_MEETINGS,
    ]);
    await q(
      `insert into panel_meetings (id, panel_id, meets_on, cut_off_on, papers_due_on, place, status, published_at, published_by)
       select id, panel_id, meets_on, meets_on - 10, meets_on - 7, 'Committee room 2 (fictional)', 'held', meets_on - 7, $1 from mt`,
      [w.adminId],
    );
    await q(
      `insert into meeting_attendance (meeting_id, user_id, present, recorded_by)
       select mt.id, m.user_id, true, $1 from mt join panel_members m on m.panel_id = mt.panel_id and m.active`,
      [w.adminId],
    );
    // Case n of meeting k is referral (k - 1) * 10 + n: the decided referrals on history, the to-panel ones on pending meetings.
    await q(
      `insert into panel_cases (meeting_id, referral_id, position, summary, added_by)
       select mt.id, r.id, 1 + (r.num - 1) % $1, 'Case summary for the panel (fictional)', $2
       from (select id, row_number() over (order by received_at, reference)::int as num from referrals where status in ('decided')
             union all
             select id, $3 + row_number() over (order by received_at, reference)::int from (select id, received_at, reference from referrals where status = 'to-panel' order by received_at, reference limit $4) x) r
       join mt on mt.k = 1 + (r.num - 1) / $1`,
      [CASES_PER_MEETING, w.adminId, history, pending],
    );
    await q(
      `insert into panel_decisions (case_id, referral_id, meeting_id, outcome, reasons, decided_on, sheet_due_on, recorded_by, recorded_at)
       select c.id, c.referral_id, c.meeting_id,
              (array['approve','approve','approve','approve','approve','approve','approve-with-changes','decline','refer-elsewhere','decline'])[1 + c.position % 10],
              'Agreed by the panel on the evidence in the papers (fictional)', m.meets_on, m.meets_on + 5, $1, m.meets_on + time '16:00'
       from panel_cases c join panel_meetings m on m.id = c.meeting_id join panels p on p.id = m.panel_id where p.name like 'Benchmark panel %'`,
      [w.adminId],
    );
    await q('commit');
    const counts = (
      await q(`select (select count(*) from referrals)::int as referrals, (select count(*) from panel_meetings)::int as meetings,
                                    (select count(*) from panel_cases)::int as cases, (select count(*) from panel_decisions)::int as decisions`)
    ).rows[0] as Record<string, number>;
    return counts;
  } catch (e) {
    await q('rollback').catch(() => undefined);
    throw e;
  } finally {
    await client.end();
  }
}

/** The packages of the most recent approvals, through createPackage (each posts its commitment to the ledger). */
async function packagesThroughService(database: Database, w: World, today: string) {
  const db = database.db;
  const fyStart = `${financialYearOf(today)}-04-01`;
  const approvals = await db
    .selectFrom('panel_decisions as d')
    .innerJoin('referrals as r', 'r.id', 'd.referral_id')
    .select(['d.id', 'd.decided_on', 'r.child_id'])
    .where('d.outcome', 'in', ['approve', 'approve-with-changes'])
    .where('d.decided_on', '>=', fyStart)
    .orderBy('d.decided_on', 'desc')
    .limit(PACKAGES_THROUGH_SERVICE)
    .execute();
  const [a, b, c] = w.members.map((m) => m.partnerId) as [string, string, string];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    for (let i = next++; i < approvals.length; i = next++) {
      const d = approvals[i]!;
      const startsOn = d.decided_on;
      const endsOn = addDays(startsOn, 90);
      const made = await createPackage(
        db,
        {
          agreementId: w.agreementId,
          childId: d.child_id!,
          serviceCategory: w.category,
          service: 'Personal care at home (fictional)',
          providerId: w.providerId,
          unitCostPence: 2000 + (i % 10) * 100,
          unitsX100: 1000,
          frequency: 'week',
          startsOn,
          endsOn,
          reviewOn: addDays(startsOn, 42),
          split: [
            {
              from: startsOn,
              to: endsOn,
              shares: [
                { partnerId: a, bp: 4000 },
                { partnerId: b, bp: 4000 },
                { partnerId: c, bp: 2000 },
              ],
            },
          ],
          reason: 'Panel decision (benchmark, fictional)',
          decisionId: d.id,
        },
        { id: w.adminId },
        today,
      );
      await db.updateTable('panel_decisions').set({ package_id: made.id }).where('id', '=', d.id).execute();
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { packages: approvals.length, ms: performance.now() - started };
}

// ---------------------------------------------------------------------------------------------
// Pages over HTTP.

async function getPage(server: Server, path: string, cookie: string) {
  const res = await fetch(`${server.url}${path}`, { redirect: 'manual', headers: { cookie } });
  return { status: res.status, body: await res.text() };
}

async function measured(
  label: string,
  server: Server,
  rotate: RotatingRequest[],
): Promise<{ load: LoadResult; machineBefore: ReturnType<typeof machineLoad>; serverCpuMsPerRequest: number }> {
  await runLoad({ url: server.url, rotate, connections: CONNECTIONS, durationS: WARMUP_S, timeoutS: TIMEOUT_S, warmUp: true });
  const machineBefore = machineLoad();
  const cpu = server.cpuSeconds();
  const load = await runLoad({ url: server.url, rotate, connections: CONNECTIONS, durationS: DURATION_S, timeoutS: TIMEOUT_S });
  const serverCpuMsPerRequest = ((server.cpuSeconds() - cpu) * 1000) / Math.max(1, load.requests);
  log(
    `${label}: ${load.requests} requests, ${round(load.perS, 0)}/s, p50 ${round(load.p50Ms)} ms, p95 ${round(load.p95Ms)} ms, p99 ${round(load.p99Ms)} ms (load average ${machineBefore.load_average_1m})`,
  );
  return { load, machineBefore, serverCpuMsPerRequest };
}

/** The decision form's approval: personal care, £20 x 10 a week for 13 weeks, split 40/40/20. */
function approvalForm(w: World, csrf: string, today: string): Record<string, string> {
  const start = [today, addDays(financialYearEnd(financialYearOf(today)), -90)].sort()[0]!;
  const parts = (field: string, iso: string) => {
    const [y, m, d] = iso.split('-');
    return { [`${field}-day`]: String(Number(d)), [`${field}-month`]: String(Number(m)), [`${field}-year`]: y! };
  };
  const [a, b, c] = w.members.map((m) => m.partnerId) as [string, string, string];
  return {
    _csrf: csrf,
    outcome: 'approve',
    reasons: 'Personal care at home; the three partners share it as agreed (fictional).',
    agreementId: w.agreementId,
    serviceCategory: w.category,
    service: 'Personal care at home',
    providerId: w.providerId,
    unitCost: '20.00',
    units: '10',
    frequency: 'week',
    ...parts('startsOn', start),
    ...parts('endsOn', addDays(start, 90)),
    ...parts('reviewOn', addDays(start, 42)),
    splitMode: 'custom',
    [`split1-${a}`]: '40',
    [`split1-${b}`]: '40',
    [`split1-${c}`]: '20',
  };
}

/** Posts decisions with CONNECTIONS concurrent posters for DECISION_S seconds, each case once. */
async function decisionRun(server: Server, cookie: string, form: Record<string, string>, cases: string[]) {
  const times: number[] = [];
  let next = 0;
  const problems: string[] = [];
  const started = performance.now();
  const deadline = started + DECISION_S * 1000;
  const poster = async () => {
    while (performance.now() < deadline && next < cases.length && problems.length === 0) {
      const caseId = cases[next++]!;
      const t = performance.now();
      const res = await fetch(`${server.url}${paths.decisions.decide(caseId)}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      const body = await res.text();
      if (res.status !== 303 || !res.headers.get('location')?.includes('done=recorded-package')) {
        problems.push(
          `case ${caseId}: ${res.status} ${res.headers.get('location') ?? ''} ${body
            .replace(/<[^>]+>/g, ' ')
            .replace(/\s+/g, ' ')
            .slice(0, 400)}`,
        );
        return;
      }
      times.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, poster));
  if (problems.length) throw new Error(`Recording a decision failed:\n  ${problems.join('\n  ')}`);
  if (next >= cases.length) throw new Error(`The posters ran out of cases (${cases.length}) before ${DECISION_S} s: add pending meetings`);
  const durationS = (performance.now() - started) / 1000;
  times.sort((x, y) => x - y);
  return {
    decisions: times.length,
    perS: times.length / durationS,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    p99Ms: percentile(times, 99),
    durationS,
  };
}

export async function panel(): Promise<BenchResult> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL was not found (install postgresql, or set PG_BIN): the panel benchmark needs it');
  const wholeStarted = performance.now();
  log('building (npm run build)');
  const buildStarted = performance.now();
  build();
  const buildMs = performance.now() - buildStarted;
  const machineAtStart = machineLoad();
  const today = todayInLondon();
  log('starting a throwaway PostgreSQL cluster');
  const cluster: Cluster = await startCluster(bin);
  try {
    const postgresVersion = String((await queryOn<{ server_version: string }>(cluster.adminUrl, 'show server_version')).rows[0]!.server_version);
    await queryOn(cluster.adminUrl, 'create database jointly_bench_panel');
    const url = cluster.urlFor('jointly_bench_panel');
    log(`seeding the demo area and ${CHILDREN.toLocaleString('en-GB')} fictional children (jointly seed-demo)`);
    const seedMs = await seedDemoChildren(url, CHILDREN);

    const database = await openPostgres(url, 4);
    let w: World;
    let sizes: Record<string, number>;
    let bulkMs: number;
    let pk: Awaited<ReturnType<typeof packagesThroughService>>;
    try {
      // What the demo population job adds after the children: the demo money, then the demo panel.
      await seedDemoMoney(database.db);
      await seedDemoPanel(database.db, { today });
      w = await world(database);
      const t = performance.now();
      sizes = await bulkLoad(url, w, today);
      bulkMs = performance.now() - t;
      log(`loaded ${JSON.stringify(sizes)} in ${round(bulkMs / 1000, 1)} s`);
      pk = await packagesThroughService(database, w, today);
      log(`${pk.packages} packages through createPackage in ${round(pk.ms / 1000, 1)} s`);
    } finally {
      await database.close();
    }
    await queryOn(url, 'vacuum analyze');
    const pick = async (text: string, values: unknown[] = []) => (await queryOn(url, text, values)).rows as Record<string, string>[];
    const statusCounts = Object.fromEntries(
      (await pick('select status, count(*)::int as n from referrals group by status order by status')).map((r): [string, number] => [r.status!, Number(r.n)]),
    );
    const openReferrals = (
      await pick(`select id, reference from referrals where status in ('received','more-information','accepted','to-panel') order by received_at, reference`)
    ).map((r) => ({ id: r.id!, reference: r.reference! }));
    const pendingMeetings = (
      await pick(`select m.id from panel_meetings m where m.panel_id = $1 and m.status = 'held' and m.meets_on < $2 order by m.meets_on desc`, [
        w.panelId,
        today,
      ])
    ).map((r) => r.id!);
    const pendingCases = (
      await pick(
        `select c.id from panel_cases c join panel_meetings m on m.id = c.meeting_id where m.panel_id = $1 and m.meets_on < $2 order by m.meets_on, c.position`,
        [w.panelId, today],
      )
    ).map((r) => r.id!);
    const ledgerBefore = Number((await pick('select count(*)::int as n from ledger_transactions where decision_id is not null'))[0]!.n);
    const deepPage = Math.floor(REFERRALS / 50) - 25; // every referral: offset ~18,700
    const fy = financialYearOf(today);
    const yearDecisions = Number(
      (await pick('select count(*)::int as n from panel_decisions where decided_on between $1 and $2', [`${fy}-04-01`, financialYearEnd(fy)]))[0]!.n,
    );

    const server = await startServer({ databaseUrl: url });
    try {
      const caseworker = await signIn(server.url, { email: CASEWORKER, password: PASSWORD });
      const finance = await signIn(server.url, { email: FINANCE, password: PASSWORD });
      // Checked by hand first: the real pages, showing what they should.
      const queue = await getPage(server, paths.referrals.queue, caseworker);
      if (
        queue.status !== 200 ||
        !queue.body.includes(`>${openReferrals[0]!.reference}<`) ||
        !queue.body.includes(`of ${openReferrals.length} open referrals`)
      ) {
        throw new Error(
          `The queue answered ${queue.status} without the oldest open referral ${openReferrals[0]!.reference} and the count ${openReferrals.length}`,
        );
      }
      const deepPath = `${paths.referrals.queue}?status=all&page=${deepPage}`;
      const deep = await getPage(server, deepPath, caseworker);
      if (deep.status !== 200 || (deep.body.match(/>REF-\d+<\/a>/g) ?? []).length !== 50)
        throw new Error(`Page ${deepPage} of every referral answered ${deep.status} without 50 referrals`);
      const papers = await getPage(server, paths.panels.papers(pendingMeetings[0]), caseworker);
      if (papers.status !== 200 || (papers.body.match(/Case summary for the panel \(fictional\)/g) ?? []).length !== CASES_PER_MEETING)
        throw new Error(`A meeting's papers answered ${papers.status} without its ${CASES_PER_MEETING} case summaries`);
      const reports = await getPage(server, paths.panelReports.home, finance);
      if (reports.status !== 200) throw new Error(`The panel reports answered ${reports.status}`);
      const form = await getPage(server, paths.decisions.decide(pendingCases[0]), caseworker);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1];
      if (form.status !== 200 || !csrf) throw new Error(`The decision form answered ${form.status} without a _csrf field`);

      const queueFirst = await measured('queue, first page of open referrals', server, [{ path: paths.referrals.queue, headers: { cookie: caseworker } }]);
      const queueDeep = await measured(`queue, page ${deepPage} of every referral`, server, [{ path: deepPath, headers: { cookie: caseworker } }]);
      const referral = await measured(
        'a referral’s page',
        server,
        openReferrals.slice(0, 500).map((r) => ({ path: paths.referrals.referral(r.id), headers: { cookie: caseworker } })),
      );
      const papersLoad = await measured(
        'a meeting’s papers (10 cases)',
        server,
        pendingMeetings.slice(0, 20).map((id) => ({ path: paths.panels.papers(id), headers: { cookie: caseworker } })),
      );
      const reportsLoad = await measured('panel reports, this financial year', server, [{ path: paths.panelReports.home, headers: { cookie: finance } }]);
      const machineBeforeDecisions = machineLoad();
      const decisions = await decisionRun(server, caseworker, approvalForm(w, csrf, today), pendingCases);
      log(
        `recording a decision: ${decisions.decisions} in ${round(decisions.durationS, 1)} s = ${round(decisions.perS, 1)}/s, p50 ${round(decisions.p50Ms)} ms, p95 ${round(decisions.p95Ms)} ms`,
      );
      // Every decision recorded set up its package and posted its commitment.
      const ledgerAfter = Number((await pick('select count(*)::int as n from ledger_transactions where decision_id is not null'))[0]!.n);
      const recorded = Number(
        (
          await pick(
            `select count(*)::int as n from panel_decisions d join panel_meetings m on m.id = d.meeting_id where m.panel_id = $1 and d.package_id is not null`,
            [w.panelId],
          )
        )[0]!.n,
      );
      if (recorded !== decisions.decisions || ledgerAfter - ledgerBefore !== decisions.decisions) {
        throw new Error(
          `${decisions.decisions} decisions answered 303, but ${recorded} have a package and ${ledgerAfter - ledgerBefore} commitments were posted`,
        );
      }
      const memory = server.memory();

      const m = (l: LoadResult, prefix: string) => ({
        [`${prefix}_p50_ms`]: round(l.p50Ms),
        [`${prefix}_p95_ms`]: round(l.p95Ms),
        [`${prefix}_p99_ms`]: round(l.p99Ms),
        [`${prefix}_per_s`]: round(l.perS, 1),
      });
      const metrics: Record<string, number> = {
        ...m(queueFirst.load, 'queue_first_page'),
        ...m(queueDeep.load, 'queue_deep_page'),
        ...m(referral.load, 'referral_page'),
        ...m(papersLoad.load, 'papers_page'),
        ...m(reportsLoad.load, 'panel_reports'),
        decision_p50_ms: round(decisions.p50Ms),
        decision_p95_ms: round(decisions.p95Ms),
        decision_p99_ms: round(decisions.p99Ms),
        decision_per_s: round(decisions.perS, 1),
        decisions_count: decisions.decisions,
        queue_first_page_server_cpu_per_request_ms: round(queueFirst.serverCpuMsPerRequest, 3),
        queue_deep_page_server_cpu_per_request_ms: round(queueDeep.serverCpuMsPerRequest, 3),
        panel_reports_server_cpu_per_request_ms: round(reportsLoad.serverCpuMsPerRequest, 3),
        referrals_count: sizes.referrals!,
        open_referrals_count: openReferrals.length,
        meetings_count: sizes.meetings!,
        cases_count: sizes.cases!,
        historic_decisions_count: sizes.decisions!,
        report_year_decisions_count: yearDecisions,
        packages_through_service_count: pk.packages,
        build_ms: Math.round(buildMs),
        seed_demo_ms: Math.round(seedMs),
        bulk_load_ms: Math.round(bulkMs),
        packages_through_service_ms: Math.round(pk.ms),
        server_rss_mb: round(memory.rssMb, 1),
        server_peak_rss_mb: round(memory.peakRssMb, 1),
        whole_run_ms: Math.round(performance.now() - wholeStarted),
      };
      const t = (metric: string, max: number) => target(metric, metrics[metric]!, { below: max });
      const { path, result } = writeResult({
        name: 'panel',
        metrics,
        targets: {
          queue_first_page_p95_ms: t('queue_first_page_p95_ms', TARGETS_MS.queue),
          queue_deep_page_p95_ms: t('queue_deep_page_p95_ms', TARGETS_MS.queue),
          referral_page_p95_ms: t('referral_page_p95_ms', TARGETS_MS.referral),
          papers_page_p95_ms: t('papers_page_p95_ms', TARGETS_MS.papers),
          panel_reports_p95_ms: t('panel_reports_p95_ms', TARGETS_MS.reports),
          decision_p95_ms: t('decision_p95_ms', TARGETS_MS.decision),
        },
        context: {
          settings: {
            data: `jointly seed-demo --children ${CHILDREN} (the demo area, its money and the demo panel); ${REFERRALS} referrals with SQL (statuses: ${JSON.stringify(statusCounts)}); ${HISTORY_PANELS} more panels with ${HISTORY_MEETINGS} held meetings each of ${CASES_PER_MEETING} decided cases (${sizes.decisions} decisions, 70% approvals); the ${pk.packages} most recent approvals this financial year got their package through createPackage (commitment posted); ${PENDING_MEETINGS} held meetings of the demo panel with ${CASES_PER_MEETING} cases waiting each`,
            queue_first_page: `GET ${paths.referrals.queue} as ${CASEWORKER} (open referrals, page 1 of ${Math.ceil(openReferrals.length / 50)})`,
            queue_deep_page: `GET ${deepPath} (every referral, offset ${(deepPage - 1) * 50})`,
            referral_page: `GET ${paths.referrals.referral()} rotating over 500 open referrals`,
            papers_page: `GET ${paths.panels.papers()} rotating over 20 held meetings of 10 cases, as the panel's administrator`,
            panel_reports: `GET ${paths.panelReports.home} (this financial year, ${yearDecisions} decisions) as ${FINANCE}`,
            decision: `POST ${paths.decisions.decide()} as the panel's administrator: an approval, £20 x 10 a week for 13 weeks, split 40/40/20 by hand, so createPackage sets up the package and posts its commitment; ${CONNECTIONS} concurrent posters for ${DECISION_S} s, each case once; afterwards every 303 must have its package and its commitment`,
            loads: `${CONNECTIONS} connections for ${DURATION_S} s after a ${WARMUP_S} s warm-up; percentiles nearest rank over every 2xx response time; autocannon and the posters in this benchmark's process on the same machine`,
            server: 'node dist/src/main.js, LOG_LEVEL=warn, pool of 10 connections',
            postgres_cluster: 'throwaway local cluster from test/support/postgres-cluster.ts (fsync=off, synchronous_commit=off, full_page_writes=off)',
          },
          versions: { postgres: postgresVersion, autocannon: versionOf('autocannon') },
          status_counts: statusCounts,
          load: {
            queue_first_page: queueFirst.machineBefore,
            queue_deep_page: queueDeep.machineBefore,
            referral_page: referral.machineBefore,
            papers_page: papersLoad.machineBefore,
            panel_reports: reportsLoad.machineBefore,
            decision: machineBeforeDecisions,
          },
          machine_load: { at_start: machineAtStart, at_end: machineLoad() },
        },
      });
      log(`wrote ${path}`);
      for (const x of Object.values(result.targets ?? {})) log(`target ${x.metric}: ${x.value} (below ${x.below}) — ${x.met ? 'MET' : 'MISSED'}`);
      return result;
    } finally {
      await server.stop();
    }
  } finally {
    cluster.stop();
  }
}
