// Comparison levels: Jaro-Winkler against published values, dates, names and locations.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateLevel, fieldSpecs, jaroWinklerBound, letterMask, makeComparator, MISSING, nameLevel, oneEditOrTransposition } from '../../src/linker/compare.js';
import { Encoder } from '../../src/linker/encode.js';
import { jaro, jaroWinkler } from '../../src/linker/jaro-winkler.js';

describe('Jaro-Winkler', () => {
  it('matches the values published by Winkler and in the literature', () => {
    expect(jaro('martha', 'marhta')).toBeCloseTo(0.944, 3);
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 3);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.813, 3);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('same', 'same')).toBe(1);
  });
  it('is symmetric, within [0, 1], and never above the cheap bound used to skip it', () => {
    const name = fc.string({ unit: fc.constantFrom(...'abcdeilmnorsty '), maxLength: 12 });
    fc.assert(
      fc.property(name, name, (a, b) => {
        const x = jaroWinkler(a, b);
        expect(x).toBeCloseTo(jaroWinkler(b, a), 12);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
        expect(jaroWinklerBound(a, b, letterMask(a), letterMask(b)) + 1e-12).toBeGreaterThanOrEqual(a === b && a === '' ? 0 : x);
      }),
    );
  });
});

describe('date levels', () => {
  it('grades birth dates from exact to different', () => {
    expect(dateLevel(20150307, 20150307)).toBe(0);
    expect(dateLevel(20150307, 20150703)).toBe(1); // day and month swapped
    expect(dateLevel(20150307, 20150308)).toBe(2); // one digit
    expect(dateLevel(20151203, 20151230)).toBe(2); // two digits transposed
    expect(dateLevel(20150307, 20150325)).toBe(3); // same year and month
    expect(dateLevel(20150307, 20140901)).toBe(4); // within a year
    expect(dateLevel(20150307, 20100101)).toBe(5);
    expect(dateLevel(0, 20100101)).toBe(MISSING);
  });
  it('is symmetric', () => {
    const date = fc
      .date({ min: new Date('1990-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
      .map((d) => Number(d.toISOString().slice(0, 10).replace(/-/g, '')));
    fc.assert(
      fc.property(date, date, (x, y) => {
        expect(dateLevel(x, y)).toBe(dateLevel(y, x));
      }),
    );
  });
  it('one edit or transposition', () => {
    expect(oneEditOrTransposition('9434765919', '9434765918')).toBe(true);
    expect(oneEditOrTransposition('9434765919', '9434756919')).toBe(true);
    expect(oneEditOrTransposition('9434765919', '9434756918')).toBe(false);
  });
});

describe('name levels', () => {
  const level = (a: string, b: string) => nameLevel(a, b, -1, -2);
  it('grades names', () => {
    expect(level('amelia', 'amelia')).toBe(0);
    expect(level('robert', 'bob')).toBe(1);
    expect(level('smith', 'smith jones')).toBe(1); // part of a double surname
    expect(level('mc donald', 'mcdonald')).toBe(1);
    expect(level('katherine', 'katharine')).toBe(2);
    expect(level('jonathon', 'johnathan')).toBe(3);
    expect(level('amelia', 'oliver')).toBe(5);
    expect(nameLevel('cathy', 'kathie', 7, 7)).toBeLessThanOrEqual(4);
  });
});

function dataset(rows: Partial<Record<string, string>>[], roles: string[]) {
  const e = new Encoder(roles);
  rows.forEach((r, i) => e.add('s', String(i), (role) => r[role]));
  const ds = e.finish();
  return { ds, specs: fieldSpecs(roles, ds) };
}

describe('record comparators', () => {
  it('detects given and family names recorded the wrong way round', () => {
    const { ds, specs } = dataset(
      [
        { given_name: 'Isla', family_name: 'Tindlewick' },
        { given_name: 'Tindlewick', family_name: 'Isla' },
      ],
      ['given_name', 'family_name'],
    );
    for (const spec of specs) expect(makeComparator(ds, spec)(0, 1)).toBe(1);
  });
  it('grades locations by postcode unit, sector and district, and similar addresses', () => {
    const rows = [
      { postcode: 'DM1 1AA', address: '12 Lark Lane' },
      { postcode: 'dm11aa', address: '12 Lark Lane' },
      { postcode: 'DM1 1AA', address: '3 Other Road' },
      { postcode: 'DM2 2BB', address: '12, Lark Lane' },
      { postcode: 'DM1 1ZZ' },
      { postcode: 'DM1 9ZZ' },
      { postcode: 'XX9 9XX' },
      { town: 'Sampleton' },
    ];
    const { ds, specs } = dataset(rows, ['postcode', 'address', 'town']);
    const cmp = makeComparator(ds, specs[0]!);
    expect([cmp(0, 1), cmp(0, 2), cmp(0, 3), cmp(0, 4), cmp(0, 5), cmp(0, 6), cmp(0, 7)]).toEqual([0, 1, 2, 3, 4, 5, MISSING]);
  });
  it('every comparator is symmetric', () => {
    const roles = ['given_name', 'family_name', 'birth_date', 'sex', 'postcode', 'email', 'phone', 'identifier:nhs', 'extra:school'];
    const value = fc.constantFrom(
      '',
      'Ada',
      'Adah',
      'Bob',
      'Robert',
      '2015-03-07',
      '2015-07-03',
      'F',
      'M',
      'DM1 1AA',
      'DM1 1AB',
      'a@b.c',
      'a@d.e',
      '07700900123',
      '07700900132',
      '9434765919',
    );
    const row = fc.record(Object.fromEntries(roles.map((r) => [r, value])));
    fc.assert(
      fc.property(row, row, (x, y) => {
        const { ds, specs } = dataset([x, y], roles);
        for (const spec of specs) {
          const c = makeComparator(ds, spec);
          expect(c(0, 1)).toBe(c(1, 0));
        }
      }),
      { numRuns: 200 },
    );
  });
});
