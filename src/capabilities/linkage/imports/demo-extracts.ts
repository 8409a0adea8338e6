// Three agency extracts of the demo population, for the "done when" journey and for a newcomer to
// try an import: health (NHS numbers, dates as YYYYMMDD), education (UPNs, DD/MM/YYYY) and social
// care (council references, YYYY-MM-DD), each with its own columns and a few realistic errors
// (typos, nicknames, day and month swapped, identifiers missing or mistyped, postcodes written
// differently), a few fictional people the register does not know, and one clearly invalid row.
// Every name is fictional: they come from the demo population or the fictional lists below.
import type { Db } from '../../../platform/db/database.js';
import { Random } from '../../../synthetic-extracts/random.js';
import { canSwapDayMonth, identifierTypo, nickname, reformat, reformatPostcode, swapDayMonth, typo } from '../../../synthetic-extracts/errors.js';
import { parseNhsNumber } from '../../record/children/index.js';
import type { SourceInput } from './service.js';

export interface DemoExtract {
  file: string;
  source: SourceInput & { organisationCode: string };
  csv: string;
  rows: number;
}

type DemoChild = {
  id: string;
  given_name: string;
  family_name: string;
  date_of_birth: string;
  sex: string;
  postcode: string | null;
  address_line1: string | null;
  town: string | null;
  nhs_number: string | null;
  upn: string | null;
  council_id: string | null;
};

const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const toCsv = (header: string[], rows: string[][]) => [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';

const ymd = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return { y, m, d };
};
const pad = (n: number) => String(n).padStart(2, '0');

/** A birth date as the agency wrote it: now and then with day and month swapped. */
function birth(iso: string, r: Random, rate: number, format: (x: { y: number; m: number; d: number }) => string) {
  let x = ymd(iso);
  if (canSwapDayMonth(x) && r.chance(rate)) x = swapDayMonth(x);
  return format(x);
}

function name(given: string, r: Random, rates: { typo: number; nickname: number }) {
  if (r.chance(rates.nickname)) {
    const n = nickname(given, r);
    if (n) return n;
  }
  return r.chance(rates.typo) ? typo(given, r) : given;
}

// Fictional people no register record holds (for "create").
const NEWCOMERS = [
  { given: 'Zephyrine', family: 'Quillfeather', dob: '2016-04-12', sex: 'F', postcode: 'DM2 3QT' },
  { given: 'Orrin', family: 'Mapplethwaite', dob: '2012-09-30', sex: 'M', postcode: 'DM5 1XZ' },
];

