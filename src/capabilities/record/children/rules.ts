// The core record of a child or young person: pure rules, tested exhaustively (rules.test.ts).
// Identifiers (NHS number, UPN), code lists (SEN2 needs, DfE ethnicity), the register's age
// rules, names for tolerant search, postcodes and the locality a postcode falls in.
// Sources: ../shared/reference/STANDARDS.md §1.4 (code lists), §4.2 (NHS number), §4.3 (UPN).
import { ageOn } from '../../../platform/dates.js';

// ---------------------------------------------------------------------------------------------
// Code lists

/** SEN2 / school census SEN need codes (STANDARDS.md §1.4 SENtype). DS is new for 2025. */
export const NEED_CODES = {
  SPLD: 'Specific learning difficulty',
  MLD: 'Moderate learning difficulty',
  SLD: 'Severe learning difficulty',
  PMLD: 'Profound and multiple learning difficulty',
  SEMH: 'Social, emotional and mental health',
  SLCN: 'Speech, language and communication needs',
  HI: 'Hearing impairment',
  VI: 'Vision impairment',
  MSI: 'Multi-sensory impairment',
  PD: 'Physical disability',
  ASD: 'Autism',
  DS: 'Down syndrome',
  OTH: 'Other difficulty or disability',
} as const;
export type NeedCode = keyof typeof NEED_CODES;
export const isNeedCode = (s: string): s is NeedCode => Object.hasOwn(NEED_CODES, s);

/** DfE main ethnicity codes (STANDARDS.md §1.4, 2024 XSD). */
export const ETHNICITY_CODES = {
  WBRI: 'White British',
  WIRI: 'White Irish',
  WIRT: 'Traveller of Irish heritage',
  WOTH: 'Any other White background',
  WROM: 'Gypsy or Roma',
  MWBC: 'White and Black Caribbean',
  MWBA: 'White and Black African',
  MWAS: 'White and Asian',
  MOTH: 'Any other mixed background',
  AIND: 'Indian',
  APKN: 'Pakistani',
  ABAN: 'Bangladeshi',
  AOTH: 'Any other Asian background',
  BCRB: 'Black Caribbean',
  BAFR: 'Black African',
  BOTH: 'Any other Black background',
  CHNE: 'Chinese',
  OOTH: 'Any other ethnic group',
  REFU: 'Refused to say',
  NOBT: 'Not yet obtained',
} as const;
export type EthnicityCode = keyof typeof ETHNICITY_CODES;
export const isEthnicityCode = (s: string): s is EthnicityCode => Object.hasOwn(ETHNICITY_CODES, s);

export const SEXES = { F: 'Female', M: 'Male', U: 'Not known' } as const;
export type Sex = keyof typeof SEXES;
export const isSex = (s: string): s is Sex => Object.hasOwn(SEXES, s);

export const SEVERITY_BANDS = { moderate: 'Moderate', severe: 'Severe', profound: 'Profound' } as const;
export type Severity = keyof typeof SEVERITY_BANDS;
export const isSeverity = (s: string): s is Severity => Object.hasOwn(SEVERITY_BANDS, s);

export const STATUSES = {
  active: 'Active',
  'moved-away': 'Moved away',
  'over-25': 'Over 25',
  died: 'Died',
  left: 'Left the register',
} as const;
export type Status = keyof typeof STATUSES;
export const isStatus = (s: string): s is Status => Object.hasOwn(STATUSES, s);

export const RELATIONSHIPS = {
  mother: 'Mother',
  father: 'Father',
  'step-parent': 'Step-parent',
  grandparent: 'Grandparent',
  'foster-carer': 'Foster carer',
  'special-guardian': 'Special guardian',
  'other-relative': 'Other relative',
  other: 'Other',
} as const;
export type Relationship = keyof typeof RELATIONSHIPS;
export const isRelationship = (s: string): s is Relationship => Object.hasOwn(RELATIONSHIPS, s);

export const CONTACT_METHODS = { email: 'E-mail', sms: 'Text message', phone: 'Phone call', letter: 'Letter' } as const;
export type ContactMethod = keyof typeof CONTACT_METHODS;

export const CONSENT_GIVERS = {
  parent: 'A parent or carer with parental responsibility',
  'young-person': 'The young person (aged 16 or over)',
  'decision-maker': 'Someone deciding for a young person who lacks capacity to decide',
} as const;
export type ConsentGiver = keyof typeof CONSENT_GIVERS;

export const CONSENT_METHODS = { written: 'Written', verbal: 'Verbal', electronic: 'Electronic' } as const;
export type ConsentMethod = keyof typeof CONSENT_METHODS;

// ---------------------------------------------------------------------------------------------
// NHS number: 10 digits, modulus 11 (STANDARDS.md §4.2)

const NHS_WEIGHTS = [10, 9, 8, 7, 6, 5, 4, 3, 2] as const;

