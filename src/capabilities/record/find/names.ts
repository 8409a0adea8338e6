// Tolerant name search, pure: the keys that narrow a search to candidates in the database, and
// the score that ranks them. Words are matched in any order and with small misspellings, so
// "smith jon" finds "Jon Smith" first and "Jonny Smyth" a little lower.
//
// phoneticKey() and nameKeys() are twins of the SQL functions find_phonetic_key() and
// find_name_keys() in migrations/0006_find_search.sql, which keep children.search_keys; a test
// checks they agree. Words come from nameTokens() in the children capability (lower case, accents
// removed), the same normalisation children.search_names is stored in.
//
// The keys of a name, any one of which shared with a word typed makes the child a candidate:
//   - its beginnings of 2 to 12 letters ("jo", "jon", "jonn", "jonny"): a name typed in part;
//   - the name itself and the name less any one letter, marked "~" ("~jonny", "~onny", "~jnny",
//     ...): one letter wrong, missing, added, or two swapped (the "deletion" keys of SymSpell);
//   - a sound-alike code (upper case, see phoneticKey): spellings that sound alike.
// Each key is specific to the whole word typed, so a search for a common family name reads only
// the children with that name or one close to it, however many other names share its first letters.

const chars = (s: string) => Array.from(s);

/** Beginnings of names are stored up to this many letters; longer words typed are cut to it. */
export const LONGEST_PREFIX = 12;
/** A phonetic key keeps at most this many digits. */
const PHONETIC_DIGITS = 8;

// b f p v → 1; c g j k q s x z → 2; d t → 3; l → 4; m n → 5; r → 6; vowels and y → 0 (they
// separate repeated codes); h and w → nothing (they do not).
const CODE: Record<string, string> = {};
for (const [letters, code] of [
  ['bfpv', '1'],
  ['cgjkqsxz', '2'],
  ['dt', '3'],
  ['l', '4'],
  ['mn', '5'],
  ['r', '6'],
  ['aeiouy', '0'],
  ['hw', ''],
] as const) {
  for (const ch of letters) CODE[ch] = code;
}
const FIRST_LETTER: Record<string, string> = { c: 'k', q: 'k', z: 's', x: 's' };

/**
 * A sound-alike code for one word: Soundex without its cut to three digits (so "Samplewood" and
 * "Samplewell" differ), with a few spellings of the first sound folded together (ph → f, kn → n,
 * wr → r, c and q → k, z and x → s), so "Catherine" and "Kathryn" share K365. Null for a word with
 * no letters a to z.
 */
export function phoneticKey(token: string): string | null {
  let w = token.replace(/[^a-z]/g, '');
  if (!w) return null;
  if (w.startsWith('ph')) w = `f${w.slice(2)}`;
  else if (w.startsWith('kn')) w = `n${w.slice(2)}`;
  else if (w.startsWith('wr')) w = `r${w.slice(2)}`;
  const first = FIRST_LETTER[w[0]!] ?? w[0]!;
  let prev = CODE[first]!;
  let digits = '';
  for (const ch of w.slice(1)) {
    const c = CODE[ch]!;
    if (c === '') continue;
    if (c === '0') {
      prev = '0';
      continue;
    }
    if (c !== prev) {
      digits += c;
      if (digits.length === PHONETIC_DIGITS) break;
    }
    prev = c;
  }
  return first.toUpperCase() + digits;
}

/** The word and the word less any one letter, marked "~". */
function deletionKeys(cs: readonly string[]): string[] {
  const out = [`~${cs.join('')}`];
  for (let i = 0; i < cs.length; i++) out.push(`~${cs.slice(0, i).join('')}${cs.slice(i + 1).join('')}`);
  return out;
}

/** The words of children.search_names (already normalised: lower case, single spaces). */
export const storedTokens = (searchNames: string) => searchNames.split(/\s+/).filter(Boolean);

/** The keys stored for a child's names (children.search_keys), as a set. */
export function nameKeys(searchNames: string): Set<string> {
  const keys = new Set<string>();
  for (const tok of storedTokens(searchNames)) {
    const cs = chars(tok);
    const p = phoneticKey(tok);
    if (p) keys.add(p);
    for (let n = 2; n <= Math.min(cs.length, LONGEST_PREFIX); n++) keys.add(cs.slice(0, n).join(''));
    for (const k of deletionKeys(cs)) keys.add(k);
  }
  return keys;
}

