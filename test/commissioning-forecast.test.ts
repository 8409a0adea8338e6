// The forecast of demand and cost over HTTP on the demo register and its money: the commissioner
// reads five years for the baseline and saved scenarios side by side (each with its table and
// interval), saves a scenario with their name and the date, is refused a scenario that would make
// a count negative (nothing saved), and people without the permission are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';
import { todayInLondon } from '../src/platform/dates.js';
import { seedPopulation } from '../src/demo/population.js';
import { seedDemoMoney } from '../src/demo/money.js';
import { areaForecast } from '../src/capabilities/planning/forecast/service.js';

const COMMISSIONER = 'commissioner@demoshire.example.org';
const KEYWORKER = 'keyworker@demoshire.example.org';
const FINANCE = 'finance@demoshire.example.org';

describe.each(databaseKinds())('forecast of demand and cost on %s', (kind) => {
  let t: TestApp;
  const today = todayInLondon();
  const thisYear = Number(today.slice(0, 4));
  const clients = new Map<string, Client>();
  const as = (email: string) => clients.get(email)!;

  beforeAll(async () => {
    t = await buildTestApp(kind);
    await seedPopulation(t.database.db, { children: 150, today });
    await seedDemoMoney(t.database.db, { today });
    for (const email of [COMMISSIONER, KEYWORKER, FINANCE]) {
      const c = new Client(t.app);
      expect((await c.signIn(email)).status).toBe(303);
      clients.set(email, c);
    }
  }, 180_000);
  afterAll(() => t?.close());

  it('shows five years of the baseline, with its 80% interval and cost, a chart with its table, and breakdowns', async () => {
    const res = await as(COMMISSIONER).get(paths.commissioning.forecast);
    expect(res.status).toBe(200);
    const page = text(res.body);
    const f = await areaForecast(t.database.db, today, [{ name: 'Baseline (the trend continues)', adjustments: [] }]);
    expect(f.startChildren).toBeGreaterThan(50);
    for (const y of f.scenarios[0]!.years) {
      const row = `Baseline (the trend continues) ${y.label} ${Math.round(y.children).toLocaleString('en-GB')} ${Math.round(y.low).toLocaleString('en-GB')} to ${Math.round(y.high).toLocaleString('en-GB')}`;
      expect(page).toContain(row);
      expect(y.low).toBeLessThanOrEqual(y.children + 1e-9);
    }
    expect(f.scenarios[0]!.years).toHaveLength(5);
    expect(f.unitCosts.length).toBeGreaterThan(0);
    expect(res.body).toMatch(/<svg[^>]+role="img"[^>]+aria-labelledby="chart-forecast-title chart-forecast-desc"/);
    for (const heading of ['Scenarios side by side', 'By setting', 'By need', 'By age', 'Unit costs']) expect(page).toContain(heading);
    expect(page).toContain('No scenarios are saved yet');
  });

  it('saves a scenario with its author and date and compares it side by side; the download carries the same figures', async () => {
    const c = as(COMMISSIONER);
    expect((await c.get(paths.commissioning.newScenario)).status).toBe(200);
    const res = await c.post(paths.commissioning.newScenario, {
      name: '5% more stay in mainstream',
      kind: 'shift',
      from: 'special',
      to: 'mainstream',
      shiftPercent: '5',
    });
    expect(res.status).toBe(303);
    const saved = await t.database.db.selectFrom('forecast_scenarios').selectAll().execute();
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ name: '5% more stay in mainstream', kind: 'shift', from_setting: 'special', to_setting: 'mainstream', percent: 5 });
    const page = text((await c.get(res.location!)).body);
    expect(page).toContain('5% of the children who would be in special school settings are in mainstream school settings instead. Saved by');
    const f = await areaForecast(t.database.db, today, [
      { name: 'Baseline (the trend continues)', adjustments: [] },
      { name: '5% more stay in mainstream', adjustments: [{ kind: 'shift', from: 'special', to: 'mainstream', percent: 5 }] },
    ]);
    const [base, more] = f.scenarios as [(typeof f.scenarios)[0], (typeof f.scenarios)[0]];
    expect(page).toContain(`5% more stay in mainstream ${more.years[0]!.label} ${Math.round(more.years[0]!.children).toLocaleString('en-GB')}`);
    expect(more.years[4]!.bySetting.special).toBeCloseTo(base.years[4]!.bySetting.special! * 0.95, 6);

    const csv = await c.get(`${paths.commissioning.forecastExport}?format=csv&compare=${saved[0]!.id}`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body).toContain(`5% more stay in mainstream,${more.years[0]!.label},${Math.round(more.years[0]!.children)},`);
    const xlsx = await c.get(`${paths.commissioning.forecastExport}?format=xlsx`);
    expect(xlsx.headers['content-type']).toContain('spreadsheetml');
    const audit = await t.database.db.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'forecast.scenario.create').execute();
    expect(audit).toHaveLength(1);
  });

  it('refuses a resource base bigger than the setting it takes children from, saying so with the figures, and saves nothing', async () => {
    const c = as(COMMISSIONER);
    await c.get(paths.commissioning.newScenario);
    const res = await c.post(paths.commissioning.newScenario, {
      name: 'A new resource base',
      kind: 'places',
      from: 'special',
      to: 'resource-base',
      places: '5000',
      openingYear: String(thisYear),
    });
    expect(res.status).toBe(400);
    expect(text(res.body)).toMatch(
      new RegExp(
        `5000 places opening in September ${thisYear} would take 5000 children out of special school settings, but the forecast has only \\d+ there in \\d{4}/\\d\\d, so the count would fall below zero\\. Give fewer places or take them from another setting\\.`,
      ),
    );
    expect(res.body).toContain('href="#places"');
    const more = await c.post(paths.commissioning.newScenario, { name: 'Fewer', kind: 'joiners', joinersPercent: '-150' });
    expect(more.status).toBe(400);
    expect(text(more.body)).toContain('New children cannot fall by 150%: that would make fewer than none. Enter a change of -100% or more');
    const missing = await c.post(paths.commissioning.newScenario, { name: '', kind: 'shift', from: 'special', to: 'special', shiftPercent: 'lots' });
    expect(missing.status).toBe(400);
    for (const e of [
      'Enter a name for the scenario',
      'Choose a different setting for children to go to',
      'Enter the share that moves as a whole number of per cent from 0 to 100',
    ]) {
      expect(text(missing.body)).toContain(e);
    }
    expect(await t.database.db.selectFrom('forecast_scenarios').select('name').execute()).toEqual([{ name: '5% more stay in mainstream' }]);
  });

  it('refuses people without the forecast permission, and a comparison of a scenario that is not saved', async () => {
    for (const email of [KEYWORKER, FINANCE]) {
      expect((await as(email).get(paths.commissioning.forecast)).status).toBe(403);
      expect((await as(email).get(`${paths.commissioning.forecastExport}?format=csv`)).status).toBe(403);
      expect((await as(email).get(paths.commissioning.newScenario)).status).toBe(403);
      expect((await as(email).post(paths.commissioning.newScenario, { name: 'x', kind: 'joiners', joinersPercent: '5' })).status).toBe(403);
    }
    expect((await new Client(t.app).get(paths.commissioning.forecast)).status).toBe(303);
    const wrong = await as(COMMISSIONER).get(`${paths.commissioning.forecast}?compare=00000000-0000-4000-8000-000000000000`);
    expect(wrong.status).toBe(400);
    expect(text(wrong.body)).toContain('One of the scenarios you chose is not saved. Choose from the list');
    expect((await as(COMMISSIONER).get(`${paths.commissioning.forecastExport}?format=pdf`)).status).toBe(400);
    expect(await t.database.db.selectFrom('forecast_scenarios').select('name').execute()).toHaveLength(1);
  });
});
