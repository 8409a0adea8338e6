// The core record's pure rules: identifiers against the published test vectors
// (../shared/reference/STANDARDS.md §4.2, §4.3) and generated ones, the register's age rules,
// names for search, postcodes and localities.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ETHNICITY_CODES,
  NEED_CODES,
  UPN_ALPHABET,
  ageProblems,
  ageText,
  displayName,
  formatNhsNumber,
  localityPrefixes,
  mayActForSelf,
  nameTokens,
  nhsCheckDigit,
  normalisePhone,
  normalisePostcode,
  parseNhsNumber,
  parseUpn,
  pickLocality,
  postcodeDistrict,
  searchNames,
  upnCheckLetter,
} from './rules.js';
import { dateFromParts, partsOfDate } from '../../../platform/date-input.js';

const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((a) => a.join(''));
/** Every valid NHS number: nine digits whose check digit exists, and that digit. */
const validNhs = digits(9)
  .filter((d) => nhsCheckDigit(d) !== null)
  .map((d) => `${d}${nhsCheckDigit(d)}`);

describe('NHS number (modulus 11)', () => {
  it.each([
    ['943 476 5919', true, 'the worked example'],
    ['9434765919', true, 'without spaces'],
    ['987 654 3210', true, 'remainder 0 gives check digit 0 (11 → 0)'],
    ['991 200 3888', true, 'UK Core example patient'],
    ['123 456 7890', false, '11 − remainder is 10: invalid whatever the last digit'],
    ['123 456 7891', false, 'same body, another last digit'],
    ['991 200 3890', false, 'UK Core baby example: check digit should be 6'],
    ['412 345 6879', false, 'UK Core Access example: check digit should be 1'],
  ])('%s → %s (%s)', (input, valid) => {
    expect(parseNhsNumber(input).ok).toBe(valid);
  });

  it('stores 10 digits, with spaces (and hyphens) removed on input', () => {
    expect(parseNhsNumber(' 943 476 5919 ')).toEqual({ ok: true, value: '9434765919' });
    expect(parseNhsNumber('943-476-5919')).toEqual({ ok: true, value: '9434765919' });
    expect(formatNhsNumber('9434765919')).toBe('943 476 5919');
  });

  it('says whether the length/characters or the check digit is wrong', () => {
    for (const bad of ['', '943476591', '94347659190', '943476591X', 'abcdefghij', '943.476.5919']) {
      expect(parseNhsNumber(bad)).toEqual({ ok: false, problem: 'format' });
    }
    expect(parseNhsNumber('9434765918')).toEqual({ ok: false, problem: 'check-digit' });
    expect(parseNhsNumber('1234567890')).toEqual({ ok: false, problem: 'check-digit' });
  });

  it('computes the check digit as published (299 → remainder 2 → 9)', () => {
    expect(nhsCheckDigit('943476591')).toBe(9);
    expect(nhsCheckDigit('987654321')).toBe(0);
    expect(nhsCheckDigit('123456789')).toBeNull();
    expect(() => nhsCheckDigit('12345678')).toThrow();
  });

  it('accepts every generated valid number, spaced or not', () => {
    fc.assert(
      fc.property(validNhs, (n) => {
        expect(parseNhsNumber(n)).toEqual({ ok: true, value: n });
        expect(parseNhsNumber(formatNhsNumber(n))).toEqual({ ok: true, value: n });
      }),
    );
  });

  it('refuses any single-digit change to a valid number', () => {
    fc.assert(
      fc.property(validNhs, fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (n, pos, delta) => {
        const changed = n.slice(0, pos) + String((Number(n[pos]) + delta) % 10) + n.slice(pos + 1);
        expect(parseNhsNumber(changed).ok).toBe(false);
      }),
    );
  });

  it('refuses swapping two different adjacent digits (a common typing slip)', () => {
    fc.assert(
      fc.property(validNhs, fc.integer({ min: 0, max: 8 }), (n, pos) => {
        fc.pre(n[pos] !== n[pos + 1]);
        const swapped = n.slice(0, pos) + n[pos + 1] + n[pos] + n.slice(pos + 2);
        expect(parseNhsNumber(swapped).ok).toBe(false);
      }),
    );
  });
});

