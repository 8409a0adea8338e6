// The demo population: follows the national figures, has valid identifiers, every child is
// shared by consent or a lawful basis (or deliberately withdrawn), and the same seed gives the
// same population.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { databaseKinds, openTestDatabase } from '../../test/support/db.js';
import type { Database } from '../platform/db/database.js';
import { createJobs } from '../platform/jobs/jobs.js';
import { ageOn } from '../platform/dates.js';
import { isValidNhsNumber, isValidUpn, searchNames } from '../capabilities/record/children/rules.js';
import { seedDemo } from './seed.js';
import { DEMO_COUNCIL_ID_PREFIX, DEMO_POPULATION_JOB, nationalFigures, registerDemoPopulationJob, seedPopulation, shares } from './population.js';

const TODAY = '2026-03-02';
const N = 2000;

async function demoDatabase(kind: 'pglite' | 'postgres') {
  const database = await openTestDatabase(kind);
  await seedDemo(database.db);
  return database;
}

const AGE_BANDS: [string, number, number][] = [
  ['0-4', 0, 4],
  ['5-10', 5, 10],
  ['11-15', 11, 15],
  ['16-19', 16, 19],
  ['20-25', 20, 25],
];
const bandOf = (age: number) => AGE_BANDS.find(([, lo, hi]) => age >= lo && age <= hi)![0];

/** Every row that makes up the population, in a stable order, with database-specific ids replaced by codes. */
async function snapshot(database: Database) {
  const { rows } = await sql<Record<string, unknown>>`
    select c.id, c.family_id, c.given_name, c.family_name, c.preferred_name, c.date_of_birth, c.sex, c.ethnicity, c.address_line1, c.town,
           c.postcode, l.code as locality, c.nhs_number, c.upn, c.council_id, c.primary_need, c.secondary_needs, c.has_ehc_plan, c.severity,
           c.communication_needs, c.joined_on, c.status, c.status_on, c.acts_for_self, u.email as key_worker, c.search_names,
           (select string_agg(o.code || ':' || i.service || ':' || i.started_on || ':' || coalesce(i.ended_on::text, '') || ':' || coalesce(i.cost_pence::text, ''), ',' order by i.id)
              from involvements i join organisations o on o.id = i.organisation_id where i.child_id = c.id) as involvements,
           (select string_agg(k.given_by || ':' || k.given_on || ':' || coalesce(k.withdrawn_at::text, '') || ':' ||
                     (select string_agg(s.organisation_type || '/' || s.section, ' ' order by s.organisation_type, s.section) from consent_scopes s where s.consent_id = k.id), ',' order by k.id)
              from consents k where k.child_id = c.id) as consents,
           (select string_agg(b.basis || ':' || array_to_string(b.sections, '/'), ',' order by b.id) from lawful_bases b where b.child_id = c.id) as lawful_bases,
           (select string_agg(e.occurred_on || ':' || e.title, ',' order by e.id) from chronology_events e where e.child_id = c.id) as chronology,
           (select string_agg(m.full_name || ':' || m.relationship || ':' || m.phone, ',' order by m.id) from family_members m where m.family_id = c.family_id) as family
    from children c left join localities l on l.id = c.locality_id left join key_workers k on k.child_id = c.id left join users u on u.id = k.user_id
    order by c.council_id`.execute(database.db);
  return rows;
}