/** The check digit for nine digits, or null when none exists (11 − remainder = 10). */
export function nhsCheckDigit(nineDigits: string): number | null {
  if (!/^[0-9]{9}$/.test(nineDigits)) throw new Error('nhsCheckDigit needs nine digits');
  let total = 0;
  for (let i = 0; i < 9; i++) total += Number(nineDigits[i]) * NHS_WEIGHTS[i]!;
  const check = 11 - (total % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

/** Removes spaces (and hyphens, which people also type); answers the bare string. */
export const compactNhsNumber = (input: string) => input.replace(/[\s-]/g, '');

export type NhsNumberProblem = 'format' | 'check-digit';

/**
 * Checks an NHS number as typed. Spaces (and hyphens) are allowed on input; the stored form is
 * exactly 10 digits.
 */
export function parseNhsNumber(input: string): { ok: true; value: string } | { ok: false; problem: NhsNumberProblem } {
  const s = compactNhsNumber(input);
  if (!/^[0-9]{10}$/.test(s)) return { ok: false, problem: 'format' };
  const check = nhsCheckDigit(s.slice(0, 9));
  if (check === null || check !== Number(s[9])) return { ok: false, problem: 'check-digit' };
  return { ok: true, value: s };
}

export const isValidNhsNumber = (input: string) => parseNhsNumber(input).ok;

/** '9434765919' → '943 476 5919', the way it is printed on NHS letters. */
export const formatNhsNumber = (s: string) => (/^[0-9]{10}$/.test(s) ? `${s.slice(0, 3)} ${s.slice(3, 6)} ${s.slice(6)}` : s);

// ---------------------------------------------------------------------------------------------
// Unique Pupil Number: 13 characters, check letter first (STANDARDS.md §4.3)

/** The 23-letter alphabet of check letters: no I, O or S. A = 0 … Z = 22. */
export const UPN_ALPHABET = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/**
 * The check letter for the 12 characters after it: 11 digits and a final digit (permanent UPN)
 * or a final letter from the alphabet (temporary UPN). Null when the body is not of that shape.
 */
export function upnCheckLetter(body: string): string | null {
  if (!/^[0-9]{11}[0-9A-Z]$/.test(body)) return null;
  let total = 0;
  for (let i = 0; i < 12; i++) {
    const ch = body[i]!;
    const position = i + 2;
    let value: number;
    if (/[0-9]/.test(ch)) value = Number(ch);
    else {
      value = UPN_ALPHABET.indexOf(ch);
      if (value < 0) return null; // I, O and S are never used
    }
    total += value * position;
  }
  return UPN_ALPHABET[total % 23]!;
}

export type UpnProblem = 'format' | 'check-letter';

/** Checks a UPN as typed: spaces are ignored and letters made upper case; stored upper case. */
export function parseUpn(input: string): { ok: true; value: string; temporary: boolean } | { ok: false; problem: UpnProblem } {
  const s = input.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z][0-9]{11}[0-9A-Z]$/.test(s)) return { ok: false, problem: 'format' };
  const last = s[12]!;
  if (!UPN_ALPHABET.includes(s[0]!) || (/[A-Z]/.test(last) && !UPN_ALPHABET.includes(last))) return { ok: false, problem: 'format' };
  if (upnCheckLetter(s.slice(1)) !== s[0]) return { ok: false, problem: 'check-letter' };
  return { ok: true, value: s, temporary: /[A-Z]/.test(last) };
}

export const isValidUpn = (input: string) => parseUpn(input).ok;

// ---------------------------------------------------------------------------------------------
// Dates and the register's age rules (0 to 25)

/** The register holds children and young people until their 26th birthday. */
export const MAX_AGE = 25;
/** From 16 a young person may act for themselves and give their own consent. */
export const AGE_OF_OWN_DECISIONS = 16;

export type AgeProblem = 'born-in-future' | 'joined-in-future' | 'joined-before-birth' | 'over-25-on-joining';

/**
 * The register's rules on a date of birth and the date joined:
 * not born in the future; not joined in the future; not joined before birth; not over 25 on the
 * date of joining (the register is for 0 to 25: up to the day before the 26th birthday).
 */
export function ageProblems(dateOfBirth: string, joinedOn: string, today: string): AgeProblem[] {
  const out: AgeProblem[] = [];
  if (dateOfBirth > today) out.push('born-in-future');
  if (joinedOn > today) out.push('joined-in-future');
  if (joinedOn < dateOfBirth) out.push('joined-before-birth');
  else if (ageOn(dateOfBirth, joinedOn) > MAX_AGE) out.push('over-25-on-joining');
  return out;
}

/** Whether a young person may act for themselves (and give their own consent) on `on`. */
export const mayActForSelf = (dateOfBirth: string, on: string) => ageOn(dateOfBirth, on) >= AGE_OF_OWN_DECISIONS;