describe('Unique pupil number (check letter)', () => {
  it.each([
    ['X201200024001', true, 'the worked permanent example (sum 89, remainder 20 = X)'],
    ['E93512345678A', true, 'the worked temporary example (final A counts 0)'],
    ['B801200005001', true, 'the python-stdnum example'],
    ['X123456789832', true, 'the SEN2 mock-up, valid'],
    ['X123456789875', false, 'the SEN2 mock-up, invalid (should be R)'],
    ['R123456789875', true, 'that body with its right letter'],
    ['P207000016049', true, 'the body the vendor page gets wrong: P is right'],
    ['Q207000016049', false, 'the vendor page’s wrong "correction"'],
    ['B207000016049', false, 'and its original'],
  ])('%s → %s (%s)', (input, valid) => {
    expect(parseUpn(input).ok).toBe(valid);
  });

  it('stores upper case, ignoring spaces, and tells temporary from permanent', () => {
    expect(parseUpn(' x2012 0002 4001 ')).toEqual({ ok: true, value: 'X201200024001', temporary: false });
    expect(parseUpn('e93512345678a')).toEqual({ ok: true, value: 'E93512345678A', temporary: true });
  });

  it('refuses the wrong shape, and the letters I, O and S', () => {
    for (const bad of [
      '',
      'X20120002400',
      'X2012000240011',
      '1201200024001',
      'XX01200024001',
      'X2012000240-1',
      'X20120002400I',
      'X20120002400O',
      'X20120002400S',
    ]) {
      expect(parseUpn(bad)).toEqual({ ok: false, problem: 'format' });
    }
    // I, O and S are never check letters either.
    expect(parseUpn('I201200024001')).toEqual({ ok: false, problem: 'format' });
    expect(parseUpn('A201200024001')).toEqual({ ok: false, problem: 'check-letter' });
  });

  it('computes check letters from the 23-letter alphabet', () => {
    expect(UPN_ALPHABET).toHaveLength(23);
    expect(UPN_ALPHABET).not.toMatch(/[IOS]/);
    expect(upnCheckLetter('201200024001')).toBe('X');
    expect(upnCheckLetter('93512345678A')).toBe('E');
    expect(upnCheckLetter('20120002400')).toBeNull();
    expect(upnCheckLetter('93512345678I')).toBeNull();
  });

  const body = fc.tuple(digits(11), fc.constantFrom(...'0123456789', ...UPN_ALPHABET)).map(([d, last]) => d + last);
  it('accepts every generated UPN with its own check letter', () => {
    fc.assert(
      fc.property(body, (b) => {
        expect(parseUpn(upnCheckLetter(b)! + b).ok).toBe(true);
      }),
    );
  });

  it('refuses any other check letter, and any single-digit change', () => {
    fc.assert(
      fc.property(body, fc.integer({ min: 1, max: 22 }), (b, shift) => {
        const right = upnCheckLetter(b)!;
        const wrong = UPN_ALPHABET[(UPN_ALPHABET.indexOf(right) + shift) % 23]!;
        expect(parseUpn(wrong + b).ok).toBe(false);
      }),
    );
    fc.assert(
      fc.property(body, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 9 }), (b, pos, delta) => {
        const changed = b.slice(0, pos) + String((Number(b[pos]) + delta) % 10) + b.slice(pos + 1);
        expect(parseUpn(upnCheckLetter(b)! + changed).ok).toBe(false);
      }),
    );
  });
});

describe('code lists', () => {
  it('has every SEN2 need code and DfE main ethnicity code the database accepts, each with a plain-English name', () => {
    expect(Object.keys(NEED_CODES).sort()).toEqual(['ASD', 'DS', 'HI', 'MLD', 'MSI', 'OTH', 'PD', 'PMLD', 'SEMH', 'SLCN', 'SLD', 'SPLD', 'VI']);
    expect(Object.keys(ETHNICITY_CODES)).toHaveLength(20);
    for (const name of [...Object.values(NEED_CODES), ...Object.values(ETHNICITY_CODES)]) expect(name).toMatch(/^[A-Z][a-z]/);
  });
});

