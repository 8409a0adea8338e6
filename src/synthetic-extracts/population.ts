// One fictional population of children and young people aged 0 to 25, made family by family so
// siblings share a surname, an address and a postcode (and twins a birth date): the cases a
// linker must keep apart. Every value is invented; see names.ts and identifiers.ts.
import { Random, Zipf } from './random.js';
import { fictionalNhsNumber, upnCheckLetter } from './identifiers.js';
import { GIVEN_ANY, GIVEN_F, GIVEN_M, LOCALITIES, SCHOOL_KINDS, STREET_TYPES, STREET_WORDS, SURNAME_PARTS, SURNAMES, TOWNS } from './names.js';
import { fromDayNumber, toDayNumber, type CalendarDate } from './errors.js';

/** Ages are on this date, so a seed gives the same people whatever day it is run. */
export const REFERENCE_DATE: CalendarDate = { y: 2026, m: 1, d: 1 };

/** How many children a family in the population has (before twins). */
export const FAMILY_SIZE = { 1: 0.5, 2: 0.32, 3: 0.13, 4: 0.05 } as const;
export const TWIN_RATE = 0.03;
/** Siblings with a different surname (half-siblings). */
export const HALF_SIBLING_RATE = 0.08;

export interface Address {
  line1: string;
  locality: string;
  town: string;
  postcode: string;
}

export interface Person {
  /** P followed by the person's number, the key of truth.csv. */
  id: string;
  index: number;
  sex: 'F' | 'M';
  given: string;
  middle: string;
  family: string;
  /** The surname some agencies have after a change (hyphenated or a step-parent's). */
  altFamily: string;
  birth: CalendarDate;
  age: number;
  nhs: string;
  /** Only for those old enough to have started school. */
  upn: string;
  /** The school (or college) attended now, if any. */
  school: string;
  address: Address;
  /** Where the family lived before they moved: what out-of-date records still say. */
  previous: Address;
  familyId: number;
}

const unique = <T>(xs: readonly T[]) => [...new Set(xs)];
/** The share of people with one of the common surnames in SURNAMES; the rest have a rarer one. */
export const COMMON_SURNAME_SHARE = 0.5;
const commonSurnames = new Zipf(unique(SURNAMES), 1, 15);
const rareSurnames = new Zipf(unique(SURNAME_PARTS.starts.flatMap((a) => SURNAME_PARTS.ends.map((b) => `${a}${b}`))), 0.6, 50);
const surnames = { draw: (r: Random) => (r.chance(COMMON_SURNAME_SHARE) ? commonSurnames : rareSurnames).draw(r) };
const femaleNames = new Zipf(unique(GIVEN_F), 1, 12);
const maleNames = new Zipf(unique(GIVEN_M), 1, 12);
const UNIT_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const FICTIONAL_LA = 999;
const refDay = toDayNumber(REFERENCE_DATE);
const firstDay = toDayNumber({ y: REFERENCE_DATE.y - 26, m: REFERENCE_DATE.m, d: REFERENCE_DATE.d }) + 1;

function ageOn(birth: CalendarDate, on: CalendarDate): number {
  let age = on.y - birth.y;
  if (on.m < birth.m || (on.m === birth.m && on.d < birth.d)) age--;
  return age;
}

function address(r: Random): Address {
  const town = r.int(0, TOWNS.length - 1);
  // Eight postcode districts per town: DM1-DM8 for the first, DM9-DM16 for the second, and so on.
  const district = town * 8 + r.int(1, 8);
  return {
    line1: `${r.int(1, 180)} ${r.pick(STREET_WORDS)} ${r.pick(STREET_TYPES)}`,
    locality: r.pick(LOCALITIES),
    town: TOWNS[town]!,
    postcode: `DM${district} ${r.int(0, 9)}${r.pick([...UNIT_LETTERS])}${r.pick([...UNIT_LETTERS])}`,
  };
}

function givenName(r: Random, sex: 'F' | 'M'): string {
  if (r.chance(0.03)) return r.pick(GIVEN_ANY);
  return (sex === 'F' ? femaleNames : maleNames).draw(r);
}

/** Makes the population family by family; `onPerson` gets each person in order. */
export class PopulationMaker {
  private readonly r: Random;
  private made = 0;
  private families = 0;
  private readonly upnSerials = new Map<number, number>();
  private readonly schools: number;

  constructor(
    readonly people: number,
    seed: number,
  ) {
    this.r = new Random(seed);
    // Roughly one school per 400 children, as in England; at least a handful.
    this.schools = Math.max(12, Math.min(7999, Math.round(people / 400)));
  }

