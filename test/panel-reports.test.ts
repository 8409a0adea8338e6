// The panel reports (issue 6, point 8) from a known set of decisions on real databases: cases by
// outcome, days from referral to decision, first-year cost and share by funding partner (as
// decided, even after a dispute changed the split), disputes; on screen and as CSV and XLSX,
// with no child's details anywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { addDecidedCase, EXAMPLE_LADDER } from './support/dispute-world.js';
import { createPanelWorld, PANEL_USERS, type PanelWorld } from './support/panel-world.js';
import { paths } from '../src/paths.js';
import { OutboxNotifier } from '../src/platform/notify/notify.js';
import { getLadder, ladderFingerprint, raiseDispute, replaceLadder, resolveDispute } from '../src/capabilities/referral-and-panel/disputes/service.js';
import { DEFAULT_INTERIM } from '../src/capabilities/referral-and-panel/disputes/rules.js';
import { panelReport } from '../src/capabilities/referral-and-panel/panel-reports/service.js';

// The financial year 2025 to 2026, away from today's demo data.
const FROM = '2025-04-01';
const TO = '2026-03-31';
const RANGE_BOXES = { 'from-day': '1', 'from-month': '4', 'from-year': '2025', 'to-day': '31', 'to-month': '3', 'to-year': '2026' };

