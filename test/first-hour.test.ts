// Issue 14, "the first hour": on a fresh demo area (the population, money, panel and the last few
// weeks of work, as the first start's background job makes them), every demo account's home page
// lists its own work under "Your work", and every item's link opens for that person. A link a role
// cannot open is a defect, so each is followed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { DEMO_USERS } from '../src/demo/seed.js';
import { seedDemoWorld } from '../src/demo/population.js';
import { DEMO_PARENT_EMAIL, DEMO_YOUNG_PERSON_EMAIL } from '../src/demo/families.js';
import { ageOn, todayInLondon } from '../src/platform/dates.js';
import { paths } from '../src/paths.js';
import { DEMO_HISTORY_DAYS, seedDemoHistory } from '../src/demo/history.js';
import { sealAudit } from '../src/platform/audit/sealer.js';
import { verifyAudit } from '../src/platform/audit/audit.js';
import { addDays } from './support/dates.js';
import { sql } from 'kysely';

/** Enough children for every part of the demo (the extracts, the referrals, the packages), and quick. */
const CHILDREN = 400;

/** The links and texts of the "Your work" list on a home page. */
function workItems(html: string) {
  const list = /<ul class="govuk-list jointly-worklist"[\s\S]*?<\/ul>/.exec(html)?.[0] ?? '';
  return [...list.matchAll(/<li class="jointly-worklist__item">([\s\S]*?)<\/li>/g)].map((m) => ({
    href: /href="([^"]+)"/.exec(m[1]!)![1]!.replace(/&amp;/g, '&'),
    text: text(m[1]!).trim(),
  }));
}

