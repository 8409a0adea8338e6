// Jointly uses the GOV.UK Design System's components but is not a GOV.UK service: no crown,
// no Crown copyright, no GOV.UK typeface.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { paths } from '../src/paths.js';

describe('page layout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('pglite');
  });
  afterAll(() => t?.close());

  it('has the service name, phase banner, skip link and our own footer', async () => {
    const page = await new Client(t.app).get(paths.signIn);
    expect(page.body).toContain('href="#main-content"');
    expect(page.body).toContain('id="main-content"');
    const visible = text(page.body);
    expect(visible).toContain('Jointly');
    expect(visible).toContain('Alpha');
    expect(visible).toContain('Demo data in it is fictional');
    expect(visible).toContain('Jointly is open-source software');
    expect(visible).not.toMatch(/Crown copyright|Open Government Licence/);
    expect(page.body).not.toContain('govuk-footer__crown');
  });

  it('serves the GOV.UK Frontend stylesheet without the GOV.UK typeface', async () => {
    const css = await new Client(t.app).get(`${paths.assets}/govuk-frontend.min.css`);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/text\/css/);
    expect(css.body.length).toBeGreaterThan(50_000);
    expect(css.body).not.toContain('GDS Transport');
    expect(css.body).toContain('font-family:arial,sans-serif');
    expect((await new Client(t.app).get(`${paths.assets}/fonts/bold-b542beb274-v2.woff2`)).status).toBe(404);
  });
});
