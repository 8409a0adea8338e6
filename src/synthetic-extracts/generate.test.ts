import { describe, expect, it } from 'vitest';
import { newState, synthesise, type SyntheticRecord } from './generate.js';
import { AGENCIES, AGENCY_SPECS, type AgencyName } from './agencies.js';
import { isValidNhsNumber, isValidUpn } from './identifiers.js';
import { canSwapDayMonth, swapDayMonth } from './errors.js';

const PEOPLE = 6000;
const state = newState();
const records: SyntheticRecord[] = [...synthesise(PEOPLE, 42, state)];
const people = new Map(records.map((r) => [r.person.id, r.person]));
const byAgency = (a: AgencyName) => records.filter((r) => r.agency === a && !r.duplicate);

/** Observed rate close to the documented one: within 4 standard errors plus a little slack. */
function expectRate(hits: number, n: number, p: number) {
  expect(n).toBeGreaterThan(0);
  const slack = 4 * Math.sqrt((p * (1 - p)) / n) + 0.003;
  expect(Math.abs(hits / n - p), `${hits}/${n} = ${(hits / n).toFixed(4)}, documented ${p}`).toBeLessThanOrEqual(slack);
}

describe('the synthetic population and its extracts', () => {
  it('is the same for the same seed and different for another', () => {
    const again = [...synthesise(300, 42)].map((r) => r.row.join(','));
    const first = [...synthesise(300, 42)].map((r) => r.row.join(','));
    const other = [...synthesise(300, 43)].map((r) => r.row.join(','));
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('makes exactly the number of people asked for, about 1.5 to 2 records each', () => {
    expect(people.size).toBe(PEOPLE);
    expect(state.people).toBe(PEOPLE);
    expect(records.length / PEOPLE).toBeGreaterThan(1.5);
    expect(records.length / PEOPLE).toBeLessThan(2);
  });

  it('gives each record a unique id within its agency, in the agency header width', () => {
    for (const a of AGENCIES) {
      const ids = records.filter((r) => r.agency === a).map((r) => r.recordId);
      expect(new Set(ids).size).toBe(ids.length);
      for (const r of records.filter((x) => x.agency === a)) expect(r.row.length).toBe(AGENCY_SPECS[a].header.length);
    }
  });

  it('gives everyone a valid, unique NHS number and everyone of school age a valid, unique UPN', () => {
    const all = [...people.values()];
    expect(all.every((p) => isValidNhsNumber(p.nhs))).toBe(true);
    expect(new Set(all.map((p) => p.nhs)).size).toBe(all.length);
    const pupils = all.filter((p) => p.age >= 4);
    expect(pupils.every((p) => isValidUpn(p.upn))).toBe(true);
    expect(new Set(pupils.map((p) => p.upn)).size).toBe(pupils.length);
    expect(all.filter((p) => p.age < 4).every((p) => p.upn === '')).toBe(true);
  });

  it('writes identifiers either as issued, blank, or with a keying mistake that was counted', () => {
    for (const a of ['health', 'education', 'social_care'] as const) {
      const spec = AGENCY_SPECS[a];
      let altered = 0;
      for (const r of records.filter((x) => x.agency === a)) {
        const issued = spec.identifier === 'upn' ? r.person.upn : r.person.nhs;
        const written = r.values.identifier;
        if (written && written !== issued) altered++;
        if (written === issued && written) expect(spec.identifier === 'upn' ? isValidUpn(written) : isValidNhsNumber(written)).toBe(true);
      }
      expect(altered).toBe(state.tallies[a].identifier_typo.applied);
    }
  });

  it('keeps siblings apart: twins share surname, address and birth date but are different people', () => {
    const families = new Map<number, Set<string>>();
    for (const p of people.values()) families.set(p.familyId, (families.get(p.familyId) ?? new Set()).add(p.id));
    const twins = [...families.values()]
      .map((ids) => [...ids].map((id) => people.get(id)!))
      .filter((f) => f.some((p, i) => f.some((q, j) => j > i && q.birth.y === p.birth.y && q.birth.m === p.birth.m && q.birth.d === p.birth.d)));
    expect(twins.length).toBeGreaterThan(20);
    for (const f of twins) {
      expect(new Set(f.map((p) => p.address.postcode)).size).toBe(1);
      expect(new Set(f.map((p) => p.given)).size).toBe(f.length);
    }
  });

  it('puts people in each extract at the documented coverage rates', () => {
    for (const a of AGENCIES) {
      const inIt = new Set(byAgency(a).map((r) => r.person.id));
      const eligible = [...people.values()];
      const expected = eligible.reduce((s, p) => s + AGENCY_SPECS[a].coverage(p.age), 0) / eligible.length;
      const observed = inIt.size;
      // Health also takes the few people no other extract has.
      const extra = a === 'health' ? state.fallbackToHealth : 0;
      expectRate(observed - extra, eligible.length, expected);
    }
  });

  it('applies each documented error at its rate, agency by agency', () => {
    for (const a of AGENCIES) {
      const spec = AGENCY_SPECS[a];
      for (const [kind, t] of Object.entries(state.tallies[a])) {
        const rate = spec.errors[kind as keyof typeof spec.errors];
        if (rate === undefined) {
          // Errors of the hard profile only are never drawn for the standard one.
          expect(t.eligible, kind).toBe(0);
          continue;
        }
        if (t.eligible < 200) continue;
        expectRate(t.applied, t.eligible, rate);
      }
      const all = records.filter((r) => r.agency === a);
      expectRate(all.filter((r) => r.duplicate).length, all.length - all.filter((r) => r.duplicate).length, spec.errors.duplicate);
    }
  });

  it('shows the counted errors in the records themselves', () => {
    for (const a of AGENCIES) {
      const rs = records.filter((r) => r.agency === a);
      const t = state.tallies[a];
      const swapped = rs.filter(
        (r) => canSwapDayMonth(r.person.birth) && r.values.birth && JSON.stringify(r.values.birth) === JSON.stringify(swapDayMonth(r.person.birth)),
      );
      expect(swapped.length).toBe(t.birth_day_month_swap.applied);
      expect(rs.filter((r) => r.values.birth === null).length).toBe(t.birth_missing.applied);
      const moved = rs.filter(
        (r) =>
          r.values.address.town === r.person.previous.town &&
          r.values.address.postcode === r.person.previous.postcode &&
          r.person.previous.postcode !== r.person.address.postcode,
      );
      expect(Math.abs(moved.length - t.old_address.applied)).toBeLessThanOrEqual(2);
      if (AGENCY_SPECS[a].identifier) {
        const blank = rs.filter((r) => r.values.identifier === '' && (AGENCY_SPECS[a].identifier === 'upn' ? r.person.upn : r.person.nhs) !== '');
        expect(blank.length).toBe(t.identifier_missing.applied);
      }
    }
  });
});
