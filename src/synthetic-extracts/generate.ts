// Turns the population into agency records: who appears in which extract, the duplicates, and
// the truth (which record is which person). Pure and deterministic for a seed; writing the
// files is in service.ts.
import { Random } from './random.js';
import { PopulationMaker, type Person } from './population.js';
import {
  AGENCIES,
  AGENCY_SPECS,
  PROFILES,
  emptyTally,
  recordValues,
  type AgencyName,
  type AgencySpec,
  type ProfileName,
  type RecordValues,
  type Tally,
} from './agencies.js';

export interface SyntheticRecord {
  agency: AgencyName;
  recordId: string;
  person: Person;
  values: RecordValues;
  /** The agency's columns, in the order of its header, starting with the record id. */
  row: string[];
  /** True for the second record of a within-agency duplicate. */
  duplicate: boolean;
}

export interface GenerationState {
  tallies: Record<AgencyName, Tally>;
  records: Record<AgencyName, number>;
  duplicates: Record<AgencyName, number>;
  people: number;
  families: number;
  /** People with no record in any extract before the fallback put them in health. */
  fallbackToHealth: number;
}

/** Which extracts a person appears in; everyone appears in at least one (health if none chose them). */
export function agenciesFor(p: Person, r: Random, state?: GenerationState, specs: Record<AgencyName, AgencySpec> = AGENCY_SPECS): AgencyName[] {
  const chosen = AGENCIES.filter((a) => r.chance(specs[a].coverage(p.age)));
  if (chosen.length) return chosen;
  if (state) state.fallbackToHealth++;
  return ['health'];
}

export function newState(): GenerationState {
  const per = <T>(f: () => T) => Object.fromEntries(AGENCIES.map((a) => [a, f()])) as Record<AgencyName, T>;
  return { tallies: per(emptyTally), records: per(() => 0), duplicates: per(() => 0), people: 0, families: 0, fallbackToHealth: 0 };
}

/**
 * Every record of every extract, family by family. Ids are numbered per agency and scrambled,
 * so they say nothing about who is who or who is related.
 */
export function* synthesise(people: number, seed: number, state: GenerationState = newState(), profile: ProfileName = 'standard'): Generator<SyntheticRecord> {
  const specs = PROFILES[profile];
  if (!Number.isInteger(people) || people < 1) throw new Error(`The number of people must be a whole number of at least 1, not ${people}`);
  const maker = new PopulationMaker(people, seed);
  const r = new Random(seed ^ 0x5eed5eed);
  const counters: Record<AgencyName, number> = { health: 0, education: 0, social_care: 0, provider: 0 };
  const make = (p: Person, spec: AgencySpec, duplicate: boolean): SyntheticRecord => {
    const values = recordValues(p, spec, r, state.tallies[spec.name]);
    const recordId = spec.recordId(counters[spec.name]++);
    state.records[spec.name]++;
    if (duplicate) state.duplicates[spec.name]++;
    return { agency: spec.name, recordId, person: p, values, row: [recordId, ...spec.render(values, r)], duplicate };
  };
  for (let family = maker.nextFamily(); family.length; family = maker.nextFamily()) {
    state.families++;
    for (const p of family) {
      state.people++;
      for (const agency of agenciesFor(p, r, state, specs)) {
        const spec = specs[agency];
        yield make(p, spec, false);
        if (r.chance(spec.errors.duplicate)) yield make(p, spec, true);
      }
    }
  }
}
