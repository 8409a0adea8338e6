// The partnership administrator configures the area's register: localities by postcode district
// or sector, and the criteria of the common definition of disability. Every change is audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';

const ADMIN = 'admin@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';

describe.each(databaseKinds())('area settings on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    admin = new Client(t.app);
    await admin.signIn(ADMIN);
  });
  afterAll(() => t?.close());

  const auditRows = (action: string) =>
    t.database.db.selectFrom('audit_log').select(['action', 'subject_type', 'subject_id', 'details', 'result']).where('action', '=', action).execute();

  it('lists the demo localities with their postcodes, and the criteria, and says children keep their locality until saved', async () => {
    const res = await admin.get(paths.areaSettings.home);
    expect(res.status).toBe(200);
    const page = text(res.body);
    expect(page).toContain('North Demoshire NORTH DM1, DM2, DM3');
    expect(page).toContain('Demoshire Town TOWN DM1 4, DM1 5, DM4');
    expect(page).toContain('keep their locality until their record is next saved');
    expect(page).toContain('DAILY-LIVING');
    expect(page).toContain('6 criteria');
    // The administrator reaches it from the menu.
    expect(res.body).toMatch(/href="\/admin\/area-settings"[^>]*aria-current|aria-current[^>]*href="\/admin\/area-settings"/);
  });

  it('adds a locality and a postcode, normalising it, and refuses bad and clashing postcodes', async () => {
    await admin.get(paths.areaSettings.newLocality);
    const empty = await admin.post(paths.areaSettings.newLocality, {});
    expect(empty.status).toBe(400);
    expect(text(empty.body)).toContain('There is a problem');
    expect(text(empty.body)).toContain('Enter the locality’s name');
    expect(text(empty.body)).toContain('Enter a code for the locality');
    const badCode = await admin.post(paths.areaSettings.newLocality, { name: 'Riverside (fictional)', code: 'no spaces!' });
    expect(text(badCode.body)).toContain('Code must be 2 to 20 capital letters, digits or hyphens');
    expect(badCode.body).toContain('value="Riverside (fictional)"');
    const dupCode = await admin.post(paths.areaSettings.newLocality, { name: 'Riverside (fictional)', code: 'north' });
    expect(dupCode.status).toBe(400);
    expect(text(dupCode.body)).toContain('The locality North Demoshire already uses the code NORTH');

    const res = await admin.post(paths.areaSettings.newLocality, { name: 'Riverside (fictional)', code: 'riverside' });
    expect(res.status).toBe(303);
    const locality = await t.database.db.selectFrom('localities').selectAll().where('code', '=', 'RIVERSIDE').executeTakeFirstOrThrow();
    expect(res.location).toBe(`${paths.areaSettings.locality(locality.id)}?done=locality-added`);
    const page = text((await admin.get(res.location!)).body);
    expect(page).toContain('Locality added');
    expect(page).toContain('No postcodes yet');

    const added = await admin.post(paths.areaSettings.addPrefix(locality.id), { prefix: '  dm8   2 ' });
    expect(added.status).toBe(303);
    expect(text((await admin.get(added.location!)).body)).toContain('DM8 2');
    const stored = await t.database.db.selectFrom('locality_postcodes').selectAll().where('locality_id', '=', locality.id).execute();
    expect(stored).toEqual([{ prefix: 'DM8 2', locality_id: locality.id }]);

    const bad = await admin.post(paths.areaSettings.addPrefix(locality.id), { prefix: 'DM1 4AB' });
    expect(bad.status).toBe(400);
    expect(text(bad.body)).toContain('Enter a postcode district like DM3 or a sector like DM1 4');
    const clash = await admin.post(paths.areaSettings.addPrefix(locality.id), { prefix: 'dm1 4' });
    expect(clash.status).toBe(400);
    expect(text(clash.body)).toContain('DM1 4 is already in the locality Demoshire Town. Remove it there first');
    const again = await admin.post(paths.areaSettings.addPrefix(locality.id), { prefix: 'DM8 2' });
    expect(text(again.body)).toContain('DM8 2 is already in this locality');
    expect(await t.database.db.selectFrom('locality_postcodes').select('prefix').where('locality_id', '=', locality.id).execute()).toHaveLength(1);

    const removed = await admin.post(paths.areaSettings.removePrefix(locality.id), { prefix: 'DM8 2' });
    expect(removed.status).toBe(303);
    expect(text((await admin.get(removed.location!)).body)).toContain('Postcode removed from the locality');
    expect(await t.database.db.selectFrom('locality_postcodes').select('prefix').where('locality_id', '=', locality.id).execute()).toEqual([]);

    const created = await auditRows('area-settings.locality.create');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ subject_type: 'locality', subject_id: locality.id, result: 'allowed' });
    expect(JSON.parse(created[0]!.details)).toMatchObject({ code: 'RIVERSIDE', name: 'Riverside (fictional)' });
    const prefixAudit = await auditRows('area-settings.locality.add-postcode');
    expect(prefixAudit).toHaveLength(1);
    expect(prefixAudit[0]).toMatchObject({ subject_type: 'locality', subject_id: locality.id });
    expect(JSON.parse(prefixAudit[0]!.details)).toEqual({ prefix: 'DM8 2' });
    expect(await auditRows('area-settings.locality.remove-postcode')).toHaveLength(1);
  });

  it('adds, edits, stops using and restarts a criterion, never deleting it', async () => {
    await admin.get(paths.areaSettings.newCriterion);
    const short = await admin.post(paths.areaSettings.newCriterion, { code: 'SENSORY', description: 'Too short' });
    expect(short.status).toBe(400);
    expect(text(short.body)).toContain('Description must be 10 characters or more');
    const dup = await admin.post(paths.areaSettings.newCriterion, { code: 'daily-living', description: 'A description that is long enough' });
    expect(text(dup.body)).toContain('Another criterion already uses the code DAILY-LIVING');
    const long = await admin.post(paths.areaSettings.newCriterion, { code: 'SENSORY', description: 'x'.repeat(501) });
    expect(text(long.body)).toContain('Description must be 500 characters or fewer');

    const res = await admin.post(paths.areaSettings.newCriterion, { code: 'sensory', description: 'Has a sensory impairment that affects everyday life' });
    expect(res.status).toBe(303);
    expect(text((await admin.get(res.location!)).body)).toContain('Criterion added');
    const criterion = await t.database.db.selectFrom('disability_criteria').selectAll().where('code', '=', 'SENSORY').executeTakeFirstOrThrow();
    expect(criterion).toMatchObject({ description: 'Has a sensory impairment that affects everyday life', active: true, position: 7 });

    const form = await admin.get(paths.areaSettings.criterion(criterion.id));
    expect(form.status).toBe(200);
    const tooShort = await admin.post(paths.areaSettings.criterion(criterion.id), { description: 'Short', previous: criterion.description });
    expect(tooShort.status).toBe(400);
    expect(text(tooShort.body)).toContain('Description must be 10 characters or more');
    const saved = await admin.post(paths.areaSettings.criterion(criterion.id), {
      description: 'Has a sight or hearing impairment that affects everyday life',
      previous: criterion.description,
    });
    expect(saved.status).toBe(303);
    expect(text((await admin.get(saved.location!)).body)).toContain('Criterion saved');
    // A second person working from the old wording is told, and nothing is overwritten.
    const stale = await admin.post(paths.areaSettings.criterion(criterion.id), {
      description: 'Someone else’s wording of it',
      previous: criterion.description,
    });
    expect(stale.status).toBe(409);
    expect(text(stale.body)).toContain('Someone else changed this record after you opened it');

    const off = await admin.post(paths.areaSettings.criterionActive(criterion.id), { active: 'no' });
    expect(off.status).toBe(303);
    expect(text((await admin.get(off.location!)).body)).toContain('Criterion no longer in use');
    expect(text((await admin.get(paths.areaSettings.home)).body)).toContain('SENSORY Has a sight or hearing impairment that affects everyday life Not in use');
    const on = await admin.post(paths.areaSettings.criterionActive(criterion.id), { active: 'yes' });
    expect(text((await admin.get(on.location!)).body)).toContain('Criterion in use again');
    const now = await t.database.db.selectFrom('disability_criteria').selectAll().where('id', '=', criterion.id).executeTakeFirstOrThrow();
    expect(now).toMatchObject({ description: 'Has a sight or hearing impairment that affects everyday life', active: true });

    expect(await auditRows('area-settings.criterion.create')).toMatchObject([{ subject_type: 'criterion', subject_id: criterion.id }]);
    const updates = await auditRows('area-settings.criterion.update');
    expect(updates).toHaveLength(1);
    expect(JSON.parse(updates[0]!.details)).toMatchObject({ description: 'Has a sight or hearing impairment that affects everyday life' });
    const toggles = await auditRows('area-settings.criterion.set-active');
    expect(toggles.map((r) => [r.subject_id, (JSON.parse(r.details) as { active: boolean }).active])).toEqual([
      [criterion.id, false],
      [criterion.id, true],
    ]);
  });

  it('refuses a caseworker, and shows them no menu entry', async () => {
    const caseworker = new Client(t.app);
    await caseworker.signIn(CASEWORKER);
    const home = await caseworker.get(paths.home);
    expect(text(home.body)).not.toContain('Area settings');
    expect((await caseworker.get(paths.areaSettings.home)).status).toBe(403);
    const locality = await t.database.db.selectFrom('localities').select('id').where('code', '=', 'NORTH').executeTakeFirstOrThrow();
    expect((await caseworker.get(paths.areaSettings.locality(locality.id))).status).toBe(403);
    const refused = await caseworker.post(paths.areaSettings.addPrefix(locality.id), { prefix: 'DM9' });
    expect(refused.status).toBe(403);
    expect(await t.database.db.selectFrom('locality_postcodes').select('prefix').where('prefix', '=', 'DM9').execute()).toEqual([]);
    const denied = await t.database.db
      .selectFrom('audit_log')
      .select(['result'])
      .where('action', '=', 'area-settings.locality.add-postcode')
      .where('result', '=', 'denied')
      .execute();
    expect(denied).toHaveLength(1);
  });

  it('shows a plain not-found page for an unknown locality or criterion', async () => {
    expect((await admin.get(paths.areaSettings.locality('not-an-id'))).status).toBe(404);
    expect((await admin.get(paths.areaSettings.criterion('00000000-0000-0000-0000-000000000000'))).status).toBe(404);
  });
});