  /** The next family's people, or an empty list when the population is complete. */
  nextFamily(): Person[] {
    if (this.made >= this.people) return [];
    const r = this.r;
    const familyId = this.families++;
    const family = surnames.draw(r);
    const home = address(r);
    const previous = address(r);
    const primary = r.int(0, this.schools - 1);
    const secondary = r.int(0, this.schools - 1);
    const size = Number(weighted(r, FAMILY_SIZE));
    const out: Person[] = [];
    // The eldest is born at any point in the 26 years; younger ones 1 to 6 years apart.
    let day = r.int(firstDay, refDay - 1);
    for (let child = 0; child < size && this.made < this.people; child++) {
      if (day >= refDay) break;
      const births = r.chance(TWIN_RATE) ? 2 : 1;
      for (let b = 0; b < births && this.made < this.people; b++) {
        const surname = child > 0 && r.chance(HALF_SIBLING_RATE) ? surnames.draw(r) : family;
        out.push(this.person(familyId, surname, fromDayNumber(day), home, previous, primary, secondary, out));
      }
      day += r.int(365, 6 * 365);
    }
    return out;
  }

  private person(
    familyId: number,
    family: string,
    birth: CalendarDate,
    home: Address,
    previous: Address,
    primary: number,
    secondary: number,
    siblings: Person[],
  ): Person {
    const r = this.r;
    const index = this.made++;
    const sex: 'F' | 'M' = r.chance(0.5) ? 'F' : 'M';
    let given = givenName(r, sex);
    // Parents do not give two children the same first name.
    for (let tries = 0; tries < 10 && siblings.some((s) => s.given === given); tries++) given = givenName(r, sex);
    let middle = r.chance(0.6) ? givenName(r, sex) : '';
    if (middle === given) middle = '';
    const other = surnames.draw(r);
    const altFamily = r.chance(0.5) && other !== family ? `${family}-${other}` : other === family ? `${family}-${surnames.draw(r)}` : other;
    const age = ageOn(birth, REFERENCE_DATE);
    const upn = age >= 4 ? this.upn(birth, primary) : '';
    const special = familyId % 10 === 0;
    const school = schoolFor(age, special ? -1 : age <= 10 ? primary : secondary, r);
    return {
      id: `P${String(index + 1).padStart(7, '0')}`,
      index,
      sex,
      given,
      middle,
      family,
      altFamily,
      birth,
      age,
      nhs: fictionalNhsNumber(index),
      upn,
      school,
      address: home,
      previous,
      familyId,
    };
  }

  /** A permanent UPN: fictional LA 999, the school's number, the year the child started, a serial. */
  private upn(birth: CalendarDate, school: number): string {
    const estab = 2000 + school;
    const year = (birth.y + (birth.m >= 9 ? 5 : 4)) % 100;
    const key = estab * 100 + year;
    const serial = this.upnSerials.get(key) ?? 0;
    this.upnSerials.set(key, serial + 1);
    // Past 999 pupils in one school and year, carry into the next (fictional) LA number down.
    const la = FICTIONAL_LA - Math.floor(serial / 1000);
    const body = `${la}${estab}${String(year).padStart(2, '0')}${String(serial % 1000).padStart(3, '0')}`;
    return `${upnCheckLetter(body)}${body}`;
  }
}

function weighted<K extends string | number>(r: Random, weights: Readonly<Record<K, number>>): K {
  const entries = Object.entries(weights) as [K, number][];
  let x = r.next() * entries.reduce((s, [, w]) => s + w, 0);
  for (const [k, w] of entries) {
    x -= w;
    if (x < 0) return k;
  }
  return entries[entries.length - 1]![0];
}

function schoolFor(age: number, school: number, r: Random): string {
  if (age < 4) return '';
  if (age >= 19) return r.chance(0.3) ? `${TOWNS[Math.abs(school) % TOWNS.length]} ${SCHOOL_KINDS.college[0]}` : '';
  if (school < 0) return `${STREET_WORDS[(age * 7) % STREET_WORDS.length]} ${SCHOOL_KINDS.special[age % 2]}`;
  const kinds = age <= 10 ? SCHOOL_KINDS.primary : age <= 15 ? SCHOOL_KINDS.secondary : SCHOOL_KINDS.college;
  const town = TOWNS[school % TOWNS.length]!;
  return `${town} ${STREET_WORDS[Math.floor(school / TOWNS.length) % STREET_WORDS.length]} ${kinds[school % kinds.length]}`;
}
