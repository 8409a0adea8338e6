// The hard profile: sparse extracts (given name, family name, birth date, postcode) with the heavy
// error rates of HARD_AGENCY_SPECS, and the standard profile left exactly as it was.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { newState, synthesise, type SyntheticRecord } from './generate.js';
import { AGENCIES, HARD_AGENCY_SPECS } from './agencies.js';
import { linkConfig } from './service.js';

const PEOPLE = 6000;
const state = newState();
const records: SyntheticRecord[] = [...synthesise(PEOPLE, 42, state, 'hard')];

function expectRate(hits: number, n: number, p: number, what: string) {
  expect(n, what).toBeGreaterThan(0);
  const slack = 4 * Math.sqrt((p * (1 - p)) / n) + 0.003;
  expect(Math.abs(hits / n - p), `${what}: ${hits}/${n} = ${(hits / n).toFixed(4)}, documented ${p}`).toBeLessThanOrEqual(slack);
}

describe('the hard synthetic profile', () => {
  it('writes only id, given name, family name, birth date and postcode, and a config mapping just those', () => {
    for (const a of AGENCIES) {
      const rows = records.filter((r) => r.agency === a);
      expect(rows.length).toBeGreaterThan(500);
      for (const r of rows) expect(r.row).toHaveLength(5);
    }
    for (const s of linkConfig('hard').sources) expect(Object.keys(s.columns).sort()).toEqual(['birth_date', 'family_name', 'given_name', 'postcode']);
  });

  it('applies every error of the profile at its documented rate, including the ones only it has', () => {
    for (const a of AGENCIES) {
      const spec = HARD_AGENCY_SPECS[a];
      for (const [kind, t] of Object.entries(state.tallies[a])) {
        const rate = spec.errors[kind as keyof typeof spec.errors];
        if (rate === undefined || t.eligible < 200) continue;
        expectRate(t.applied, t.eligible, rate, `${a} ${kind}`);
      }
      expect(state.tallies[a].second_typo.applied).toBeGreaterThan(0);
      expect(state.tallies[a].birth_year_off.applied).toBeGreaterThan(0);
    }
  });

  it('shows the year-off, missing family name and partial-postcode errors in the records themselves', () => {
    const yearOff = records.filter((r) => r.values.birth && r.values.birth.m === r.person.birth.m && r.values.birth.d === r.person.birth.d);
    const off = yearOff.filter((r) => Math.abs(r.values.birth!.y - r.person.birth.y) === 1);
    // Every year-off error is there (a near miss may also put the year out, so at least as many).
    const applied = AGENCIES.reduce((s, a) => s + state.tallies[a].birth_year_off.applied, 0);
    expect(off.length).toBeGreaterThanOrEqual(applied);
    const noFamily = records.filter((r) => r.values.family === '');
    expect(noFamily.length).toBe(AGENCIES.reduce((s, a) => s + state.tallies[a].family_missing.applied, 0));
    // Postcodes that agree with the true one on the district but not the whole unit: mis-keyed.
    const district = (pc: string) => pc.replace(/\s+/g, ' ').trim().toUpperCase().split(' ')[0];
    const partial = records.filter((r) => {
      const pc = r.values.postcode.replace(/\s+/g, '').toUpperCase();
      const truePc = r.values.address.postcode.replace(/\s+/g, '');
      return pc !== '' && pc !== truePc && district(r.values.postcode) === district(r.values.address.postcode);
    });
    expect(partial.length / records.length).toBeGreaterThan(0.05);
  });

  it('is much messier than the standard profile: more records of a person disagree on name or birth date', () => {
    const standard = [...synthesise(PEOPLE, 42)];
    const disagreeing = (rs: SyntheticRecord[]) =>
      rs.filter(
        (r) =>
          r.values.given.trim().toLowerCase() !== r.person.given.toLowerCase() ||
          !r.values.birth ||
          r.values.birth.y * 10000 + r.values.birth.m * 100 + r.values.birth.d !== r.person.birth.y * 10000 + r.person.birth.m * 100 + r.person.birth.d,
      ).length / rs.length;
    const hard = disagreeing(records);
    const easy = disagreeing(standard);
    expect(hard).toBeGreaterThan(0.35);
    expect(hard).toBeGreaterThan(3 * easy);
  });

  it('leaves the standard profile exactly as it was before the hard profile existed', () => {
    // The SHA-256 of the first 300 people's rows at seed 42, taken before optional errors were added.
    const rows = [...synthesise(300, 42)].map((r) => `${r.agency},${r.row.join(',')}`).join('\n');
    expect(createHash('sha256').update(rows).digest('hex')).toBe(STANDARD_300_AT_42);
  });
});

const STANDARD_300_AT_42 = 'cfab3ea24ab13b5aad149c5a4510cf433df89eefe68745c259ebe2cf495c5a27';