describe.each(databaseKinds())('the first hour in the demo area on %s', (kind) => {
  let t: TestApp;
  let life: Awaited<ReturnType<typeof seedDemoWorld>>['life'];
  let history: Awaited<ReturnType<typeof seedDemoWorld>>['history'];
  let commissioning: Awaited<ReturnType<typeof seedDemoWorld>>['commissioning'];
  let families: Awaited<ReturnType<typeof seedDemoWorld>>['families'];
  beforeAll(async () => {
    // Two dozen sign-ins from one address in a minute: the limit itself is tested elsewhere.
    // With the Local Offer's directory: its provider and officer have work in it.
    t = await buildTestApp(kind, { JOINTLY_SIGN_IN_RATE_PER_MINUTE: '1000' }, { localOffer: true });
    ({ life, history, commissioning, families } = await seedDemoWorld(t.database.db, { children: CHILDREN }));
  }, 600_000);
  afterAll(async () => {
    await t?.close();
  });

  it('the demo’s recent weeks were made through the services', () => {
    expect(life).toEqual({ referrals: 9, decisions: 3, disputes: 1, imports: 3 });
    // Joint commissioning: a plan approved by the board, intentions at each stage, three contracts.
    expect(commissioning).toEqual({ plans: 1, intentions: 5, contracts: 3 });
  });

  it('the demo has a year of history before its recent weeks: marked, in the chain’s order, and only records the person’s organisation works with', async () => {
    const db = t.database.db;
    const today = todayInLondon();
    expect(history.entries).toBeGreaterThan(1000);
    // The first working day a year back (at most 4 days after it, for a bank holiday weekend) to the last one before today.
    expect(history.from! >= addDays(today, -DEMO_HISTORY_DAYS) && history.from! <= addDays(today, -DEMO_HISTORY_DAYS + 4)).toBe(true);
    expect(history.to! < today && history.to! >= addDays(today, -4)).toBe(true);
    const rows = await db
      .selectFrom('audit_log')
      .select(['id', 'at', 'action', 'subject_type', 'subject_id', 'organisation_id', 'details'])
      .where(sql<boolean>`details::jsonb ->> 'demoHistory' = 'true'`)
      .orderBy('id')
      .execute();
    expect(rows).toHaveLength(history.entries);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.at.getTime()).toBeGreaterThanOrEqual(rows[i - 1]!.at.getTime());
    // Everything after the history happened now, later than all of it.
    const after = await db.selectFrom('audit_log').select('at').where('id', '>', rows.at(-1)!.id).execute();
    expect(after.every((r) => r.at.getTime() >= rows.at(-1)!.at.getTime())).toBe(true);
    const looks = rows.filter((r) => r.subject_type === 'child');
    expect(looks.length).toBeGreaterThan(300);
    const involved = new Set(
      (await db.selectFrom('involvements').select(['child_id', 'organisation_id']).execute()).map((i) => `${i.child_id} ${i.organisation_id}`),
    );
    expect(looks.filter((r) => !involved.has(`${r.subject_id} ${r.organisation_id}`))).toEqual([]);
    // A second run writes nothing more; the whole chain seals and verifies.
    expect((await seedDemoHistory(db)).entries).toBe(0);
    await sealAudit(db);
    expect(await verifyAudit(db)).toMatchObject({ ok: true });
  });

  it.each(DEMO_USERS.map((u) => [u.email, u] as const))('%s opens Jointly to their own work, and every item opens', async (email) => {
    const client = new Client(t.app);
    await client.signIn(email);
    const home = await client.get(paths.home);
    expect(home.status).toBe(200);
    expect(text(home.body)).toContain('Your work');
    const items = workItems(home.body);
    expect(items.length, `work items for ${email}`).toBeGreaterThan(0);
    for (const item of items) {
      const page = await client.get(item.href);
      expect(page.status, `${email}: "${item.text}" links to ${item.href}`).toBe(200);
    }
  });

  it('the family accounts open their own pages to what is theirs to do, and every item opens', async () => {
    if (!('parentChildId' in families)) throw new Error(`no demo family accounts: ${JSON.stringify(families)}`);
    expect(families.youngPersonId).not.toBeNull();
    const yp = await t.database.db
      .selectFrom('children')
      .select(['date_of_birth', 'given_name'])
      .where('id', '=', families.youngPersonId!)
      .executeTakeFirstOrThrow();
    expect(ageOn(yp.date_of_birth, todayInLondon())).toBe(17);
    const parentItems: string[] = [];
    for (const email of [DEMO_PARENT_EMAIL, DEMO_YOUNG_PERSON_EMAIL]) {
      const client = new Client(t.app);
      expect((await client.signIn(email)).status).toBe(303);
      const home = await client.get(paths.home);
      expect(home.location).toBe(paths.myFamily.home);
      const page = await client.get(paths.myFamily.home);
      expect(page.status).toBe(200);
      const items = workItems(page.body);
      if (email === DEMO_PARENT_EMAIL) parentItems.push(...items.map((i) => i.text));
      else expect(text(page.body)).toContain(yp.given_name);
      for (const item of items) expect((await client.get(item.href)).status, `${email}: "${item.text}" links to ${item.href}`).toBe(200);
      // Staff pages are refused, not a sign-out.
      expect((await client.get(paths.children.list)).status).toBe(403);
    }
    // The parent's child: "about me" written over a year ago, and what the panel decided.
    expect(parentItems.some((i) => i.startsWith('Check what “about me” says about'))).toBe(true);
    expect(parentItems.some((i) => i.startsWith('Read what the panel decided for'))).toBe(true);
    const parent = new Client(t.app);
    await parent.signIn(DEMO_PARENT_EMAIL);
    const record = text((await parent.get(paths.myFamily.child(families.parentChildId))).body);
    expect(record).toContain('What the panel decided Approved on');
    expect(record).toContain('Who provides it Demoshire Short Breaks Provider (fictional)');
    const looked = text((await parent.get(paths.myFamily.whoLooked(families.parentChildId))).body);
    for (const who of ['Demo Caseworker', 'Demo Key Worker', 'Demo Finance Officer', 'Demo Panel Member']) expect(looked).toContain(who);
  });

  it('names the work each role is there for', async () => {
    const itemsOf = async (email: string) => {
      const client = new Client(t.app);
      const signedIn = await client.signIn(`${email}@demoshire.example.org`);
      expect(signedIn.location).toBe(paths.home);
      const home = await client.get(paths.home);
      return workItems(home.body).map((i) => i.text);
    };
    const has = (items: string[], re: RegExp) =>
      expect(
        items.some((i) => re.test(i)),
        `${re} in:\n${items.join('\n')}`,
      ).toBe(true);
    const caseworker = await itemsOf('caseworker');
    has(caseworker, /^Triage 3 referrals/);
    has(caseworker, /^Issue the outcome sheet for referral/);
    has(caseworker, /^Follow the dispute about/);
    for (const member of ['panel', 'panel-chair', 'panel-care']) has(await itemsOf(member), /^Read the papers for .* \(fictional\) on /);
    // The chair (education) may settle the dispute; social care, the disputing partner, only follows it.
    has(await itemsOf('panel-chair'), /^Settle or escalate the dispute about .*share of referral .* Step 2: Heads of service/);
    has(await itemsOf('panel-care'), /^Follow the dispute about/);
    const finance = await itemsOf('finance');
    has(finance, /^Review package /);
    has(finance, /^Review \d+ uncertain match/);
    has(finance, /^Check the dry run of .*education.* and apply it/);
    for (const board of ['commissioner', 'participation']) has(await itemsOf(board), /^1 dispute about shares is open/);
    // The demo contracts: one ends within 3 months, one within 6 (src/demo/commissioning.ts).
    has(await itemsOf('commissioner'), /^Decide what follows contracts ending within 3 months/);
    has(await itemsOf('commissioner'), /^Plan for contracts ending within 6 months/);
    const ig = await itemsOf('ig');
    has(ig, /^Review 1 use of emergency access/);
    has(ig, /^Approve or refuse 1 consent or lawful basis/);
    has(await itemsOf('keyworker'), /^Review consent to share .*’s information/);
    has(await itemsOf('practitioner'), /^Review consent to share .*’s information/);
  });

  it('an overdue package says so on its own page and in its pool’s list', async () => {
    const finance = new Client(t.app);
    await finance.signIn('finance@demoshire.example.org');
    const first = workItems((await finance.get(paths.home)).body).find((i) => i.text.startsWith('Review package'))!;
    expect(first.text).toContain('Overdue');
    const page = text((await finance.get(first.href)).body);
    expect(page).toMatch(/The review of this package is overdue: it was due on \d+ \w+ \d{4}\./);
    const pool = /href="(\/budgets\/pools\/[^"]+)"/.exec((await finance.get(first.href)).body)![1]!;
    expect(text((await finance.get(pool)).body)).toMatch(/Overdue \d+ \w+ \d{4}: overdue/);
  });

  it('names a child in "Your work" only to someone the sharing rule lets see them, and records that they were shown', async () => {
    const db = t.database.db;
    const keyworker = new Client(t.app);
    await keyworker.signIn('keyworker@demoshire.example.org');
    const items = workItems((await keyworker.get(paths.home)).body).filter((i) => i.text.startsWith('Review consent'));
    expect(items.length).toBeGreaterThan(0);
    const user = await db.selectFrom('users').select('id').where('email', '=', 'keyworker@demoshire.example.org').executeTakeFirstOrThrow();
    const entry = await db
      .selectFrom('audit_log')
      .select('id')
      .where('user_id', '=', user.id)
      .where('action', '=', 'home.view')
      .orderBy('at', 'desc')
      .executeTakeFirstOrThrow();
    const linked = await db.selectFrom('audit_children').select('child_id').where('audit_id', '=', entry.id).execute();
    const shown = items.map((i) => /\/children\/([0-9a-f-]{36})\//.exec(i.href)![1]);
    expect(linked.map((l) => l.child_id).sort()).toEqual([...shown].sort());
    // Each of them opens for the key worker (the first test followed every link); nobody without casework sees a name.
    for (const email of ['commissioner', 'finance', 'ig', 'panel', 'participation']) {
      const c = new Client(t.app);
      await c.signIn(`${email}@demoshire.example.org`);
      expect(workItems((await c.get(paths.home)).body).filter((i) => i.href.startsWith('/children/'))).toEqual([]);
    }
  });

  it('the privacy notice names the controllers and says why, on what basis, how long and what rights; the form and every page link to it', async () => {
    const visitor = new Client(t.app);
    const notice = await visitor.get(paths.referrals.privacy);
    expect(notice.status).toBe(200);
    const words = text(notice.body);
    for (const heading of ['Who looks after your information', 'What we collect and why', 'Our lawful basis', 'How long we keep it', 'Your rights'])
      expect(words).toContain(heading);
    expect(words).toContain('Demoshire Council: SEND and inclusion (fictional)');
    expect(words).toContain('NHS Demoshire Integrated Care Board (fictional)');
    expect(words).not.toContain('Oakfield Special School');
    const form = await visitor.get(paths.referrals.selfReferral);
    expect(form.body).toContain(`<a class="govuk-link" href="${paths.referrals.privacy}">privacy notice</a>`);
    expect(form.body).toContain(`<a class="govuk-footer__link" href="${paths.referrals.privacy}">Privacy notice</a>`);
  });
});
