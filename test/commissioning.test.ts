// Commissioning plans and the contracts register over HTTP on a real database: a commissioner
// turns a Local Offer gap into a priority and an intention, takes it through the cycle, sends the
// plan to the board; someone else records the board's approval; the intention becomes a contract
// whose page shows the spend the ledger holds for its packages. Bad input, permission refusals,
// separation of duties tried as an attacker would, stale forms, the CSV import (all or nothing)
// and the CSV and Excel downloads; the alerts 6 and 3 months before a contract ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import ExcelJS from 'exceljs';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { createChild, orgByCode, userIdByEmail } from './support/register.js';
import { createTestPool, type TestPool } from './support/budgets.js';
import { paths } from '../src/paths.js';
import { addDays } from '../src/platform/financial-year.js';
import { todayInLondon } from '../src/platform/dates.js';
import { hashPassword } from '../src/capabilities/administration/sign-in/passwords.js';
import { DEMO_PASSWORD } from '../src/demo/seed.js';
import { createPackage } from '../src/capabilities/money/budgets/packages.js';
import { recordInvoice } from '../src/capabilities/money/budgets/actuals.js';
import { addMonths } from '../src/capabilities/planning/contracts/rules.js';
import { contractsWorklist } from '../src/capabilities/planning/contracts/index.js';
import { alertExpiring } from '../src/capabilities/planning/contracts/service.js';
import { OutboxNotifier, type Message } from '../src/platform/notify/notify.js';
import { permissionsOf } from '../src/platform/access/roles.js';
import type { CurrentUser } from '../src/platform/auth/current-user.js';

const COMMISSIONER = 'commissioner@demoshire.example.org';
const ADMIN = 'admin@demoshire.example.org';
const FINANCE = 'finance@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';
/** A commissioner who also clerks the board: holds both manage and approve (fictional). */
const BOTH = 'commissioner-and-clerk@demoshire.example.org';