describe('dates and age rules', () => {
  const today = '2025-06-15';

  it('reads three date boxes, saying what is missing or wrong', () => {
    expect(dateFromParts({ day: '7', month: '3', year: '2015' })).toEqual({ ok: true, value: '2015-03-07' });
    expect(dateFromParts({ day: ' 07 ', month: '03', year: '2015' })).toEqual({ ok: true, value: '2015-03-07' });
    expect(dateFromParts({})).toEqual({ ok: false, problem: { kind: 'missing' } });
    expect(dateFromParts({ day: '', month: '', year: '' })).toEqual({ ok: false, problem: { kind: 'missing' } });
    expect(dateFromParts({ day: '7', year: '2015' })).toEqual({ ok: false, problem: { kind: 'incomplete', missing: ['month'] } });
    expect(dateFromParts({ year: '2015' })).toEqual({ ok: false, problem: { kind: 'incomplete', missing: ['day', 'month'] } });
    for (const bad of [
      { day: '31', month: '2', year: '2015' },
      { day: '29', month: '2', year: '2023' },
      { day: '1', month: '13', year: '2015' },
      { day: 'x', month: '1', year: '2015' },
      { day: '1', month: '1', year: '15' },
      { day: '1', month: '1', year: '1850' },
    ]) {
      expect(dateFromParts(bad)).toEqual({ ok: false, problem: { kind: 'not-real' } });
    }
    expect(dateFromParts({ day: '29', month: '2', year: '2024' })).toEqual({ ok: true, value: '2024-02-29' });
    expect(partsOfDate('2015-03-07')).toEqual({ day: '7', month: '3', year: '2015' });
    expect(partsOfDate(null)).toEqual({ day: '', month: '', year: '' });
  });

  it('refuses a birth in the future, joining in the future or before birth, and joining over 25', () => {
    expect(ageProblems('2015-03-07', today, today)).toEqual([]);
    expect(ageProblems(today, today, today)).toEqual([]);
    expect(ageProblems('2025-06-16', '2025-06-16', today)).toEqual(['born-in-future', 'joined-in-future']);
    expect(ageProblems('2015-03-07', '2025-06-16', today)).toEqual(['joined-in-future']);
    expect(ageProblems('2015-03-07', '2015-03-06', today)).toEqual(['joined-before-birth']);
    // 25 until the day before the 26th birthday; over 25 from it.
    expect(ageProblems('1999-06-16', today, today)).toEqual([]);
    expect(ageProblems('1999-06-15', today, today)).toEqual(['over-25-on-joining']);
    // Joining is judged on the date joined, not today.
    expect(ageProblems('1999-06-15', '2025-06-14', today)).toEqual([]);
  });

  it('agrees with a plain model of the rules for any dates', () => {
    const day = fc.integer({ min: 0, max: 40 * 366 }).map((n) => new Date(Date.UTC(1990, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, day, (dob, joined) => {
        const p = ageProblems(dob, joined, today);
        expect(p.includes('born-in-future')).toBe(dob > today);
        expect(p.includes('joined-in-future')).toBe(joined > today);
        expect(p.includes('joined-before-birth')).toBe(joined < dob);
        const twentySixth = `${Number(dob.slice(0, 4)) + 26}${dob.slice(4)}`;
        expect(p.includes('over-25-on-joining')).toBe(joined >= dob && joined >= twentySixth);
      }),
    );
  });

  it('lets a young person act for themselves from their 16th birthday', () => {
    expect(mayActForSelf('2009-06-15', today)).toBe(true);
    expect(mayActForSelf('2009-06-16', today)).toBe(false);
  });

  it('describes ages in years, months, weeks or days', () => {
    expect(ageText('2015-03-07', today)).toBe('10 years old');
    expect(ageText('2024-06-15', today)).toBe('1 year old');
    expect(ageText('2024-06-16', today)).toBe('11 months old');
    expect(ageText('2025-05-15', today)).toBe('1 month old');
    expect(ageText('2025-06-01', today)).toBe('2 weeks old');
    expect(ageText('2025-06-14', today)).toBe('1 day old');
  });
});

describe('names for search', () => {
  it('lower-cases, removes accents and apostrophes, splits on other punctuation', () => {
    expect(nameTokens('Zoë O’Brien-Łukasz')).toEqual(['zoe', 'obrien', 'lukasz']);
    expect(nameTokens("  D'Arcy  ")).toEqual(['darcy']);
    expect(nameTokens('Ægir Straße')).toEqual(['aegir', 'strasse']);
    expect(nameTokens('')).toEqual([]);
    expect(nameTokens(null)).toEqual([]);
  });

  it('keeps every name part once, including preferred and other names', () => {
    expect(searchNames('Amélie', 'Testfamily', 'Millie', 'Amelie Oldname')).toBe('amelie testfamily millie oldname');
    expect(searchNames('Sam', 'Demoson', null, undefined)).toBe('sam demoson');
  });

  it('always gives lower-case, accent-free, single-spaced tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'grapheme' }), { nil: null }), { maxLength: 4 }), (parts) => {
        const s = searchNames(...parts);
        expect(s).toBe(s.trim());
        expect(s).not.toMatch(/ {2}/);
        expect(s).toBe(s.toLowerCase());
        expect(s.normalize('NFD')).not.toMatch(/\p{M}/u);
        // Searching with any part's tokens finds them all.
        for (const p of parts) for (const t of nameTokens(p)) expect(` ${s} `).toContain(` ${t} `);
      }),
    );
  });

  it('shows the preferred name when it differs', () => {
    expect(displayName({ given_name: 'Robert', family_name: 'Testfamily', preferred_name: 'Bobby' })).toBe('Robert Testfamily (known as Bobby)');
    expect(displayName({ given_name: 'Robert', family_name: 'Testfamily', preferred_name: 'Robert' })).toBe('Robert Testfamily');
    expect(displayName({ given_name: 'Robert', family_name: 'Testfamily', preferred_name: null })).toBe('Robert Testfamily');
  });
});