/** The three extracts of up to `limit` demo children (the oldest records first, so the files are stable). */
export async function demoExtracts(db: Db, opts: { limit?: number; seed?: number } = {}): Promise<DemoExtract[]> {
  const children = (await db
    .selectFrom('children')
    .select(['id', 'given_name', 'family_name', 'date_of_birth', 'sex', 'postcode', 'address_line1', 'town', 'nhs_number', 'upn', 'council_id'])
    .where('council_id', 'like', 'DEMO-POP-%')
    .orderBy('council_id')
    .limit(opts.limit ?? 300)
    .execute()) as DemoChild[];
  if (!children.length) throw new Error('The demo population is not on the register: run `jointly seed-demo` first');
  const r = new Random(opts.seed ?? 4);

  // Health: everyone with an NHS number, most of them.
  const health: string[][] = [];
  children.forEach((c, i) => {
    if (!c.nhs_number || !r.chance(0.85)) return;
    const nhs = r.chance(0.05) ? '' : c.nhs_number;
    health.push([
      `H${String(100000 + i)}`,
      name(c.given_name, r, { typo: 0.04, nickname: 0.05 }),
      r.chance(0.03) ? typo(c.family_name, r) : c.family_name.toUpperCase(),
      birth(c.date_of_birth, r, 0.02, (x) => `${x.y}${pad(x.m)}${pad(x.d)}`),
      c.sex === 'U' ? '' : c.sex,
      nhs,
      c.postcode ? reformatPostcode(c.postcode, r) : '',
    ]);
  });
  // One row whose NHS number fails its check: the dry run marks it invalid.
  const bad = children.find((c) => c.nhs_number);
  if (bad)
    health.push([
      'H999999',
      bad.given_name,
      bad.family_name,
      bad.date_of_birth.replace(/-/g, ''),
      bad.sex,
      identifierTypoFailing(bad.nhs_number!, r),
      bad.postcode ?? '',
    ]);
  const newcomer = NEWCOMERS[0]!;
  health.push(['H900001', newcomer.given, newcomer.family, newcomer.dob.replace(/-/g, ''), newcomer.sex, '', newcomer.postcode]);

  // Education: pupils with a UPN.
  const education: string[][] = [];
  children.forEach((c, i) => {
    if (!c.upn || !r.chance(0.8)) return;
    education.push([
      `P-${String(5000 + i)}`,
      name(c.given_name, r, { typo: 0.03, nickname: 0.08 }),
      r.chance(0.05) ? reformat(c.family_name, r) : c.family_name,
      birth(c.date_of_birth, r, 0.03, (x) => `${pad(x.d)}/${pad(x.m)}/${x.y}`),
      r.chance(0.04) ? '' : c.upn,
      c.address_line1 ?? '',
      c.postcode ?? '',
    ]);
  });
  // An impossible date: the dry run says which row and column.
  const other = children[children.length - 1]!;
  education.push(['P-9999', other.given_name, other.family_name, '31/02/2014', '', other.address_line1 ?? '', other.postcode ?? '']);

  // Social care: a share of the children, by the council's reference.
  const social: string[][] = [];
  children.forEach((c, i) => {
    if (!r.chance(0.5)) return;
    social.push([
      `SC${String(70000 + i)}`,
      name(c.given_name, r, { typo: 0.05, nickname: 0.05 }),
      c.family_name,
      birth(c.date_of_birth, r, 0.02, (x) => `${x.y}-${pad(x.m)}-${pad(x.d)}`),
      c.sex === 'F' ? 'Female' : c.sex === 'M' ? 'Male' : 'Not known',
      r.chance(0.1) ? '' : (c.council_id ?? ''),
      c.postcode ?? '',
    ]);
  });
  // Hard cases a person should look at, each written worse in its own way: no council reference
  // or postcode, misspelt or shortened names, the day and month of birth swapped or a day out.
  const hard = Array.from({ length: 24 }, (_, i) => 3 + 4 * i)
    .map((i) => children[i])
    .filter((c): c is DemoChild => Boolean(c));
  hard.forEach((c, k) => {
    const x = ymd(c.date_of_birth);
    const swapped = canSwapDayMonth(x) ? swapDayMonth(x) : x;
    const dayOut = { ...x, d: x.d === 1 ? 2 : x.d - 1 };
    const yearOut = { ...x, y: x.y + 1, d: x.m === 2 && x.d === 29 ? 28 : x.d };
    const iso = (v: { y: number; m: number; d: number }) => `${v.y}-${pad(v.m)}-${pad(v.d)}`;
    // From a little worse to much worse, so some land between the review thresholds whatever the model.
    const variants: [string, string, string][] = [
      [typo(c.given_name, r), typo(c.family_name, r), iso(swapped)],
      [typo(c.given_name, r), c.family_name, iso(dayOut)],
      [c.given_name, `${c.family_name}-Fenwick`, iso(x)],
      [typo(c.given_name, r), typo(c.family_name, r), iso(yearOut)],
      [c.given_name, 'Ashdown-Pryce', iso(swapped)],
      [c.given_name.slice(0, 1), c.family_name, iso(swapped)],
      [typo(c.given_name, r), 'Ashdown-Pryce', iso(x)],
      [c.given_name, typo(c.family_name, r), iso(yearOut)],
      [c.given_name.slice(0, 1), c.family_name, iso(x)],
      [c.given_name.slice(0, 1), c.family_name, iso(dayOut)],
      [c.given_name, c.family_name, iso(yearOut)],
      [c.given_name.slice(0, 3), c.family_name, iso(x)],
      [c.given_name, c.family_name.slice(0, -2), iso(swapped)],
      [typo(c.given_name, r), c.family_name, iso(yearOut)],
      [c.given_name, c.family_name, iso({ ...x, m: x.m === 12 ? 11 : x.m + 1, d: Math.min(x.d, 28) })],
      [c.given_name.slice(0, 3), typo(c.family_name, r), iso(x)],
      [children[(k * 7 + 1) % children.length]!.given_name, c.family_name, iso(x)],
      [c.given_name, c.family_name, iso({ ...x, y: x.y + 3, d: Math.min(x.d, 28) })],
      [children[(k * 5 + 2) % children.length]!.given_name, c.family_name, iso(dayOut)],
      [c.given_name, c.family_name, iso({ ...yearOut, m: x.m === 12 ? 11 : x.m + 1, d: Math.min(x.d, 28) })],
    ];
    // Left out: the ways so far gone that no linker should join them without more to go on.
    if ([3, 4, 6, 9, 18].includes(k)) return;
    const [given, family, dob] = variants[k % variants.length]!;
    social.push([`SC980${String(k).padStart(2, '0')}`, given, family, dob, '', '', k % 3 ? (c.postcode ?? '') : '']);
  });
  const second = NEWCOMERS[1]!;
  social.push(['SC99001', second.given, second.family, second.dob, 'Male', '', second.postcode]);

  return [
    {
      file: 'demoshire-health.csv',
      rows: health.length,
      csv: toCsv(['rid', 'first', 'surname', 'dob', 'gender', 'nhs', 'pc'], health),
      source: {
        name: 'Demoshire Community Health extract',
        organisationCode: 'DEMO-TRUST',
        organisationId: null,
        kind: 'health',
        recordIdColumn: 'rid',
        birthDateFormat: 'YYYYMMDD',
        mapping: { given_name: 'first', family_name: 'surname', birth_date: 'dob', sex: 'gender', nhs_number: 'nhs', postcode: 'pc' },
      },
    },
    {
      file: 'demoshire-education.csv',
      rows: education.length,
      csv: toCsv(['Pupil ID', 'Forename', 'Surname', 'DOB', 'UPN', 'Address 1', 'Postcode'], education),
      source: {
        name: 'Oakfield and Demoshire schools extract',
        organisationCode: 'DEMO-SCH',
        organisationId: null,
        kind: 'education',
        recordIdColumn: 'Pupil ID',
        birthDateFormat: 'DD/MM/YYYY',
        mapping: { given_name: 'Forename', family_name: 'Surname', birth_date: 'DOB', upn: 'UPN', address_line1: 'Address 1', postcode: 'Postcode' },
      },
    },
    {
      file: 'demoshire-social-care.csv',
      rows: social.length,
      csv: toCsv(['Person ID', 'Given Name', 'Family Name', 'Date of Birth', 'Sex', 'Council Ref', 'Postcode'], social),
      source: {
        name: 'Demoshire children with disabilities team extract',
        organisationCode: 'DEMO-CSC',
        organisationId: null,
        kind: 'social-care',
        // Its records often lack the council reference, so the partnership has a person look at more pairs.
        thresholds: { matchThreshold: 0.97, reviewLower: 0.3 },
        recordIdColumn: 'Person ID',
        birthDateFormat: 'YYYY-MM-DD',
        mapping: {
          given_name: 'Given Name',
          family_name: 'Family Name',
          birth_date: 'Date of Birth',
          sex: 'Sex',
          council_id: 'Council Ref',
          postcode: 'Postcode',
        },
      },
    },
  ];
}

/** A mistyped NHS number whose check digit no longer holds (most keying mistakes break it). */
function identifierTypoFailing(nhs: string, r: Random): string {
  for (let i = 0; i < 20; i++) {
    const t = identifierTypo(nhs, r);
    if (!parseNhsNumber(t).ok) return t;
  }
  return `${nhs.slice(0, 9)}${(Number(nhs[9]) + 1) % 10}`;
}
/** Creates the extracts' agency sources (with their organisations) when they are not there yet. */
export async function ensureDemoSources(db: Db, extracts: readonly DemoExtract[], userId: string | null): Promise<string[]> {
  const { createSource, sourceByName } = await import('./service.js');
  const made: string[] = [];
  for (const e of extracts) {
    if (await sourceByName(db, e.source.name)) continue;
    const org = await db.selectFrom('organisations').select('id').where('code', '=', e.source.organisationCode).executeTakeFirst();
    await createSource(db, { ...e.source, organisationId: org?.id ?? null }, userId);
    made.push(e.source.name);
  }
  return made;
}
