// The forecast's cohort model (pure: no I/O). Each year every group of children (age, setting,
// primary need) moves on one year: some leave (the plan ceases, they move away, they reach 25),
// the rest grow a year older and stay in their setting or move to another, and new children join.
// The rates are estimated from history: from the area's own register, child by child, as
// MastodonC's witan.send does; or, where only yearly totals by setting are published (the DfE
// series the backtest uses), from those totals and the number of new plans each year.

/** A group of children: age in whole years on census day (null when ages are not known), setting, primary need. */
export interface Cell {
  age: number | null;
  setting: string;
  need: string;
  count: number;
}

/** What happens in a year to a child of one age in one setting: leaving, or moving to each setting (shares of those who stay, summing to 1). */
export interface Move {
  leave: number;
  to: Record<string, number>;
}

export interface Transitions {
  /** Keyed `${age}|${setting}`; `*|${setting}` is the fallback for an age with too little history. */
  moves: Record<string, Move>;
  /** The oldest age kept: children older than this leave (25 for EHC plans). */
  maxAge: number;
}

/** New children each year: how many in the last year of history, the yearly change, and their mix. */
export interface Joiners {
  last: number;
  slopePerYear: number;
  /** Shares by `${age}|${setting}|${need}` (summing to 1). */
  mix: Record<string, number>;
}

export interface FittedModel {
  transitions: Transitions;
  joiners: Joiners;
}

export const cellKey = (c: { age: number | null; setting: string; need: string }) => `${c.age ?? '*'}|${c.setting}|${c.need}`;

// Keys are few (ages x settings x needs), and read back every step of every projection: parsed once.
const parsed = new Map<string, { age: number | null; setting: string; need: string }>();
function parseKey(key: string): { age: number | null; setting: string; need: string } {
  let p = parsed.get(key);
  if (!p) {
    const [age, setting, need] = key.split('|') as [string, string, string];
    p = { age: age === '*' ? null : Number(age), setting, need };
    if (parsed.size < 100_000) parsed.set(key, p);
  }
  return p;
}

function moveOf(t: Transitions, age: number | null, setting: string): Move {
  return t.moves[`${age ?? '*'}|${setting}`] ?? t.moves[`*|${setting}`] ?? { leave: 0, to: { [setting]: 1 } };
}

/** Adds counts into a map by cell key. */
function add(into: Map<string, number>, key: string, n: number) {
  if (n !== 0) into.set(key, (into.get(key) ?? 0) + n);
}

export function toCells(m: Map<string, number>): Cell[] {
  return [...m.entries()].map(([k, count]) => ({ ...parseKey(k), count }));
}

export const total = (cells: readonly Cell[]) => cells.reduce((s, c) => s + c.count, 0);

/**
 * One year on: leavers go, the rest age a year (when ages are known) and move setting by the
 * transition shares; those past maxAge leave. Returns the stayers only (new children are added by `project`).
 */
export function stepCohorts(cells: readonly Cell[], t: Transitions): Map<string, number> {
  const next = new Map<string, number>();
  // Each (age, setting)'s move, looked up once a step: [leave, [setting, share of stayers][]].
  const moves = new Map<string, [number, [string, number][]]>();
  for (const c of cells) {
    if (c.count <= 0) continue;
    const age = c.age === null ? null : c.age + 1;
    if (age !== null && age > t.maxAge) continue;
    const mk = `${c.age ?? '*'}|${c.setting}`;
    let m = moves.get(mk);
    if (!m) {
      const move = moveOf(t, c.age, c.setting);
      const shares = Object.entries(move.to);
      const sum = shares.reduce((s, [, p]) => s + p, 0);
      m = [Math.min(1, Math.max(0, move.leave)), sum > 0 ? shares.map(([s, p]) => [s, p / sum]) : [[c.setting, 1]]];
      moves.set(mk, m);
    }
    const stay = c.count * (1 - m[0]);
    const prefix = `${age ?? '*'}|`;
    for (const [setting, p] of m[1]) add(next, `${prefix}${setting}|${c.need}`, stay * p);
  }
  return next;
}

