// The backtest (pure: takes rows already read by the DfE reader). Fits on the EHC plan caseload of
// each local authority from 2018/19 to 2021/22, predicts 2022/23 to 2024/25, and compares the
// cohort model with two baselines. Nothing dated after the January 2022 census enters the fit: the
// caseload's later years are read only as the answers, and the new plans issued are taken for the
// calendar years 2019 to 2021 only (each the year between one census and the next).
import type { DfeCell, DfeRow } from '../../../platform/dfe-csv.js';
import { aggregateCells, estimateFromAggregates, lastValue, linearTrend, mape, median, project, total, type AggregateYear } from './model.js';

export const TRAINING_YEARS = [201819, 201920, 202021, 202122] as const;
export const TEST_YEARS = [202223, 202324, 202425] as const;
/** The calendar year of new plans between census t and t+1 (January censuses): 201819 → 2019. */
const NEW_PLANS_YEAR = (academic: number) => Math.floor(academic / 100) + 1;
/** The last year of anything the fit may read: the calendar year ending just before the January 2022 census. */
export const LAST_FIT_CALENDAR_YEAR = 2021;

/** The caseload file's setting columns, grouped; what they leave out of the total is "other". */
export const SETTING_COLUMNS: Record<string, string> = {
  'early-years': 'nm_early_years',
  mainstream: 'mainstream_total',
  special: 'special_total',
  'ap-pru': 'ap_pru_total',
  fe: 'fe_total',
  elsewhere: 'ed_elsewhere',
};

export interface BacktestResult {
  local_authorities: number;
  median_mape: { model: number; last_value: number; linear_trend: number };
}

export interface BacktestDetail {
  result: BacktestResult;
  /** Per local authority: the series and each method's predictions, for the docs and the intervals. */
  areas: { laCode: string; laName: string; actual: number[]; model: number[]; lastValue: number[]; linearTrend: number[] }[];
  /** Local authorities whose new plans were not published for a training year (they use the linear trend). */
  fallbacks: string[];
}

const num = (c: DfeCell) => c.value;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Runs the backtest on the caseload rows and the 20-week timeliness rows (new plans issued by calendar year). */
export function backtest(caseload: readonly DfeRow[], timeliness: readonly DfeRow[]): BacktestDetail {
  const series = new Map<string, { name: string; years: Map<number, DfeRow> }>();
  for (const r of caseload) {
    if (r.geographicLevel !== 'Local authority' || r.breakdown !== 'All EHC plans' || !r.laCode) continue;
    const s = series.get(r.laCode) ?? { name: r.laName ?? r.laCode, years: new Map<number, DfeRow>() };
    s.years.set(r.timePeriod, r);
    series.set(r.laCode, s);
  }
  const newPlans = new Map<string, number | null>();
  for (const r of timeliness) {
    if (r.geographicLevel !== 'Local authority' || !r.laCode || !r.breakdownTopic.startsWith('All')) continue;
    if (r.timePeriod > LAST_FIT_CALENDAR_YEAR) continue; // never read into the fit
    newPlans.set(`${r.laCode}|${r.timePeriod}`, num(r.cell('plans_issued_den')));
  }
  const areas: BacktestDetail['areas'] = [];
  const fallbacks: string[] = [];
  for (const [laCode, s] of [...series.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const all = [...TRAINING_YEARS, ...TEST_YEARS].map((y) => s.years.get(y));
    const totals = all.map((r) => (r ? num(r.cell('ehcplans')) : null));
    if (totals.some((t) => t === null || t <= 0)) continue; // not the full series
    const training = totals.slice(0, TRAINING_YEARS.length) as number[];
    const actual = totals.slice(TRAINING_YEARS.length) as number[];
    const plans = TRAINING_YEARS.map((y) => newPlans.get(`${laCode}|${NEW_PLANS_YEAR(y)}`) ?? null);
    let model: number[];
    if (plans.slice(0, -1).some((p) => p === null)) {
      fallbacks.push(laCode);
      model = linearTrend(training, TEST_YEARS.length);
    } else {
      const history: AggregateYear[] = TRAINING_YEARS.map((y, i) => ({ bySetting: bySetting(s.years.get(y)!, training[i]!), newPlans: plans[i] ?? 0 }));
      const fitted = estimateFromAggregates(history);
      model = project(aggregateCells(history.at(-1)!), fitted, TEST_YEARS.length).map(total);
    }
    areas.push({
      laCode,
      laName: s.name,
      actual,
      model,
      lastValue: lastValue(training, TEST_YEARS.length),
      linearTrend: linearTrend(training, TEST_YEARS.length),
    });
  }
  const med = (k: 'model' | 'lastValue' | 'linearTrend') => round2(median(areas.map((a) => mape(a[k], a.actual))));
  return {
    result: { local_authorities: areas.length, median_mape: { model: med('model'), last_value: med('lastValue'), linear_trend: med('linearTrend') } },
    areas,
    fallbacks,
  };
}

/** Plans by setting group; a column marked x, z or c (never read as zero) falls into "other", which is what the named groups leave of the total. */
function bySetting(r: DfeRow, totalPlans: number): Record<string, number> {
  const out: Record<string, number> = {};
  let named = 0;
  for (const [setting, column] of Object.entries(SETTING_COLUMNS)) {
    const v = num(r.cell(column));
    if (v === null) continue;
    out[setting] = v;
    named += v;
  }
  if (named > totalPlans) {
    // The groups overlap or were revised: keep the total, in proportion.
    for (const k of Object.keys(out)) out[k] = (out[k]! * totalPlans) / named;
    out.other = 0;
  } else out.other = totalPlans - named;
  return out;
}
