// The public pages say "contact us another way": the area's contact details, set by the partnership
// administrator in area settings, are where they say it (issue 14). Bad input is refused field by
// field; two administrators cannot overwrite each other; nobody else can change them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';

const ADMIN = 'admin@demoshire.example.org';
const CASEWORKER = 'caseworker@demoshire.example.org';

describe.each(databaseKinds())('the area contact details on %s', (kind) => {
  let t: TestApp;
  let admin: Client;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    admin = new Client(t.app);
    await admin.signIn(ADMIN);
  });
  afterAll(() => t?.close());

  const valid = {
    team: 'Riverside SEND team (fictional)',
    telephone: '01632 960 111',
    email: 'send@riverside.example.org',
    address: 'Town Hall\nRiverside\nDM9 9ZZ',
  };
  const current = () => t.database.db.selectFrom('area_contact').selectAll().executeTakeFirst();

  it('shows the demo area’s details where the public form and the privacy notice say to contact us another way', async () => {
    const form = await new Client(t.app).get(paths.referrals.selfReferral);
    expect(form.status).toBe(200);
    expect(form.body).toContain('href="#contact-us"');
    const page = text(form.body);
    expect(page).toContain('Contact us another way');
    expect(page).toContain('Telephone: 01632 960 000');
    expect(page).toContain('E-mail: send-advice@demoshire.example.org');
    expect(form.body).toContain('href="tel:01632960000"');
    const privacy = text((await new Client(t.app).get(paths.referrals.privacy)).body);
    expect(privacy).toContain('Telephone: 01632 960 000');
    expect(privacy).toContain('County Hall');
  });

  it('refuses each bad field with its own message and changes nothing', async () => {
    const before = await current();
    await admin.get(paths.areaSettings.contact);
    const res = await admin.post(paths.areaSettings.contact, {
      team: ' ',
      telephone: 'call us',
      email: 'not an address',
      address: '',
      version: String(before!.version),
    });
    expect(res.status).toBe(400);
    const page = text(res.body);
    expect(page).toContain('Enter the name of the team families contact');
    expect(page).toContain('Enter a telephone number, like 01632 960 000');
    expect(page).toContain('Enter an e-mail address in the correct format');
    expect(page).toContain('Enter a postal address');
    expect(res.body).toContain('value="call us"');
    expect(await current()).toEqual(before);
  });

  it('saves a change, audited, and the public form shows it at once', async () => {
    const before = await current();
    await admin.get(paths.areaSettings.contact);
    const res = await admin.post(paths.areaSettings.contact, { ...valid, telephone: '(01632) 960-111', version: String(before!.version) });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${paths.areaSettings.home}?done=contact-saved#contact`);
    const after = await current();
    expect(after).toMatchObject({
      team: valid.team,
      telephone: '(01632) 960-111',
      email: valid.email,
      address: valid.address,
      opening_hours: '',
      version: before!.version + 1,
    });
    const entry = await t.database.db
      .selectFrom('audit_log')
      .select(['details', 'result'])
      .where('action', '=', 'area-settings.contact.update')
      .executeTakeFirstOrThrow();
    expect(entry.result).toBe('allowed');
    expect(JSON.parse(String(entry.details))).toMatchObject({ team: valid.team, telephone: '(01632) 960-111' });
    const form = text((await new Client(t.app).get(paths.referrals.selfReferral)).body);
    expect(form).toContain('Telephone: (01632) 960-111');
    expect(form).not.toContain('01632 960 000');
    expect(text((await admin.get(`${paths.areaSettings.home}?done=contact-saved`)).body)).toContain('Contact details saved');
  });

  it('refuses a change made on a form opened before someone else’s change (409), keeping theirs', async () => {
    const before = await current();
    await admin.get(paths.areaSettings.contact);
    const stale = await admin.post(paths.areaSettings.contact, { ...valid, team: 'Stale team', version: String(before!.version - 1) });
    expect(stale.status).toBe(409);
    expect(text(stale.body)).toContain('Someone else changed this record after you opened it');
    expect((await current())!.team).toBe(before!.team);
  });

  it('is changed only by those who configure the area', async () => {
    const caseworker = new Client(t.app);
    await caseworker.signIn(CASEWORKER);
    expect((await caseworker.get(paths.areaSettings.contact)).status).toBe(403);
    const before = await current();
    expect((await caseworker.post(paths.areaSettings.contact, { ...valid, team: 'Caseworker team', version: String(before!.version) })).status).toBe(403);
    expect((await current())!.team).toBe(before!.team);
  });

  it('with no details set, tells people who can contact the council for them, and the first save needs no version race', async () => {
    await t.database.db.deleteFrom('area_contact').execute();
    const form = text((await new Client(t.app).get(paths.referrals.selfReferral)).body);
    expect(form).toContain('Ask your school, nursery, GP or health visitor to contact the council');
    expect(text((await admin.get(paths.areaSettings.home)).body)).toContain('Not set yet');
    await admin.get(paths.areaSettings.contact);
    expect((await admin.post(paths.areaSettings.contact, { ...valid, version: '0' })).status).toBe(303);
    // A second form opened before that first save is now stale.
    expect((await admin.post(paths.areaSettings.contact, { ...valid, team: 'Second', version: '0' })).status).toBe(409);
    expect((await current())!.team).toBe(valid.team);
  });
});
