// The triage queue as it is used for real: open referrals by default, oldest first, 50 a page
// with GOV.UK pagination that keeps the status filter, a status filter (including every status),
// the count in each status, a page past the end, and an audit entry naming only the children on
// the page. Its own database, so the counts are exact.
import { insertReferral } from './support/referrals.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery } from 'kysely';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createChild } from './support/register.js';
import { paths } from '../src/paths.js';
import { queueQuery } from '../src/capabilities/referral-and-panel/referrals/service.js';
import { QUEUE_STATUSES } from '../src/capabilities/referral-and-panel/referrals/rules.js';
import type { ReferralStatus } from '../src/platform/db/schema.js';

const CASEWORKER = 'caseworker@demoshire.example.org';
const OPEN: ReferralStatus[] = ['received', 'more-information', 'accepted', 'to-panel'];
const CLOSED: ReferralStatus[] = ['closed', 'decided', 'signposted'];

const refsOn = (body: string) => [...body.matchAll(/>(REF-\d+)<\/a>/g)].map((m) => m[1]!);
const pageLinks = (body: string) => [...body.matchAll(/class="govuk-link govuk-pagination__link" href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));

describe.each(databaseKinds())('the triage queue on %s', (kind) => {
  let t: TestApp;
  let cw: Client;
  /** References of the 51 open referrals, oldest first, and of the three closed ones. */
  let open: string[] = [];
  let closed: string[] = [];
  let childOfOldest: string;

  beforeAll(async () => {
    t = await buildTestApp(kind);
    cw = new Client(t.app);
    expect((await cw.signIn(CASEWORKER)).status).toBe(303);
    const db = t.database.db;
    expect(
      Number(
        (
          await db
            .selectFrom('referrals')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(0);
    ({ childId: childOfOldest } = await createChild(db, { givenName: 'Queuechild', familyName: 'Fictional', involvedOrgCodes: ['DEMO-EDU'] }));
    // Received a minute apart, inserted in a scrambled order so nothing depends on insertion order.
    const base = Date.parse('2025-01-06T09:00:00Z');
    const plan = [
      ...Array.from({ length: 51 }, (_, i) => ({ minute: i * 2, status: OPEN[i % OPEN.length]! })),
      ...CLOSED.map((status, i) => ({ minute: 1 + i * 2, status })),
    ];
    const scrambled = plan.map((p, i) => ({ ...p, key: (i * 37) % plan.length })).sort((a, b) => a.key - b.key);
    const made: { minute: number; status: ReferralStatus; reference: string }[] = [];
    for (const p of scrambled) {
      const at = new Date(base + p.minute * 60_000);
      const row = await insertReferral(db, {
        child_id: p.minute === 0 ? childOfOldest : null,
        child_details: JSON.stringify({ givenName: `Queue${p.minute}`, familyName: 'Fictional' }),
        status: p.status,
        received_on: at.toISOString().slice(0, 10),
        received_at: at,
      });
      made.push({ ...p, reference: row.reference });
    }
    made.sort((a, b) => a.minute - b.minute);
    open = made.filter((m) => OPEN.includes(m.status)).map((m) => m.reference);
    closed = made.filter((m) => CLOSED.includes(m.status)).map((m) => m.reference);
    expect(open).toHaveLength(51);
  });
  afterAll(() => t?.close());

  it('shows the open referrals, oldest first, 50 to a page with links to the next page', async () => {
    const first = await cw.get(paths.referrals.queue);
    expect(first.status).toBe(200);
    expect(refsOn(first.body)).toEqual(open.slice(0, 50));
    expect(text(first.body)).toContain('1 to 50 of 51 open referrals (page 1 of 2)');
    expect(pageLinks(first.body)).toContain(`${paths.referrals.queue}?page=2`);
    for (const r of closed) expect(first.body).not.toContain(r);

    const second = await cw.get(`${paths.referrals.queue}?page=2`);
    expect(second.status).toBe(200);
    expect(refsOn(second.body)).toEqual([open[50]]);
    expect(text(second.body)).toContain('51 to 51 of 51 open referrals (page 2 of 2)');
    expect(pageLinks(second.body)).toContain(paths.referrals.queue);
  });

  it('shows every status when asked, and the pages keep the filter', async () => {
    const first = await cw.get(`${paths.referrals.queue}?status=all`);
    expect(text(first.body)).toContain('1 to 50 of 54 referrals (page 1 of 2)');
    expect(pageLinks(first.body)).toContain(`${paths.referrals.queue}?status=all&page=2`);
    const second = await cw.get(`${paths.referrals.queue}?status=all&page=2`);
    const all = [...refsOn(first.body), ...refsOn(second.body)];
    expect(all).toHaveLength(54);
    expect([...all].sort()).toEqual([...open, ...closed].sort());
    // Oldest first across the statuses: the closed ones sit between the open ones.
    expect(all.indexOf(closed[0]!)).toBe(1);
  });

  it('filters by one status and counts each status', async () => {
    const res = await cw.get(`${paths.referrals.queue}?status=closed`);
    expect(refsOn(res.body)).toEqual(closed.filter((_, i) => CLOSED[i] === 'closed'));
    expect(pageLinks(res.body)).toEqual([]);
    const options = text(res.body);
    expect(options).toContain('Open referrals (51)');
    expect(options).toContain('Received (13)');
    expect(options).toContain('Sent to panel (12)');
    expect(options).toContain('Closed (1)');
    expect(options).toContain('All statuses (54)');
    expect(res.body).toMatch(/<option value="closed" selected>/);
  });

  it('shows the last page, saying so, for a page past the end; nonsense is the first page', async () => {
    const past = await cw.get(`${paths.referrals.queue}?page=99`);
    expect(past.status).toBe(200);
    expect(refsOn(past.body)).toEqual([open[50]]);
    expect(text(past.body)).toContain('There is no page 99: there are 2 pages of open referrals. This is the last page.');
    const nonsense = await cw.get(`${paths.referrals.queue}?page=abc&status=nonsense`);
    expect(refsOn(nonsense.body)).toEqual(open.slice(0, 50));
  });

  it('audits the view with the page shown and only the children named on it', async () => {
    await cw.get(`${paths.referrals.queue}?page=2`);
    const db = t.database.db;
    const entries = await db
      .selectFrom('audit_log')
      .select(['id', 'details'])
      .where('action', '=', 'referrals.queue.view')
      .orderBy('id', 'desc')
      .limit(2)
      .execute();
    expect(JSON.parse(entries[0]!.details)).toMatchObject({ status: 'open', page: 2, shown: 1 });
    const childrenOf = async (id: string | number | bigint) =>
      (
        await db
          .selectFrom('audit_children')
          .select('child_id')
          .where('audit_id', '=', id as never)
          .execute()
      ).map((r) => r.child_id);
    expect(await childrenOf(entries[0]!.id)).toEqual([]);
    await cw.get(paths.referrals.queue);
    const latest = await db.selectFrom('audit_log').select('id').where('action', '=', 'referrals.queue.view').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(await childrenOf(latest.id)).toEqual([childOfOldest]);
  });

  it('reads a page of open referrals, or of every referral, in order from an index', async () => {
    // With sequential scans and sorts priced out, the planner must find an index in the queue's
    // order; a query that no index can answer would still fall back to a seq scan.
    await t.database.db.transaction().execute(async (tx) => {
      await tx.executeQuery(CompiledQuery.raw('set local enable_seqscan = off'));
      await tx.executeQuery(CompiledQuery.raw('set local enable_sort = off'));
      const plan = async (statuses: readonly ReferralStatus[] | null) => {
        const c = queueQuery(tx, statuses, { limit: 50, offset: 50 }).compile();
        const rows = (await tx.executeQuery(CompiledQuery.raw(`explain ${c.sql}`, [...c.parameters]))).rows as Record<string, string>[];
        return rows.map((r) => Object.values(r)[0]).join('\n');
      };
      // The page's ids come from an index-only scan in the queue's order (only the 50 rows found are then read and sorted).
      const open = await plan(QUEUE_STATUSES);
      expect(open).toMatch(/Index Only Scan using referrals_queue_open on referrals/);
      expect(open).not.toMatch(/Seq Scan on referrals/);
      const all = await plan(null);
      expect(all).toMatch(/Index Only Scan using referrals_received on referrals/);
      expect(all).not.toMatch(/Seq Scan on referrals/);
    });
  });
});
