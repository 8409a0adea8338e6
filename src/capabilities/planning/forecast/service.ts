// The forecast's reads and writes: the register as the model needs it (aggregates only leave this
// file: no child is named), unit costs through the budgets' public module, and saved scenarios.
import type { Db } from '../../../platform/db/database.js';
import { actualSpendByChild, latestSpendYear } from '../../money/budgets/index.js';
import {
  censusDay,
  censusYears,
  costs,
  forecast,
  histories,
  settingOn,
  ageOn,
  HORIZON_YEARS,
  type Adjustment,
  type RegisterChild,
  type Scenario,
  type ScenarioFigures,
  type Setting,
} from './rules.js';
import type { ChildHistory } from './model.js';

export interface SavedScenario {
  id: string;
  name: string;
  adjustment: Adjustment;
  createdBy: string;
  createdAt: Date;
}

/** Every child ever on the register, with their spells at a school organisation (a special school in Demoshire). */
export async function registerChildren(db: Db): Promise<(RegisterChild & { id: string })[]> {
  const [children, spells] = await Promise.all([
    db.selectFrom('children').select(['id', 'date_of_birth', 'joined_on', 'status', 'status_on', 'primary_need', 'updated_at']).execute(),
    db
      .selectFrom('involvements as i')
      .innerJoin('organisations as o', 'o.id', 'i.organisation_id')
      .select(['i.child_id', 'i.started_on', 'i.ended_on'])
      .where('o.type', '=', 'school')
      .execute(),
  ]);
  const byChild = new Map<string, { from: string; to: string | null }[]>();
  for (const s of spells) byChild.set(s.child_id, [...(byChild.get(s.child_id) ?? []), { from: s.started_on, to: s.ended_on }]);
  return children.map((c) => ({
    id: c.id,
    dateOfBirth: c.date_of_birth,
    joinedOn: c.joined_on,
    leftOn: c.status === 'active' ? null : (c.status_on ?? c.updated_at.toISOString().slice(0, 10)),
    need: c.primary_need,
    schoolSpells: byChild.get(c.id) ?? [],
  }));
}

export interface AreaForecast {
  years: number[];
  startYear: number;
  startChildren: number;
  spendYear: number | null;
  unitCosts: ReturnType<typeof costs>['unitCosts'];
  perChild: ReturnType<typeof costs>['perChild'];
  scenarios: ScenarioFigures[];
}

/** The forecast of the register for the baseline and each scenario, costed from the latest year of actual spend. */
export async function areaForecast(db: Db, today: string, scenarios: readonly Scenario[], replicates?: number): Promise<AreaForecast> {
  const children = await registerChildren(db);
  const years = censusYears(today);
  const hs = histories(children, years);
  const last = years.at(-1)!;
  const spendYear = await latestSpendYear(db);
  // Each child's setting on the census day in the middle of the spend year (January of its second calendar year).
  const settingOf = new Map<string, Setting>();
  if (spendYear !== null) {
    const day = censusDay(spendYear + 1);
    for (const c of children) {
      if (c.joinedOn > day || (c.leftOn !== null && c.leftOn <= day)) continue;
      const age = ageOn(c.dateOfBirth, day);
      if (age >= 0 && age <= 25) settingOf.set(c.id, settingOn(c, day, age));
    }
  }
  const { unitCosts, perChild } = costs(spendYear === null ? [] : await actualSpendByChild(db, spendYear), settingOf);
  return {
    years,
    startYear: last,
    startChildren: countAt(hs, last),
    spendYear,
    unitCosts,
    perChild,
    scenarios: forecast(hs, years, scenarios, perChild, replicates),
  };
}

const countAt = (hs: readonly ChildHistory[], year: number) => hs.filter((h) => h.has(year)).length;

export { HORIZON_YEARS };

export async function listScenarios(db: Db): Promise<SavedScenario[]> {
  const rows = await db
    .selectFrom('forecast_scenarios as s')
    .innerJoin('users as u', 'u.id', 's.created_by')
    .select(['s.id', 's.name', 's.kind', 's.from_setting', 's.to_setting', 's.percent', 's.places', 's.opening_year', 's.created_at', 'u.display_name'])
    .orderBy('s.created_at', 'desc')
    .orderBy('s.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, adjustment: adjustmentOf(r), createdBy: r.display_name, createdAt: r.created_at }));
}

function adjustmentOf(r: {
  kind: string;
  from_setting: string | null;
  to_setting: string | null;
  percent: number | null;
  places: number | null;
  opening_year: number | null;
}): Adjustment {
  if (r.kind === 'joiners') return { kind: 'joiners', percent: r.percent ?? 0 };
  if (r.kind === 'shift') return { kind: 'shift', from: r.from_setting as Setting, to: r.to_setting as Setting, percent: r.percent ?? 0 };
  return { kind: 'places', from: r.from_setting as Setting, to: r.to_setting as Setting, places: r.places ?? 0, openingYear: r.opening_year ?? 0 };
}

export async function saveScenario(db: Db, userId: string, name: string, a: Adjustment): Promise<string> {
  const row = await db
    .insertInto('forecast_scenarios')
    .values({
      name,
      kind: a.kind,
      from_setting: a.kind === 'joiners' ? null : a.from,
      to_setting: a.kind === 'joiners' ? null : a.to,
      percent: a.kind === 'places' ? null : a.percent,
      places: a.kind === 'places' ? a.places : null,
      opening_year: a.kind === 'places' ? a.openingYear : null,
      created_by: userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