/** How many new children join in year h after the last year of history (h = 1, 2, ...): the trend, never below zero. */
export const joinersIn = (j: Joiners, h: number) => Math.max(0, j.last + j.slopePerYear * h);

export interface ProjectOptions {
  /** Multiplies the new children each year (1 = as the trend says). */
  joinerFactor?: number;
}

/** Projects `years` years on from `start`: the cells at the end of each year. */
export function project(start: readonly Cell[], model: FittedModel, years: number, options: ProjectOptions = {}): Cell[][] {
  const out: Cell[][] = [];
  let cells = [...start];
  const factor = options.joinerFactor ?? 1;
  for (let h = 1; h <= years; h++) {
    const next = stepCohorts(cells, model.transitions);
    const n = joinersIn(model.joiners, h) * factor;
    for (const [key, share] of Object.entries(model.joiners.mix)) add(next, key, n * share);
    cells = toCells(next);
    out.push(cells);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Estimating the rates from the area's own register, child by child

/** Where one child was on each census day ('YYYY' → age, setting, need); absent when not on the register. */
export type ChildHistory = ReadonlyMap<number, { age: number; setting: string; need: string }>;

/** Below this many children of one age and setting in the history, that age uses its setting's pooled rates. */
export const MIN_OBSERVATIONS = 10;

/**
 * Transitions and joiners counted from children's histories over the census years given (in order):
 * for each pair of consecutive years, each child present in the first either left or moved to a setting
 * in the second; each child present only in the second joined.
 */
export function estimateFromHistories(histories: readonly ChildHistory[], years: readonly number[], maxAge = 25): FittedModel {
  const byAge = new Map<string, { n: number; left: number; to: Map<string, number> }>();
  const bySetting = new Map<string, { n: number; left: number; to: Map<string, number> }>();
  const joinedPerYear: number[] = [];
  const mix = new Map<string, number>();
  const tally = (m: typeof byAge, key: string, to: string | null) => {
    const r = m.get(key) ?? { n: 0, left: 0, to: new Map<string, number>() };
    r.n += 1;
    if (to === null) r.left += 1;
    else r.to.set(to, (r.to.get(to) ?? 0) + 1);
    m.set(key, r);
  };
  for (let i = 0; i + 1 < years.length; i++) {
    const [y0, y1] = [years[i]!, years[i + 1]!];
    let joined = 0;
    for (const h of histories) {
      const a = h.get(y0);
      const b = h.get(y1);
      if (a) {
        tally(byAge, `${a.age}|${a.setting}`, b ? b.setting : null);
        tally(bySetting, `*|${a.setting}`, b ? b.setting : null);
      } else if (b) {
        joined += 1;
        add(mix, cellKey(b), 1);
      }
    }
    joinedPerYear.push(joined);
  }
  const moves: Record<string, Move> = {};
  const toMove = (r: { n: number; left: number; to: Map<string, number> }): Move => {
    const stayed = r.n - r.left;
    return { leave: r.left / r.n, to: Object.fromEntries([...r.to.entries()].map(([s, k]) => [s, stayed > 0 ? k / stayed : 0])) };
  };
  for (const [key, r] of bySetting) moves[key] = toMove(r);
  for (const [key, r] of byAge) if (r.n >= MIN_OBSERVATIONS) moves[key] = toMove(r);
  const joinedTotal = [...mix.values()].reduce((s, n) => s + n, 0);
  return {
    transitions: { moves, maxAge },
    joiners: {
      last: joinedPerYear.at(-1) ?? 0,
      slopePerYear: trendSlope(joinedPerYear),
      mix: Object.fromEntries([...mix.entries()].map(([k, n]) => [k, joinedTotal > 0 ? n / joinedTotal : 0])),
    },
  };
}

/** The average yearly change from the first to the last value (0 with fewer than two). */
export function trendSlope(values: readonly number[]): number {
  return values.length < 2 ? 0 : (values.at(-1)! - values[0]!) / (values.length - 1);
}

// ---------------------------------------------------------------------------------------------
// Estimating the rates from published totals (the DfE series: no ages, no child-level moves)

/** One census year of a local authority: plans by setting, and the new plans issued in the year that follows it. */
export interface AggregateYear {
  bySetting: Record<string, number>;
  /** New plans issued between this census and the next (unused for the last year). */
  newPlans: number;
}

/**
 * From totals alone the moves between settings cannot be told apart from leaving and joining, so:
 * everyone in a setting leaves at the same rate (the mean over the history of (plans + new plans −
 * next year's plans) ÷ plans), those who stay keep their setting, and the new plans' setting mix is
 * each setting's growth beyond its stayers, averaged. New plans follow their own trend.
 */
export function estimateFromAggregates(history: readonly AggregateYear[]): FittedModel {
  const totals = history.map((y) => Object.values(y.bySetting).reduce((s, n) => s + n, 0));
  const leaveRates: number[] = [];
  for (let i = 0; i + 1 < history.length; i++) {
    if (totals[i]! <= 0) continue;
    leaveRates.push(clamp((totals[i]! + history[i]!.newPlans - totals[i + 1]!) / totals[i]!, 0, 0.95));
  }
  const leave = leaveRates.length ? leaveRates.reduce((s, r) => s + r, 0) / leaveRates.length : 0;
  const settings = Object.keys(history[0]?.bySetting ?? {});
  const gain = new Map<string, number>();
  for (let i = 0; i + 1 < history.length; i++) {
    for (const s of settings) add(gain, s, Math.max(0, (history[i + 1]!.bySetting[s] ?? 0) - (1 - leave) * (history[i]!.bySetting[s] ?? 0)));
  }
  const gainTotal = [...gain.values()].reduce((s, n) => s + n, 0);
  const newPlans = history.slice(0, -1).map((y) => y.newPlans);
  const moves: Record<string, Move> = Object.fromEntries(settings.map((s) => [`*|${s}`, { leave, to: { [s]: 1 } }]));
  const mix: Record<string, number> = {};
  for (const s of settings) {
    const share = gainTotal > 0 ? (gain.get(s) ?? 0) / gainTotal : 1 / settings.length;
    if (share > 0) mix[cellKey({ age: null, setting: s, need: 'all' })] = share;
  }
  return { transitions: { moves, maxAge: Number.POSITIVE_INFINITY }, joiners: { last: newPlans.at(-1) ?? 0, slopePerYear: trendSlope(newPlans), mix } };
}

export const aggregateCells = (y: AggregateYear): Cell[] => Object.entries(y.bySetting).map(([setting, count]) => ({ age: null, setting, need: 'all', count }));

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

// ---------------------------------------------------------------------------------------------
// Baselines and errors

/** The last value carried forward. */
export const lastValue = (training: readonly number[], horizon: number) => Array.from({ length: horizon }, () => training.at(-1) ?? 0);

/** An ordinary least-squares line through the training values (at x = 0, 1, ...), continued. */
export function linearTrend(training: readonly number[], horizon: number): number[] {
  const n = training.length;
  const mx = (n - 1) / 2;
  const my = training.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  training.forEach((y, x) => {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  });
  const b = sxx > 0 ? sxy / sxx : 0;
  return Array.from({ length: horizon }, (_, h) => my + b * (n + h - mx));
}

/** Mean absolute percentage error, in per cent. Actual values of zero are refused (the error is undefined). */
export function mape(predicted: readonly number[], actual: readonly number[]): number {
  if (predicted.length !== actual.length || actual.length === 0) throw new Error('mape: the predicted and actual series differ in length.');
  let s = 0;
  actual.forEach((a, i) => {
    if (a === 0) throw new Error('mape: an actual value is zero.');
    s += Math.abs(predicted[i]! - a) / Math.abs(a);
  });
  return (100 * s) / actual.length;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The q-quantile (0..1) by linear interpolation. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** A small seeded random number generator (mulberry32), so a bootstrap gives the same interval every time. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
