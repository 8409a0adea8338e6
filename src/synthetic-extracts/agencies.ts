// The four agencies, each with its own layout, conventions, coverage of the population and rates
// of error. The rates are the documented ones (docs/linkage.md, "Synthetic extracts"); tests
// check that the extracts keep to them.
import type { Random } from './random.js';
import type { Address, Person } from './population.js';
import {
  canSwapDayMonth,
  identifierTypo,
  nearMissDate,
  nickname,
  postcodeTypo,
  reformat,
  reformatPostcode,
  swapDayMonth,
  typo,
  yearOff,
  type CalendarDate,
} from './errors.js';
import { STREET_ABBREVIATIONS } from './names.js';

export type AgencyName = 'health' | 'education' | 'social_care' | 'provider';
export const AGENCIES: readonly AgencyName[] = ['health', 'education', 'social_care', 'provider'];

/** Chances, per record, of each kind of error. */
export interface ErrorRates {
  /** One keying mistake in the given name / the family name. */
  given_typo: number;
  family_typo: number;
  /** A nickname or variant spelling instead of the registered given name (of records whose name has one). */
  nickname: number;
  /** Given and family name entered the wrong way round. */
  name_swap: number;
  /** The surname after a change (hyphenated, or a different one). */
  surname_change: number;
  /** Day and month swapped (of records whose date allows it: day 12 or under and not equal to the month). */
  birth_day_month_swap: number;
  /** A birth date a few days, a month or a year out. */
  birth_near_miss: number;
  birth_missing: number;
  given_missing: number;
  /** The NHS number or UPN left blank (of records of people who have one). */
  identifier_missing: number;
  /** Two digits of the NHS number or UPN swapped, or one changed. */
  identifier_typo: number;
  /** The address and postcode from before the family moved. */
  old_address: number;
  postcode_typo: number;
  postcode_missing: number;
  /** Case, spacing or punctuation different from the usual (per name and per postcode). */
  formatting: number;
  sex_missing: number;
  /** The same person entered again under a new record id. */
  duplicate: number;
  // Errors of the hard profile only. They are optional, and never drawn for a profile without
  // them, so the standard extracts stay byte-for-byte what they were.
  /** A second keying mistake in the given name and, separately, in the family name. */
  second_typo?: number;
  family_missing?: number;
  /** The birth year one out (the day and month right). */
  birth_year_off?: number;
}

/** Every kind of error, optional ones included, in the order they are counted. */
export const ERROR_KINDS = [
  'given_typo',
  'family_typo',
  'nickname',
  'name_swap',
  'surname_change',
  'birth_day_month_swap',
  'birth_near_miss',
  'birth_missing',
  'given_missing',
  'identifier_missing',
  'identifier_typo',
  'old_address',
  'postcode_typo',
  'postcode_missing',
  'formatting',
  'sex_missing',
  'duplicate',
  'second_typo',
  'family_missing',
  'birth_year_off',
] as const;

export interface AgencySpec {
  name: AgencyName;
  file: string;
  idColumn: string;
  birthDateFormat: 'YYYYMMDD' | 'DD/MM/YYYY' | 'YYYY-MM-DD';
  header: readonly string[];
  /** Roles for `jointly link`'s config. */
  columns: Record<string, string | string[]>;
  /** The chance that a person of this age has a record here. */
  coverage(age: number): number;
  /** Which identifier this agency holds, if any. */
  identifier: 'nhs' | 'upn' | null;
  errors: ErrorRates;
  /** Record id number n written the agency's way. */
  recordId(n: number): string;
  render(v: RecordValues, r: Random): string[];
}

