// The register can be filtered by the criteria of the area's common definition of disability.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { createChild } from './support/register.js';
import { paths } from '../src/paths.js';

describe.each(databaseKinds())('filtering by the definition of disability on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
    await createChild(t.database.db, { givenName: 'Meets', familyName: 'Criterionson', involvedOrgCodes: ['DEMO-EDU'], criteria: ['DEVELOPMENT'] });
    await createChild(t.database.db, { givenName: 'Other', familyName: 'Criterionson', involvedOrgCodes: ['DEMO-EDU'], criteria: ['CONDITION'] });
    await createChild(t.database.db, { givenName: 'Hidden', familyName: 'Criterionson', involvedOrgCodes: ['DEMO-TRUST'], criteria: ['DEVELOPMENT'] });
  });
  afterAll(() => t?.close());

  it('lists only the children the person may see who meet the chosen criterion', async () => {
    const c = new Client(t.app);
    await c.signIn('caseworker@demoshire.example.org');
    const development = await t.database.db.selectFrom('disability_criteria').select('id').where('code', '=', 'DEVELOPMENT').executeTakeFirstOrThrow();
    const page = await c.get(`${paths.children.list}?name=criterionson&criterion=${development.id}`);
    expect(page.status).toBe(200);
    const visible = text(page.body);
    expect(visible).toContain('Meets Criterionson');
    expect(visible).not.toContain('Other Criterionson');
    expect(visible).not.toContain('Hidden Criterionson');
    const bad = await c.get(`${paths.children.list}?criterion=not-a-criterion`);
    expect(bad.status).toBe(400);
    expect(text(bad.body)).toContain('Select a criterion of the definition of disability from the list');
  });
});