const date = (field: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${field}-day`]: String(Number(d)), [`${field}-month`]: String(Number(m)), [`${field}-year`]: y! };
};
const idFrom = (location: string | undefined, pattern: RegExp) => pattern.exec(location ?? '')![1]!;
const TODAY = todayInLondon();

describe('commissioning plans and contracts', () => {
  let t: TestApp;
  let pool: TestPool;
  let commissioner: Client;
  let admin: Client;
  let both: Client;
  let packageRef: string;
  let spentPence: number;

  beforeAll(async () => {
    t = await buildTestApp('pglite', {}, { localOffer: true });
    const db = t.database.db;
    pool = await createTestPool(db, { code: 'S75-SB', years: [2025, 2026, 2027] });
    // A gap: six children with a hearing impairment and no hearing services at all.
    for (let i = 0; i < 6; i++)
      await createChild(db, { familyName: `Hearing${i}`, primaryNeed: 'HI', dateOfBirth: addDays(TODAY, -22 * 365 - 60), postcode: 'DM5 1AB' });
    await sql`update offer_services set status = 'inactive' where id in (
      select a.service_id from offer_attributes a join offer_taxonomy_terms tt on tt.id = a.taxonomy_term_id where tt.code = 'HI')`.execute(db);
    // A package with an invoice against it: the spend the contract page must show.
    const child = await createChild(db, { familyName: 'Packaged', primaryNeed: 'ASD' });
    const start = addDays(TODAY, -60);
    const pkg = await createPackage(
      db,
      {
        agreementId: pool.agreementId,
        childId: child.childId,
        serviceCategory: 'short-breaks',
        service: 'Overnight short breaks (fictional)',
        providerId: pool.providerId,
        unitCostPence: 25_000,
        unitsX100: 100,
        frequency: 'week',
        startsOn: start,
        endsOn: null,
        reviewOn: null,
        split: [
          {
            from: start,
            to: null,
            shares: [
              { partnerId: pool.health, bp: 5000 },
              { partnerId: pool.socialCare, bp: 5000 },
            ],
          },
        ],
        reason: 'Agreed at panel (fictional)',
      },
      { id: pool.financeUserId },
      TODAY,
    );
    packageRef = pkg.reference;
    spentPence = 123_456;
    await recordInvoice(
      db,
      {
        agreementId: pool.agreementId,
        providerId: pool.providerId,
        supplierReference: 'INV-CON-1',
        packageId: pkg.id,
        serviceFrom: start,
        serviceTo: addDays(start, 27),
        amountPence: spentPence,
        receivedOn: addDays(start, 30),
        description: null,
      },
      { id: pool.financeUserId },
    );
    const org = await orgByCode(db, 'DEMO-ICB');
    const user = await db
      .insertInto('users')
      .values({ organisation_id: org.id, display_name: 'Demo Commissioner And Clerk', email: BOTH, password_hash: await hashPassword(DEMO_PASSWORD) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('user_roles')
      .values([
        { user_id: user.id, role: 'commissioner' },
        { user_id: user.id, role: 'partnership-administrator' },
      ])
      .execute();
    commissioner = new Client(t.app);
    await commissioner.signIn(COMMISSIONER);
    admin = new Client(t.app);
    await admin.signIn(ADMIN);
    both = new Client(t.app);
    await both.signIn(BOTH);
  });
  afterAll(() => t?.close());

  async function newPlan(c: Client, title: string) {
    await c.get(paths.commissioning.newPlan);
    const res = await c.post(paths.commissioning.newPlan, { title, ...date('periodFrom', '2027-04-01'), ...date('periodTo', '2030-03-31') });
    expect(res.status).toBe(303);
    return idFrom(res.location, /plans\/([0-9a-f-]{36})$/);
  }
  async function newIntention(c: Client, planId: string, what: string, extra: Record<string, string> = {}) {
    await c.get(paths.commissioning.newIntention(planId));
    const owner = await userIdByEmail(t.database.db, COMMISSIONER);
    const res = await c.post(paths.commissioning.newIntention(planId), {
      what,
      why: 'Families told us there is nothing nearby (fictional)',
      ...date('dueOn', '2027-12-31'),
      ownerId: owner,
      partnerIds: [pool.health, pool.socialCare],
      agreementId: pool.agreementId,
      expected: '50,000.00',
      ...extra,
    });
    expect(res.status).toBe(303);
    return idFrom(res.location, /intentions\/([0-9a-f-]{36})$/);
  }
  async function move(c: Client, intentionId: string, stage: string) {
    const page = await c.get(paths.commissioning.moveStage(intentionId));
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
    const owner = await userIdByEmail(t.database.db, COMMISSIONER);
    return c.post(paths.commissioning.moveStage(intentionId), { stage, ownerId: owner, ...date('dueOn', '2027-10-31'), version });
  }
  const planVersion = async (id: string) =>
    String((await t.database.db.selectFrom('commissioning_plans').select('version').where('id', '=', id).executeTakeFirstOrThrow()).version);
  async function submit(c: Client, planId: string) {
    await c.get(paths.commissioning.submit(planId));
    return c.post(paths.commissioning.submit(planId), { version: await planVersion(planId) });
  }
  async function decide(c: Client, planId: string, decision = 'approved') {
    const page = await c.get(paths.commissioning.decide(planId));
    return {
      page,
      res: await c.post(paths.commissioning.decide(planId), {
        decision,
        ...date('meetingOn', TODAY),
        note: 'Agreed (fictional)',
        version: await planVersion(planId),
      }),
    };
  }

  it('turns a gap into an intention, has it approved by someone else, and makes it a contract that shows the ledger’s spend', async () => {
    const planId = await newPlan(commissioner, 'Joint commissioning plan 2027 to 2030 (fictional)');
    // The gap in the Local Offer, offered on the priority form.
    const form = await commissioner.get(paths.commissioning.newPriority(planId));
    expect(form.status).toBe(200);
    const gap = /<option value="(Hearing impairment[^"]*)"/.exec(form.body)?.[1];
    expect(gap).toMatch(/Hearing impairment, \d+ to 25 year-olds in .*: 6 children, 0 services within 10 miles/);
    const priority = await commissioner.post(paths.commissioning.newPriority(planId), {
      title: 'Support for young adults with a hearing impairment',
      kind: 'local-offer-gap',
      gap: gap!.replace(/&#39;/g, "'"),
      version: await planVersion(planId),
    });
    expect(priority.status).toBe(303);
    const priorityId = (await t.database.db.selectFrom('commissioning_priorities').select('id').where('plan_id', '=', planId).executeTakeFirstOrThrow()).id;
    // What families said, with its source and date.
    await commissioner.get(paths.commissioning.newEvidence(priorityId));
    const voice = await commissioner.post(paths.commissioning.newEvidence(priorityId), {
      kind: 'family-voice',
      familySaid: 'There is nowhere for our young people to meet after college (fictional)',
      source: 'Parent carer forum survey',
      ...date('saidOn', '2026-10-01'),
    });
    expect(voice.status).toBe(303);
    const intentionId = await newIntention(commissioner, planId, 'A hearing support service for 19 to 25 year-olds', { priorityId });
    expect((await move(commissioner, intentionId, 'plan')).status).toBe(303);
    expect((await move(commissioner, intentionId, 'do')).status).toBe(303);
    let plan = text((await commissioner.get(paths.commissioning.plan(planId))).body);
    expect(plan).toMatch(/Gap in the Local Offer: Hearing impairment, \d+ to 25 year-olds/);
    expect(plan).toContain(
      'What families said: There is nowhere for our young people to meet after college (fictional) (Parent carer forum survey, 1 October 2026)',
    );
    expect(plan).toContain('Do: commission and contract');
    expect(plan).toContain('£50,000.00 a year from Short breaks pooled fund S75-SB');

    // Not yet approved: the intention cannot become a contract.
    const early = await commissioner.get(`${paths.commissioning.newContract}?intention=${intentionId}`);
    expect(early.status).toBe(200);
    const refused = await commissioner.post(paths.commissioning.newContract, {
      intentionId,
      title: 'Hearing support',
      providerId: pool.providerId,
      ...date('startsOn', '2027-04-01'),
      ...date('endsOn', '2029-03-31'),
      annualValue: '50000',
      [`share-${pool.health}-${pool.agreementId}`]: '50000',
    });
    expect(refused.status).toBe(400);
    expect(text(refused.body)).toContain('The plan must be approved by the partnership board before its intentions become contracts');

    expect((await submit(commissioner, planId)).status).toBe(303);
    // The author holds no approval permission at all.
    expect((await commissioner.get(paths.commissioning.decide(planId))).status).toBe(403);
    const { page, res } = await decide(admin, planId);
    expect(page.status).toBe(200);
    expect(res.status).toBe(303);
    plan = text((await commissioner.get(paths.commissioning.plan(planId))).body);
    expect(plan).toContain(`Approved by the partnership board by Demo Administrator on ${longToday()}`);

    // The pipeline lists it; it becomes a contract.
    const register = text((await commissioner.get(paths.commissioning.contracts)).body);
    expect(register).toMatch(/Procurement pipeline[\s\S]*A hearing support service for 19 to 25 year-olds/);
    const prefilled = await commissioner.get(`${paths.commissioning.newContract}?intention=${intentionId}`);
    expect(prefilled.body).toContain('value="50000.00"');
    const made = await commissioner.post(paths.commissioning.newContract, {
      intentionId,
      title: 'Hearing support for young adults (fictional)',
      providerId: pool.providerId,
      ...date('startsOn', '2027-04-01'),
      ...date('endsOn', '2029-03-31'),
      annualValue: '50,000.00',
      [`share-${pool.health}-${pool.agreementId}`]: '30,000',
      [`share-${pool.socialCare}-${pool.agreementId}`]: '20000.00',
    });
    expect(made.status).toBe(303);
    const contractId = idFrom(made.location, /contracts\/([0-9a-f-]{36})$/);
    // Only once.
    const again = await commissioner.post(paths.commissioning.newContract, {
      intentionId,
      title: 'Again',
      providerId: pool.providerId,
      ...date('startsOn', '2027-04-01'),
      ...date('endsOn', '2029-03-31'),
      annualValue: '1',
      [`share-${pool.health}-${pool.agreementId}`]: '1',
    });
    expect(text(again.body)).toContain('This intention already has a contract');

    // A package linked: the ledger's spend shows.
    await commissioner.get(paths.commissioning.contract(contractId));
    const link = await commissioner.post(paths.commissioning.linkPackage(contractId), { reference: packageRef });
    expect(link.status).toBe(303);
    const page2 = text((await commissioner.get(paths.commissioning.contract(contractId))).body);
    expect(page2).toContain('Spend from the ledger £1,234.56');
    // The commissioner sees the contract's totals; the packages one by one (one child's each) are finance's.
    expect(page2).toContain('1 package is paid under this contract: committed');
    expect(page2).not.toMatch(new RegExp(`${packageRef} Overnight short breaks`));
    const finance = new Client(t.app);
    await finance.signIn(FINANCE);
    expect(text((await finance.get(paths.commissioning.contract(contractId))).body)).toMatch(
      new RegExp(`${packageRef} Overnight short breaks \\(fictional\\).*£1,234.56`),
    );
    expect(page2).toContain('Health Short breaks pooled fund S75-SB (fictional) £30,000.00');
    const dup = await commissioner.post(paths.commissioning.linkPackage(contractId), { reference: packageRef });
    expect(dup.status).toBe(400);
    expect(text(dup.body)).toContain(`${packageRef} is already paid under this contract`);
    const none = await commissioner.post(paths.commissioning.linkPackage(contractId), { reference: 'PKG-999999' });
    expect(text(none.body)).toContain('There is no package with the reference PKG-999999');

    // A KPI with a return against its target.
    const kpi = await commissioner.post(paths.commissioning.newKpi(contractId), {
      name: 'Young adults attending monthly',
      target: '80',
      unit: 'per cent',
      direction: 'higher',
    });
    expect(kpi.status).toBe(303);
    const kpiId = (await t.database.db.selectFrom('contract_kpis').select('id').where('contract_id', '=', contractId).executeTakeFirstOrThrow()).id;
    await commissioner.get(paths.commissioning.kpiReturn(kpiId));
    expect((await commissioner.post(paths.commissioning.kpiReturn(kpiId), { ...date('periodEnding', '2027-06-30'), value: '75.5' })).status).toBe(303);
    const badKpi = await commissioner.post(paths.commissioning.kpiReturn(kpiId), { ...date('periodEnding', '2027-06-30'), value: 'lots' });
    expect(text(badKpi.body)).toContain('The figure must be a number, like 85 or 12.5');
    expect(text((await commissioner.get(paths.commissioning.contract(contractId))).body)).toContain('30 June 2027 75.5 per cent Not met');

    // Every change was audited with plain words.
    const actions = await t.database.db.selectFrom('audit_log').select('action').where('action', 'like', 'commissioning.%').execute();
    for (const a of [
      'commissioning.plan.create',
      'commissioning.priority.create',
      'commissioning.evidence.create',
      'commissioning.intention.create',
      'commissioning.stage.move',
      'commissioning.plan.submit',
      'commissioning.plan.decide',
      'commissioning.contract.create',
      'commissioning.contract.link-package',
      'commissioning.kpi.create',
      'commissioning.kpi.return',
    ])
      expect(actions.map((x) => x.action)).toContain(a);
  });

  it('refuses bad input with specific messages', async () => {
    await commissioner.get(paths.commissioning.newPlan);
    const plan = await commissioner.post(paths.commissioning.newPlan, { title: '', ...date('periodFrom', '2027-04-01'), ...date('periodTo', '2026-03-31') });
    expect(plan.status).toBe(400);
    expect(text(plan.body)).toContain('Enter the plan’s title');
    expect(text(plan.body)).toContain('The date the plan ends must be on or after the date it starts');
    const planId = await newPlan(commissioner, 'Bad input plan (fictional)');
    await commissioner.get(paths.commissioning.newIntention(planId));
    const bad = await commissioner.post(paths.commissioning.newIntention(planId), {
      what: 'x',
      why: 'y',
      'dueOn-day': '31',
      'dueOn-month': '2',
      'dueOn-year': '2027',
      ownerId: '00000000-0000-4000-8000-000000000000',
      expected: '-5',
    });
    expect(bad.status).toBe(400);
    const b = text(bad.body);
    expect(b).toContain('The date it is due by must be a real date');
    expect(b).toContain('Select the partners commissioning it');
    expect(b).toContain('The expected money a year cannot be negative');
    // A stage skipped.
    const intentionId = await newIntention(commissioner, planId, 'Skipping');
    const skip = await move(commissioner, intentionId, 'do');
    expect(skip.status).toBe(400);
    expect(text(skip.body)).toContain('An intention moves one stage at a time: from “Understand needs” it can go to “Plan”');
    // Shares that do not add up to the value: the difference named.
    await commissioner.get(paths.commissioning.newContract);
    const shares = await commissioner.post(paths.commissioning.newContract, {
      title: 'Shares wrong',
      providerId: pool.providerId,
      ...date('startsOn', '2027-04-01'),
      ...date('endsOn', '2028-03-31'),
      annualValue: '10,000.00',
      [`share-${pool.health}-${pool.agreementId}`]: '6000',
      [`share-${pool.education}-${pool.agreementId}`]: '3999.99',
    });
    expect(shares.status).toBe(400);
    expect(text(shares.body)).toContain('The shares add up to £9,999.99, £0.01 less than the value a year of £10,000.00');
    expect(await t.database.db.selectFrom('contracts').select('id').where('title', '=', 'Shares wrong').executeTakeFirst()).toBeUndefined();
  });

  it('refuses those without the permission', async () => {
    const finance = new Client(t.app);
    await finance.signIn(FINANCE);
    expect((await finance.get(paths.commissioning.plans)).status).toBe(200);
    expect((await finance.get(paths.commissioning.contracts)).status).toBe(200);
    expect((await finance.get(paths.commissioning.newPlan)).status).toBe(403);
    expect((await finance.post(paths.commissioning.newPlan, { title: 'x' })).status).toBe(403);
    expect((await finance.get(paths.commissioning.importContracts)).status).toBe(403);
    const caseworker = new Client(t.app);
    await caseworker.signIn(CASEWORKER);
    expect((await caseworker.get(paths.commissioning.plans)).status).toBe(403);
    expect((await caseworker.get(paths.commissioning.contracts)).status).toBe(403);
    expect((await new Client(t.app).get(paths.commissioning.contracts)).status).toBe(303);
  });

  describe('nobody approves their own plan, by any sequence of allowed steps', () => {
    it('refuses the author who also holds the approval permission', async () => {
      const planId = await newPlan(both, 'Own plan (fictional)');
      await newIntention(both, planId, 'Something');
      expect((await submit(both, planId)).status).toBe(303);
      const { res } = await decide(both, planId);
      expect(res.status).toBe(403);
      expect(text(res.body)).toContain('You wrote this plan, so someone else must record the board’s decision on it');
      const row = await t.database.db.selectFrom('commissioning_plans').select(['status', 'decided_by']).where('id', '=', planId).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'submitted', decided_by: null });
      const denied = await t.database.db
        .selectFrom('audit_log')
        .select('result')
        .where('action', '=', 'commissioning.plan.decide')
        .where('subject_id', '=', planId)
        .execute();
      expect(denied.map((d) => d.result)).toContain('denied');
    });

    it('refuses someone who added an intention to a colleague’s plan, even after the colleague sent it', async () => {
      const planId = await newPlan(commissioner, 'Colleague’s plan (fictional)');
      await newIntention(both, planId, 'Slipped in');
      expect((await submit(commissioner, planId)).status).toBe(303);
      const { res } = await decide(both, planId);
      expect(res.status).toBe(403);
      expect(text(res.body)).toContain('You changed this plan');
    });

    it('sends an approved plan back to draft when anything is added, so nothing rides on the approval', async () => {
      const planId = await newPlan(commissioner, 'Approved then changed (fictional)');
      const first = await newIntention(commissioner, planId, 'Approved work');
      await move(commissioner, first, 'plan');
      await move(commissioner, first, 'do');
      await submit(commissioner, planId);
      expect((await decide(admin, planId)).res.status).toBe(303);
      // Added after approval: the plan is a draft again, and even the approved intention waits.
      await newIntention(commissioner, planId, 'Added after approval');
      const row = await t.database.db.selectFrom('commissioning_plans').select(['status', 'decided_by']).where('id', '=', planId).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'draft', decided_by: null });
      await commissioner.get(`${paths.commissioning.newContract}?intention=${first}`);
      const refused = await commissioner.post(paths.commissioning.newContract, {
        intentionId: first,
        title: 'Rides on approval',
        providerId: pool.providerId,
        ...date('startsOn', '2027-04-01'),
        ...date('endsOn', '2028-03-31'),
        annualValue: '100',
        [`share-${pool.health}-${pool.agreementId}`]: '100',
      });
      expect(text(refused.body)).toContain('The plan must be approved by the partnership board');
      // The clerk cannot decide on a draft either.
      expect((await decide(admin, planId)).res.status).toBe(400);
    });

    it('answers 409 to a decision on a plan changed since the form was opened', async () => {
      const planId = await newPlan(commissioner, 'Stale (fictional)');
      await newIntention(commissioner, planId, 'One');
      await submit(commissioner, planId);
      await admin.get(paths.commissioning.decide(planId));
      const stale = await admin.post(paths.commissioning.decide(planId), { decision: 'approved', ...date('meetingOn', TODAY), version: '1' });
      expect(stale.status).toBe(409);
    });

    it('holds in the database too: the decider is never the author', async () => {
      const planId = await newPlan(commissioner, 'Constraint (fictional)');
      const author = await userIdByEmail(t.database.db, COMMISSIONER);
      await expect(
        t.database.db.updateTable('commissioning_plans').set({ decided_by: author, status: 'approved' }).where('id', '=', planId).execute(),
      ).rejects.toThrow(/check constraint/);
    });
  });

  describe('the CSV import and the downloads', () => {
    const header = 'Title,Provider code,Service id,Starts,Ends,Value a year,Shares';
    it('imports nothing when any row is bad, naming every bad row', async () => {
      const before = await t.database.db
        .selectFrom('contracts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      await commissioner.get(paths.commissioning.importContracts);
      const res = await commissioner.post(paths.commissioning.importContracts, {
        csv: [
          header,
          'Good one (fictional),DEMO-PROV,,2027-04-01,2028-03-31,"£1,000.00","Health from S75-SB: £600.00; Social care from S75-SB: £400.00"',
          'Short (fictional),DEMO-PROV,,2027-04-01,2028-03-31,1000,Health from S75-SB: 999.99',
          ',NOPE,,2027-13-01,2028-03-31,abc,Nobody from S75-SB: 5',
        ].join('\n'),
      });
      expect(res.status).toBe(400);
      const body = text(res.body);
      expect(body).toContain('Row 3: The shares add up to £999.99, £0.01 less than the value a year of £1,000.00');
      expect(body).toContain('Row 4: Title is empty');
      expect(body).toContain('Row 4: Provider code: there is no organisation with the code NOPE');
      expect(body).toContain('Row 4: Starts: “2027-13-01” is not a date like 2027-04-01');
      expect(body).toContain('Row 4: Shares: There is no partner called “Nobody”');
      const after = await t.database.db
        .selectFrom('contracts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    it('imports good rows, and its own download imports again', async () => {
      const ends = addMonths(TODAY, 2);
      const res = await commissioner.post(paths.commissioning.importContracts, {
        csv: [header, `Imported (fictional),DEMO-PROV,,2026-01-01,${ends},"£1,000.00","Health from S75-SB: £600.00; Education from S75-SB: £400.00"`].join(
          '\n',
        ),
      });
      expect(res.status).toBe(303);
      const csv = await commissioner.get(`${paths.commissioning.contracts}?format=csv`);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      const line = csv.body.split('\r\n').find((l) => l.includes('Imported (fictional)'))!;
      expect(line).toContain(',Education from S75-SB: £400.00; Health from S75-SB: £600.00,');
      expect(line).toContain('Ends within 3 months');
      // The register's own download, imported again, makes the same contract once more.
      const again = await commissioner.post(paths.commissioning.importContracts, {
        csv: csv.body
          .replace(/^\uFEFF/, '')
          .split('\r\n')
          .filter((l, i) => i === 0 || l.includes('Imported (fictional)'))
          .join('\n'),
      });
      expect(again.status).toBe(303);
      const rows = await t.database.db.selectFrom('contracts').select('annual_value_pence').where('title', '=', 'Imported (fictional)').execute();
      expect(rows.map((r) => Number(r.annual_value_pence))).toEqual([100_000, 100_000]);
      const xlsx = await t.app.inject({ method: 'GET', url: `${paths.commissioning.contracts}?format=xlsx`, headers: { cookie: commissioner.cookieHeader() } });
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      const ws = wb.getWorksheet('Contracts')!;
      expect(ws.getRow(1).values).toContain('Value a year');
      expect(ws.rowCount).toBeGreaterThan(2);
    });
  });

  describe('alerts before a contract ends', () => {
    async function contractEnding(endsOn: string, title: string) {
      return t.database.db
        .insertInto('contracts')
        .values({ title, provider_id: pool.providerId, starts_on: '2025-01-01', ends_on: endsOn, annual_value_pence: 100, created_by: pool.financeUserId })
        .returning('id')
        .executeTakeFirstOrThrow();
    }
    const manager = async (): Promise<CurrentUser> => {
      const id = await userIdByEmail(t.database.db, COMMISSIONER);
      return { id, permissions: permissionsOf(['commissioner']), roles: ['commissioner'] } as unknown as CurrentUser;
    };

    it('lists contracts in "Your work" from 6 months before their end, and from 3 months, on both sides of each day', async () => {
      const today = '2031-01-15';
      await contractEnding('2031-07-15', 'Six months to the day (fictional)');
      await contractEnding('2031-07-16', 'A day more than six months (fictional)');
      await contractEnding('2031-04-15', 'Three months to the day (fictional)');
      await contractEnding('2031-04-16', 'A day more than three months (fictional)');
      const items = await contractsWorklist.items({ db: t.database.db, user: await manager(), today });
      const three = items.find((i) => i.text.includes('3 months'))!;
      const six = items.find((i) => i.text.includes('6 months'))!;
      expect(three.count).toBe(1);
      expect(three.dueOn).toBe('2031-04-15');
      // 16 April (3 months and a day) and 15 July (6 months to the day); not 16 July.
      expect(six.count).toBe(2);
      expect(six.dueOn).toBe('2031-04-16');
    });

    it('e-mails each alert once a day at most, by the daily job', async () => {
      const sent: Message[] = [];
      const notifier = new OutboxNotifier((m) => void sent.push(m));
      await contractEnding('2033-07-15', 'Alerted (fictional)');
      const run = (today: string) => t.database.db.transaction().execute((tx) => alertExpiring(tx, notifier, 'http://localhost:3000', today));
      expect((await run('2033-01-14')).contracts).toBe(0);
      expect((await run('2033-01-15')).contracts).toBe(1);
      expect((await run('2033-01-15')).contracts).toBe(0);
      expect((await run('2033-04-14')).contracts).toBe(0);
      expect((await run('2033-04-15')).contracts).toBe(1);
      expect((await run('2033-04-16')).contracts).toBe(0);
      const mail = sent.filter((m) => m.body.includes('Alerted (fictional)'));
      expect(mail.map((m) => m.to)).toContain(COMMISSIONER);
      expect(mail.some((m) => m.body.includes('Ends within 3 months'))).toBe(true);
    });
  });

  describe('the market position statement', () => {
    it('draws on the approved plans’ intentions, keeps what the commissioner writes as text, and refuses a stale edit', async () => {
      const page = await commissioner.get(paths.commissioning.marketPosition);
      expect(page.status).toBe(200);
      // From the first test's approved plan; nothing from a plan still in draft.
      expect(text(page.body)).toContain('A hearing support service for 19 to 25 year-olds');
      expect(text(page.body)).not.toContain('Added after approval');
      await commissioner.get(paths.commissioning.editMarketPosition);
      const saved = await commissioner.post(paths.commissioning.editMarketPosition, {
        introduction: 'Demoshire wants to hear from providers (fictional).\n\n<script>alert(1)</script>',
        toProviders: 'Tell us about services for young adults.',
        version: '0',
      });
      expect(saved.status).toBe(303);
      const after = await commissioner.get(paths.commissioning.marketPosition);
      expect(after.body).toContain('<p class="govuk-body">Demoshire wants to hear from providers (fictional).</p>');
      expect(after.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(after.body).not.toContain('<script>alert(1)');
      expect(text(after.body)).toContain('What we ask of providers Tell us about services for young adults.');
      const stale = await commissioner.post(paths.commissioning.editMarketPosition, { introduction: 'Older', toProviders: '', version: '0' });
      expect(stale.status).toBe(409);
      const finance = new Client(t.app);
      await finance.signIn(FINANCE);
      expect((await finance.get(paths.commissioning.marketPosition)).status).toBe(200);
      expect((await finance.get(paths.commissioning.editMarketPosition)).status).toBe(403);
    });
  });
});

function longToday() {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' }).format(new Date());
}