/** A person as one agency recorded them, before it is laid out as that agency's columns. */
export interface RecordValues {
  given: string;
  middle: string;
  family: string;
  sex: 'F' | 'M' | '';
  birth: CalendarDate | null;
  identifier: string;
  address: Address;
  postcode: string;
  school: string;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
export const formatDate: Record<AgencySpec['birthDateFormat'], (x: CalendarDate) => string> = {
  YYYYMMDD: (x) => `${x.y}${pad(x.m)}${pad(x.d)}`,
  'YYYY-MM-DD': (x) => `${x.y}-${pad(x.m)}-${pad(x.d)}`,
  'DD/MM/YYYY': (x) => `${pad(x.d)}/${pad(x.m)}/${x.y}`,
};
const date = (spec: AgencySpec['birthDateFormat'], x: CalendarDate | null) => (x ? formatDate[spec](x) : '');
const scrambled = (n: number, salt: number) => (n * 7_919_131 + salt) % 100_000_000;

const abbreviate = (line: string) => line.replace(/ (\w+)$/, (m, w: string) => (STREET_ABBREVIATIONS[w] ? ` ${STREET_ABBREVIATIONS[w]}` : m));

export const HEALTH: AgencySpec = {
  name: 'health',
  file: 'health.csv',
  idColumn: 'rid',
  birthDateFormat: 'YYYYMMDD',
  header: ['rid', 'nhs', 'first', 'middle', 'surname', 'dob', 'sex', 'line1', 'line2', 'town', 'pc'],
  columns: {
    given_name: 'first',
    middle_name: 'middle',
    family_name: 'surname',
    birth_date: 'dob',
    sex: 'sex',
    address: ['line1', 'line2'],
    town: 'town',
    postcode: 'pc',
    'identifier:nhs_number': 'nhs',
  },
  coverage: () => 0.8,
  identifier: 'nhs',
  errors: {
    given_typo: 0.02,
    family_typo: 0.02,
    nickname: 0.03,
    name_swap: 0.005,
    surname_change: 0.02,
    birth_day_month_swap: 0.005,
    birth_near_miss: 0.005,
    birth_missing: 0.002,
    given_missing: 0.002,
    identifier_missing: 0.03,
    identifier_typo: 0.002,
    old_address: 0.08,
    postcode_typo: 0.01,
    postcode_missing: 0.01,
    formatting: 0.05,
    sex_missing: 0.005,
    duplicate: 0.01,
  },
  recordId: (n) => `RH${pad(scrambled(n, 11), 8)}`,
  // Convention: surnames in capitals (as the NHS spine has them), dates YYYYMMDD, NHS number without spaces.
  render: (v) => [
    v.identifier,
    v.given,
    v.middle,
    v.family.toUpperCase(),
    date('YYYYMMDD', v.birth),
    v.sex,
    v.address.line1,
    v.address.locality,
    v.address.town,
    v.postcode,
  ],
};

export const EDUCATION: AgencySpec = {
  name: 'education',
  file: 'education.csv',
  idColumn: 'pupil_ref',
  birthDateFormat: 'DD/MM/YYYY',
  header: ['pupil_ref', 'upn', 'legal_surname', 'legal_forename', 'middle_names', 'dob', 'gender', 'postcode', 'school'],
  columns: {
    given_name: 'legal_forename',
    middle_name: 'middle_names',
    family_name: 'legal_surname',
    birth_date: 'dob',
    sex: 'gender',
    postcode: 'postcode',
    'identifier:upn': 'upn',
    'extra:school': 'school',
  },
  // Nearly every school-age child; some in early years settings; a few at college.
  coverage: (age) => (age >= 4 && age <= 18 ? 0.85 : age >= 2 && age <= 3 ? 0.25 : age >= 19 ? 0.15 : 0),
  identifier: 'upn',
  errors: {
    given_typo: 0.01,
    family_typo: 0.01,
    nickname: 0,
    name_swap: 0.002,
    surname_change: 0.03,
    birth_day_month_swap: 0.005,
    birth_near_miss: 0.005,
    birth_missing: 0,
    given_missing: 0,
    identifier_missing: 0.05,
    identifier_typo: 0.002,
    old_address: 0.05,
    postcode_typo: 0.01,
    postcode_missing: 0.02,
    formatting: 0.02,
    sex_missing: 0,
    duplicate: 0.005,
  },
  recordId: (n) => `E${scrambled(n, 23) + 100_000_000}`,
  render: (v) => [v.identifier, v.family, v.given, v.middle, date('DD/MM/YYYY', v.birth), v.sex, v.postcode, v.school],
};

export const SOCIAL_CARE: AgencySpec = {
  name: 'social_care',
  file: 'social_care.csv',
  idColumn: 'person_id',
  birthDateFormat: 'YYYY-MM-DD',
  header: [
    'person_id',
    'forename',
    'surname',
    'date_of_birth',
    'gender',
    'address_line_1',
    'address_line_2',
    'address_line_3',
    'town',
    'postcode',
    'nhs_number',
  ],
  columns: {
    given_name: 'forename',
    family_name: 'surname',
    birth_date: 'date_of_birth',
    sex: 'gender',
    address: ['address_line_1', 'address_line_2', 'address_line_3'],
    town: 'town',
    postcode: 'postcode',
    'identifier:nhs_number': 'nhs_number',
  },
  coverage: () => 0.2,
  identifier: 'nhs',
  errors: {
    given_typo: 0.03,
    family_typo: 0.03,
    nickname: 0.1,
    name_swap: 0.01,
    surname_change: 0.03,
    birth_day_month_swap: 0.01,
    birth_near_miss: 0.01,
    birth_missing: 0.01,
    given_missing: 0.005,
    identifier_missing: 0.4,
    identifier_typo: 0.01,
    old_address: 0.05,
    postcode_typo: 0.02,
    postcode_missing: 0.02,
    formatting: 0.1,
    sex_missing: 0.01,
    duplicate: 0.03,
  },
  recordId: (n) => String(scrambled(n, 37) + 1_000_000),
  // Convention: "Male"/"Female"; the NHS number written 3-3-4 with spaces; the county as a third line on some.
  render: (v, r) => [
    v.given,
    v.family,
    date('YYYY-MM-DD', v.birth),
    v.sex === 'F' ? 'Female' : v.sex === 'M' ? 'Male' : 'Unknown',
    v.address.line1,
    v.address.locality,
    r.chance(0.3) ? 'Demoshire' : '',
    v.address.town,
    v.postcode,
    v.identifier ? `${v.identifier.slice(0, 3)} ${v.identifier.slice(3, 6)} ${v.identifier.slice(6)}` : '',
  ],
};

export const PROVIDER: AgencySpec = {
  name: 'provider',
  file: 'provider.csv',
  idColumn: 'client_ref',
  birthDateFormat: 'DD/MM/YYYY',
  header: ['client_ref', 'name_first', 'name_last', 'dob', 'postcode'],
  columns: { given_name: 'name_first', family_name: 'name_last', birth_date: 'dob', postcode: 'postcode' },
  coverage: () => 0.2,
  identifier: null,
  errors: {
    given_typo: 0.05,
    family_typo: 0.05,
    nickname: 0.15,
    name_swap: 0.02,
    surname_change: 0.02,
    birth_day_month_swap: 0.02,
    birth_near_miss: 0.02,
    birth_missing: 0.03,
    given_missing: 0.01,
    identifier_missing: 0,
    identifier_typo: 0,
    old_address: 0.1,
    postcode_typo: 0.03,
    postcode_missing: 0.05,
    formatting: 0.2,
    sex_missing: 0,
    duplicate: 0.03,
  },
  recordId: (n) => `PRV-${pad(scrambled(n, 53) % 10_000_000, 7)}`,
  render: (v) => [v.given, v.family, date('DD/MM/YYYY', v.birth), v.postcode],
};

export const AGENCY_SPECS: Record<AgencyName, AgencySpec> = { health: HEALTH, education: EDUCATION, social_care: SOCIAL_CARE, provider: PROVIDER };

/**
 * The hard profile: the same people and agencies, but each extract holds only given name, family
 * name, birth date and postcode (as a short-breaks spreadsheet does), with far more errors: heavy
 * typos (sometimes two per name), many missing values, nicknames, names the wrong way round,
 * day and month swapped, the birth year one out, postcodes mis-keyed so that only the sector or
 * district agrees, old addresses. Rates are per record; see docs/synthetic-extracts.md.
 */
const HARD_ERRORS: ErrorRates = {
  given_typo: 0.12,
  family_typo: 0.12,
  second_typo: 0.04,
  nickname: 0.3,
  name_swap: 0.05,
  surname_change: 0.03,
  birth_day_month_swap: 0.06,
  birth_near_miss: 0.03,
  birth_year_off: 0.04,
  birth_missing: 0.08,
  given_missing: 0.04,
  family_missing: 0.03,
  identifier_missing: 0,
  identifier_typo: 0,
  old_address: 0.1,
  postcode_typo: 0.12,
  postcode_missing: 0.12,
  formatting: 0.2,
  sex_missing: 0,
  duplicate: 0.04,
};

/** One sparse layout (id, given, family, birth date, postcode) for an agency of the hard profile. */
function sparse(base: AgencySpec, header: readonly [string, string, string, string, string], birthDateFormat: AgencySpec['birthDateFormat']): AgencySpec {
  const [id, given, family, dob, pc] = header;
  return {
    ...base,
    idColumn: id,
    birthDateFormat,
    header,
    columns: { given_name: given, family_name: family, birth_date: dob, postcode: pc },
    identifier: null,
    errors: HARD_ERRORS,
    render: (v) => [v.given, v.family, date(birthDateFormat, v.birth), v.postcode],
  };
}

export const HARD_AGENCY_SPECS: Record<AgencyName, AgencySpec> = {
  health: sparse(HEALTH, ['rid', 'first', 'surname', 'dob', 'pc'], 'YYYYMMDD'),
  education: sparse(EDUCATION, ['pupil_ref', 'forename', 'surname', 'dob', 'postcode'], 'DD/MM/YYYY'),
  social_care: sparse(SOCIAL_CARE, ['person_id', 'forename', 'surname', 'date_of_birth', 'postcode'], 'YYYY-MM-DD'),
  provider: sparse(PROVIDER, ['client_ref', 'name_first', 'name_last', 'dob', 'postcode'], 'DD/MM/YYYY'),
};

export type ProfileName = 'standard' | 'hard';
export const PROFILES: Record<ProfileName, Record<AgencyName, AgencySpec>> = { standard: AGENCY_SPECS, hard: HARD_AGENCY_SPECS };

export type ErrorKind = keyof ErrorRates;
/** How often each error was applied, and to how many records it could have been. */
export type Tally = Record<Exclude<ErrorKind, 'duplicate'>, { applied: number; eligible: number }>;
export const emptyTally = (): Tally => Object.fromEntries(ERROR_KINDS.filter((k) => k !== 'duplicate').map((k) => [k, { applied: 0, eligible: 0 }])) as Tally;

/** The person as this agency wrote them down, with its errors applied and counted in `tally`. */
export function recordValues(p: Person, spec: AgencySpec, r: Random, tally: Tally): RecordValues {
  const e = spec.errors;
  const roll = (kind: keyof Tally, eligible = true) => {
    if (!eligible || e[kind] === undefined) return false;
    tally[kind].eligible++;
    const hit = r.chance(e[kind]);
    if (hit) tally[kind].applied++;
    return hit;
  };
  let family = roll('surname_change') ? p.altFamily : p.family;
  let given = p.given;
  const nick = nickname(p.given, r);
  if (roll('nickname', nick !== null)) given = nick!;
  if (roll('given_typo')) given = typo(given, r);
  if (roll('family_typo')) family = typo(family, r);
  if (roll('second_typo')) given = typo(given, r);
  if (roll('second_typo')) family = typo(family, r);
  if (roll('name_swap')) [given, family] = [family, given];
  if (roll('given_missing')) given = '';
  if (roll('family_missing')) family = '';
  let birth: CalendarDate | null = p.birth;
  if (roll('birth_missing')) birth = null;
  else if (roll('birth_day_month_swap', canSwapDayMonth(p.birth))) birth = swapDayMonth(p.birth);
  else if (roll('birth_near_miss')) birth = nearMissDate(p.birth, r);
  else if (roll('birth_year_off')) birth = yearOff(p.birth, r);
  const trueId = spec.identifier === 'nhs' ? p.nhs : spec.identifier === 'upn' ? p.upn : '';
  let identifier = trueId;
  if (roll('identifier_missing', trueId !== '')) identifier = '';
  else if (roll('identifier_typo', trueId !== '')) identifier = identifierTypo(trueId, r);
  const address = roll('old_address') ? p.previous : p.address;
  let postcode = address.postcode;
  if (roll('postcode_missing')) postcode = '';
  else if (roll('postcode_typo')) postcode = postcodeTypo(postcode, r);
  if (roll('formatting')) given = reformat(given, r);
  if (roll('formatting')) family = reformat(family, r);
  if (postcode && roll('formatting')) postcode = reformatPostcode(postcode, r);
  const line1 = r.chance(0.1) ? abbreviate(address.line1) : address.line1;
  return {
    given,
    middle: p.middle,
    family,
    sex: roll('sex_missing') ? '' : p.sex,
    birth,
    identifier,
    address: { ...address, line1 },
    postcode,
    school: p.school,
  };
}
