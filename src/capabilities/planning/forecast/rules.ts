// The area's own forecast (pure): children's histories from the register, the cohort model fitted
// on them, scenarios applied, intervals by bootstrap, and cost from unit costs per package type.
import { cellKey, estimateFromHistories, project, quantile, seededRandom, toCells, total, type Cell, type ChildHistory } from './model.js';

export const SETTINGS = {
  'early-years': 'Early years',
  mainstream: 'Mainstream school',
  'resource-base': 'Resource base in a mainstream school',
  special: 'Special school',
  'post-16': 'Post-16 and further education',
} as const;
export type Setting = keyof typeof SETTINGS;
export const isSetting = (s: string): s is Setting => s in SETTINGS;

export const AGE_BANDS = [
  { code: '0-4', label: 'Under 5', from: 0, to: 4 },
  { code: '5-10', label: '5 to 10', from: 5, to: 10 },
  { code: '11-15', label: '11 to 15', from: 11, to: 15 },
  { code: '16-19', label: '16 to 19', from: 16, to: 19 },
  { code: '20-25', label: '20 to 25', from: 20, to: 25 },
] as const;

export const HORIZON_YEARS = 5;
export const HISTORY_YEARS = 5;
export const BOOTSTRAP_REPLICATES = 100;
export const NOT_RECORDED_NEED = 'Not recorded';

/** One child as the register holds it. */
export interface RegisterChild {
  dateOfBirth: string;
  joinedOn: string;
  /** When the child left the register (moved away, over 25, died, left), or null. */
  leftOn: string | null;
  need: string | null;
  /** Spells with a school organisation (a special school in Demoshire). */
  schoolSpells: { from: string; to: string | null }[];
}

/** The census day of a year: 15 January, as the DfE's SEN2 return counts on a January day. */
export const censusDay = (year: number) => `${year}-01-15`;

export function ageOn(dateOfBirth: string, day: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** The setting on a day: a school spell means the special school; otherwise by age. */
export function settingOn(child: RegisterChild, day: string, age: number): Setting {
  if (child.schoolSpells.some((s) => s.from <= day && (s.to === null || s.to >= day))) return 'special';
  if (age <= 4) return 'early-years';
  if (age >= 16) return 'post-16';
  return 'mainstream';
}

/** The last census year on or before `today`, and the census years of history before it. */
export function censusYears(today: string): number[] {
  const y = Number(today.slice(0, 4));
  const last = today >= censusDay(y) ? y : y - 1;
  return Array.from({ length: HISTORY_YEARS }, (_, i) => last - HISTORY_YEARS + 1 + i);
}

export function histories(children: readonly RegisterChild[], years: readonly number[]): ChildHistory[] {
  return children.map((c) => {
    const h = new Map<number, { age: number; setting: string; need: string }>();
    for (const y of years) {
      const day = censusDay(y);
      if (c.joinedOn > day || (c.leftOn !== null && c.leftOn <= day)) continue;
      const age = ageOn(c.dateOfBirth, day);
      if (age < 0 || age > 25) continue;
      h.set(y, { age, setting: settingOn(c, day, age), need: c.need ?? NOT_RECORDED_NEED });
    }
    return h;
  });
}

// ---------------------------------------------------------------------------------------------
// Scenarios

export type Adjustment =
  /** Each year, this percentage of the children who would be in `from` are in `to` instead. */
  | { kind: 'shift'; from: Setting; to: Setting; percent: number }
  /** A new provision of `places` places in `to` opens in September of `year`, filled from `from`. */
  | { kind: 'places'; from: Setting; to: Setting; places: number; openingYear: number }
  /** New children each year change by this percentage (−20 = a fifth fewer). */
  | { kind: 'joiners'; percent: number };

export interface Scenario {
  name: string;
  adjustments: Adjustment[];
}

/** A scenario that cannot be run, with the reason in plain words. */
export class ScenarioProblem extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'ScenarioProblem';
  }
}

const academicYear = (censusYear: number) => `${censusYear - 1}/${String(censusYear).slice(2)}`;

/**
 * Applies the settings' adjustments to one projected year (census `year`), in order. Refuses,
 * naming the figures, any adjustment that would take more children from a setting than it has.
 */
