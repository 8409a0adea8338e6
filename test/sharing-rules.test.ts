// The sharing rule three times over: the pure rule (accessFor over loadSharingFacts), its SQL
// twin for lists, search, counts and exports (visibleChildIds), its set-based twin for a search's
// candidates (visibleAmong, ADR 0021) and its SQL twin for a record page,
// section by section (accessOf, behind childAccess and requireChild), must agree for any facts
// about a child and any viewer. Random facts are written to a real database (PGlite, and PostgreSQL
// when the run has one); each run also checks that access is never wider than consent, a
// lawful basis or emergency access allows, against a plain model built from the facts generated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openTestDatabase, databaseKinds } from './support/db.js';
import type { Database } from '../src/platform/db/database.js';
import { DEMO_USERS, seedDemo } from '../src/demo/seed.js';
import { todayInLondon } from '../src/platform/dates.js';
import { ROLES } from '../src/platform/access/roles.js';
import { accessFor, hasCaseworkRole, SECTION_KEYS, type Viewer } from '../src/capabilities/record/sharing/rules.js';
import { sql } from 'kysely';
import { accessOf, childAccess, loadSharingFacts, visibleAmong, visibleChildIds, type AccessRow } from '../src/capabilities/record/sharing/service.js';
import { addDays } from './support/dates.js';

const RUNS = 60;
const MINUTE = 60_000;

interface Org {
  id: string;
  type: string;
}
type DemoUser = Viewer;

// The facts for one child, as indices into the demo organisations and users, and day offsets from today.
const dayOffset = fc.constantFrom(-400, -30, -30, -1, 0, 0, 1, 30);
const involvementArb = fc.record({
  org: fc.nat({ max: 6 }),
  start: dayOffset,
  end: fc.option(fc.constantFrom(-30, -1, 0, 1, 30), { nil: null }),
});
// Scopes: random (organisation type, section) pairs, plus the core record for some organisation
// types so that consents which really grant something are common.
const consentArb = fc
  .record({
    withdrawn: fc.boolean(),
    // Mostly approved; some waiting for a second person, or refused (ADR 0012): neither counts.
    approval: fc.constantFrom('approved', 'approved', 'approved', 'pending', 'refused'),
    pairs: fc.array(fc.tuple(fc.nat({ max: 6 }), fc.nat({ max: SECTION_KEYS.length - 1 })), { maxLength: 12 }),
    core: fc.subarray([0, 1, 2, 3, 4, 5, 6]),
    // Named organisations (ADR 0014), also mostly with the core record, and organisations it was withdrawn for alone.
    named: fc.array(fc.tuple(fc.nat({ max: 6 }), fc.nat({ max: SECTION_KEYS.length - 1 })), { maxLength: 6 }),
    namedCore: fc.subarray([0, 1, 2, 3, 4, 5, 6], { maxLength: 3 }),
    withdrawnFor: fc.subarray([0, 1, 2, 3, 4, 5, 6], { maxLength: 3 }),
  })
  .map(({ withdrawn, approval, pairs, core, named, namedCore, withdrawnFor }) => {
    const unique = (all: [number, number][]) => [...new Map(all.map(([o, s]) => [`${o}:${s}`, [o, s] as [number, number]])).values()];
    return {
      withdrawn,
      approval,
      scopes: unique([...pairs, ...core.map((o) => [o, 0] as [number, number])]),
      named: unique([...named, ...namedCore.map((o) => [o, 0] as [number, number])]),
      withdrawnFor,
    };
  });
const lawfulBasisArb = fc.record({
  org: fc.nat({ max: 6 }),
  // Mostly with the core record, so that a basis usually matters.
  sections: fc
    .tuple(fc.constantFrom(true, true, true, false), fc.subarray(SECTION_KEYS.slice(1)))
    .map(([core, rest]) => (core || rest.length === 0 ? ['core', ...rest] : rest)),
  decided: fc.constantFrom(-400, -30, -1, 0, 1, 30),
  ends: fc.option(fc.constantFrom(-30, -1, 0, 1, 30), { nil: null }),
  ended: fc.constantFrom(false, false, true),
  approval: fc.constantFrom('approved', 'approved', 'approved', 'pending', 'refused'),
});
const breakGlassArb = fc.record({ user: fc.nat({ max: 8 }), expiresInMinutes: fc.constantFrom(-120, -1, 1, 240) });
const factsArb = fc.record({
  involvements: fc.array(involvementArb, { maxLength: 6 }),
  consents: fc.array(consentArb, { maxLength: 2 }),
  lawfulBases: fc.array(lawfulBasisArb, { maxLength: 3 }),
  breakGlass: fc.array(breakGlassArb, { maxLength: 2 }),
});
type FactsSpec = typeof factsArb extends fc.Arbitrary<infer T> ? T : never;
// Viewers: demo users as they are, and demo users given other roles or another organisation.
const otherViewerArb = fc.record({
  user: fc.nat({ max: 8 }),
  org: fc.nat({ max: 6 }),
  roles: fc.subarray(Object.keys(ROLES)),
});

