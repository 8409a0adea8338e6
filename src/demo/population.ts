// A fictional population for the Demoshire demo area: children and young people on the register
// with families, siblings, involvements, key workers, consents (including withdrawn and partial
// ones), lawful bases and chronology events, so the register can be explored and benchmarked.
//
// Every person here is invented. Surnames are made by joining an obviously made-up first part
// ("Demo", "Sample", "Mock" ...) to an ordinary ending ("son", "field" ...), given names come from
// a short list of common first names, and the two are combined at random: no one here is real.
// NHS numbers are in the 999 range kept for testing, UPNs use the made-up LA number 999, phone
// numbers are in Ofcom's range for drama (07700 900xxx) and e-mail addresses use example.org.
//
// The mix of primary needs, ages, sex, ethnicity and settings follows the national figures for
// EHC plans in England (src/demo/data/national-figures.json, derived from the DfE statistics
// "Education, health and care plans", reporting year 2025: sen_needs_all_plans.csv and
// caseload.csv, academic year 2024/25). A seeded random generator makes runs repeatable.
import { readFileSync } from 'node:fs';
import { sql, type RawBuilder } from 'kysely';
import type { Db, Tx } from '../platform/db/database.js';
import type { Jobs } from '../platform/jobs/jobs.js';
import { projectPath } from '../platform/paths-on-disk.js';
import { todayInLondon } from '../platform/dates.js';
import { nhsCheckDigit, pickLocality, searchNames, upnCheckLetter } from '../capabilities/record/children/rules.js';
import { DEMO_ORGANISATIONS, DEMO_USERS } from './seed.js';
import { DEMO_LOCALITIES } from './register-config.js';
import { seedDemoMoney } from './money.js';
import { seedDemoCommissioning } from './commissioning.js';
import { seedDemoLife } from './life.js';
import { seedDemoHistory } from './history.js';
import { seedDemoFamilies } from './families.js';
import { seedDemoPanel } from './panel.js';
import { Random } from '../synthetic-extracts/random.js';

export const DEMO_POPULATION_JOB = 'demo-population';
export const DEFAULT_DEMO_CHILDREN = 2000;
export const DEFAULT_DEMO_SEED = 20250101;
/** Council ids of the demo population start with this, so a second run can tell it is there. */
import { DEMO_COUNCIL_ID_PREFIX } from './register-config.js';
export { DEMO_COUNCIL_ID_PREFIX };
const BATCH = 500;

// ---------------------------------------------------------------------------------------------
// National figures

export interface NationalFigures {
  source: string;
  timePeriod: string;
  /** Counts by SEN2 primary need code; "unknown" is no primary need recorded. */
  primaryNeed: Record<string, number>;
  /** Counts by age in whole years ("under 3", "3" ... "25"). */
  age: Record<string, number>;
  ethnicity: Record<string, number>;
  sex: Record<string, number>;
  /** Counts by age and type of setting. */
  setting: Record<string, Record<string, number>>;
}

let figures: NationalFigures | undefined;
export function nationalFigures(): NationalFigures {
  figures ??= JSON.parse(readFileSync(projectPath('src/demo/data/national-figures.json'), 'utf8')) as NationalFigures;
  return figures;
}

/** Shares (0 to 1) of a table of counts. */
export function shares(counts: Record<string, number>): Record<string, number> {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, n / total]));
}

// The seeded random generator is shared with the synthetic extracts: the same seed gives the same
// population.
export { Random };

// ---------------------------------------------------------------------------------------------
// Invented names and places

const SURNAME_STARTS = ['Demo', 'Sample', 'Example', 'Mock', 'Fiction', 'Pretend', 'Madeup', 'Fable', 'Dummy', 'Trial', 'Proto', 'Faux'];
const SURNAME_ENDS = ['son', 'ton', 'well', 'field', 'by', 'bury', 'worth', 'ley', 'ham', 'dale', 'more', 'ford', 'wood', 'stone', 'croft', 'ridge', 'brook'];
const GIVEN_F = [
  'Amelia',
  'Olivia',
  'Isla',
  'Ava',
  'Aisha',
  'Zara',
  'Maya',
  'Grace',
  'Freya',
  'Sophie',
  'Hana',
  'Ruby',
  'Chloe',
  'Priya',
  'Fatima',
  'Lily',
  'Ella',
  'Maryam',
  'Niamh',
  'Jessica',
  'Abigail',
  'Isabella',
  'Katherine',
  'Elizabeth',
  'Amara',
  'Mei',
  'Zofia',
  'Esther',
];
const GIVEN_M = [
  'Oliver',
  'Noah',
  'Muhammad',
  'Leo',
  'Arthur',
  'Harry',
  'Oscar',
  'Jack',
  'Ibrahim',
  'Yusuf',
  'Samuel',
  'Thomas',
  'Daniel',
  'Joseph',
  'Alexander',
  'Benjamin',
  'Kofi',
  'Arjun',
  'Ethan',
  'Reuben',
  'Finley',
  'Jakub',
  'Tariq',
  'Callum',
  'Rhys',
  'Elijah',
  'Hamza',
  'Luca',
];
const GIVEN_ANY = ['Alex', 'Charlie', 'Sam', 'Jordan', 'Riley', 'Robin', 'Jamie', 'Morgan'];
const KNOWN_AS: Record<string, string> = {
  Alexander: 'Alex',
  Samuel: 'Sam',
  Thomas: 'Tom',
  Benjamin: 'Ben',
  Joseph: 'Joe',
  Daniel: 'Dan',
  Oliver: 'Ollie',
  Muhammad: 'Mo',
  Elizabeth: 'Beth',
  Katherine: 'Kate',
  Isabella: 'Bella',
  Jessica: 'Jess',
  Abigail: 'Abi',
  Olivia: 'Liv',
};
const STREET_STARTS = ['Sample', 'Demo', 'Fiction', 'Example', 'Mock', 'Pretend'];
const STREET_ENDS = ['Road', 'Close', 'Lane', 'Avenue', 'Street', 'Way', 'Gardens', 'Crescent'];
const DISTRICTS: Record<string, number> = { DM1: 16, DM2: 14, DM3: 12, DM4: 18, DM5: 12, DM6: 10, DM7: 14, DM8: 2, DM9: 2 };
const UNIT_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

