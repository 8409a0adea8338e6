// With a read replica (DATABASE_READ_URL), dashboards, reports and exports read from it, while
// everything else, and every audit entry, stays on the primary (issue 13.5). Here the "replica"
// is a second database on the same PostgreSQL server: children put only there show in the
// register overview and the children export, and the views' audit entries are written to the
// primary, in the request's transaction, not to the replica. The record page, which must read
// the primary, does not find a child that exists only on the replica.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { seedDemo } from '../src/demo/seed.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { loadConfig } from '../src/config.js';
import { openPostgres, type Database } from '../src/platform/db/database.js';

const COMMISSIONER = 'commissioner@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';
const ON_REPLICA = 7;

describe.skipIf(!inject('postgres'))('reports, dashboards and exports from a read replica', () => {
  let replica: Database;
  let primary: Database;
  let names: string[] = [];
  let t: TestApp;
  let replicaChildId: string;

  beforeAll(async () => {
    // The demo area on both, with the same ids (the replica copies the primary), then children
    // added to the replica alone.
    const info = inject('postgres')!;
    const admin = new pg.Client({ connectionString: info.adminUrl });
    await admin.connect();
    const suffix = randomBytes(6).toString('hex');
    names = [`p_${suffix}`, `r_${suffix}`];
    await admin.query(`create database ${names[0]} template ${info.template}`);
    const url = (name: string) => Object.assign(new URL(info.adminUrl), { pathname: `/${name}` }).toString();
    const seeding = await openPostgres(url(names[0]!), 2);
    await seedDemo(seeding.db);
    await seeding.close();
    await admin.query(`create database ${names[1]} template ${names[0]}`);
    await admin.end();
    replica = await openPostgres(url(names[1]!), 2);
    primary = await openPostgres(url(names[0]!), 2);
    // Children only on the replica: 7 with autism, each involved with the council's education service and consented to.
    const db = replica.db;
    const edu = await db.selectFrom('organisations').select(['id', 'type']).where('code', '=', 'DEMO-EDU').executeTakeFirstOrThrow();
    const today = todayInLondon();
    for (let i = 0; i < ON_REPLICA; i++) {
      const family = await db.insertInto('families').defaultValues().returning('id').executeTakeFirstOrThrow();
      const child = await db
        .insertInto('children')
        .values({
          family_id: family.id,
          given_name: `Replica${i}`,
          family_name: 'Onlyonthereplica',
          date_of_birth: '2016-05-01',
          sex: 'F',
          ethnicity: 'WBRI',
          primary_need: 'ASD',
          has_ehc_plan: true,
          joined_on: today,
          search_names: `replica${i} onlyonthereplica`,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      replicaChildId = child.id;
      await db.insertInto('involvements').values({ child_id: child.id, organisation_id: edu.id, service: 'Test service', started_on: '2024-01-01' }).execute();
      const consent = await db
        .insertInto('consents')
        .values({ child_id: child.id, given_by: 'parent', given_on: '2024-01-01', method: 'written' })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.insertInto('consent_scopes').values({ consent_id: consent.id, organisation_type: edu.type, section: 'core' }).execute();
    }
    t = await buildTestApp('postgres', {}, { database: primary, demo: false, readReplicaUrl: url(names[1]!) });
  });
  afterAll(async () => {
    await t?.close();
    await replica?.close();
    const admin = new pg.Client({ connectionString: inject('postgres')!.adminUrl });
    await admin.connect();
    for (const name of names) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  it('counts the register overview from the replica, and audits the view on the primary', async () => {
    expect(
      Number(
        (
          await t.database.db
            .selectFrom('children')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(0);
    const commissioner = new Client(t.app);
    expect((await commissioner.signIn(COMMISSIONER)).status).toBe(303);
    const res = await commissioner.get(paths.register.overview);
    expect(res.status).toBe(200);
    expect(text(res.body)).toContain(`${ON_REPLICA} children and young people on the register`);
    const entry = await t.database.db.selectFrom('audit_log').select(['action', 'user_id']).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(entry.action).toBe('register.overview.view');
    expect(await replica.db.selectFrom('audit_log').select('id').where('action', '=', 'register.overview.view').execute()).toEqual([]);
  });

  it('exports from the replica and links the children to the audit entry on the primary; the record page reads the primary', async () => {
    const caseworker = new Client(t.app);
    expect((await caseworker.signIn(CASEWORKER)).status).toBe(303);
    const res = await caseworker.get(`${paths.children.export}?format=csv&name=onlyonthereplica`);
    expect(res.status).toBe(200);
    expect(res.body.match(/Onlyonthereplica/g)).toHaveLength(ON_REPLICA);
    const entry = await t.database.db.selectFrom('audit_log').select(['id', 'action', 'details']).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(entry.action).toBe('children.export');
    expect((JSON.parse(entry.details) as { rows: number }).rows).toBe(ON_REPLICA);
    // The record page is not a report: it reads the primary, where this child does not exist.
    expect((await caseworker.get(paths.children.record(replicaChildId))).status).toBe(404);
  });

  it('is configured by DATABASE_READ_URL, which needs DATABASE_URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/d', DATABASE_READ_URL: 'postgres://u@replica/d' }).databaseReadUrl).toBe('postgres://u@replica/d');
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://u@replica/d' })).toThrow(/DATABASE_READ_URL/);
  });
});
