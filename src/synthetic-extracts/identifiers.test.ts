import { describe, expect, it } from 'vitest';
import { fictionalNhsNumber, isValidNhsNumber, isValidUpn, nhsCheckDigit, upnCheckLetter } from './identifiers.js';

describe('NHS numbers (modulus 11, STANDARDS.md 4.2)', () => {
  it('agrees with the worked examples and edge cases', () => {
    expect(nhsCheckDigit('943476591')).toBe(9);
    expect(isValidNhsNumber('943 476 5919')).toBe(true);
    expect(isValidNhsNumber('9876543210')).toBe(true); // remainder 0 gives check digit 0
    expect(nhsCheckDigit('123456789')).toBeNull(); // 11 - 1 = 10: no valid number
    expect(isValidNhsNumber('9912003888')).toBe(true);
    expect(isValidNhsNumber('9912003890')).toBe(false);
    expect(isValidNhsNumber('4123456879')).toBe(false);
    expect(isValidNhsNumber('991200388')).toBe(false);
  });

  it('gives every fictional person a different valid number starting with 9', () => {
    const numbers = Array.from({ length: 50_000 }, (_, i) => fictionalNhsNumber(i));
    expect(numbers.filter((n) => !/^9[0-9]{9}$/.test(n) || !isValidNhsNumber(n))).toEqual([]);
    expect(new Set(numbers).size).toBe(50_000);
    expect(isValidNhsNumber(fictionalNhsNumber(9_999_999))).toBe(true);
  });
});

describe('UPN check letters (STANDARDS.md 4.3)', () => {
  it('agrees with the worked examples and test vectors', () => {
    expect(upnCheckLetter('201200024001')).toBe('X');
    expect(upnCheckLetter('93512345678A')).toBe('E');
    expect(isValidUpn('B801200005001')).toBe(true);
    expect(isValidUpn('X123456789832')).toBe(true);
    expect(isValidUpn('X123456789875')).toBe(false);
    expect(upnCheckLetter('123456789875')).toBe('R');
    expect(upnCheckLetter('207000016049')).toBe('P');
    expect(isValidUpn('I201200024001')).toBe(false);
  });
});