describe.each(databaseKinds())('panel reports on %s', (kind) => {
  let t: TestApp;
  let w: PanelWorld;
  const db = () => t.database.db;

  beforeAll(async () => {
    t = await buildTestApp(kind);
    if ((await getLadder(db())).length === 0) await replaceLadder(db(), EXAMPLE_LADDER, ladderFingerprint([]));
    w = await createPanelWorld(db());
    const H = w.partners.health;
    const S = w.partners.socialCare;
    // 1. Approved, 10 days: £100 a day from 14 April 2025, open-ended, health and social care 50/50.
    const d1 = await addDecidedCase(db(), w, {
      outcome: 'approve',
      receivedOn: '2025-04-01',
      decidedOn: '2025-04-11',
      package: {
        unitCostPence: 70_000,
        startsOn: '2025-04-14',
        endsOn: null,
        split: [
          {
            from: '2025-04-14',
            to: null,
            shares: [
              { partnerId: H, bp: 5000 },
              { partnerId: S, bp: 5000 },
            ],
          },
        ],
      },
    });
    // 2. Approved with changes, 30 days: £50 a day for six weeks, health alone.
    const d2 = await addDecidedCase(db(), w, {
      outcome: 'approve-with-changes',
      receivedOn: '2025-04-20',
      decidedOn: '2025-05-20',
      package: {
        unitCostPence: 35_000,
        startsOn: '2025-06-02',
        endsOn: '2025-07-13',
        split: [{ from: '2025-06-02', to: '2025-07-13', shares: [{ partnerId: H, bp: 10000 }] }],
      },
    });
    await addDecidedCase(db(), w, { outcome: 'decline', receivedOn: '2025-05-01', decidedOn: '2025-05-06' }); // 5 days
    await addDecidedCase(db(), w, { outcome: 'defer', receivedOn: '2025-05-01', decidedOn: '2025-05-20' }); // not timed
    await addDecidedCase(db(), w, { outcome: 'refer-elsewhere', receivedOn: '2025-06-01', decidedOn: '2025-06-21' }); // 20 days
    await addDecidedCase(db(), w, { outcome: 'approve', receivedOn: '2025-03-01', decidedOn: '2025-03-20' }); // before the range
    // Disputes: social care's on decision 1 resolved in 14 days (70/30); health's on decision 2 still open.
    const users = await db()
      .selectFrom('users')
      .select(['id', 'organisation_id', 'email'])
      .where('email', 'in', [PANEL_USERS.socialCare, PANEL_USERS.health])
      .execute();
    const actor = (email: string) => {
      const u = users.find((x) => x.email === email)!;
      return { id: u.id, organisationId: u.organisation_id };
    };
    const notifier = new OutboxNotifier();
    const x = await raiseDispute(
      db(),
      notifier,
      { decisionId: d1.decisionId, reason: 'Share too high (fictional)', interim: DEFAULT_INTERIM, today: '2025-05-01' },
      actor(PANEL_USERS.socialCare),
    );
    // Health agrees to pay the larger share (its member has the authority).
    await resolveDispute(
      db(),
      x.id,
      1,
      {
        from: '2025-04-14',
        shares: [
          { partnerId: H, bp: 7000 },
          { partnerId: S, bp: 3000 },
        ],
        note: 'Agreed (fictional)',
        packageVersion: 1,
      },
      { ...actor(PANEL_USERS.health), permissions: new Set(['disputes:resolve']) },
      '2025-05-15',
    );
    await raiseDispute(
      db(),
      notifier,
      { decisionId: d2.decisionId, reason: 'Should be shared (fictional)', interim: DEFAULT_INTERIM, today: '2025-06-10' },
      actor(PANEL_USERS.health),
    );
  });
  afterAll(() => t?.close());

  it('computes the figures from the decisions in the range', async () => {
    const r = await panelReport(db(), FROM, TO);
    expect(r.decisions).toBe(5);
    expect(r.outcomes.map((o) => o.count)).toEqual([1, 1, 1, 1, 1]);
    expect(r.time.overall).toEqual({ count: 4, median: 15, p90: 30 });
    expect(r.time.months.slice(0, 3).map((m) => [m.month, m.count, m.median])).toEqual([
      ['2025-04', 1, 10],
      ['2025-05', 2, 17.5],
      ['2025-06', 1, 20],
    ]);
    // As decided: the dispute's 30/70 does not rewrite what the panel decided.
    expect(r.partners.map((p) => [p.name, p.decisions, p.firstYearPence, p.averageShareBp])).toEqual([
      ['Health', 2, 1_825_000 + 210_000, 7500],
      ['Social care', 1, 1_825_000, 5000],
    ]);
    expect(r.disputes).toEqual({ opened: 2, resolved: 1, withdrawn: 0, openAtEnd: 1, medianDaysToResolve: 14 });
    // A range with none of them.
    const empty = await panelReport(db(), '2024-04-01', '2024-04-30');
    expect([empty.decisions, empty.time.overall.median, empty.partners.length]).toEqual([0, null, 0]);
  });

  it('shows a panel member each figure with a chart and a table, and no child', async () => {
    const board = new Client(t.app);
    await board.signIn(PANEL_USERS.health);
    const page = await board.get(`${paths.panelReports.home}?${new URLSearchParams(RANGE_BOXES)}`);
    expect(page.status).toBe(200);
    const body = text(page.body);
    expect(body).toContain('5 decisions made in the period');
    expect(body).toContain('median 15 days; 9 in 10 were decided within 30 days');
    expect(body).toContain('Health 2 £20,350.00 75%');
    expect(body).toContain('Social care 1 £18,250.00 50%');
    expect(body).toContain('Median days to resolve 14');
    expect((page.body.match(/<svg /g) ?? []).length).toBe(4);
    expect(page.body).not.toMatch(/Panelchild|Testfamily|REF-/);
    const bad = await board.get(`${paths.panelReports.home}?${new URLSearchParams({ ...RANGE_BOXES, 'to-year': '2024' })}`);
    expect(bad.status).toBe(400);
    expect(text(bad.body)).toContain('The last day of the period must be on or after the first day');
    const keyworker = new Client(t.app);
    await keyworker.signIn('keyworker@demoshire.example.org');
    expect((await keyworker.get(paths.panelReports.home)).status).toBe(403);
  });

  it('exports the same tables as CSV and XLSX, audited', async () => {
    const finance = new Client(t.app);
    await finance.signIn(PANEL_USERS.socialCare);
    const csv = await finance.get(`${paths.panelReports.export}?format=csv&from=${FROM}&to=${TO}`);
    expect(csv.status).toBe(200);
    expect(String(csv.headers['content-type'])).toContain('text/csv');
    const lines = csv.body.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines).toContain('Approved with changes,1');
    expect(lines).toContain('Whole period,4,15,30');
    expect(lines).toContain('May 2025,2,17.5,30');
    expect(lines).toContain('Health,2,20350.00,75%');
    expect(lines).toContain('Social care,1,18250.00,50%');
    expect(lines).toContain('Still open at the end of the period,1');
    expect(csv.body).not.toMatch(/Panelchild|Testfamily|REF-/);

    const res = await t.app.inject({
      method: 'GET',
      url: `${paths.panelReports.export}?format=xlsx&from=${FROM}&to=${TO}`,
      headers: { cookie: [...finance.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['Cases by outcome', 'Time to decision', 'Funding partners', 'Disputes']);
    const partners = wb.getWorksheet('Funding partners')!;
    expect(partners.getRow(2).values).toEqual([undefined, 'Health', 2, 20350, '75%']);
    expect(wb.getWorksheet('Disputes')!.getRow(6).values).toEqual([undefined, 'Median days to resolve', 14]);
    const audit = await db().selectFrom('audit_log').select('details').where('action', '=', 'panel-reports.export').execute();
    expect(audit.length).toBe(2);
  });

  it('shows commissioners and finance officers no count from 1 to 4 and no figure from fewer than 5 decisions, for whole months only', async () => {
    for (const who of ['commissioner@demoshire.example.org', 'finance@demoshire.example.org']) {
      const board = new Client(t.app);
      await board.signIn(who);
      const page = await board.get(`${paths.panelReports.home}?${new URLSearchParams(RANGE_BOXES)}`);
      expect(page.status).toBe(200);
      const body = text(page.body);
      expect(body).toContain('5 decisions made in the period');
      // Five outcomes of 1 each would give each other away: the breakdown is withheld.
      expect(body).toContain('Not shown: with so few decisions, a single decision could be picked out');
      expect(body).not.toMatch(/Approved with changes 1|Declined 1/);
      // 4 decisions timed: the count is "fewer than 5" and no median or percentile is shown.
      expect(body).toContain('Whole period fewer than 5 – –');
      expect(body).not.toContain('median 15 days');
      // Health funds 2 decisions, social care 1: neither row (nor its money) is shown.
      expect(body).not.toMatch(/£20,350\.00|£18,250\.00/);
      expect(body).toContain('2 partners fund fewer than 5 of these decisions');
      expect(body).toContain('Raised in the period fewer than 5');
      expect(body).toContain('Median days to resolve –');
      // A period that is not whole months is refused, with where.
      const part = await board.get(`${paths.panelReports.home}?${new URLSearchParams({ ...RANGE_BOXES, 'from-day': '2', 'to-day': '30' })}`);
      expect(part.status).toBe(400);
      expect(text(part.body)).toContain('Start the period on the first day of a month');
      expect(text(part.body)).toContain('End the period on the last day of a month');
      const partCsv = await board.get(`${paths.panelReports.export}?format=csv&from=2025-04-02&to=${TO}`);
      expect(partCsv.status).toBe(400);

      // The exports follow the same rule.
      const csv = await board.get(`${paths.panelReports.export}?format=csv&from=${FROM}&to=${TO}`);
      expect(csv.status).toBe(200);
      const lines = csv.body.replace(/^\uFEFF/, '').split('\r\n');
      expect(lines).toContain('Total,5');
      expect(lines).toContain('Whole period,<5,,');
      expect(lines).toContain('Raised in the period,<5');
      expect(lines).not.toContain('Approved with changes,1');
      expect(csv.body).not.toMatch(/Health,|Social care,|20350|18250/);
      const res = await t.app.inject({
        method: 'GET',
        url: `${paths.panelReports.export}?format=xlsx&from=${FROM}&to=${TO}`,
        headers: { cookie: [...board.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      expect(wb.getWorksheet('Funding partners')!.rowCount).toBe(1);
      expect(wb.getWorksheet('Disputes')!.getRow(2).values).toEqual([undefined, 'Raised in the period', '<5']);
    }
    // A panel member may choose any days.
    const member = new Client(t.app);
    await member.signIn(PANEL_USERS.health);
    expect((await member.get(`${paths.panelReports.home}?${new URLSearchParams({ ...RANGE_BOXES, 'from-day': '2' })}`)).status).toBe(200);
  });
});