/** "3 years old", "11 months old", "2 weeks old" for a record page. */
export function ageText(dateOfBirth: string, on: string): string {
  const years = ageOn(dateOfBirth, on);
  if (years >= 1) return `${years} ${years === 1 ? 'year' : 'years'} old`;
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  const months = (y - by) * 12 + (m - bm) - (d < bd ? 1 : 0);
  if (months >= 1) return `${months} ${months === 1 ? 'month' : 'months'} old`;
  const days = Math.round((Date.UTC(y, m - 1, d) - Date.UTC(by, bm - 1, bd)) / 86_400_000);
  const weeks = Math.floor(days / 7);
  if (weeks >= 1) return `${weeks} ${weeks === 1 ? 'week' : 'weeks'} old`;
  return `${days} ${days === 1 ? 'day' : 'days'} old`;
}

// ---------------------------------------------------------------------------------------------
// Names, for tolerant search (children.search_names)

// Letters that Unicode decomposition does not split into a base letter and an accent.
const FOLD: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ŀ: 'l' };

/**
 * One name (or a search query) as search tokens: lower case, accents removed, apostrophes dropped
 * ("O’Brien" → "obrien"), any other punctuation a separator ("Smith-Jones" → "smith jones").
 */
export function nameTokens(name: string | null | undefined): string[] {
  if (!name) return [];
  const folded = name
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[ßæœøłđðþıŀ]/g, (c) => FOLD[c] ?? c)
    .replace(/['’‘`ʼ]/g, '');
  return folded.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/**
 * Every name part of a child (given, family, preferred and other names) as one normalised string
 * of distinct tokens separated by single spaces, stored in children.search_names. The find
 * capability normalises a query with nameTokens() and matches tokens against this.
 */
export function searchNames(...parts: (string | null | undefined)[]): string {
  const seen = new Set<string>();
  for (const p of parts) for (const t of nameTokens(p)) seen.add(t);
  return [...seen].join(' ');
}

/** The name a person reads: "Given Family", with "(known as Preferred)" when there is one. */
export function displayName(c: { given_name: string; family_name: string; preferred_name?: string | null }): string {
  const full = `${c.given_name} ${c.family_name}`;
  return c.preferred_name && c.preferred_name !== c.given_name ? `${full} (known as ${c.preferred_name})` : full;
}

// ---------------------------------------------------------------------------------------------
// Postcodes and localities

// UK postcode: outward code (area + district) and inward code (sector digit + unit), plus GIR 0AA.
const POSTCODE = /^(GIR 0AA|(?:[A-Z][0-9]{1,2}|[A-Z][A-HJ-Y][0-9]{1,2}|[A-Z][0-9][A-Z]|[A-Z][A-HJ-Y][0-9][A-Z]) [0-9][ABD-HJLNP-UW-Z]{2})$/;

/** Normalises a postcode to upper case with one space before the last three characters, or null if it is not one. */
export function normalisePostcode(input: string): string | null {
  const compact = input.replace(/\s+/g, '').toUpperCase();
  if (compact.length < 5 || compact.length > 7) return null;
  const formatted = `${compact.slice(0, -3)} ${compact.slice(-3)}`;
  return POSTCODE.test(formatted) ? formatted : null;
}

/** The outward code ("postcode district"), e.g. "DM1" of "DM1 4AB". Shows roughly where, not who. */
export const postcodeDistrict = (postcode: string | null | undefined) => (postcode ? (normalisePostcode(postcode)?.split(' ')[0] ?? null) : null);

/**
 * The prefixes a configured locality may be keyed on, longest (most specific) first:
 * sector "DM1 4", district "DM1", area "DM".
 */
export function localityPrefixes(postcode: string): string[] {
  const p = normalisePostcode(postcode);
  if (!p) return [];
  const [outward, inward] = p.split(' ') as [string, string];
  const area = /^[A-Z]+/.exec(outward)![0];
  return [...new Set([`${outward} ${inward[0]}`, outward, area])];
}

/** Picks the locality of the longest matching prefix from configured (prefix → locality) rows. */
export function pickLocality<T extends { prefix: string }>(postcode: string, rows: readonly T[]): T | null {
  const wanted = localityPrefixes(postcode);
  for (const prefix of wanted) {
    const hit = rows.find((r) => r.prefix === prefix);
    if (hit) return hit;
  }
  return null;
}

/** Phone numbers as typed: digits with spaces, brackets, hyphens and an optional leading +. */
export function normalisePhone(input: string): string | null {
  const s = input.trim();
  if (!/^\+?[0-9 ()-]+$/.test(s)) return null;
  const digits = s.replace(/[^0-9]/g, '');
  return digits.length >= 10 && digits.length <= 15 ? s.replace(/\s+/g, ' ') : null;
}