describe('the demo population of 2,000 children (embedded database)', () => {
  let database: Database;
  let children: {
    date_of_birth: string;
    primary_need: string | null;
    nhs_number: string | null;
    upn: string | null;
    ethnicity: string;
    given_name: string;
    family_name: string;
    preferred_name: string | null;
    search_names: string;
    family_id: string;
    council_id: string | null;
  }[];
  beforeAll(async () => {
    database = await demoDatabase('pglite');
    const result = await seedPopulation(database.db, { children: N, seed: 7, today: TODAY });
    expect(result).toEqual({ children: N });
    children = await database.db
      .selectFrom('children')
      .select([
        'date_of_birth',
        'primary_need',
        'nhs_number',
        'upn',
        'ethnicity',
        'given_name',
        'family_name',
        'preferred_name',
        'search_names',
        'family_id',
        'council_id',
      ])
      .execute();
  });
  afterAll(() => database?.close());

  it('adds the number of children asked for, each with a demo council id', () => {
    expect(children).toHaveLength(N);
    expect(children.every((c) => c.council_id?.startsWith(DEMO_COUNCIL_ID_PREFIX))).toBe(true);
  });

  it('follows the national mix of primary needs (within 3 percentage points)', () => {
    const national = shares(nationalFigures().primaryNeed);
    const counts: Record<string, number> = {};
    for (const c of children) counts[c.primary_need ?? 'unknown'] = (counts[c.primary_need ?? 'unknown'] ?? 0) + 1;
    for (const [need, share] of Object.entries(national)) {
      expect(Math.abs((counts[need] ?? 0) / N - share), `${need}: ${counts[need] ?? 0} of ${N} against ${(share * 100).toFixed(1)}%`).toBeLessThan(0.03);
    }
    // Autism is the most common primary need nationally, and so here.
    expect(Object.entries(counts).sort((a, b) => b[1] - a[1])[0]![0]).toBe('ASD');
  });

  it('follows the national mix of ages (within 3 percentage points per age band)', () => {
    const national: Record<string, number> = {};
    for (const [age, n] of Object.entries(nationalFigures().age)) {
      const band = bandOf(age === 'under 3' ? 0 : Number(age));
      national[band] = (national[band] ?? 0) + n;
    }
    const nationalShares = shares(national);
    const counts: Record<string, number> = {};
    for (const c of children) {
      const age = ageOn(c.date_of_birth, TODAY);
      expect(age).toBeGreaterThanOrEqual(0);
      expect(age).toBeLessThanOrEqual(25);
      counts[bandOf(age)] = (counts[bandOf(age)] ?? 0) + 1;
    }
    for (const [band, share] of Object.entries(nationalShares)) {
      expect(Math.abs((counts[band] ?? 0) / N - share), `${band}: ${counts[band] ?? 0} of ${N} against ${(share * 100).toFixed(1)}%`).toBeLessThan(0.03);
    }
  });

  it('roughly follows the national mix of ethnicity', () => {
    const national = shares(nationalFigures().ethnicity);
    const wbri = children.filter((c) => c.ethnicity === 'WBRI').length / N;
    expect(Math.abs(wbri - national.WBRI!)).toBeLessThan(0.04);
  });

  it('gives every child a valid NHS number, and a valid UPN from age 4, none repeated', () => {
    const nhs = children.map((c) => c.nhs_number);
    expect(nhs.every((n) => n !== null && isValidNhsNumber(n) && n.startsWith('999'))).toBe(true);
    expect(new Set(nhs).size).toBe(N);
    const upns = children.filter((c) => c.upn !== null).map((c) => c.upn!);
    expect(upns.every(isValidUpn)).toBe(true);
    expect(new Set(upns).size).toBe(upns.length);
    for (const c of children) expect(c.upn === null).toBe(ageOn(c.date_of_birth, TODAY) < 4);
  });

  it('stores search names the way the children capability makes them', () => {
    for (const c of children) expect(c.search_names).toBe(searchNames(c.given_name, c.family_name, c.preferred_name));
  });

  it('gives about 15% of children a brother or sister on the register, sharing their family', () => {
    const perFamily = new Map<string, number>();
    for (const c of children) perFamily.set(c.family_id, (perFamily.get(c.family_id) ?? 0) + 1);
    const withSibling = children.filter((c) => perFamily.get(c.family_id)! > 1).length / N;
    expect(withSibling).toBeGreaterThan(0.1);
    expect(withSibling).toBeLessThan(0.2);
  });

  it('shares every child by consent or a lawful basis, unless consent was deliberately withdrawn', async () => {
    const { rows } = await sql<{ council_id: string; live: number; withdrawn: number; bases: number }>`
      select c.council_id,
        (select count(*) from consents k where k.child_id = c.id and k.withdrawn_at is null)::int as live,
        (select count(*) from consents k where k.child_id = c.id and k.withdrawn_at is not null and k.withdrawn_reason is not null)::int as withdrawn,
        (select count(*) from lawful_bases b where b.child_id = c.id and b.ended_at is null)::int as bases
      from children c`.execute(database.db);
    const unshared = rows.filter((r) => r.live === 0 && r.bases === 0 && r.withdrawn === 0);
    expect(unshared).toEqual([]);
    const withdrawn = rows.filter((r) => r.live === 0 && r.bases === 0).length / N;
    const bases = rows.filter((r) => r.bases > 0).length / N;
    expect(withdrawn).toBeGreaterThan(0.01);
    expect(withdrawn).toBeLessThan(0.06);
    expect(bases).toBeGreaterThan(0.01);
    expect(bases).toBeLessThan(0.1);
    // Partial consent: a consent that does not cover every section for the council's education team.
    const { rows: partial } = await sql<{ n: number }>`
      select count(*)::int as n from consents k
      where k.withdrawn_at is null
        and (select count(*) from consent_scopes s where s.consent_id = k.id and s.organisation_type = 'council-education') < 6`.execute(database.db);
    expect(partial[0]!.n / N).toBeGreaterThan(0.05);
    expect(partial[0]!.n / N).toBeLessThan(0.16);
  });

  it('gives children involvements with 1 to 4 organisations, key workers from them, chronologies and families', async () => {
    const { rows } = await sql<{ orgs: number; events: number; members: number; key_worker_involved: boolean | null; with_plan: boolean }>`
      select (select count(distinct i.organisation_id) from involvements i where i.child_id = c.id)::int as orgs,
             (select count(*) from chronology_events e where e.child_id = c.id)::int as events,
             (select count(*) from family_members m where m.family_id = c.family_id)::int as members,
             case when k.user_id is null then null else exists (
               select 1 from involvements i join users u on u.organisation_id = i.organisation_id
               where i.child_id = c.id and u.id = k.user_id) end as key_worker_involved,
             c.has_ehc_plan as with_plan
      from children c left join key_workers k on k.child_id = c.id`.execute(database.db);
    expect(rows.every((r) => r.orgs >= 1 && r.orgs <= 4)).toBe(true);
    expect(rows.every((r) => r.events >= 1 && r.events <= 5)).toBe(true);
    expect(rows.every((r) => r.members >= 1 && r.members <= 2)).toBe(true);
    expect(rows.filter((r) => r.key_worker_involved !== null).length / N).toBeGreaterThan(0.7);
    expect(rows.filter((r) => r.key_worker_involved === false)).toEqual([]);
    const plans = rows.filter((r) => r.with_plan).length / N;
    expect(plans).toBeGreaterThan(0.4);
    expect(plans).toBeLessThan(0.65);
    const costed = await database.db
      .selectFrom('involvements')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('cost_pence', 'is not', null)
      .executeTakeFirstOrThrow();
    expect(Number(costed.n)).toBeGreaterThan(100);
  });

  it('puts children in the demo localities by postcode', async () => {
    const { rows } = await sql<{ inside: number; outside: number }>`
      select count(*) filter (where locality_id is not null)::int as inside, count(*) filter (where locality_id is null)::int as outside
      from children where postcode ~ '^DM[1-9] [0-9][A-Z]{2}$'`.execute(database.db);
    expect(rows[0]!.inside + rows[0]!.outside).toBe(N);
    expect(rows[0]!.inside / N).toBeGreaterThan(0.9);
  });

  it('adds nothing the second time, so running it again is safe', async () => {
    expect(await seedPopulation(database.db, { children: 10, seed: 7, today: TODAY })).toEqual({ children: 0, skipped: 'already-there' });
  });
});