export function applyAdjustments(cells: readonly Cell[], year: number, adjustments: readonly Adjustment[]): Cell[] {
  let out = cells.map((c) => ({ ...c }));
  for (const a of adjustments) {
    if (a.kind === 'joiners') continue;
    if (a.from === a.to) throw new ScenarioProblem('A change must move children from one setting to a different setting.', 'to');
    let moving: number;
    if (a.kind === 'shift') {
      if (a.percent < 0 || a.percent > 100) throw new ScenarioProblem('The percentage of children who move must be between 0 and 100.', 'percent');
      moving = (sum(out, a.from) * a.percent) / 100;
    } else {
      // The September of openingYear comes before the census of January openingYear + 1.
      if (year < a.openingYear + 1) continue;
      moving = a.places;
      const there = sum(out, a.from);
      if (moving > there + 1e-9) {
        throw new ScenarioProblem(
          `${a.places} places opening in September ${a.openingYear} would take ${a.places} children out of ${SETTINGS[a.from].toLowerCase()} settings, ` +
            `but the forecast has only ${Math.floor(there)} there in ${academicYear(year)}, so the count would fall below zero. Give fewer places or take them from another setting.`,
          'places',
        );
      }
    }
    out = move(out, a.from, a.to, moving);
  }
  return out;
}

const sum = (cells: readonly Cell[], setting: string) => cells.reduce((s, c) => s + (c.setting === setting ? c.count : 0), 0);

/** Moves `n` children from one setting to another, in proportion to each age and need there. */
function move(cells: Cell[], from: string, to: string, n: number): Cell[] {
  const there = sum(cells, from);
  if (n <= 0 || there <= 0) return cells;
  const f = Math.min(1, n / there);
  const out = new Map<string, number>();
  for (const c of cells) {
    if (c.setting === from) {
      out.set(cellKey(c), (out.get(cellKey(c)) ?? 0) + c.count * (1 - f));
      const k = cellKey({ ...c, setting: to });
      out.set(k, (out.get(k) ?? 0) + c.count * f);
    } else out.set(cellKey(c), (out.get(cellKey(c)) ?? 0) + c.count);
  }
  return toCells(out);
}

export function joinerFactor(adjustments: readonly Adjustment[]): number {
  let factor = 1;
  for (const a of adjustments) if (a.kind === 'joiners') factor *= 1 + a.percent / 100;
  if (factor < 0) {
    throw new ScenarioProblem('New children each year cannot fall by more than 100%: the number of new children would be below zero.', 'percent');
  }
  return factor;
}

// ---------------------------------------------------------------------------------------------
// Cost

/** Yearly cost of one child in each setting (pence): the take-up of each package type there times its unit cost. */
export type CostPerChild = Partial<Record<Setting, number>>;

export interface UnitCost {
  serviceCategory: string;
  children: number;
  pence: number;
}

/**
 * From actual spend by child and package type in one year, and each child's setting then: the unit
 * cost of each package type (spend ÷ children with that spend) and each setting's cost per child.
 * A setting with no children of its own (a new resource base) costs what mainstream does.
 */