describe.each(databaseKinds())('the SQL sharing rule agrees with the pure rule on %s', (kind) => {
  let database: Database;
  let orgs: Org[];
  let users: DemoUser[];
  let familyId: string;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await seedDemo(database.db);
    const db = database.db;
    orgs = await db.selectFrom('organisations').select(['id', 'type']).orderBy('code').execute();
    const rows = await db
      .selectFrom('users as u')
      .innerJoin('organisations as o', 'o.id', 'u.organisation_id')
      .select(['u.id', 'u.organisation_id', 'o.type', 'u.email'])
      .orderBy('u.email')
      .execute();
    const roles = await db.selectFrom('user_roles').selectAll().execute();
    users = rows.map((r) => ({
      userId: r.id,
      organisationId: r.organisation_id,
      organisationType: r.type,
      roles: roles.filter((x) => x.user_id === r.id).map((x) => x.role),
    }));
    expect(orgs).toHaveLength(7);
    expect(users).toHaveLength(DEMO_USERS.length);
    expect(SECTION_KEYS[0]).toBe('core');
    familyId = (await db.insertInto('families').defaultValues().returning('id').executeTakeFirstOrThrow()).id;
  });
  afterAll(() => database?.close());

  async function writeChild(spec: FactsSpec, now: Date): Promise<string> {
    const db = database.db;
    const today = todayInLondon(now);
    const child = await db
      .insertInto('children')
      .values({
        family_id: familyId,
        given_name: 'Proptest',
        family_name: 'Testfamily',
        date_of_birth: '2015-06-01',
        sex: 'U',
        ethnicity: 'NOBT',
        joined_on: '2020-01-01',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const i of spec.involvements) {
      const start = addDays(today, i.start);
      const end = i.end === null ? null : addDays(today, Math.max(i.end, i.start));
      await db
        .insertInto('involvements')
        .values({ child_id: child.id, organisation_id: orgs[i.org]!.id, service: 'Test service', started_on: start, ended_on: end })
        .execute();
    }
    for (const c of spec.consents) {
      const k = await db
        .insertInto('consents')
        .values({
          child_id: child.id,
          given_by: 'parent',
          given_on: addDays(today, -60),
          method: 'written',
          withdrawn_at: c.withdrawn ? new Date(now.getTime() - MINUTE) : null,
          withdrawn_reason: c.withdrawn ? 'The family asked us to stop sharing' : null,
          approval: c.approval,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (c.scopes.length) {
        await db
          .insertInto('consent_scopes')
          .values(c.scopes.map(([o, s]) => ({ consent_id: k.id, organisation_type: orgs[o]!.type, section: SECTION_KEYS[s]! })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      if (c.named.length) {
        await db
          .insertInto('consent_organisation_scopes')
          .values(c.named.map(([o, s]) => ({ consent_id: k.id, organisation_id: orgs[o]!.id, section: SECTION_KEYS[s]! })))
          .execute();
      }
      if (c.withdrawnFor.length) {
        await db
          .insertInto('consent_withdrawals')
          .values(
            c.withdrawnFor.map((o) => ({
              consent_id: k.id,
              organisation_id: orgs[o]!.id,
              withdrawn_reason: 'The family asked that this organisation stop seeing it',
            })),
          )
          .execute();
      }
    }
    for (const b of spec.lawfulBases) {
      await db
        .insertInto('lawful_bases')
        .values({
          child_id: child.id,
          organisation_id: orgs[b.org]!.id,
          basis: 'safeguarding',
          sections: b.sections,
          explanation: 'A fictional safeguarding decision for a test',
          decided_on: addDays(today, b.decided),
          ends_on: b.ends === null ? null : addDays(today, b.ends),
          ended_at: b.ended ? new Date(now.getTime() - MINUTE) : null,
          approval: b.approval,
        })
        .execute();
    }
    for (const g of spec.breakGlass) {
      const u = users[g.user]!;
      await db
        .insertInto('break_glass')
        .values({
          child_id: child.id,
          user_id: u.userId,
          organisation_id: u.organisationId,
          reason: 'A fictional emergency for a property test',
          started_at: new Date(now.getTime() - 5 * MINUTE),
          expires_at: new Date(now.getTime() + g.expiresInMinutes * MINUTE),
        })
        .execute();
    }
    return child.id;
  }

  /** What the facts written allow, worked out from the generated facts alone (the plain model). */
  function model(spec: FactsSpec, viewer: Viewer, today: string) {
    const emergency = spec.breakGlass.some((g) => users[g.user]!.userId === viewer.userId && g.expiresInMinutes > 0);
    const involved = spec.involvements.some((i) => {
      const start = addDays(today, i.start);
      const end = i.end === null ? null : addDays(today, Math.max(i.end, i.start));
      return orgs[i.org]!.id === viewer.organisationId && start <= today && (end === null || end >= today);
    });
    const consented = new Set<string>();
    for (const c of spec.consents) {
      if (c.withdrawn || c.approval !== 'approved') continue;
      if (c.withdrawnFor.some((o) => orgs[o]!.id === viewer.organisationId)) continue;
      for (const [o, s] of c.scopes) if (orgs[o]!.type === viewer.organisationType) consented.add(SECTION_KEYS[s]!);
      for (const [o, s] of c.named) if (orgs[o]!.id === viewer.organisationId) consented.add(SECTION_KEYS[s]!);
    }
    const lawful = new Set<string>();
    for (const b of spec.lawfulBases) {
      const current = !b.ended && b.decided <= 0 && (b.ends === null || b.ends >= 0) && b.approval === 'approved';
      if (current && orgs[b.org]!.id === viewer.organisationId) for (const s of b.sections) lawful.add(s);
    }
    return { emergency, involved, allowedSections: new Set([...consented, ...lawful]) };
  }

  it(`agrees for ${RUNS} random sets of facts and every demo user, and never grants more than the facts allow`, async () => {
    await fc.assert(
      fc.asyncProperty(factsArb, fc.array(otherViewerArb, { maxLength: 3 }), async (spec, others) => {
        const now = new Date();
        const today = todayInLondon(now);
        const childId = await writeChild(spec, now);
        const facts = await loadSharingFacts(database.db, childId, now);
        const viewers: Viewer[] = [
          ...users,
          // Someone with a casework role in every organisation, so every organisation's facts matter.
          ...orgs.map((o, i) => ({ userId: users[i]!.userId, organisationId: o.id, organisationType: o.type, roles: ['practitioner'] })),
          ...others.map((o) => ({ userId: users[o.user]!.userId, organisationId: orgs[o.org]!.id, organisationType: orgs[o.org]!.type, roles: o.roles })),
        ];
        for (const viewer of viewers) {
          const access = accessFor(viewer, facts, now);
          const listed = await visibleChildIds(database.db, viewer, now).where('c.id', '=', childId).execute();
          const where = { viewer, spec };
          expect(listed.length === 1, JSON.stringify(where)).toBe(access.visible);
          // The set-based twin, for this child among the candidates.
          expect((await visibleAmongIds(viewer, [childId], now)).has(childId), JSON.stringify(where)).toBe(access.visible);
          // The record page's twin: the same verdict, the same sections and the same way in.
          expect(await childAccess(database.db, viewer, childId, now), JSON.stringify(where)).toEqual(access);
          const { rows } =
            await sql<AccessRow>`select a.* from children c cross join lateral (${accessOf(viewer, 'c', now)}) a where c.id = ${childId}`.execute(database.db);

          const m = model(spec, viewer, today);
          // Section by section, even when the core record is not among them: what the facts give, no more and no less.
          const sqlSections = new Set(rows[0]!.sections);
          if (!hasCaseworkRole(viewer)) expect(sqlSections.size, JSON.stringify(where)).toBe(0);
          else if (m.emergency) expect(sqlSections, JSON.stringify(where)).toEqual(new Set(SECTION_KEYS));
          else if (!m.involved) expect(sqlSections.size, JSON.stringify(where)).toBe(0);
          else expect(sqlSections, JSON.stringify(where)).toEqual(new Set([...m.allowedSections].filter((s) => (SECTION_KEYS as string[]).includes(s))));
          if (!hasCaseworkRole(viewer)) expect(access.visible, 'no casework role, nothing').toBe(false);
          if (!m.emergency) {
            // Not involved and no emergency access: the child does not exist for them.
            if (!m.involved) expect(access.visible, JSON.stringify(where)).toBe(false);
            // Withdrawn consents and ended or future lawful bases grant nothing.
            if (!m.allowedSections.has('core')) expect(access.visible, JSON.stringify(where)).toBe(false);
            if (access.visible) for (const s of access.sections) expect(m.allowedSections.has(s), JSON.stringify(where)).toBe(true);
          }
          // And the rule is not narrower than the facts either.
          const expected = hasCaseworkRole(viewer) && (m.emergency || (m.involved && m.allowedSections.has('core')));
          expect(access.visible, JSON.stringify(where)).toBe(expected);
        }
      }),
      { numRuns: RUNS },
    );
  });

  /** The ids visibleAmong gives, of the children `ids`, as a search's candidates. */
  async function visibleAmongIds(viewer: Viewer, ids: readonly string[], now: Date, opts: { emergencyAccess?: boolean } = {}) {
    const list = sql.join(ids.map((id) => sql`${id}::uuid`));
    const { rows } = await sql<{ id: string }>`
      with candidates as (select id from children where id in (${list}))
      select distinct id from (${visibleAmong(viewer, 'candidates', now, opts)}) v`.execute(database.db);
    return new Set(rows.map((r) => r.id));
  }

  it('agrees set by set: visibleAmong over many children with random facts at once gives exactly those the pure rule shows', async () => {
    const now = new Date();
    const specs = fc.sample(factsArb, { numRuns: RUNS, seed: 2112 });
    const ids: string[] = [];
    for (const spec of specs) ids.push(await writeChild(spec, now));
    const viewers: Viewer[] = [
      ...users,
      ...orgs.map((o, i) => ({ userId: users[i]!.userId, organisationId: o.id, organisationType: o.type, roles: ['key-worker'] })),
    ];
    let seen = 0;
    for (const viewer of viewers) {
      const expected = new Set<string>();
      const expectedWithoutEmergency = new Set<string>();
      for (const id of ids) {
        const facts = await loadSharingFacts(database.db, id, now);
        if (accessFor(viewer, facts, now).visible) expected.add(id);
        if (accessFor(viewer, { ...facts, breakGlass: [] }, now).visible) expectedWithoutEmergency.add(id);
      }
      seen += expected.size;
      expect(await visibleAmongIds(viewer, ids, now), JSON.stringify(viewer)).toEqual(expected);
      // For exports, children seen only through emergency access are left out (ADR 0012), as visibleChild does.
      expect(await visibleAmongIds(viewer, ids, now, { emergencyAccess: false }), JSON.stringify(viewer)).toEqual(expectedWithoutEmergency);
    }
    // The facts generated make some children visible to someone, so the comparison is not of empty sets.
    expect(seen).toBeGreaterThan(0);
  });

  it('stops showing a child to everyone who saw it through consent once every consent is withdrawn', async () => {
    const now = new Date();
    const everyone = orgs.flatMap((_o, oi) => SECTION_KEYS.map((_, si) => [oi, si] as [number, number]));
    const spec: FactsSpec = {
      involvements: orgs.map((_, i) => ({ org: i, start: -30, end: null })),
      consents: [{ withdrawn: false, approval: 'approved', scopes: everyone, named: [], withdrawnFor: [] }],
      lawfulBases: [],
      breakGlass: [],
    };
    const childId = await writeChild(spec, now);
    const seeing = async () => {
      const out: string[] = [];
      for (const u of users) if ((await visibleChildIds(database.db, u, now).where('c.id', '=', childId).execute()).length) out.push(u.userId);
      return out;
    };
    const before = await seeing();
    expect(before).toHaveLength(users.filter(hasCaseworkRole).length);
    await database.db
      .updateTable('consents')
      .set({ withdrawn_at: new Date(now.getTime() - MINUTE), withdrawn_reason: 'Withdrawn in a test' })
      .where('child_id', '=', childId)
      .execute();
    expect(await seeing()).toEqual([]);
    for (const u of users) expect(accessFor(u, await loadSharingFacts(database.db, childId, now), now).visible).toBe(false);
  });
});