const surname = (r: Random) => `${r.pick(SURNAME_STARTS)}${r.pick(SURNAME_ENDS)}`;
const givenName = (r: Random, sex: string) => r.pick(sex === 'F' ? GIVEN_F : sex === 'M' ? GIVEN_M : GIVEN_ANY);

// ---------------------------------------------------------------------------------------------
// Dates ('YYYY-MM-DD', UTC arithmetic: no time-zone drift)

const dayMs = 86_400_000;
const toDays = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / dayMs);
const fromDays = (d: number) => new Date(d * dayMs).toISOString().slice(0, 10);
function addYears(iso: string, years: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const last = new Date(Date.UTC(y + years, m, 0)).getUTCDate();
  return `${y + years}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
const between = (r: Random, from: string, to: string) => fromDays(r.int(toDays(from), Math.max(toDays(from), toDays(to))));
const laterOf = (a: string, b: string) => (a > b ? a : b);

// ---------------------------------------------------------------------------------------------
// What each organisation does, in the demo area

type OrgCode = (typeof DEMO_ORGANISATIONS)[number]['code'];
type Section = 'core' | 'family' | 'education' | 'health' | 'social-care' | 'about-me';
const ALL_SECTIONS: Section[] = ['core', 'family', 'education', 'health', 'social-care', 'about-me'];
/** Organisations that work with children, and the casework account of the demo area in each. */
const CASEWORK_ACCOUNT: Partial<Record<OrgCode, string>> = {
  'DEMO-EDU': 'caseworker@demoshire.example.org',
  'DEMO-CSC': 'keyworker@demoshire.example.org',
  'DEMO-TRUST': 'practitioner@demoshire.example.org',
};
const ORG_SECTION: Record<string, Section> = {
  'DEMO-EDU': 'education',
  'DEMO-SCH': 'education',
  'DEMO-CSC': 'social-care',
  'DEMO-PROV': 'social-care',
  'DEMO-TRUST': 'health',
};
const EVENTS: Record<string, [string, string][]> = {
  'DEMO-EDU': [
    ['EHC needs assessment requested', 'Request received from the family and the school.'],
    ['EHC plan issued', 'Final plan sent to the family.'],
    ['Annual review meeting held', 'Outcomes reviewed with the family and the setting.'],
    ['SEN support plan reviewed', 'Targets updated with the class teacher.'],
  ],
  'DEMO-CSC': [
    ['Children with disabilities assessment completed', 'Needs assessed with the family at home.'],
    ['Short breaks agreed', 'Panel agreed short breaks for the next year.'],
    ['Child in need review', 'Plan reviewed with the family and the school.'],
  ],
  'DEMO-TRUST': [
    ['Speech and language therapy assessment', 'Assessment in clinic; advice written for the setting.'],
    ['Appointment with the community paediatrician', 'Reviewed growth, sleep and medication.'],
    ['Equipment provided', 'Specialist seating delivered and fitted.'],
  ],
  'DEMO-SCH': [
    ['Started at Oakfield Special School', 'Settling-in plan agreed with the family.'],
    ['Transition review', 'Next steps discussed with the young person and the family.'],
  ],
  'DEMO-PROV': [
    ['Started short breaks', 'Saturday club place taken up.'],
    ['Holiday play scheme place offered', 'Place offered for the summer holiday.'],
  ],
};
const COMMUNICATION = [
  'Uses Makaton signs and symbols',
  'Uses a communication book with pictures',
  'Needs time to answer; ask one question at a time',
  'Uses a speech-generating device',
  'British Sign Language user',
  'Prefers written information in easy read',
];
const ABOUT_ME = {
  what_matters: ['My family and my dog', 'Going swimming on Saturdays', 'Seeing my friends at school', 'Music, especially drumming'],
  what_works: [
    'A visual timetable so I know what is next',
    'Quiet space when it gets too loud',
    'Being told about changes in advance',
    'Short, clear instructions',
  ],
  what_does_not_work: ['Crowded, noisy rooms', 'Being rushed', 'Lots of people talking at once', 'Surprises'],
  communication: ['I use signs and pictures', 'Give me time to answer', 'I understand more than I can say'],
  aspirations: ['To go to college', 'To travel on the bus on my own', 'To work with animals', 'To make new friends'],
};
const LANGUAGES: Record<string, [string, number]> = { APKN: ['Urdu', 0.3], ABAN: ['Bengali', 0.35], WOTH: ['Polish', 0.3], BAFR: ['Somali', 0.15] };

// ---------------------------------------------------------------------------------------------
// Generation: pure, one child at a time (with the child's family, when it is a new one)

export interface DemoContext {
  today: string;
  orgId: Record<OrgCode, string>;
  orgType: Record<OrgCode, string>;
  /** User id by demo e-mail address. */
  userId: Record<string, string>;
  localities: readonly { prefix: string; locality_id: string }[];
  localityName: Record<string, string>;
  criteriaIds: readonly string[];
}

type Row = Record<string, unknown>;
export interface Rows {
  families: Row[];
  family_members: Row[];
  children: Row[];
  key_workers: Row[];
  child_criteria: Row[];
  involvements: Row[];
  consents: Row[];
  consent_scopes: Row[];
  lawful_bases: Row[];
  chronology_events: Row[];
  about_me_versions: Row[];
}
const emptyRows = (): Rows => ({
  families: [],
  family_members: [],
  children: [],
  key_workers: [],
  child_criteria: [],
  involvements: [],
  consents: [],
  consent_scopes: [],
  lawful_bases: [],
  chronology_events: [],
  about_me_versions: [],
});

interface Family {
  id: string;
  children: number;
  surname: string;
  ethnicity: string;
  address: { line1: string; town: string; postcode: string; locality: string | null };
  /** The member with parental responsibility who decides about consent, if any. */
  decider: string | null;
  fosterCare: boolean;
}

export class PopulationGenerator {
  private readonly r: Random;
  private nhsCursor: number;
  private upnCursor = 0;
  private last: Family | undefined;
  private readonly f = nationalFigures();

  constructor(
    private readonly ctx: DemoContext,
    seed: number,
  ) {
    this.r = new Random(seed);
    this.nhsCursor = (Math.abs(Math.trunc(seed)) * 104_729) % 1_000_000;
  }

  /** A valid NHS number in the 999 range kept for testing; never the same one twice. */
  private nhsNumber(): string {
    for (;;) {
      const body = `999${String((this.nhsCursor * 7919 + 13) % 1_000_000).padStart(6, '0')}`;
      this.nhsCursor = (this.nhsCursor + 1) % 1_000_000;
      const check = nhsCheckDigit(body);
      if (check !== null) return `${body}${check}`;
    }
  }

  /** A valid permanent UPN: made-up LA 999, a school number and serial from a counter, the year given. */
  private upn(yearAllocated: number): string {
    const k = this.upnCursor++;
    const body = `999${String(7000 + Math.floor(k / 1000)).padStart(4, '0')}${String(yearAllocated % 100).padStart(2, '0')}${String(k % 1000).padStart(3, '0')}`;
    return `${upnCheckLetter(body)!}${body}`;
  }

  private newFamily(rows: Rows, ethnicity: string, fosterCare: boolean): Family {
    const r = this.r;
    const id = r.uuid();
    rows.families.push({ id });
    const district = r.weighted(DISTRICTS);
    const postcode = `${district} ${r.int(0, 9)}${r.pick([...UNIT_LETTERS])}${r.pick([...UNIT_LETTERS])}`;
    const locality = pickLocality(postcode, this.ctx.localities)?.locality_id ?? null;
    const family: Family = {
      id,
      children: 0,
      surname: surname(r),
      ethnicity,
      address: {
        line1: `${r.int(1, 180)} ${r.pick(STREET_STARTS)}${r.pick(['wood', 'field', 'hill', 'mead', 'brook'])} ${r.pick(STREET_ENDS)}`,
        town: locality ? this.ctx.localityName[locality]! : 'Demoshire',
        postcode,
        locality,
      },
      decider: null,
      fosterCare,
    };
    const [language, share] = LANGUAGES[ethnicity] ?? ['English', 0];
    const members: { relationship: string; pr: boolean; sex: string }[] = [];
    if (fosterCare) members.push({ relationship: 'foster-carer', pr: false, sex: r.chance(0.7) ? 'F' : 'M' });
    else {
      const first = r.weighted({ mother: 78, father: 15, 'special-guardian': 4, grandparent: 3 });
      members.push({ relationship: first, pr: first !== 'grandparent', sex: first === 'father' ? 'M' : first === 'mother' ? 'F' : r.chance(0.7) ? 'F' : 'M' });
      if (first === 'grandparent') members.push({ relationship: 'mother', pr: true, sex: 'F' });
      else if (first !== 'special-guardian' && r.chance(0.6)) {
        const second = first === 'mother' ? r.weighted({ father: 85, 'step-parent': 15 }) : 'mother';
        members.push({
          relationship: second,
          pr: second !== 'step-parent',
          sex: second === 'father' ? 'M' : second === 'mother' ? 'F' : r.chance(0.5) ? 'F' : 'M',
        });
      }
    }
    for (const m of members) {
      const memberId = r.uuid();
      const given = givenName(r, m.sex);
      const memberSurname = r.chance(0.75) ? family.surname : surname(r);
      const speaks = r.chance(share) ? language : 'English';
      const contact = r.weighted({ email: 35, sms: 30, phone: 25, letter: 10 });
      rows.family_members.push({
        id: memberId,
        family_id: id,
        full_name: `${given} ${memberSurname}`,
        relationship: m.relationship,
        parental_responsibility: m.pr,
        phone: `07700900${String(r.int(0, 999)).padStart(3, '0')}`,
        email: `${given}.${memberSurname}${r.int(1, 99)}@example.org`.toLowerCase(),
        address: `${family.address.line1}, ${family.address.town}, ${family.address.postcode}`,
        preferred_contact: contact,
        language: speaks,
        needs_interpreter: speaks !== 'English' && r.chance(0.5),
        consents_to_email: contact === 'email' || r.chance(0.4),
        consents_to_sms: contact === 'sms' || r.chance(0.4),
      });
      if (m.pr && !family.decider) family.decider = memberId;
    }
    return family;
  }

  /** Adds one child (index i, from 0) and everything about them to `rows`. */
  child(i: number, rows: Rows): void {
    const r = this.r;
    const f = this.f;
    const ctx = this.ctx;
    const today = ctx.today;

    // Age, from the national mix of ages of children and young people with EHC plans.
    const ageKey = r.weighted(f.age);
    const age = ageKey === 'under 3' ? r.int(0, 2) : Number(ageKey);
    const dob = between(r, fromDays(toDays(addYears(today, -(age + 1))) + 1), addYears(today, -age));
    const sex = r.weighted(f.sex);

    // About 15% of children share a family with another child on the register.
    const sibling = this.last && this.last.children === 1 && !this.last.fosterCare && r.chance(0.085);
    const family = sibling ? this.last! : this.newFamily(rows, r.weighted(f.ethnicity), r.chance(0.02));
    family.children++;
    this.last = family;

    const needKey = r.weighted(f.primaryNeed);
    const need = needKey === 'unknown' ? null : needKey;
    const setting = r.weighted(f.setting[ageKey] ?? { mainstream: 1 });
    const severity =
      need === 'PMLD'
        ? r.weighted({ profound: 80, severe: 20 })
        : need === 'SLD' || need === 'MSI'
          ? r.weighted({ severe: 65, profound: 15, moderate: 20 })
          : need === null
            ? null
            : r.weighted({ moderate: 68, severe: 27, profound: 5 });
    const hasPlan = age < 3 ? r.chance(0.15) : setting === 'special' || setting === 'alternative-provision' ? r.chance(0.92) : r.chance(0.4);
    const joined = between(r, laterOf(dob, addYears(today, -6)), today);
    const status = r.weighted({ active: 980, 'moved-away': 12, left: 8 });
    const actsForSelf = age >= 16 && severity !== 'profound' && need !== 'PMLD' && r.chance(0.7);
    const given = givenName(r, sex);
    const preferred = KNOWN_AS[given] && r.chance(0.4) ? KNOWN_AS[given] : null;
    const secondary = r.chance(0.3) ? [r.pick(Object.keys(f.primaryNeed).filter((k) => k !== 'unknown' && k !== need))] : [];

    // Who works with the child now.
    const weights: Partial<Record<OrgCode, number>> = {
      'DEMO-EDU': 0.5,
      'DEMO-TRUST': need && ['SLCN', 'ASD', 'PD', 'HI', 'VI', 'MSI', 'PMLD', 'SLD'].includes(need) ? 0.7 : 0.35,
      'DEMO-CSC': severity === 'severe' || severity === 'profound' ? 0.5 : 0.2,
      'DEMO-PROV': 0.2,
    };
    const chosen = new Set<OrgCode>();
    if (hasPlan) chosen.add('DEMO-EDU');
    if (setting === 'special' && age >= 3 && age <= 19 && r.chance(0.9)) chosen.add('DEMO-SCH');
    if (family.fosterCare) chosen.add('DEMO-CSC');
    const want = Math.max(chosen.size, Number(r.weighted({ 1: 35, 2: 33, 3: 20, 4: 12 })));
    while (chosen.size < want) {
      const left = Object.fromEntries(Object.entries(weights).filter(([k]) => !chosen.has(k as OrgCode))) as Record<OrgCode, number>;
      if (Object.keys(left).length === 0) break;
      chosen.add(r.weighted(left));
    }
    const orgs = [...chosen];

    const keyWorkerFrom = (['DEMO-CSC', 'DEMO-EDU', 'DEMO-TRUST'] as OrgCode[]).find((o) => chosen.has(o));
    const keyWorker = keyWorkerFrom && r.chance(0.88) ? ctx.userId[CASEWORK_ACCOUNT[keyWorkerFrom]!]! : null;

    const childId = r.uuid();
    rows.children.push({
      id: childId,
      family_id: family.id,
      given_name: given,
      family_name: family.surname,
      preferred_name: preferred,
      other_names: null,
      date_of_birth: dob,
      sex,
      ethnicity: family.ethnicity,
      address_line1: family.address.line1,
      address_line2: null,
      town: family.address.town,
      postcode: family.address.postcode,
      locality_id: family.address.locality,
      nhs_number: this.nhsNumber(),
      upn: age >= 4 ? this.upn(Number(dob.slice(0, 4)) + 4) : null,
      council_id: `${DEMO_COUNCIL_ID_PREFIX}${String(i + 1).padStart(6, '0')}`,
      primary_need: need,
      secondary_needs: secondary,
      has_ehc_plan: hasPlan,
      severity,
      communication_needs: r.chance(0.25) ? r.pick(COMMUNICATION) : null,
      joined_on: joined,
      status,
      status_on: status === 'active' ? null : between(r, joined, today),
      acts_for_self: actsForSelf,
      search_names: searchNames(given, family.surname, preferred),
    });
    if (keyWorker) rows.key_workers.push({ child_id: childId, user_id: keyWorker });

    for (const criterion of ctx.criteriaIds) {
      if (!r.chance(0.55)) continue;
      const by = orgs[0]!;
      rows.child_criteria.push({
        child_id: childId,
        criterion_id: criterion,
        assessed_by_user_id: CASEWORK_ACCOUNT[by] ? ctx.userId[CASEWORK_ACCOUNT[by]] : null,
        assessed_by_organisation_id: ctx.orgId[by],
        assessed_on: joined,
      });
    }

    const started: Partial<Record<OrgCode, string>> = {};
    for (const org of orgs) {
      const start = between(r, joined, today);
      started[org] = start;
      const ended = r.chance(0.05) && toDays(today) - toDays(start) > 30 ? between(r, fromDays(toDays(start) + 1), fromDays(toDays(today) - 1)) : null;
      const account = CASEWORK_ACCOUNT[org];
      const service = this.service(org, need, hasPlan);
      rows.involvements.push({
        id: r.uuid(),
        child_id: childId,
        organisation_id: ctx.orgId[org],
        service: service.service,
        provides: service.provides,
        started_on: start,
        ended_on: ended,
        practitioner_user_id: account ? ctx.userId[account] : null,
        practitioner_name: account ? null : `${givenName(r, r.pick(['F', 'M']))} ${surname(r)}`,
        cost_pence: service.costPence,
        cost_period: service.costPence === null ? null : service.period,
        created_by: account ? ctx.userId[account] : null,
      });
    }

    this.sharing(rows, { childId, age, need, severity, actsForSelf, family, joined, orgs, keyWorker });

    // The chronology: joining the register, then 0 to 4 events from the organisations involved.
    const events: Row[] = [
      {
        id: r.uuid(),
        child_id: childId,
        organisation_id: ctx.orgId[orgs[0]!],
        occurred_on: joined,
        section: 'core',
        title: 'Added to the register',
        detail: 'Agreed with the family that the child meets the area’s definition of disability.',
        recorded_by: CASEWORK_ACCOUNT[orgs[0]!] ? ctx.userId[CASEWORK_ACCOUNT[orgs[0]!]!] : null,
      },
    ];
    const more = r.int(0, 4);
    for (let k = 0; k < more; k++) {
      const org = r.pick(orgs);
      const [title, detail] = r.pick(EVENTS[org]!);
      events.push({
        id: r.uuid(),
        child_id: childId,
        organisation_id: ctx.orgId[org],
        occurred_on: between(r, started[org]!, today),
        section: ORG_SECTION[org]!,
        title,
        detail,
        recorded_by: CASEWORK_ACCOUNT[org] ? ctx.userId[CASEWORK_ACCOUNT[org]] : null,
      });
    }
    rows.chronology_events.push(...events);

    if (r.chance(0.3)) {
      rows.about_me_versions.push({
        id: r.uuid(),
        child_id: childId,
        version: 1,
        what_matters: r.pick(ABOUT_ME.what_matters),
        what_works: r.pick(ABOUT_ME.what_works),
        what_does_not_work: r.pick(ABOUT_ME.what_does_not_work),
        communication: r.pick(ABOUT_ME.communication),
        aspirations: r.pick(ABOUT_ME.aspirations),
        written_with: age >= 16 && actsForSelf ? 'Written by the young person with their key worker' : 'Written with the child and their family',
        recorded_by: keyWorker,
      });
    }
  }

  private service(
    org: OrgCode,
    need: string | null,
    hasPlan: boolean,
  ): { service: string; provides: string | null; costPence: number | null; period: 'week' | 'year' } {
    const r = this.r;
    switch (org) {
      case 'DEMO-EDU':
        return { service: 'SEND casework', provides: hasPlan ? 'EHC plan co-ordination' : 'Advice on SEN support', costPence: null, period: 'year' };
      case 'DEMO-CSC':
        return r.chance(0.3)
          ? { service: 'Children with disabilities team', provides: 'Personal assistant hours', costPence: r.int(6, 30) * 1000, period: 'week' }
          : { service: 'Children with disabilities team', provides: 'Social work assessment and support plan', costPence: null, period: 'week' };
      case 'DEMO-TRUST': {
        const service =
          need === 'SLCN' || need === 'ASD'
            ? 'Speech and language therapy'
            : need === 'PD' || need === 'PMLD'
              ? 'Physiotherapy'
              : need === 'HI' || need === 'VI' || need === 'MSI'
                ? 'Sensory support'
                : r.pick(['Community paediatrics', 'Occupational therapy']);
        return { service, provides: 'Assessment and therapy', costPence: null, period: 'week' };
      }
      case 'DEMO-SCH':
        return {
          service: 'Oakfield Special School',
          provides: 'Full-time school place',
          costPence: r.chance(0.6) ? r.int(22, 45) * 100_000 : null,
          period: 'year',
        };
      case 'DEMO-PROV':
        return {
          service: 'Short breaks',
          provides: r.pick(['Saturday club', 'Holiday play scheme', 'Overnight short breaks']),
          costPence: r.chance(0.7) ? r.int(6, 25) * 1000 : null,
          period: 'week',
        };
      default:
        return { service: 'Support', provides: null, costPence: null, period: 'week' };
    }
  }

  /**
   * Consent, or a lawful basis: most children have full consent for the types of organisation
   * that work with them (and the council's education team); about 10% partial consent; about 3%
   * consent that was withdrawn (and nothing else, so no one sees them); a few a lawful basis
   * instead (safeguarding, or the council's public task for a child in foster care).
   */
  private sharing(
    rows: Rows,
    c: {
      childId: string;
      age: number;
      need: string | null;
      severity: string | null;
      actsForSelf: boolean;
      family: Family;
      joined: string;
      orgs: OrgCode[];
      keyWorker: string | null;
    },
  ) {
    const r = this.r;
    const ctx = this.ctx;
    const today = this.ctx.today;
    const kind = c.family.fosterCare ? 'lawful-basis' : r.weighted({ withdrawn: 3, 'lawful-basis': 3, partial: 10, full: 84 });
    if (kind === 'lawful-basis') {
      const org: OrgCode = c.family.fosterCare ? 'DEMO-CSC' : c.orgs.includes('DEMO-CSC') ? 'DEMO-CSC' : c.orgs[0]!;
      const account = CASEWORK_ACCOUNT[org];
      rows.lawful_bases.push({
        id: r.uuid(),
        child_id: c.childId,
        organisation_id: ctx.orgId[org],
        basis: c.family.fosterCare || org !== 'DEMO-CSC' ? 'public-task' : 'safeguarding',
        sections: ['core', 'family', ORG_SECTION[org] ?? 'education'].filter((s, i, a) => a.indexOf(s) === i),
        explanation: c.family.fosterCare
          ? 'The child is looked after by the council; the council shares what is needed to meet their needs.'
          : 'Shared to keep the child safe, as agreed at a strategy discussion.',
        decided_by_user_id: account ? ctx.userId[account] : null,
        decided_on: between(r, c.joined, today),
        ends_on: null,
        ended_at: null,
      });
      return;
    }
    const consentId = r.uuid();
    const givenOn = between(r, c.joined, today);
    const young = c.age >= 16;
    const cannotDecide = young && !c.actsForSelf && (c.need === 'PMLD' || c.need === 'SLD' || c.severity === 'profound');
    const givenBy = young && c.actsForSelf ? 'young-person' : cannotDecide && c.family.decider ? 'decision-maker' : 'parent';
    const withdrawn = kind === 'withdrawn';
    rows.consents.push({
      id: consentId,
      child_id: c.childId,
      given_by: givenBy,
      given_by_member_id: givenBy === 'young-person' ? null : c.family.decider,
      capacity_note: givenBy === 'decision-maker' ? 'Assessed as not able to decide about sharing; their parent decides in their best interests.' : null,
      given_on: givenOn,
      method: r.weighted({ written: 50, electronic: 30, verbal: 20 }),
      evidence: r.pick(['Signed consent form on file', 'Consent recorded at the family meeting', 'Online form completed by the family']),
      review_on: addYears(givenOn, 1),
      withdrawn_at: withdrawn ? `${between(r, givenOn, today)}T10:00:00Z` : null,
      withdrawn_reason: withdrawn ? 'The family asked for their information not to be shared any more.' : null,
      recorded_by: c.keyWorker,
    });
    const types = new Set<string>(c.orgs.map((o) => ctx.orgType[o]));
    types.add(ctx.orgType['DEMO-EDU']);
    const partial = kind === 'partial';
    // Partial consent: the core record and each organisation's own section only, and sometimes
    // not the health service at all.
    const dropHealth = partial && r.chance(0.4);
    for (const type of types) {
      if (dropHealth && type === ctx.orgType['DEMO-TRUST'] && types.size > 1) continue;
      const own = Object.entries(ORG_SECTION).find(([o]) => ctx.orgType[o as OrgCode] === type)?.[1] ?? 'education';
      const sections: Section[] = partial ? ['core', own] : ALL_SECTIONS;
      for (const section of new Set(sections)) rows.consent_scopes.push({ consent_id: consentId, organisation_type: type, section });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Writing: column arrays through unnest(), one statement per table per batch

const COLUMNS: Record<keyof Rows, Record<string, string>> = {
  families: { id: 'uuid' },
  family_members: {
    id: 'uuid',
    family_id: 'uuid',
    full_name: 'text',
    relationship: 'text',
    parental_responsibility: 'boolean',
    phone: 'text',
    email: 'text',
    address: 'text',
    preferred_contact: 'text',
    language: 'text',
    needs_interpreter: 'boolean',
    consents_to_email: 'boolean',
    consents_to_sms: 'boolean',
  },
  children: {
    id: 'uuid',
    family_id: 'uuid',
    given_name: 'text',
    family_name: 'text',
    preferred_name: 'text',
    other_names: 'text',
    date_of_birth: 'date',
    sex: 'text',
    ethnicity: 'text',
    address_line1: 'text',
    address_line2: 'text',
    town: 'text',
    postcode: 'text',
    locality_id: 'uuid',
    nhs_number: 'text',
    upn: 'text',
    council_id: 'text',
    primary_need: 'text',
    secondary_needs: 'text[]',
    has_ehc_plan: 'boolean',
    severity: 'text',
    communication_needs: 'text',
    joined_on: 'date',
    status: 'text',
    status_on: 'date',
    acts_for_self: 'boolean',
    search_names: 'text',
  },
  key_workers: { child_id: 'uuid', user_id: 'uuid' },
  child_criteria: { child_id: 'uuid', criterion_id: 'uuid', assessed_by_user_id: 'uuid', assessed_by_organisation_id: 'uuid', assessed_on: 'date' },
  involvements: {
    id: 'uuid',
    child_id: 'uuid',
    organisation_id: 'uuid',
    service: 'text',
    provides: 'text',
    started_on: 'date',
    ended_on: 'date',
    practitioner_user_id: 'uuid',
    practitioner_name: 'text',
    cost_pence: 'bigint',
    cost_period: 'text',
    created_by: 'uuid',
  },
  consents: {
    id: 'uuid',
    child_id: 'uuid',
    given_by: 'text',
    given_by_member_id: 'uuid',
    capacity_note: 'text',
    given_on: 'date',
    method: 'text',
    evidence: 'text',
    review_on: 'date',
    withdrawn_at: 'timestamptz',
    withdrawn_reason: 'text',
    recorded_by: 'uuid',
  },
  consent_scopes: { consent_id: 'uuid', organisation_type: 'text', section: 'text' },
  lawful_bases: {
    id: 'uuid',
    child_id: 'uuid',
    organisation_id: 'uuid',
    basis: 'text',
    sections: 'text[]',
    explanation: 'text',
    decided_by_user_id: 'uuid',
    decided_on: 'date',
    ends_on: 'date',
    ended_at: 'timestamptz',
  },
  chronology_events: {
    id: 'uuid',
    child_id: 'uuid',
    organisation_id: 'uuid',
    occurred_on: 'date',
    section: 'text',
    title: 'text',
    detail: 'text',
    recorded_by: 'uuid',
  },
  about_me_versions: {
    id: 'uuid',
    child_id: 'uuid',
    version: 'int',
    what_matters: 'text',
    what_works: 'text',
    what_does_not_work: 'text',
    communication: 'text',
    aspirations: 'text',
    written_with: 'text',
    recorded_by: 'uuid',
  },
};
const ORDER: (keyof Rows)[] = [
  'families',
  'family_members',
  'children',
  'key_workers',
  'child_criteria',
  'involvements',
  'consents',
  'consent_scopes',
  'lawful_bases',
  'chronology_events',
  'about_me_versions',
];

/** A text[] value as an array literal (the codes and words here need no quoting beyond this). */
const arrayLiteral = (a: unknown) => `{${(a as string[]).map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;

async function insertAll(tx: Tx, table: keyof Rows, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = Object.entries(COLUMNS[table]);
  const arrays: RawBuilder<unknown>[] = cols.map(([name, type]) => {
    const values = rows.map((row) => (row[name] === undefined ? null : type === 'text[]' ? arrayLiteral(row[name]) : row[name]));
    return sql`${sql.val(values)}::${sql.raw(type === 'text[]' ? 'text' : type)}[]`;
  });
  const names = cols.map(([n]) => n);
  const select = cols.map(([n, type]) => sql.raw(type === 'text[]' ? `u.${n}::text[]` : `u.${n}`));
  await sql`insert into ${sql.table(table)} (${sql.join(names.map((n) => sql.ref(n)))})
    select ${sql.join(select)} from unnest(${sql.join(arrays)}) as u(${sql.join(names.map((n) => sql.raw(n)))})`.execute(tx);
}

// ---------------------------------------------------------------------------------------------
// Seeding

export interface PopulationOptions {
  children: number;
  seed?: number;
  /** The day ages are worked out on ('YYYY-MM-DD'); today in London unless given. */
  today?: string;
  onProgress?: (done: number, total: number) => unknown;
}
export interface PopulationResult {
  children: number;
  /** Set when nothing was added because the demo population is already there. */
  skipped?: 'already-there';
}

/** Reads the demo area's organisations, staff, localities and criteria (creating the localities if there are none). */
export async function demoContext(db: Db, today: string): Promise<DemoContext> {
  const orgs = await db
    .selectFrom('organisations')
    .select(['id', 'code', 'type'])
    .where(
      'code',
      'in',
      DEMO_ORGANISATIONS.map((o) => o.code),
    )
    .execute();
  const users = await db
    .selectFrom('users')
    .select(['id', 'email'])
    .where(
      'email',
      'in',
      DEMO_USERS.map((u) => u.email),
    )
    .execute();
  const neededEmails = Object.values(CASEWORK_ACCOUNT);
  if (orgs.length !== DEMO_ORGANISATIONS.length || neededEmails.some((e) => !users.some((u) => u.email === e))) {
    throw new Error(
      'The Demoshire demo area is not in this database, so no demo population can be added. Create it first with `jointly seed-demo` on an empty database.',
    );
  }
  // The demo localities come with the demo area (register-config.ts); a database made before
  // they did gets them now.
  await db.transaction().execute(async (tx) => {
    for (const l of DEMO_LOCALITIES) {
      const found = await tx.selectFrom('localities').select('id').where('code', '=', l.code).executeTakeFirst();
      if (found) continue;
      const row = await tx.insertInto('localities').values({ code: l.code, name: l.name }).returning('id').executeTakeFirstOrThrow();
      await tx
        .insertInto('locality_postcodes')
        .values(l.prefixes.map((prefix) => ({ prefix, locality_id: row.id })))
        .onConflict((oc) => oc.column('prefix').doNothing())
        .execute();
    }
  });
  const localities = await db.selectFrom('locality_postcodes').select(['prefix', 'locality_id']).execute();
  const names = await db.selectFrom('localities').select(['id', 'name']).execute();
  const criteria = await db.selectFrom('disability_criteria').select('id').where('active', '=', true).orderBy('position').orderBy('code').execute();
  return {
    today,
    orgId: Object.fromEntries(orgs.map((o) => [o.code, o.id])) as Record<OrgCode, string>,
    orgType: Object.fromEntries(orgs.map((o) => [o.code, o.type])) as Record<OrgCode, string>,
    userId: Object.fromEntries(users.map((u) => [u.email, u.id])),
    localities,
    localityName: Object.fromEntries(names.map((l) => [l.id, l.name])),
    criteriaIds: criteria.map((c) => c.id),
  };
}

/**
 * Adds `children` fictional children (and their families, involvements, consents and
 * chronologies) to the demo area, in transactions of 500 children. Does nothing when the demo
 * population is already there.
 */
export async function seedPopulation(db: Db, opts: PopulationOptions): Promise<PopulationResult> {
  const total = Math.max(0, Math.floor(opts.children));
  const there = await db.selectFrom('children').select('id').where('council_id', 'like', `${DEMO_COUNCIL_ID_PREFIX}%`).limit(1).executeTakeFirst();
  if (there) return { children: 0, skipped: 'already-there' };
  if (total === 0) return { children: 0 };
  const today = opts.today ?? todayInLondon();
  const ctx = await demoContext(db, today);
  const generator = new PopulationGenerator(ctx, opts.seed ?? DEFAULT_DEMO_SEED);
  for (let from = 0; from < total; from += BATCH) {
    const rows = emptyRows();
    const to = Math.min(total, from + BATCH);
    for (let i = from; i < to; i++) generator.child(i, rows);
    await db.transaction().execute(async (tx) => {
      for (const table of ORDER) await insertAll(tx, table, rows[table]);
    });
    await opts.onProgress?.(to, total);
  }
  return { children: total };
}

export interface DemoWorldResult extends PopulationResult {
  money: Awaited<ReturnType<typeof seedDemoMoney>>;
  panel: Awaited<ReturnType<typeof seedDemoPanel>>;
  history: Awaited<ReturnType<typeof seedDemoHistory>>;
  life: Awaited<ReturnType<typeof seedDemoLife>>;
  commissioning: Awaited<ReturnType<typeof seedDemoCommissioning>>;
  families: Awaited<ReturnType<typeof seedDemoFamilies>>;
}

/**
 * The whole living demo area after the accounts: the population, a year of money for some of
 * those children (src/demo/money.ts, posted through the budgets services), the multi-agency panel
 * whose members commit those budgets (src/demo/panel.ts), and the last few weeks of work, so every
 * demo account has something to do (src/demo/life.ts), and the family accounts (src/demo/families.ts). Each part does nothing when it is there already.
 */
export async function seedDemoWorld(db: Db, opts: PopulationOptions): Promise<DemoWorldResult> {
  const result = await seedPopulation(db, opts);
  const money = await seedDemoMoney(db, opts.today ? { today: opts.today } : {});
  const panel = await seedDemoPanel(db, opts.today ? { today: opts.today } : {});
  // The year before, then the last few weeks: written in that order so the chain follows the clock.
  const history = await seedDemoHistory(db, opts.today ? { today: opts.today } : {});
  const life = await seedDemoLife(db, opts.today ? { today: opts.today } : {});
  // Joint commissioning: a plan and contracts, with demo packages linked (src/demo/commissioning.ts).
  const commissioning = await seedDemoCommissioning(db, opts.today ? { today: opts.today } : {});
  // The family accounts, linked to a child the panel agreed support for (src/demo/families.ts).
  const families = await seedDemoFamilies(db, opts.today ? { today: opts.today } : {});
  return { ...result, money, panel, history, life, commissioning, families };
}

/** The background job main.ts enqueues after creating the demo area, so start-up stays quick. */
export function registerDemoPopulationJob(jobs: Jobs): void {
  jobs.register(DEMO_POPULATION_JOB, async (payload, job) => {
    const p = (payload ?? {}) as { children?: number; seed?: number };
    const children = p.children ?? DEFAULT_DEMO_CHILDREN;
    return seedDemoWorld(job.db, {
      children,
      seed: p.seed ?? DEFAULT_DEMO_SEED,
      onProgress: (done, all) => job.progress((100 * done) / all, `${done.toLocaleString('en-GB')} of ${all.toLocaleString('en-GB')} fictional children added`),
    });
  });
}