describe('postcodes and localities', () => {
  it('normalises to upper case with one space, and refuses what is not a postcode', () => {
    expect(normalisePostcode('dm14ab')).toBe('DM1 4AB');
    expect(normalisePostcode('  dm1   4ab ')).toBe('DM1 4AB');
    expect(normalisePostcode('SW1A 1AA')).toBe('SW1A 1AA');
    expect(normalisePostcode('EC1A1BB')).toBe('EC1A 1BB');
    expect(normalisePostcode('W1A 0AX')).toBe('W1A 0AX');
    expect(normalisePostcode('M1 1AE')).toBe('M1 1AE');
    expect(normalisePostcode('gir 0aa')).toBe('GIR 0AA');
    for (const bad of ['', 'DM1', 'DM1 4A', '12345', 'DM1 4CI', 'QQ1 1AA!', 'DM1 4AB X', 'DMDM1 4AB']) expect(normalisePostcode(bad)).toBeNull();
    expect(postcodeDistrict('dm1 4ab')).toBe('DM1');
    expect(postcodeDistrict(null)).toBeNull();
  });

  it('tries the sector before the district before the area', () => {
    expect(localityPrefixes('DM1 4AB')).toEqual(['DM1 4', 'DM1', 'DM']);
    expect(localityPrefixes('not one')).toEqual([]);
    const rows = [
      { prefix: 'DM1', locality: 'North' },
      { prefix: 'DM1 4', locality: 'Town' },
      { prefix: 'DM', locality: 'Anywhere' },
    ];
    expect(pickLocality('DM1 4AB', rows)?.locality).toBe('Town');
    expect(pickLocality('DM1 6AB', rows)?.locality).toBe('North');
    expect(pickLocality('DM9 1AB', rows)?.locality).toBe('Anywhere');
    expect(pickLocality('ZZ1 1AB', rows)).toBeNull();
  });

  it('accepts phone numbers of 10 to 15 digits', () => {
    expect(normalisePhone('01632 960 001')).toBe('01632 960 001');
    expect(normalisePhone('+44 (0)7700 900982')).toBe('+44 (0)7700 900982');
    expect(normalisePhone('12345')).toBeNull();
    expect(normalisePhone('call me')).toBeNull();
  });
});
