import { describe, expect, it } from 'vitest';
import { Random } from './random.js';
import { identifierTypo, nearMissDate, postcodeTypo, reformat, swapDayMonth, toDayNumber, typo, type TypoKind } from './errors.js';

/** Optimal string alignment distance (edits and adjacent swaps). */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

describe('the errors agencies make', () => {
  const r = new Random(1);
  it('a typo is exactly one insert, delete, substitution or swap of neighbours', () => {
    for (const kind of ['insert', 'delete', 'substitute', 'transpose'] as TypoKind[])
      for (const name of ['Olivia', 'Muhammad', "O'Brien", 'Li', 'Aaliyah', 'Smith-Jones']) {
        const out = typo(name, r, kind);
        expect(osa(name, out), `${kind} ${name} -> ${out}`).toBe(1);
      }
  });

  it('swaps day and month, and near-miss dates are close but different', () => {
    expect(swapDayMonth({ y: 2012, m: 3, d: 7 })).toEqual({ y: 2012, m: 7, d: 3 });
    for (let i = 0; i < 500; i++) {
      const x = { y: 2010, m: 1 + (i % 12), d: 1 + (i % 28) };
      const near = nearMissDate(x, r);
      const gap = Math.abs(toDayNumber(near) - toDayNumber(x));
      expect(gap).toBeGreaterThan(0);
      expect(gap).toBeLessThanOrEqual(366);
    }
  });

  it('identifier and postcode typos change exactly one thing', () => {
    for (let i = 0; i < 200; i++) {
      const out = identifierTypo('9434765919', r);
      expect(out).not.toBe('9434765919');
      expect(osa(out, '9434765919')).toBe(1);
      const pc = postcodeTypo('DM12 3AB', r);
      expect(pc).not.toBe('DM12 3AB');
      expect(osa(pc, 'DM12 3AB')).toBe(1);
    }
  });

  it('reformatting keeps the letters, changing only case, spaces and punctuation', () => {
    const letters = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');
    for (let i = 0; i < 100; i++) for (const name of ["O'Brien", 'Smith-Jones', 'Da Silva', 'Ava']) expect(letters(reformat(name, r))).toBe(letters(name));
  });
});
