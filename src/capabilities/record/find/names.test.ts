// Tolerant name search: the sound-alike code, the keys that narrow a search in the database, the
// Jaro-Winkler similarity and the score that ranks children. The SQL twins of phoneticKey() and
// nameKeys() are checked against these in test/find-keys.test.ts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { jaroWinkler, MATCH_THRESHOLD, MAX_WORDS, nameKeys, phoneticKey, queryKeys, scoreName, storedTokens, wordSimilarity } from './names.js';
import { nameTokens, searchNames } from '../children/index.js';

const word = (min = 1, max = 12) => fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: min, maxLength: max });

describe('phoneticKey', () => {
  it('gives Soundex codes without the cut to three digits', () => {
    const cases: [string, string][] = [
      ['robert', 'R163'],
      ['rupert', 'R163'],
      ['rubin', 'R15'],
      ['ashcraft', 'A2613'],
      ['ashcroft', 'A2613'],
      ['tymczak', 'T522'],
      ['pfister', 'P236'],
      ['honeyman', 'H555'],
      ['lee', 'L'],
      ['smith', 'S53'],
      ['smyth', 'S53'],
      ['jackson', 'J25'],
      ['samplewood', 'S5143'],
      ['samplewell', 'S5144'],
      ['abcdfgjklmnpqrstvxz', 'A12312451'],
    ];
    for (const [w, code] of cases) expect(phoneticKey(w), w).toBe(code);
  });

  it('folds spellings of the first sound together', () => {
    expect(phoneticKey('catherine')).toBe(phoneticKey('kathryn'));
    expect(phoneticKey('catherine')).toBe('K365');
    expect(phoneticKey('philip')).toBe(phoneticKey('filip'));
    expect(phoneticKey('knight')).toBe(phoneticKey('night'));
    expect(phoneticKey('wright')).toBe(phoneticKey('right'));
    expect(phoneticKey('zara')).toBe(phoneticKey('sara'));
    expect(phoneticKey('xavier')).toBe(phoneticKey('savier'));
    expect(phoneticKey('quinn')).toBe(phoneticKey('kwinn'));
  });

  it('ignores anything but the letters a to z, and answers null when nothing is left', () => {
    expect(phoneticKey('o2brien')).toBe(phoneticKey('obrien'));
    expect(phoneticKey('123')).toBeNull();
    expect(phoneticKey('жанна')).toBeNull();
    expect(phoneticKey('')).toBeNull();
  });

  it('is always a capital letter and at most eight digits for a word with a letter', () => {
    fc.assert(fc.property(word(1, 30), (w) => /^[A-Z][1-6]{0,8}$/.test(phoneticKey(w)!)));
  });
});