export function costs(spend: readonly { childId: string; serviceCategory: string; pence: number }[], settingOf: ReadonlyMap<string, Setting>) {
  const byCategory = new Map<string, { children: Set<string>; pence: number }>();
  const bySetting = new Map<Setting, number>();
  for (const s of spend) {
    const c = byCategory.get(s.serviceCategory) ?? { children: new Set<string>(), pence: 0 };
    c.children.add(s.childId);
    c.pence += s.pence;
    byCategory.set(s.serviceCategory, c);
    const setting = settingOf.get(s.childId);
    if (setting) bySetting.set(setting, (bySetting.get(setting) ?? 0) + s.pence);
  }
  const counts = new Map<Setting, number>();
  for (const s of settingOf.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
  const perChild: CostPerChild = {};
  for (const [s, n] of counts) perChild[s] = Math.round((bySetting.get(s) ?? 0) / n);
  if (perChild['resource-base'] === undefined) perChild['resource-base'] = perChild.mainstream ?? 0;
  const unitCosts: UnitCost[] = [...byCategory.entries()]
    .map(([serviceCategory, c]) => ({ serviceCategory, children: c.children.size, pence: Math.round(c.pence / c.children.size) }))
    .sort((a, b) => a.serviceCategory.localeCompare(b.serviceCategory));
  return { unitCosts, perChild };
}

export const costOf = (cells: readonly Cell[], perChild: CostPerChild) =>
  Math.round(cells.reduce((s, c) => s + c.count * (perChild[c.setting as Setting] ?? 0), 0));

// ---------------------------------------------------------------------------------------------
// The forecast

export interface YearFigures {
  /** Census year (January). */
  year: number;
  label: string;
  children: number;
  low: number;
  high: number;
  costPence: number;
  costLowPence: number;
  costHighPence: number;
  bySetting: Record<string, number>;
  byNeed: Record<string, number>;
  byAgeBand: Record<string, number>;
}

export interface ScenarioFigures {
  name: string;
  years: YearFigures[];
}

/** The start: the children on the register at the last census, grouped. */
export function startCells(hs: readonly ChildHistory[], year: number): Cell[] {
  const m = new Map<string, number>();
  for (const h of hs) {
    const at = h.get(year);
    if (at) m.set(cellKey(at), (m.get(cellKey(at)) ?? 0) + 1);
  }
  return toCells(m);
}

/**
 * Projects every scenario HORIZON_YEARS ahead from the last census year. The central figures use
 * all the history; the 80% interval is the 10th to 90th percentile of the baseline's projection on
 * `replicates` bootstrap samples of the children (drawn with replacement, seeded, so the same every
 * run), as a ratio to the baseline's central figure, applied to each scenario's central figure.
 */
export function forecast(
  hs: readonly ChildHistory[],
  years: readonly number[],
  scenarios: readonly Scenario[],
  perChild: CostPerChild,
  replicates = BOOTSTRAP_REPLICATES,
): ScenarioFigures[] {
  const last = years.at(-1)!;
  // Each sample is fitted once; every scenario is projected from the same fit.
  const fit = (sample: readonly ChildHistory[]) => ({ model: estimateFromHistories(sample, years), start: startCells(sample, last) });
  const run = (f: ReturnType<typeof fit>, s: Scenario) =>
    project(f.start, f.model, HORIZON_YEARS, { joinerFactor: joinerFactor(s.adjustments) }).map((cells, i) =>
      applyAdjustments(cells, last + i + 1, s.adjustments),
    );
  const all = fit(hs);
  const central = scenarios.map((s) => run(all, s));
  // The bootstrap is of the baseline (no adjustments): a scenario's interval is the baseline's,
  // relative to its central figure, so every scenario carries the same uncertainty from the history.
  const random = seededRandom(20260115);
  // An empty register has nothing to resample: its interval is its (zero) central figure.
  const reps = hs.length > 0 ? replicates : 0;
  const boot = Array.from({ length: reps }, () =>
    run(fit(Array.from({ length: hs.length }, () => hs[Math.floor(random() * hs.length)]!)), { name: '', adjustments: [] }),
  );
  const base = run(all, { name: '', adjustments: [] });
  const ratios = base.map((cells, i) => {
    const c = total(cells);
    const cost = costOf(cells, perChild);
    const totals = boot.map((b) => total(b[i]!));
    const costs_ = boot.map((b) => costOf(b[i]!, perChild));
    const r = (v: number, of: number) => (of > 0 ? v / of : 1);
    return reps > 0
      ? {
          low: r(quantile(totals, 0.1), c),
          high: r(quantile(totals, 0.9), c),
          costLow: r(quantile(costs_, 0.1), cost),
          costHigh: r(quantile(costs_, 0.9), cost),
        }
      : { low: 1, high: 1, costLow: 1, costHigh: 1 };
  });
  return scenarios.map((s, si) => ({
    name: s.name,
    years: central[si]!.map((cells, i) => {
      const year = last + i + 1;
      const children = total(cells);
      const costPence = costOf(cells, perChild);
      const r = ratios[i]!;
      return {
        year,
        label: academicYear(year),
        children,
        low: Math.min(children, children * r.low),
        high: Math.max(children, children * r.high),
        costPence,
        costLowPence: Math.round(Math.min(costPence, costPence * r.costLow)),
        costHighPence: Math.round(Math.max(costPence, costPence * r.costHigh)),
        bySetting: group(cells, (c) => c.setting),
        byNeed: group(cells, (c) => c.need),
        byAgeBand: group(cells, (c) => AGE_BANDS.find((b) => c.age !== null && c.age >= b.from && c.age <= b.to)?.code ?? 'unknown'),
      };
    }),
  }));
}

function group(cells: readonly Cell[], key: (c: Cell) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of cells) out[key(c)] = (out[key(c)] ?? 0) + c.count;
  return out;
}

export const labelOfYear = academicYear;