/**
 * The keys one typed word may match, any one of which makes a child a candidate: the word as a
 * beginning (cut to 12 letters), the word and the word less any one letter, and its sound-alike
 * code. A single letter (an initial) narrows nothing in the database; the score still requires a
 * name starting with it.
 */
export function queryKeys(token: string): string[] {
  const cs = chars(token);
  if (cs.length < 2) return [];
  const keys = new Set([cs.slice(0, LONGEST_PREFIX).join(''), ...deletionKeys(cs)]);
  const p = phoneticKey(token);
  if (p) keys.add(p);
  return [...keys];
}

/**
 * Jaro-Winkler similarity (0 to 1; prefix scale 0.1 over at most four letters, boost threshold
 * 0.7, match window at least 1).
 */
export function jaroWinkler(a: string, b: string): number {
  const s1 = chars(a);
  const s2 = chars(b);
  if (s1.length === 0 && s2.length === 0) return 1;
  if (s1.length === 0 || s2.length === 0) return 0;
  // The usual window is half the longer word less one; at least 1 here, so two swapped letters
  // of a short name ("jno" for "jon") still count as matches.
  const window = Math.max(1, Math.floor(Math.max(s1.length, s2.length) / 2) - 1);
  const used1 = new Array<boolean>(s1.length).fill(false);
  const used2 = new Array<boolean>(s2.length).fill(false);
  let matches = 0;
  for (let i = 0; i < s1.length; i++) {
    const from = Math.max(0, i - window);
    const to = Math.min(s2.length - 1, i + window);
    for (let j = from; j <= to; j++) {
      if (used2[j] || s1[i] !== s2[j]) continue;
      used1[i] = true;
      used2[j] = true;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < s1.length; i++) {
    if (!used1[i]) continue;
    while (!used2[k]) k++;
    if (s1[i] !== s2[k]) transpositions++;
    k++;
  }
  const m = matches;
  const jaro = (m / s1.length + m / s2.length + (m - transpositions / 2) / m) / 3;
  // Winkler's boost for a shared beginning applies only to words already alike (Jaro above 0.7),
  // so "Testsmith" and "Testpaging" do not pass for each other on their first four letters.
  if (jaro <= 0.7) return jaro;
  let prefix = 0;
  while (prefix < 4 && prefix < s1.length && prefix < s2.length && s1[prefix] === s2[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/** A word typed must reach this similarity with one of the child's names to count as found. */
export const MATCH_THRESHOLD = 0.85;

/**
 * How well one typed word matches one name: 1 when equal; a typed beginning ("jon" of "jonny")
 * 0.95 and up with the share of the name typed; otherwise Jaro-Winkler, raised by 0.1 when the
 * two sound alike (so "Catherine" finds "Kathryn"), and never above 0.98. A single letter matches
 * only names starting with it (0.9).
 */
export function wordSimilarity(typed: string, name: string): number {
  if (typed === name) return 1;
  const t = chars(typed);
  const n = chars(name);
  if (name.startsWith(typed)) return t.length === 1 ? 0.9 : 0.95 + (0.04 * t.length) / n.length;
  if (t.length === 1) return 0;
  const jw = jaroWinkler(typed, name);
  const alike = phoneticKey(typed) !== null && phoneticKey(typed) === phoneticKey(name);
  return Math.min(0.98, alike ? jw + 0.1 : jw);
}

/** At most this many words of a name search are used (the search form says so). */
export const MAX_WORDS = 5;

/**
 * The score of a child's names for the words typed, 0 to 1, or null when some word matches none
 * of the names well enough. Each typed word is paired with a different name, choosing the pairing
 * with the best total, so words may come in any order; the score is the mean of the pairs.
 */
export function scoreName(typed: readonly string[], names: readonly string[]): number | null {
  if (typed.length === 0 || typed.length > names.length) return null;
  const options = typed.map((t) =>
    names
      .map((n, i) => ({ i, s: wordSimilarity(t, n) }))
      .filter((o) => o.s >= MATCH_THRESHOLD)
      .sort((a, b) => b.s - a.s),
  );
  if (options.some((o) => o.length === 0)) return null;
  let best = -1;
  const used = new Set<number>();
  const search = (w: number, total: number) => {
    if (w === options.length) {
      best = Math.max(best, total);
      return;
    }
    for (const o of options[w]!) {
      if (used.has(o.i)) continue;
      used.add(o.i);
      search(w + 1, total + o.s);
      used.delete(o.i);
    }
  };
  search(0, 0);
  return best < 0 ? null : best / typed.length;
}