describe('keys', () => {
  it('stores the beginnings of every name, the name less any one letter, and its sound-alike code', () => {
    expect(nameKeys('jon smith')).toEqual(
      new Set(['J5', 'jo', 'jon', '~jon', '~on', '~jn', '~jo', 'S53', 'sm', 'smi', 'smit', 'smith', '~smith', '~mith', '~sith', '~smth', '~smih', '~smit']),
    );
    expect(nameKeys('al')).toEqual(new Set(['A4', 'al', '~al', '~l', '~a']));
    expect(nameKeys('j')).toEqual(new Set(['J', '~j', '~']));
    expect(nameKeys('')).toEqual(new Set());
    // Beginnings stop at twelve letters.
    expect(
      [...nameKeys('abcdefghijklmnop')]
        .filter((k) => /^[a-z]+$/.test(k))
        .sort((a, b) => a.length - b.length)
        .at(-1),
    ).toBe('abcdefghijkl');
  });

  it('asks for the word as a beginning, the word less any one letter, and its sound-alike code; an initial asks for nothing', () => {
    expect(new Set(queryKeys('jonny'))).toEqual(new Set(['jonny', '~jonny', '~onny', '~jnny', '~jony', '~jonn', 'J5']));
    expect(new Set(queryKeys('jo'))).toEqual(new Set(['jo', '~jo', '~o', '~j', 'J']));
    expect(queryKeys('abcdefghijklmnop')).toContain('abcdefghijkl');
    expect(queryKeys('j')).toEqual([]);
  });

  it('always finds a name typed in full, or its beginning', () => {
    fc.assert(
      fc.property(word(2, 20), fc.integer({ min: 2, max: 20 }), (w, cut) => {
        const keys = nameKeys(w);
        expect(queryKeys(w).some((k) => keys.has(k))).toBe(true);
        const start = w.slice(0, Math.min(cut, w.length));
        expect(queryKeys(start).some((k) => keys.has(k))).toBe(true);
      }),
    );
  });

  const edits = fc.oneof(
    fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('wrong' as const), at: fc.nat(), ch: word(1, 1) }),
    fc.record({ kind: fc.constant('extra' as const), at: fc.nat(), ch: word(1, 1) }),
    fc.record({ kind: fc.constant('missing' as const), at: fc.nat() }),
  );
  type Edit = typeof edits extends fc.Arbitrary<infer T> ? T : never;
  /** The name with one mistake at or after `from`, or null when the name is too short for it. */
  const misspell = (name: string, e: Edit, from: number): string | null => {
    const room = name.length - from - (e.kind === 'swap' ? 1 : 0) + (e.kind === 'extra' ? 1 : 0);
    if (room <= 0) return null;
    const i = from + (e.at % room);
    if (e.kind === 'swap') return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
    if (e.kind === 'wrong') return name.slice(0, i) + e.ch + name.slice(i + 1);
    if (e.kind === 'extra') return name.slice(0, i) + e.ch + name.slice(i);
    return name.slice(0, i) + name.slice(i + 1);
  };

  it('makes a name a candidate despite one mistake anywhere in it (a wrong, missing, extra or swapped letter)', () => {
    fc.assert(
      fc.property(word(2, 14), edits, (name, e) => {
        const typed = misspell(name, e, 0);
        if (typed === null) return;
        const asked = queryKeys(typed);
        const keys = nameKeys(name);
        // A single letter left narrows nothing, so the name is still a candidate.
        expect(asked.length === 0 || asked.some((k) => keys.has(k))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('finds and scores a name with one mistake after its first three letters', () => {
    fc.assert(
      fc.property(word(4, 14), edits, (name, e) => {
        if (e.kind === 'missing' && name.length < 5) return;
        const typed = misspell(name, e, 3);
        if (typed === null) return;
        const keys = nameKeys(name);
        expect(queryKeys(typed).some((k) => keys.has(k))).toBe(true);
        expect(scoreName([typed], [name])).not.toBeNull();
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps the candidates of a whole word to names close to it, not every name sharing its first letters', () => {
    const typed = queryKeys('samplewood');
    const shares = (name: string) => typed.some((k) => nameKeys(name).has(k));
    expect(shares('samplewood')).toBe(true);
    expect(shares('samplewod')).toBe(true);
    expect(shares('samplewoods')).toBe(true);
    expect(shares('samplewell')).toBe(false);
    expect(shares('sampleton')).toBe(false);
    expect(shares('sampleford')).toBe(false);
  });
});

describe('jaroWinkler', () => {
  it('gives the published values', () => {
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 4);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.8133, 4);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    // Swapped neighbours in a short word still match (a window of at least one letter).
    expect(jaroWinkler('jno', 'jon')).toBeCloseTo(0.9, 4);
    expect(jaroWinkler('', '')).toBe(1);
    expect(jaroWinkler('a', '')).toBe(0);
  });

  it('is 1 for the same word, symmetric, and between 0 and 1', () => {
    fc.assert(
      fc.property(word(0), word(0), (a, b) => {
        expect(jaroWinkler(a, a)).toBe(1);
        expect(jaroWinkler(a, b)).toBeCloseTo(jaroWinkler(b, a), 12);
        expect(jaroWinkler(a, b)).toBeGreaterThanOrEqual(0);
        expect(jaroWinkler(a, b)).toBeLessThanOrEqual(1);
      }),
    );
  });
});

describe('wordSimilarity', () => {
  it('scores an exact word 1, a typed beginning highly, a near miss less, and a different word not at all', () => {
    expect(wordSimilarity('smith', 'smith')).toBe(1);
    expect(wordSimilarity('jon', 'jonny')).toBeGreaterThan(0.95);
    expect(wordSimilarity('jon', 'jonny')).toBeLessThan(1);
    expect(wordSimilarity('smith', 'smyth')).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
    expect(wordSimilarity('smith', 'smyth')).toBeLessThan(1);
    expect(wordSimilarity('jno', 'jon')).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
    expect(wordSimilarity('jon', 'jan')).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
    expect(wordSimilarity('testsmith', 'testinjection')).toBeLessThan(MATCH_THRESHOLD);
    expect(wordSimilarity('aimee', 'amy')).toBeLessThan(MATCH_THRESHOLD);
    expect(wordSimilarity('catherine', 'kathryn')).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
    expect(wordSimilarity('mohammed', 'muhammad')).toBeGreaterThanOrEqual(MATCH_THRESHOLD);
    expect(wordSimilarity('smith', 'snead')).toBeLessThan(MATCH_THRESHOLD);
    expect(wordSimilarity('oliver', 'harris')).toBeLessThan(MATCH_THRESHOLD);
    // A long shared beginning alone is not enough.
    expect(wordSimilarity('testsmith', 'testpaging')).toBeLessThan(MATCH_THRESHOLD);
    expect(wordSimilarity('macdonald', 'mackenzie')).toBeLessThan(MATCH_THRESHOLD);
  });

  it('matches an initial to names starting with it only', () => {
    expect(wordSimilarity('j', 'jon')).toBe(0.9);
    expect(wordSimilarity('j', 'smith')).toBe(0);
  });

  it('never scores a different word as high as the word itself', () => {
    fc.assert(fc.property(word(), word(), (a, b) => a === b || wordSimilarity(a, b) < 1));
  });
});

describe('scoreName', () => {
  const score = (typed: string, name: string) => scoreName(nameTokens(typed), storedTokens(searchNames(name)));

  it('finds names typed in any order', () => {
    expect(score('smith jon', 'Jon Smith')).toBe(1);
    expect(score('jon smith', 'Jon Smith')).toBe(1);
    expect(score('SMITH, Jon', 'Jon Smith')).toBe(1);
  });

  it('ranks small misspellings and shortened names below the exact name', () => {
    const exact = score('smith jon', 'Jon Smith')!;
    const near = score('smith jon', 'Jonny Smyth')!;
    expect(near).not.toBeNull();
    expect(near).toBeLessThan(exact);
    expect(score('smith jon', 'Jonathan Smith')!).toBeLessThan(exact);
    expect(score('smith jon', 'Jonathan Smith')!).toBeGreaterThan(near);
  });

  it('finds accented names typed without accents, and apostrophes and hyphens either way', () => {
    expect(score('zoe', 'Zoë Ångström')).toBe(1);
    expect(score('angstrom', 'Zoë Ångström')).toBe(1);
    expect(score('obrien', 'Niamh O’Brien')).toBe(1);
    expect(score("o'brien niamh", 'Niamh O’Brien')).toBe(1);
    expect(score('smith jones', 'Amy Smith-Jones')).toBe(1);
  });

  it('finds preferred and other names too', () => {
    expect(scoreName(['jonny'], storedTokens(searchNames('Jonathan', 'Testfamily', 'Jonny', 'Paul')))).toBe(1);
    expect(scoreName(['paul'], storedTokens(searchNames('Jonathan', 'Testfamily', 'Jonny', 'Paul')))).toBe(1);
  });

  it('needs every typed word to match a different name', () => {
    expect(score('smith', 'Oliver Harris')).toBeNull();
    expect(score('jon smith', 'Jon Harris')).toBeNull();
    expect(score('smith smith', 'Jon Smith')).toBeNull();
    expect(score('smith smith', 'Smith Smithson')).not.toBeNull();
    expect(scoreName([], ['jon'])).toBeNull();
  });

  it('chooses the pairing of words and names with the best total', () => {
    // Greedy pairing would give "jon" to "jon" and leave "jonny" nothing that fits; the best
    // pairing gives "jonny" to "jon" and "jon" to "jonas".
    expect(scoreName(['jon', 'jonny'], ['jon', 'harris', 'jonas'])).not.toBeNull();
  });

  it('does not depend on the order of the typed words or of the names', () => {
    fc.assert(
      fc.property(fc.array(word(2, 8), { minLength: 1, maxLength: MAX_WORDS }), fc.array(word(2, 8), { minLength: 1, maxLength: 6 }), (typed, names) => {
        const a = scoreName(typed, names);
        const b = scoreName([...typed].reverse(), [...names].reverse());
        if (a === null) expect(b).toBeNull();
        else expect(b).toBeCloseTo(a, 12);
      }),
    );
  });

  it('scores 1 exactly when every typed word is one of the names', () => {
    fc.assert(
      fc.property(fc.uniqueArray(word(2, 8), { minLength: 1, maxLength: 6 }), fc.nat(), (names, n) => {
        const typed = names.slice(0, 1 + (n % names.length));
        expect(scoreName(typed, names)).toBe(1);
      }),
    );
  });
});
