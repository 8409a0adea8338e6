// The forecast's benchmark figures (issue 17), run by `npm run bench -- commissioning` (bench/commissioning.ts):
//   - forecast_5y_3_scenarios_ms: the demo register (FORECAST_BENCH_CHILDREN children, default the
//     demo's 2,000, with a year of demo money) forecast five years for the baseline and three
//     scenarios, with the bootstrap intervals, read from the database as the page does; the median of 5 runs after one warm-up (target <= 2,000);
//   - backtest_all_las_ms: `forecast-backtest` over every local authority, reading the DfE files (target <= 60,000).
// Embedded PGlite, in this process: the forecast's cost is the model, not the database.
import { openPGlite } from '../src/platform/db/database.js';
import { migrate } from '../src/platform/db/migrate.js';
import { seedDemo } from '../src/demo/seed.js';
import { seedPopulation } from '../src/demo/population.js';
import { seedDemoMoney } from '../src/demo/money.js';
import { todayInLondon } from '../src/platform/dates.js';
import { backtestFiles } from '../src/capabilities/planning/forecast/index.js';
import { areaForecast } from '../src/capabilities/planning/forecast/service.js';
import type { Scenario } from '../src/capabilities/planning/forecast/rules.js';

const CHILDREN = Number(process.env.FORECAST_BENCH_CHILDREN ?? 2000);
const RUNS = 5;

const SCENARIOS: Scenario[] = [
  { name: 'Baseline', adjustments: [] },
  { name: '5% more stay in mainstream', adjustments: [{ kind: 'shift', from: 'special', to: 'mainstream', percent: 5 }] },
  { name: 'A resource base opens', adjustments: [{ kind: 'places', from: 'special', to: 'resource-base', places: 10, openingYear: 2027 }] },
  { name: 'A tenth fewer new children', adjustments: [{ kind: 'joiners', percent: -10 }] },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function forecastFigures(): Promise<Record<string, number>> {
  const today = todayInLondon();
  const database = await openPGlite(undefined);
  try {
    await migrate(database);
    await seedDemo(database.db);
    await seedPopulation(database.db, { children: CHILDREN, today });
    await seedDemoMoney(database.db, { today });
    await areaForecast(database.db, today, SCENARIOS); // warm-up
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await areaForecast(database.db, today, SCENARIOS);
      times.push(performance.now() - t0);
    }
    const t1 = performance.now();
    await backtestFiles();
    const backtest = performance.now() - t1;
    return { forecast_5y_3_scenarios_ms: Math.round(median(times)), backtest_all_las_ms: Math.round(backtest) };
  } finally {
    await database.close();
  }
}
