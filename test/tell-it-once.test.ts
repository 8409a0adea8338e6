// "About me" in versions and one chronology across agencies, filtered by what each person may
// see. Over HTTP on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { addDays, auditFor, CASEWORKER, createChild, KEYWORKER, orgId, PRACTITIONER } from './tell-it-once.fixtures.js';
import { dateParts } from './support/dates.js';

describe.each(databaseKinds())('tell it once on %s', (kind) => {
  let t: TestApp;
  let child: { id: string };
  const signedIn = async (email = CASEWORKER) => {
    const c = new Client(t.app);
    await c.signIn(email);
    return c;
  };
  const versions = (childId: string) => t.database.db.selectFrom('about_me_versions').selectAll().where('child_id', '=', childId).orderBy('version').execute();
  const aboutMe = (extra: Record<string, string> = {}) => ({
    whatMatters: 'My dog Biscuit and swimming on Saturdays',
    whatWorks: 'A visual timetable',
    whatDoesNotWork: 'Loud rooms',
    communication: 'Makaton and short sentences',
    aspirations: 'To work with animals',
    writtenWith: 'Cleo and her dad',
    basedOn: '0',
    ...extra,
  });

  beforeAll(async () => {
    t = await buildTestApp(kind);
    const db = t.database.db;
    // The caseworker's organisation (council education) may see core and about me; social care
    // may see only the core record; the NHS trust may see core and health.
    child = await createChild(db, {
      givenName: 'Cleo',
      involved: ['DEMO-EDU', 'DEMO-CSC', 'DEMO-TRUST'],
      consent: { 'council-education': ['core', 'about-me'], 'council-social-care': ['core'], 'nhs-trust': ['core', 'health'] },
    });
    const edu = await orgId(db, 'DEMO-EDU');
    const trust = await orgId(db, 'DEMO-TRUST');
    const today = todayInLondon();
    await db
      .insertInto('chronology_events')
      .values([
        { child_id: child.id, organisation_id: edu, occurred_on: addDays(today, -300), section: 'core', title: 'Joined the register (test event)' },
        {
          child_id: child.id,
          organisation_id: trust,
          occurred_on: addDays(today, -200),
          section: 'health',
          title: 'Hearing test (health marker)',
          detail: 'Secret health detail',
        },
        {
          child_id: child.id,
          organisation_id: edu,
          occurred_on: addDays(today, -100),
          section: 'about-me',
          title: 'Talked about what matters (about-me marker)',
        },
        { child_id: child.id, organisation_id: edu, occurred_on: addDays(today, -50), section: 'education', title: 'School place agreed (education marker)' },
      ])
      .execute();
  });
  afterAll(() => t?.close());

  describe('about me', () => {
    it('is empty at first, for a person whose consent covers about me', async () => {
      const c = await signedIn();
      const res = await c.get(paths.children.aboutMe(child.id));
      expect(res.status).toBe(200);
      expect(text(res.body)).toContain('No "about me" profile has been written yet');
      expect((await auditFor(t.database.db, 'child.about-me.view', child.id)).at(-1)).toMatchObject({ subject_type: 'child', result: 'allowed' });
    });

    it('is not found for a person who may see the core record but not about me', async () => {
      const c = await signedIn(KEYWORKER);
      expect((await c.get(paths.children.aboutMe(child.id))).status).toBe(404);
      expect((await c.get(paths.children.updateAboutMe(child.id))).status).toBe(404);
      expect((await c.get(paths.children.aboutMeVersion(child.id, 1))).status).toBe(404);
      const chronology = await c.get(paths.children.chronology(child.id));
      expect(chronology.status).toBe(200);
      // The record's navigation offers only what they may open: no "About me" leading to a 404.
      expect(chronology.body).not.toContain(`href="${paths.children.aboutMe(child.id)}"`);
      expect(chronology.body).toContain(`href="${paths.children.record(child.id)}"`);
      const post = await c.post(paths.children.updateAboutMe(child.id), aboutMe());
      expect(post.status).toBe(404);
      expect(await versions(child.id)).toEqual([]);
    });

    it('says what is missing', async () => {
      const c = await signedIn();
      await c.get(paths.children.updateAboutMe(child.id));
      const res = await c.post(paths.children.updateAboutMe(child.id), { basedOn: '0', writtenWith: '' });
      expect(res.status).toBe(400);
      const page = text(res.body);
      expect(page).toContain('Enter who this was written with');
      expect(page).toContain('Write at least one part of the profile');
    });

    it('saves a first version, then a second, keeping the first, and writes the chronology', async () => {
      const c = await signedIn();
      await c.get(paths.children.updateAboutMe(child.id));
      const first = await c.post(paths.children.updateAboutMe(child.id), aboutMe());
      expect(first.status).toBe(303);
      const form = await c.get(paths.children.updateAboutMe(child.id));
      expect(form.body).toContain('name="basedOn" value="1"');
      expect(form.body).toContain('My dog Biscuit and swimming on Saturdays');
      // Who it was written with is filled in too, from the version the form is based on.
      expect(form.body).toMatch(/<input[^>]*name="writtenWith"[^>]*value="Cleo and her dad"/);
      const second = await c.post(
        paths.children.updateAboutMe(child.id),
        aboutMe({ whatMatters: 'Horse riding now, and Biscuit', writtenWith: 'Cleo on her own', basedOn: '1' }),
      );
      expect(second.status).toBe(303);

      const stored = await versions(child.id);
      expect(stored.map((v) => [v.version, v.what_matters])).toEqual([
        [1, 'My dog Biscuit and swimming on Saturdays'],
        [2, 'Horse riding now, and Biscuit'],
      ]);
      const page = text((await c.get(paths.children.aboutMe(child.id))).body);
      expect(page).toContain('Current version (version 2)');
      expect(page).toContain('Horse riding now, and Biscuit');
      expect(page).toContain('Cleo on her own');
      expect(page).toContain('Earlier versions');
      expect(page).not.toContain('My dog Biscuit and swimming on Saturdays');

      const old = await c.get(paths.children.aboutMeVersion(child.id, 1));
      expect(old.status).toBe(200);
      expect(text(old.body)).toContain('My dog Biscuit and swimming on Saturdays');
      expect(text(old.body)).toContain('This is an earlier version');
      expect((await auditFor(t.database.db, 'child.about-me.version.view', child.id)).at(-1)!.details).toContain('"version":1');
      expect((await c.get(paths.children.aboutMeVersion(child.id, 9))).status).toBe(404);

      const events = await t.database.db
        .selectFrom('chronology_events')
        .select(['title', 'section'])
        .where('child_id', '=', child.id)
        .where('section', '=', 'about-me')
        .execute();
      expect(events.map((e) => e.title)).toEqual(expect.arrayContaining(['About me written', 'About me updated (version 2)']));
      const entries = await auditFor(t.database.db, 'child.about-me.update', child.id);
      expect(entries.filter((a) => a.result === 'allowed')).toHaveLength(2);
      const denied = entries.filter((a) => a.result === 'denied');
      // The form refused for what was missing showed the record again: audited as a refused attempt.
      expect(denied.filter((a) => a.details.includes('"refused"'))).toHaveLength(1);
      // The person the sharing rule kept out of about me (an earlier test) is recorded as refused too.
      expect(denied.filter((a) => a.details.includes('refused by the sharing rule'))).toHaveLength(1);
      expect(denied).toHaveLength(2);
    });

    it('refuses a version based on an out-of-date form, and overwrites nothing', async () => {
      const c = await signedIn();
      await c.get(paths.children.updateAboutMe(child.id));
      const res = await c.post(paths.children.updateAboutMe(child.id), aboutMe({ whatMatters: 'Written from an old form', basedOn: '1' }));
      expect(res.status).toBe(409);
      expect(text(res.body)).toContain('Someone else changed this record after you opened it');
      // What they typed is kept, and the form is now based on the latest version.
      expect(res.body).toContain('Written from an old form');
      expect(res.body).toContain('name="basedOn" value="2"');
      expect((await versions(child.id)).map((v) => v.version)).toEqual([1, 2]);
    });
  });

  describe('chronology', () => {
    it('shows only the events of sections the person may see, newest first, and audits the view', async () => {
      const c = await signedIn();
      const res = await c.get(paths.children.chronology(child.id));
      expect(res.status).toBe(200);
      const page = text(res.body);
      expect(page).toContain('Joined the register (test event)');
      expect(page).toContain('Talked about what matters (about-me marker)');
      expect(page).not.toContain('health marker');
      expect(page).not.toContain('Secret health detail');
      expect(page).not.toContain('education marker');
      expect(page.indexOf('about-me marker')).toBeLessThan(page.indexOf('Joined the register'));
      expect(page).toContain('Demoshire Council: SEND and inclusion (fictional)');
      const audit = (await auditFor(t.database.db, 'child.chronology.view', child.id)).at(-1)!;
      expect(audit.subject_type).toBe('child');
      expect((JSON.parse(audit.details) as { sections: string[] }).sections).toEqual(['about-me', 'core']);
    });

    it('shows oldest first when asked', async () => {
      const c = await signedIn();
      const page = text((await c.get(`${paths.children.chronology(child.id)}?order=oldest`)).body);
      expect(page).toContain('Showing oldest first');
      expect(page.indexOf('Joined the register')).toBeLessThan(page.indexOf('about-me marker'));
    });

    it('shows each person the sections their organisation may see', async () => {
      const health = text((await (await signedIn(PRACTITIONER)).get(paths.children.chronology(child.id))).body);
      expect(health).toContain('Hearing test (health marker)');
      expect(health).not.toContain('about-me marker');
      const social = text((await (await signedIn(KEYWORKER)).get(paths.children.chronology(child.id))).body);
      expect(social).toContain('Joined the register (test event)');
      expect(social).not.toContain('health marker');
      expect(social).not.toContain('about-me marker');
    });

    it('is not found for a person whose organisation is not involved', async () => {
      const other = await createChild(t.database.db, { givenName: 'Elsewhere', involved: ['DEMO-CSC'], consent: { 'council-social-care': ['core'] } });
      const c = await signedIn();
      expect((await c.get(paths.children.chronology(other.id))).status).toBe(404);
      expect((await c.get(paths.children.addChronologyEvent(other.id))).status).toBe(404);
    });

    it('offers only the sections the person may see when adding an event, and checks the date', async () => {
      const c = await signedIn();
      const form = await c.get(paths.children.addChronologyEvent(child.id));
      expect(form.status).toBe(200);
      expect(form.body).toContain('value="about-me"');
      expect(form.body).not.toContain('value="health"');

      const future = await c.post(paths.children.addChronologyEvent(child.id), {
        ...dateParts('occurredOn', addDays(todayInLondon(), 1)),
        title: 'Tomorrow',
        section: 'core',
      });
      expect(future.status).toBe(400);
      expect(text(future.body)).toContain('The date it happened must be today or in the past');

      const sneaky = await c.post(paths.children.addChronologyEvent(child.id), {
        ...dateParts('occurredOn', todayInLondon()),
        title: 'Into health',
        section: 'health',
      });
      expect(sneaky.status).toBe(400);
      expect(text(sneaky.body)).toContain('Select which part of the record this event belongs to, from the list');

      const empty = await c.post(paths.children.addChronologyEvent(child.id), { 'occurredOn-day': '3', section: 'core' });
      const e = text(empty.body);
      expect(e).toContain('The date it happened must include a day, month and year');
      expect(e).toContain('Enter a title for the event');
      expect(await t.database.db.selectFrom('chronology_events').select('id').where('title', 'in', ['Tomorrow', 'Into health']).execute()).toEqual([]);
    });

    it('adds an event under the person’s organisation, in the section chosen', async () => {
      const c = await signedIn();
      await c.get(paths.children.addChronologyEvent(child.id));
      const res = await c.post(paths.children.addChronologyEvent(child.id), {
        ...dateParts('occurredOn', addDays(todayInLondon(), -7)),
        title: 'Annual review meeting',
        detail: 'Cleo chose the agenda',
        section: 'about-me',
      });
      expect(res.status).toBe(303);
      const row = await t.database.db.selectFrom('chronology_events').selectAll().where('title', '=', 'Annual review meeting').executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        child_id: child.id,
        section: 'about-me',
        occurred_on: addDays(todayInLondon(), -7),
        organisation_id: await orgId(t.database.db, 'DEMO-EDU'),
      });
      const page = text((await c.get(res.location!)).body);
      expect(page).toContain('Event added to the chronology');
      expect(page).toContain('Cleo chose the agenda');
      // Social care, who may not see about me, does not see it.
      expect(text((await (await signedIn(KEYWORKER)).get(paths.children.chronology(child.id))).body)).not.toContain('Annual review meeting');
      expect(JSON.parse((await auditFor(t.database.db, 'child.chronology.add', child.id)).at(-1)!.details)).toMatchObject({
        eventId: row.id,
        eventSection: 'about-me',
      });
    });

    it('shows the events written automatically when an involvement starts', async () => {
      const c = await signedIn();
      await c.get(paths.children.addInvolvement(child.id));
      const res = await c.post(paths.children.addInvolvement(child.id), {
        organisationId: await orgId(t.database.db, 'DEMO-SCH'),
        service: 'Specialist teaching',
        ...dateParts('startedOn', addDays(todayInLondon(), -2)),
      });
      expect(res.status).toBe(303);
      const page = text((await c.get(paths.children.chronology(child.id))).body);
      expect(page).toContain('Involvement started: Specialist teaching');
      expect(page).toContain('Oakfield Special School, Demoshire (fictional)');
    });
  });
});