describe('repeatability', () => {
  const opened: Database[] = [];
  afterAll(async () => {
    for (const d of opened) await d.close();
  });

  it('gives the same rows for the same seed, and different ones for another seed', async () => {
    const make = async (seed: number) => {
      const d = await demoDatabase('pglite');
      opened.push(d);
      await seedPopulation(d.db, { children: 300, seed, today: TODAY });
      return snapshot(d);
    };
    const [a, b, c] = [await make(42), await make(42), await make(43)];
    expect(a).toHaveLength(300);
    expect(b).toEqual(a);
    expect(c.map((r) => r.given_name)).not.toEqual(a.map((r) => r.given_name));
  });
});

describe.each(databaseKinds())('the background job on %s', (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await demoDatabase(kind);
  });
  afterAll(() => database?.close());

  it('adds the population once, however often it is enqueued, in batches across transactions', async () => {
    const jobs = createJobs(database.db, { error() {} });
    registerDemoPopulationJob(jobs);
    const first = await jobs.enqueue(database.db, DEMO_POPULATION_JOB, { children: 1100 }, { key: DEMO_POPULATION_JOB });
    const second = await jobs.enqueue(database.db, DEMO_POPULATION_JOB, { children: 1100 }, { key: DEMO_POPULATION_JOB });
    expect(second).toBe(first);
    expect(await jobs.runPending()).toBe(1);
    const job = await jobs.get(database.db, first);
    expect(job).toMatchObject({ status: 'succeeded', progress: 100, result: { children: 1100 } });
    // The population itself (the same job then applies two demo extracts, whose unmatched rows are new records: src/demo/life.ts).
    const count = await database.db
      .selectFrom('children')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('council_id', 'like', `${DEMO_COUNCIL_ID_PREFIX}%`)
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1100);
    const valid = await database.db.selectFrom('children').select(['nhs_number', 'upn']).where('council_id', 'like', `${DEMO_COUNCIL_ID_PREFIX}%`).execute();
    expect(valid.every((c) => isValidNhsNumber(c.nhs_number!) && (c.upn === null || isValidUpn(c.upn)))).toBe(true);
  });
});
