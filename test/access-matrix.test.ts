// The access matrix (issue 3, "Tests that must exist"): every demo person × children whose
// organisations are or are not involved × every consent state (none, partial, full, withdrawn,
// a lawful basis, emergency access) × every page that shows a child's data, on both databases.
//
// The expected outcome of each combination is computed from the pure sharing rule (accessFor)
// and the permissions of the person's roles, never written out by hand, and the pages are taken
// from the app's own list of routes: a new page under /children/:id is covered the day it is
// added, and this test fails until it is classified below with the section it shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { buildTestApp, Client, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createChild, fakeNhsNumber, fakeUpn, orgByCode, type InvolvementOption } from './support/register.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../src/demo/seed.js';
import { OutboxNotifier } from '../src/platform/notify/notify.js';
import { hashPassword } from '../src/capabilities/administration/sign-in/passwords.js';
import { approveFamilyAccount, inviteFamilyMember, inviteYoungPerson } from '../src/capabilities/families/my-family/service.js';
import { permissionsOf, type Permission } from '../src/platform/access/roles.js';
import { accessFor, SECTION_KEYS, type Access, type Section, type SharingFacts, type Viewer } from '../src/capabilities/record/sharing/rules.js';
import type { DeclaredRoute } from '../src/platform/http/route.js';
import { addDays } from './support/dates.js';

// Every GET page under /children/:id, with the section of the record it needs (read from each
// capability's routes.ts). The emergency access page is the one page a person who cannot see
// the child may open: it shows the same form whether or not the child exists.
type PageKind = { section: Section } | 'emergency-access';
const CHILD_PAGES: Record<string, PageKind> = {
  [paths.children.record()]: { section: 'core' },
  [paths.children.edit()]: { section: 'core' },
  [paths.children.history()]: { section: 'core' },
  [paths.children.family()]: { section: 'family' },
  [paths.children.addFamilyMember()]: { section: 'family' },
  [paths.children.editFamilyMember()]: { section: 'family' },
  // my-family: inviting the family shows the family members' names and e-mail addresses.
  [paths.children.familyAccounts()]: { section: 'family' },
  [paths.children.involvements()]: { section: 'core' },
  [paths.children.addInvolvement()]: { section: 'core' },
  [paths.children.endInvolvement()]: { section: 'core' },
  [paths.children.keyWorker()]: { section: 'core' },
  [paths.children.aboutMe()]: { section: 'about-me' },
  [paths.children.updateAboutMe()]: { section: 'about-me' },
  [paths.children.aboutMeVersion()]: { section: 'about-me' },
  // The chronology needs the core record and lists only the events of the sections the person may see.
  [paths.children.chronology()]: { section: 'core' },
  [paths.children.addChronologyEvent()]: { section: 'core' },
  [paths.children.sharing()]: { section: 'core' },
  [paths.children.addConsent()]: { section: 'core' },
  [paths.children.withdrawConsent()]: { section: 'core' },
  [paths.children.addLawfulBasis()]: { section: 'core' },
  [paths.children.whoHasLooked()]: { section: 'core' },
  // budgets: the child's packages, their split and spend, need the core record (like who works with them).
  [paths.children.packages()]: { section: 'core' },
  [paths.children.emergencyAccess()]: 'emergency-access',
  // budget-reports: a child's money, outside /children/:id but a page of the child all the same.
  [paths.budgetReports.child()]: { section: 'core' },
};
/** Pages listing, searching, exporting or counting children. */
const COLLECTION_PAGES = [paths.children.list, paths.children.export, paths.register.overview, paths.register.overviewExport];

const isChildPage = (url: string) => url === paths.children.record() || url.startsWith(`${paths.children.record()}/`) || url === paths.budgetReports.child();

const STATES = ['none', 'partial', 'full', 'withdrawn', 'lawful', 'breakglass'] as const;
type State = (typeof STATES)[number];
const RELATIONS = ['in', 'out'] as const;
type Relation = (typeof RELATIONS)[number];
const CASEWORK_TYPES = ['council-education', 'council-social-care', 'nhs-trust'] as const;

const HOUR = 3_600_000;
const scopes = (types: readonly string[], sections: readonly Section[]) =>
  types.flatMap((organisationType) => sections.map((section) => ({ organisationType, section })));

/**
 * Partial consent: council education may see core, education and about me (not family); social
 * care core, family and social care (not about me); the NHS trust health only (so not the child).
 */
const PARTIAL = [
  ...scopes(['council-education'], ['core', 'education', 'about-me']),
  ...scopes(['council-social-care'], ['core', 'family', 'social-care']),
  ...scopes(['nhs-trust'], ['health']),
];
const FULL = scopes([...CASEWORK_TYPES, 'school'], SECTION_KEYS);
/** A consent covering only schools: the lawful basis and emergency access children have one, so their consent pages have a consent to show. */
const SCHOOL_ONLY = scopes(['school'], ['core']);

interface MatrixChild {
  state: State;
  relation: Relation;
  id: string;
  /** Unique given name: shown on every page of the record, and in lists and exports. */
  name: string;
  /** Unique strings that belong to one section each: they must appear only where that section is visible. */
  markers: Record<Section, string[]>;
  /** Ids for the other parameters of the record's pages (absent when the child has no such row). */
  params: Record<string, string | undefined>;
  nhsNumber: string;
  postcode: string;
  facts: SharingFacts;
}

interface Person {
  email: string;
  client: Client;
  viewer: Viewer;
  permissions: Set<Permission>;
}

describe.each(databaseKinds())('the access matrix on %s', (kind) => {
  let t: TestApp;
  const now = new Date();
  const today = todayInLondon(now);
  const children: MatrixChild[] = [];
  const people: Person[] = [];
  let childGets: DeclaredRoute[] = [];

  const cookieOf = (c: Client) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const raw = async (p: Person, url: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers: { cookie: cookieOf(p.client) } });
    return { status: res.statusCode, buffer: res.rawPayload, body: res.body };
  };
  const xlsxText = async (buffer: Buffer) => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buffer as unknown as ArrayBuffer);
    const cells: string[] = [];
    wb.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.text)))));
    return cells.join('\n');
  };

  const accessOf = (p: Person, c: MatrixChild): Access => accessFor(p.viewer, c.facts, now);
  const allMarkers = (c: MatrixChild) => [c.name, ...SECTION_KEYS.flatMap((s) => c.markers[s])];
  /** What must not be on a page this person sees of this child (the markers of sections they may not see). */
  const forbidden = (a: Access, c: MatrixChild) => (a.visible ? SECTION_KEYS.filter((s) => !a.sections.has(s)).flatMap((s) => c.markers[s]) : allMarkers(c));

  beforeAll(async () => {
    t = await buildTestApp(kind);
    const db = t.database.db;
    childGets = t.app.declaredRoutes.filter((r) => r.method === 'GET' && isChildPage(r.url));

    const org = Object.fromEntries(
      await Promise.all(['DEMO-EDU', 'DEMO-CSC', 'DEMO-TRUST', 'DEMO-SCH'].map(async (code) => [code, await orgByCode(db, code)] as const)),
    );
    const users = await db
      .selectFrom('users as u')
      .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
      .select(['u.id', 'u.email', 'u.organisation_id', 'o.type'])
      .execute();
    const roles = await db.selectFrom('user_roles').select(['user_id', 'role']).execute();
    const userId = (email: string) => users.find((u) => u.email === email)!.id;

    // One child for each consent state, involved with the three casework organisations ("in"),
    // or only with a school, after an ended involvement of council education and before one of
    // social care starts ("out").
    let i = 0;
    for (const state of STATES) {
      for (const relation of RELATIONS) {
        i++;
        const code = `${state}${relation}`;
        const name = `Mx${code}`;
        const involvements: InvolvementOption[] =
          relation === 'in'
            ? [{ orgCode: 'DEMO-EDU' }, { orgCode: 'DEMO-CSC' }, { orgCode: 'DEMO-TRUST' }]
            : [
                { orgCode: 'DEMO-SCH' },
                { orgCode: 'DEMO-EDU', startedOn: addDays(today, -400), endedOn: addDays(today, -10) },
                { orgCode: 'DEMO-CSC', startedOn: addDays(today, 5) },
              ];
        const consentScopes = state === 'none' ? 'none' : state === 'partial' ? PARTIAL : state === 'full' || state === 'withdrawn' ? FULL : SCHOOL_ONLY;
        const nhsNumber = fakeNhsNumber(100 + i);
        const postcode = `DM3 9${'ABDEFGHJLNPQRSTUWXYZ'[i]!.repeat(2)}`;
        const created = await createChild(db, {
          givenName: name,
          familyName: 'Matrixfamily',
          postcode,
          nhsNumber,
          upn: fakeUpn(100 + i),
          familyMember: { fullName: `Fam${code} Matrixfamily`, email: `fam${code}@example.org` },
          involvements,
          consentScopes,
          withdrawn: state === 'withdrawn',
        });
        const childId = created.childId;

        await db
          .insertInto('about_me_versions')
          .values({
            child_id: childId,
            version: 1,
            what_matters: `Abt${code}`,
            written_with: 'Test: the family',
            recorded_by: userId('caseworker@demoshire.example.org'),
          })
          .execute();
        await db
          .insertInto('chronology_events')
          .values(
            SECTION_KEYS.map((s) => ({
              child_id: childId,
              organisation_id: org['DEMO-EDU']!.id,
              occurred_on: addDays(today, -20),
              section: s,
              title: `Evt${s.replace('-', '')}${code}`,
            })),
          )
          .execute();

        const lawfulBases: { org: string; sections: Section[]; endsOn?: string; ended?: boolean }[] =
          state === 'lawful'
            ? [
                { org: 'DEMO-EDU', sections: ['core', 'family'] },
                { org: 'DEMO-CSC', sections: ['core', 'about-me', 'social-care'], endsOn: addDays(today, 30) },
                { org: 'DEMO-TRUST', sections: [...SECTION_KEYS], ended: true },
              ]
            : [];
        for (const b of lawfulBases) {
          await db
            .insertInto('lawful_bases')
            .values({
              child_id: childId,
              organisation_id: org[b.org]!.id,
              basis: 'safeguarding',
              sections: b.sections,
              explanation: 'Test: a safeguarding enquiry',
              decided_by_user_id: userId('ig@demoshire.example.org'),
              decided_on: addDays(today, -1),
              ends_on: b.endsOn ?? null,
              ended_at: b.ended ? new Date(now.getTime() - HOUR) : null,
            })
            .execute();
        }
        // Emergency access: current for the caseworker; expired for the key worker; current for
        // the administrator, who holds no casework role (the screens never grant it, the rule must refuse it).
        const glass =
          state === 'breakglass'
            ? [
                { email: 'caseworker@demoshire.example.org', expiresAt: new Date(now.getTime() + 2 * HOUR) },
                { email: 'keyworker@demoshire.example.org', expiresAt: new Date(now.getTime() - HOUR) },
                { email: 'admin@demoshire.example.org', expiresAt: new Date(now.getTime() + 2 * HOUR) },
              ]
            : [];
        for (const g of glass) {
          const u = users.find((x) => x.email === g.email)!;
          await db
            .insertInto('break_glass')
            .values({
              child_id: childId,
              user_id: u.id,
              organisation_id: u.organisation_id,
              reason: 'Test: urgent hospital admission, family not reachable',
              started_at: new Date(g.expiresAt.getTime() - 3 * HOUR),
              expires_at: g.expiresAt,
            })
            .execute();
        }

        const current = (inv: InvolvementOption) => (inv.startedOn ?? addDays(today, -365)) <= today && (inv.endedOn == null || inv.endedOn >= today);
        const consentList = consentScopes === 'none' ? [] : [{ withdrawn: state === 'withdrawn', approved: true, scopes: consentScopes }];
        children.push({
          state,
          relation,
          id: childId,
          name,
          nhsNumber,
          postcode,
          markers: {
            core: [`Evtcore${code}`],
            family: [`Fam${code}`, `fam${code}@example.org`, `Evtfamily${code}`],
            education: [`Evteducation${code}`],
            health: [`Evthealth${code}`],
            'social-care': [`Evtsocialcare${code}`],
            'about-me': [`Abt${code}`, `Evtaboutme${code}`],
          },
          params: {
            id: childId,
            childId,
            memberId: created.familyMemberId ?? undefined,
            involvementId: Object.values(created.involvementIds)[0],
            consentId: created.consentId ?? undefined,
            version: '1',
          },
          facts: {
            involvedOrganisationIds: involvements.filter(current).map((inv) => org[inv.orgCode]!.id),
            consents: consentList,
            lawfulBases: lawfulBases.map((b) => ({ organisationId: org[b.org]!.id, sections: b.sections, current: !b.ended, approved: true })),
            breakGlass: glass.map((g) => ({ userId: userId(g.email), expiresAt: g.expiresAt })),
          },
        });
      }
    }

    // Every demo person, signed in once.
    for (const d of DEMO_USERS) {
      const u = users.find((x) => x.email === d.email)!;
      const held = roles.filter((r) => r.user_id === u.id).map((r) => r.role);
      const client = new Client(t.app);
      const res = await client.signIn(d.email);
      expect(res.status, `signing in ${d.email}`).toBe(303);
      people.push({
        email: d.email,
        client,
        viewer: { userId: u.id, organisationId: u.organisation_id, organisationType: u.type, roles: held },
        permissions: permissionsOf(held),
      });
    }
  });
  afterAll(() => t?.close());

  it('has classified every page under /children/:id (a new page must say which section it shows)', () => {
    const declared = childGets.map((r) => r.url).sort();
    expect(declared.filter((u) => !(u in CHILD_PAGES))).toEqual([]);
    // And nothing classified has gone away unnoticed.
    expect(Object.keys(CHILD_PAGES).filter((u) => !declared.includes(u))).toEqual([]);
    const gets = new Set(t.app.declaredRoutes.filter((r) => r.method === 'GET').map((r) => r.url));
    expect(COLLECTION_PAGES.filter((u) => !gets.has(u))).toEqual([]);
  });

  it('the matrix covers what the issue asks: every person, both relations, every consent state', () => {
    // Sanity of the generated setup: each casework person sees some children and not others,
    // and partial consent gives at least one person the core record without family or about me.
    const casework = people.filter((p) => p.permissions.has('children:view'));
    expect(casework.map((p) => p.email).sort()).toEqual([
      'caseworker@demoshire.example.org',
      'keyworker@demoshire.example.org',
      'practitioner@demoshire.example.org',
    ]);
    for (const p of casework) {
      const seen = children.filter((c) => accessOf(p, c).visible).map((c) => `${c.state}${c.relation}`);
      expect(seen.length, p.email).toBeGreaterThan(0);
      expect(seen.length, p.email).toBeLessThan(children.length);
    }
    const partialIn = children.find((c) => c.state === 'partial' && c.relation === 'in')!;
    const partly = casework.filter((p) => {
      const a = accessOf(p, partialIn);
      return a.visible && (!a.sections.has('family') || !a.sections.has('about-me'));
    });
    expect(partly.length).toBeGreaterThanOrEqual(2);
    expect(children.length).toBe(STATES.length * RELATIONS.length);
  });

  it('every page of every child answers every person as the sharing rule and their permissions say', { timeout: 240_000 }, async () => {
    const problems: string[] = [];
    const pages = childGets.map((r) => ({ route: r, kind: CHILD_PAGES[r.url]! }));
    // A page the person's roles do not allow is refused (403) by the route wrapper before the
    // child is looked at, so refusals are checked on two children (one most people may see, one
    // with emergency access for the administrator) rather than all twelve: it keeps the run short.
    const refusalSample = new Set(children.filter((c) => c.relation === 'in' && (c.state === 'full' || c.state === 'breakglass')));
    await Promise.all(
      people.map(async (p) => {
        for (const c of children) {
          const access = accessOf(p, c);
          for (const { route, kind: pageKind } of pages) {
            // "Who has looked" is for those who may see the record, and for the information governance
            // lead on a record someone reached through emergency access (issue 19); the route is 'signed-in'.
            const reviewsIt = route.url === paths.children.whoHasLooked() && p.permissions.has('emergency-access:review') && c.state === 'breakglass';
            const permitted =
              route.url === paths.children.whoHasLooked() ? p.permissions.has('children:view') || reviewsIt : p.permissions.has(route.access as Permission);
            if (!permitted && !refusalSample.has(c)) continue;
            let missingParam = false;
            const url = route.url.replace(/:(\w+)/g, (_, name: string) => {
              if (!(name in c.params)) throw new Error(`No value for :${name} in ${route.url}: add it to the matrix children's params`);
              const v = c.params[name];
              if (v === undefined) missingParam = true;
              return v ?? '00000000-0000-4000-8000-000000000000';
            });
            const label = `${p.email.split('@')[0]} · ${c.state}/${c.relation} · GET ${route.url}`;
            const res = await p.client.get(url);
            const shows = (s: string) => res.body.includes(s);

            let expected: number;
            if (!permitted) expected = 403;
            else if (reviewsIt) expected = 200;
            else if (pageKind === 'emergency-access') expected = access.visible && access.via === 'sharing' ? 303 : 200;
            else if (!(access.visible && access.sections.has(pageKind.section)) || missingParam) expected = 404;
            // Emergency access is read-only (ADR 0012): a form that only changes the record is refused.
            else expected = access.via === 'emergency-access' && route.access === 'children:edit' ? 403 : 200;

            if (res.status !== expected) {
              problems.push(`${label}: expected ${expected}, got ${res.status}`);
              continue;
            }
            if (expected === 200 && pageKind !== 'emergency-access') {
              if (!shows(c.name)) problems.push(`${label}: the child's name is not on the page`);
              // The reviewing IG lead is shown whose record it is (as the review page does), and nothing else of it.
              const leaked = (reviewsIt ? allMarkers(c).filter((m) => !c.name.includes(m)) : forbidden(access, c)).filter(shows);
              if (leaked.length) problems.push(`${label}: shows ${leaked.join(', ')} from sections they may not see`);
              if (route.url === paths.children.chronology()) {
                const missing = SECTION_KEYS.filter(
                  (s) => access.visible && access.sections.has(s) && !shows(`Evt${s.replace('-', '')}${c.state}${c.relation}`),
                );
                if (missing.length) problems.push(`${label}: the chronology lacks the events of ${missing.join(', ')}`);
              }
            } else if (expected === 303) {
              if (res.location !== paths.children.record(c.id)) problems.push(`${label}: redirected to ${res.location}, not the record`);
            } else {
              // Refused, not found, or the emergency access page: nothing of the child at all.
              const leaked = allMarkers(c).filter(shows);
              if (
                expected === 403 &&
                access.visible &&
                route.access === 'children:edit' &&
                !shows('Emergency access lets you read this record, not change it')
              ) {
                problems.push(`${label}: does not say emergency access is read-only`);
              }
              if (leaked.length) problems.push(`${label} (${res.status}): shows ${leaked.join(', ')}`);
              if (pageKind === 'emergency-access' && expected === 200) {
                const glass = access.visible && access.via === 'emergency-access';
                const says = glass ? 'You have emergency access to this record' : 'You cannot see this record';
                if (!res.body.includes(says)) problems.push(`${label}: does not say "${says}"`);
              }
            }
          }
        }
      }),
    );
    expect(problems).toEqual([]);
  });

  it('family accounts open the family pages of their own child only, and every staff page of a child refuses them (403)', { timeout: 240_000 }, async () => {
    // A parent of the fully shared child, and a young person of 17 with their own account (not a matrix child).
    const db = t.database.db;
    const own = children.find((c) => c.state === 'full' && c.relation === 'in')!;
    const cwId = (await db.selectFrom('users').select('id').where('email', '=', 'caseworker@demoshire.example.org').executeTakeFirstOrThrow()).id;
    const deps = { notifier: new OutboxNotifier(), baseUrl: 'http://localhost' };
    const kwId = (await db.selectFrom('users').select('id').where('email', '=', 'keyworker@demoshire.example.org').executeTakeFirstOrThrow()).id;
    const parentAsked = await inviteFamilyMember(db, own.id, own.params.memberId!, cwId);
    await approveFamilyAccount(db, deps, own.id, parentAsked.userId, kwId);
    const young = await createChild(db, {
      givenName: 'Mxyoungperson',
      dateOfBirth: addDays(today, -17 * 365 - 30),
      familyMember: { fullName: 'Fammxyoung Matrixfamily', email: 'fammxyoung@example.org' },
    });
    const youngAsked = await inviteYoungPerson(db, young.childId, 'mxyoung.own@example.org', cwId, today);
    await approveFamilyAccount(db, deps, young.childId, youngAsked.userId, kwId);
    const parentEmail = `fam${own.state}${own.relation}@example.org`;
    await db
      .updateTable('users')
      .set({ password_hash: await hashPassword(DEMO_PASSWORD) })
      .where('email', 'in', [parentEmail, 'mxyoung.own@example.org'])
      .execute();
    const familyGets = t.app.declaredRoutes.filter((r) => r.method === 'GET' && r.url.startsWith('/my-family'));
    expect(familyGets.length).toBeGreaterThanOrEqual(5);
    const problems: string[] = [];
    for (const [email, ownId, ownName, ownConsent] of [
      [parentEmail, own.id, own.name, own.params.consentId],
      ['mxyoung.own@example.org', young.childId, 'Mxyoungperson', young.consentId ?? undefined],
    ] as const) {
      const client = new Client(t.app);
      expect((await client.signIn(email)).status, email).toBe(303);
      const who = email.split('@')[0];
      // The parent's own name and address are the signed-in person's, in every page's header: not a leak.
      const self = email === parentEmail ? [`Fam${own.state}${own.relation}`, parentEmail] : [];
      const markersOf = (c: MatrixChild) => allMarkers(c).filter((m) => !self.includes(m));
      const home = await client.get(paths.myFamily.home);
      if (home.status !== 200 || !home.body.includes(ownName))
        problems.push(`${who} · home: ${home.status}, own child ${home.body.includes(ownName) ? 'shown' : 'missing'}`);
      for (const c of children) if (c.id !== ownId && home.body.includes(c.name)) problems.push(`${who} · home shows ${c.name}`);
      for (const route of familyGets) {
        if (!route.url.includes(':id')) continue;
        // Their own child: every family page opens.
        const ownUrl = route.url.replace(':id', ownId).replace(':consentId', ownConsent ?? '00000000-0000-4000-8000-000000000000');
        const mine = await client.get(ownUrl);
        if (mine.status !== 200) problems.push(`${who} · own · GET ${route.url}: expected 200, got ${mine.status}`);
        // Every other child: not found, and nothing of them on the page.
        for (const c of children) {
          if (c.id === ownId) continue;
          const url = route.url.replace(':id', c.id).replace(':consentId', c.params.consentId ?? '00000000-0000-4000-8000-000000000000');
          const res = await client.get(url);
          if (res.status !== 404) problems.push(`${who} · ${c.state}/${c.relation} · GET ${route.url}: expected 404, got ${res.status}`);
          const leaked = markersOf(c).filter((m) => res.body.includes(m));
          if (leaked.length) problems.push(`${who} · ${c.state}/${c.relation} · GET ${route.url}: shows ${leaked.join(', ')}`);
        }
      }
      // Every staff page of a child, their own included: refused, not a sign-out, and nothing of the child.
      for (const route of childGets) {
        for (const c of [own, children.find((x) => x.state === 'none' && x.relation === 'out')!]) {
          const url = route.url.replace(/:(\w+)/g, (_, name: string) => c.params[name] ?? '00000000-0000-4000-8000-000000000000');
          const res = await client.get(url);
          if (res.status !== 403) problems.push(`${who} · staff · GET ${route.url}: expected 403, got ${res.status}`);
          const leaked = markersOf(c).filter((m) => res.body.includes(m));
          if (leaked.length) problems.push(`${who} · staff · GET ${route.url}: shows ${leaked.join(', ')}`);
        }
      }
      for (const url of COLLECTION_PAGES) {
        const res = await client.get(url);
        if (res.status !== 403) problems.push(`${who} · GET ${url}: expected 403, got ${res.status}`);
      }
      // Still signed in after all those refusals.
      if ((await client.get(paths.myFamily.home)).status !== 200) problems.push(`${who}: signed out by a refusal`);
    }
    // And no member of staff opens a family page.
    for (const p of people) {
      for (const route of familyGets) {
        const res = await p.client.get(route.url.replace(':id', own.id).replace(':consentId', own.params.consentId ?? '00000000-0000-4000-8000-000000000000'));
        if (res.status !== 403) problems.push(`${p.email.split('@')[0]} · GET ${route.url}: expected 403, got ${res.status}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('lists and searches (by name, NHS number and postcode) include a child exactly when the rule allows', { timeout: 120_000 }, async () => {
    const problems: string[] = [];
    await Promise.all(
      people.map(async (p) => {
        const who = p.email.split('@')[0];
        const list = await p.client.get(paths.children.list);
        if (!p.permissions.has('children:view')) {
          if (list.status !== 403) problems.push(`${who} · list: expected 403, got ${list.status}`);
          for (const c of children) if (list.body.includes(c.name)) problems.push(`${who} · list (403) shows ${c.name}`);
          return;
        }
        if (list.status !== 200) {
          problems.push(`${who} · list: expected 200, got ${list.status}`);
          return;
        }
        for (const c of children) {
          const a = accessOf(p, c);
          if (list.body.includes(c.name) !== a.visible) problems.push(`${who} · list: ${c.name} ${a.visible ? 'missing' : 'shown'}`);
          if (list.body.includes(c.id) !== a.visible) problems.push(`${who} · list: the link to ${c.name} ${a.visible ? 'missing' : 'shown'}`);
          const leaked = forbidden(a, c).filter((m) => m !== c.name && list.body.includes(m));
          if (leaked.length) problems.push(`${who} · list shows ${leaked.join(', ')}`);
        }
        for (const c of children) {
          const a = accessOf(p, c);
          for (const [field, value] of [
            ['name', c.name],
            ['nhsNumber', c.nhsNumber],
            ['postcode', c.postcode],
          ] as const) {
            const res = await p.client.get(`${paths.children.list}?${new URLSearchParams({ [field]: value })}`);
            const label = `${who} · search ${field} for ${c.state}/${c.relation}`;
            if (res.status !== 200) {
              problems.push(`${label}: expected 200, got ${res.status}`);
              continue;
            }
            if (res.body.includes(c.id) !== a.visible) problems.push(`${label}: ${a.visible ? 'not found' : 'found'}`);
            // No child the person may not see comes up, whatever was typed.
            for (const other of children) {
              if (!accessOf(p, other).visible && res.body.includes(other.id)) problems.push(`${label}: lists ${other.name}, whom they may not see`);
            }
          }
        }
      }),
    );
    expect(problems).toEqual([]);
  });

  it('CSV and Excel exports hold a child exactly when the rule allows, not through emergency access', { timeout: 120_000 }, async () => {
    const problems: string[] = [];
    for (const p of people) {
      const who = p.email.split('@')[0];
      for (const format of ['csv', 'xlsx'] as const) {
        for (const query of [{ format }, { format, status: 'all' }, { format, name: 'Matrixfamily' }] as Record<string, string>[]) {
          const res = await raw(p, `${paths.children.export}?${new URLSearchParams(query)}`);
          const label = `${who} · export ${new URLSearchParams(query)}`;
          if (!p.permissions.has('children:export')) {
            if (res.status !== 403) problems.push(`${label}: expected 403, got ${res.status}`);
            for (const c of children) if (res.body.includes(c.name)) problems.push(`${label} (403) shows ${c.name}`);
            continue;
          }
          if (res.status !== 200) {
            problems.push(`${label}: expected 200, got ${res.status}`);
            continue;
          }
          const content = format === 'csv' ? res.body : await xlsxText(res.buffer);
          for (const c of children) {
            const a = accessOf(p, c);
            // Not a child seen only through emergency access: a file would outlast it (ADR 0012).
            const exported = a.visible && a.via === 'sharing';
            if (content.includes(c.name) !== exported) problems.push(`${label}: ${c.name} ${exported ? 'missing' : 'included'}`);
            const leaked = forbidden(a, c).filter((m) => m !== c.name && content.includes(m));
            if (leaked.length) problems.push(`${label}: holds ${leaked.join(', ')}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('the register overview and its CSV show counts to those allowed, and never a name', async () => {
    const problems: string[] = [];
    for (const p of people) {
      const who = p.email.split('@')[0];
      for (const url of [paths.register.overview, paths.register.overviewExport]) {
        const res = await p.client.get(url);
        const expected = p.permissions.has('register:overview') ? 200 : 403;
        if (res.status !== expected) problems.push(`${who} · ${url}: expected ${expected}, got ${res.status}`);
        for (const c of children) {
          const leaked = allMarkers(c).filter((m) => res.body.includes(m));
          if (leaked.length) problems.push(`${who} · ${url}: shows ${leaked.join(', ')}`);
          if (res.body.includes(c.id) || res.body.includes(c.nhsNumber) || res.body.includes(c.postcode))
            problems.push(`${who} · ${url}: identifies ${c.name}`);
        }
      }
    }
    // Commissioners see the population (it has children in it), only as counts.
    const commissioner = people.find((p) => p.email.startsWith('commissioner@'))!;
    expect((await commissioner.client.get(paths.register.overview)).body).toMatch(/fewer than 5/i);
    expect(problems).toEqual([]);
  });
});
