// The forms of the core record: registering a child (the child, the first parent or carer, and
// consent to share), and editing the core record. Each field is checked with its own zod schema
// so that every problem on the page is reported at once, with a specific message pointing at its
// field; rules across fields (ages, consent, contact details) follow in plain code.
import { z } from 'zod';
import { ageOn } from '../../../platform/dates.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { ORGANISATION_TYPES, isOrganisationType } from '../../../platform/access/roles.js';
import { SECTIONS, isSection, type Section } from '../sharing/index.js';
import {
  AGE_OF_OWN_DECISIONS,
  CONSENT_GIVERS,
  CONSENT_METHODS,
  CONTACT_METHODS,
  MAX_AGE,
  ageProblems,
  isEthnicityCode,
  isNeedCode,
  isRelationship,
  isSeverity,
  isSex,
  isStatus,
  mayActForSelf,
  normalisePhone,
  normalisePostcode,
  parseNhsNumber,
  parseUpn,
  type ConsentGiver,
  type ConsentMethod,
  type ContactMethod,
  type EthnicityCode,
  type NeedCode,
  type Relationship,
  type Severity,
  type Sex,
  type Status,
} from './rules.js';
import { dateFromParts } from '../../../platform/date-input.js';
import { formList } from '../../../platform/http/form-values.js';

type Body = Record<string, unknown>;

/** Collects one error per field, in the order the fields appear on the page. */
export class FormErrors {
  readonly list: FieldError[] = [];
  private readonly fields = new Set<string>();
  add(field: string, text: string, href = `#${field}`) {
    if (this.fields.has(field)) return;
    this.fields.add(field);
    this.list.push({ text, href });
  }
  has(field: string) {
    return this.fields.has(field);
  }
  /** Runs a zod schema on one field; answers the value, or undefined after recording the error. */
  field<T>(body: Body, name: string, schema: z.ZodType<T>): T | undefined {
    const r = schema.safeParse(body[name]);
    if (r.success) return r.data;
    this.add(name, r.error.issues[0]?.message ?? 'Check this answer');
    return undefined;
  }
  throwIfAny(order: readonly string[]) {
    if (!this.list.length) return;
    const rank = (href: string) => {
      const i = order.findIndex((f) => href === `#${f}` || href.startsWith(`#${f}-`));
      return i < 0 ? order.length : i;
    };
    throw new ValidationError([...this.list].sort((a, b) => rank(a.href) - rank(b.href)));
  }
}

// ---------------------------------------------------------------------------------------------
// Field schemas

const str = z.unknown().transform((v) => (typeof v === 'string' ? v.trim() : Array.isArray(v) ? String(v[0] ?? '').trim() : ''));

const requiredText = (empty: string, max: number, tooLong: string) => str.pipe(z.string().min(1, empty).max(max, tooLong));
const optionalText = (max: number, tooLong: string) => str.pipe(z.string().max(max, tooLong)).transform((v) => (v === '' ? null : v));
const choice = <T extends string>(is: (s: string) => s is T, message: string) => str.pipe(z.string().refine((s): s is T => is(s), message)).transform((s) => s);
const optionalChoice = <T extends string>(is: (s: string) => s is T, message: string) =>
  str.pipe(z.string().refine((s) => s === '' || is(s), message)).transform((s) => (s === '' ? null : s));
const yesNo = (message: string) => str.pipe(z.enum(['yes', 'no'], { message })).transform((s) => s === 'yes');
const ticked = str.transform((s) => s === 'yes');
const list = z.unknown().transform((v) => [
  ...new Set(
    formList(v)
      .map((s) => s.trim())
      .filter(Boolean),
  ),
]);

export const NHS_NUMBER_MESSAGES = {
  format: 'Enter a valid NHS number: it is 10 digits, like 943 476 5919',
  'check-digit': 'Enter a valid NHS number: it is 10 digits and its last digit did not check out',
} as const;
export const UPN_MESSAGES = {
  format: 'Enter a valid UPN: it is a letter followed by 12 characters, like X201200024001',
  'check-letter': 'Enter a valid UPN: its first letter does not match the rest, so it may have been mistyped',
} as const;

/** A field that may be left blank (null); otherwise `read` answers its value, or the message refusing it. */
const optionalRead = <T>(read: (s: string) => { value: T } | { message: string }) =>
  str.transform((s, ctx) => {
    if (s === '') return null;
    const r = read(s);
    if ('value' in r) return r.value;
    ctx.addIssue({ code: 'custom', message: r.message });
    return z.NEVER;
  });
/** For rules that answer null for what they cannot read. */
const orRefuse = <T>(value: T | null, message: string) => (value === null ? { message } : { value });

const nhsNumber = optionalRead((s) => {
  const r = parseNhsNumber(s);
  return r.ok ? r : { message: NHS_NUMBER_MESSAGES[r.problem] };
});
const upn = optionalRead((s) => {
  const r = parseUpn(s);
  return r.ok ? r : { message: UPN_MESSAGES[r.problem] };
});
const postcode = optionalRead((s) => orRefuse(normalisePostcode(s), 'Enter a real postcode, like DM1 4AB'));
const phone = optionalRead((s) => orRefuse(normalisePhone(s), 'Enter a phone number, like 01632 960 001 or 07700 900 982'));
const email = optionalRead((s) =>
  orRefuse(s.length <= 254 && z.email().safeParse(s).success ? s : null, 'Enter an e-mail address in the correct format, like name@example.org'),
);

/**
 * A date from three GOV.UK date-input boxes named `<name>-day`, `-month`, `-year`. The error
 * points at the first box that needs fixing. `label` starts a sentence ("Date of birth").
 */
function dateField(errors: FormErrors, body: Body, name: string, label: string, whenMissing: string | null): string | null | undefined {
  const r = dateFromParts({ day: body[`${name}-day`], month: body[`${name}-month`], year: body[`${name}-year`] });
  if (r.ok) return r.value;
  if (r.problem.kind === 'missing') {
    if (whenMissing === null) return null;
    errors.add(name, whenMissing, `#${name}-day`);
  } else if (r.problem.kind === 'incomplete') {
    const m = r.problem.missing;
    const words = m.length === 1 ? `a ${m[0]}` : m.length === 2 ? `a ${m[0]} and a ${m[1]}` : 'a day, month and year';
    errors.add(name, `${label} must include ${words}`, `#${name}-${m[0]}`);
  } else {
    errors.add(name, `${label} must be a real date, like 27 3 2015`, `#${name}-day`);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The child's core record (shared by registering and editing)

export interface ChildInput {
  givenName: string;
  familyName: string;
  preferredName: string | null;
  otherNames: string | null;
  dateOfBirth: string;
  sex: Sex;
  ethnicity: EthnicityCode;
  addressLine1: string | null;
  addressLine2: string | null;
  town: string | null;
  postcode: string | null;
  nhsNumber: string | null;
  upn: string | null;
  councilId: string | null;
  primaryNeed: NeedCode | null;
  secondaryNeeds: NeedCode[];
  hasEhcPlan: boolean;
  severity: Severity | null;
  communicationNeeds: string | null;
  joinedOn: string;
  actsForSelf: boolean;
}

export const CHILD_FIELDS = [
  'givenName',
  'familyName',
  'preferredName',
  'otherNames',
  'dateOfBirth',
  'sex',
  'ethnicity',
  'addressLine1',
  'addressLine2',
  'town',
  'postcode',
  'nhsNumber',
  'upn',
  'councilId',
  'primaryNeed',
  'secondaryNeeds',
  'hasEhcPlan',
  'severity',
  'communicationNeeds',
  'joinedOn',
  'actsForSelf',
] as const;

function parseChild(e: FormErrors, body: Body, today: string): ChildInput | undefined {
  const givenName = e.field(body, 'givenName', requiredText('Enter the child’s first name', 100, 'First name must be 100 characters or fewer'));
  const familyName = e.field(body, 'familyName', requiredText('Enter the child’s last name', 100, 'Last name must be 100 characters or fewer'));
  const preferredName = e.field(body, 'preferredName', optionalText(100, 'Preferred name must be 100 characters or fewer'));
  const otherNames = e.field(body, 'otherNames', optionalText(200, 'Other names must be 200 characters or fewer'));
  const dateOfBirth = dateField(e, body, 'dateOfBirth', 'Date of birth', 'Enter the child’s date of birth');
  const sex = e.field(body, 'sex', choice(isSex, 'Select the child’s sex'));
  const ethnicity = e.field(body, 'ethnicity', choice(isEthnicityCode, 'Select the child’s ethnicity, or ‘Not yet obtained’'));
  const addressLine1 = e.field(body, 'addressLine1', optionalText(200, 'Address line 1 must be 200 characters or fewer'));
  const addressLine2 = e.field(body, 'addressLine2', optionalText(200, 'Address line 2 must be 200 characters or fewer'));
  const town = e.field(body, 'town', optionalText(100, 'Town or city must be 100 characters or fewer'));
  const pc = e.field(body, 'postcode', postcode);
  const nhs = e.field(body, 'nhsNumber', nhsNumber);
  const u = e.field(body, 'upn', upn);
  const councilId = e.field(body, 'councilId', optionalText(50, 'Council reference must be 50 characters or fewer'));
  const primaryNeed = e.field(body, 'primaryNeed', optionalChoice(isNeedCode, 'Select the primary need from the list'));
  const secondaryNeeds = e.field(
    body,
    'secondaryNeeds',
    list.pipe(z.array(z.string().refine(isNeedCode, 'Select secondary needs from the list'))).transform((a) => a),
  );
  const hasEhcPlan = e.field(body, 'hasEhcPlan', yesNo('Select whether the child has an education, health and care (EHC) plan'));
  const severity = e.field(body, 'severity', optionalChoice(isSeverity, 'Select the severity band from the list'));
  const communicationNeeds = e.field(body, 'communicationNeeds', optionalText(2000, 'Communication needs must be 2,000 characters or fewer'));
  const joinedOn = dateField(e, body, 'joinedOn', 'Date joined', 'Enter the date the child joined the register');
  const actsForSelf = e.field(
    body,
    'actsForSelf',
    str.pipe(z.enum(['yes', 'no', ''], { message: 'Select whether the young person acts for themselves' })).transform((s) => s === 'yes'),
  );

  if (secondaryNeeds?.length && primaryNeed === null) e.add('secondaryNeeds', 'Select a primary need before adding secondary needs');
  if (secondaryNeeds && primaryNeed && secondaryNeeds.includes(primaryNeed)) e.add('secondaryNeeds', 'A secondary need cannot also be the primary need');

  if (dateOfBirth) {
    const problems = ageProblems(dateOfBirth, joinedOn ?? dateOfBirth, today);
    if (problems.includes('born-in-future')) e.add('dateOfBirth', 'Date of birth must be today or in the past', '#dateOfBirth-day');
    if (joinedOn) {
      if (problems.includes('joined-in-future')) e.add('joinedOn', 'Date joined must be today or in the past', '#joinedOn-day');
      if (problems.includes('joined-before-birth')) e.add('joinedOn', 'Date joined must be on or after the date of birth', '#joinedOn-day');
      if (problems.includes('over-25-on-joining')) {
        e.add(
          'dateOfBirth',
          `They were ${ageOn(dateOfBirth, joinedOn)} on the date joined: the register is for children and young people aged 0 to ${MAX_AGE}`,
          '#dateOfBirth-day',
        );
      }
    }
    if (actsForSelf && dateOfBirth <= today && !mayActForSelf(dateOfBirth, today)) {
      e.add('actsForSelf', `Only a young person aged ${AGE_OF_OWN_DECISIONS} or over can act for themselves: select No`);
    }
  } else if (joinedOn && joinedOn > today) {
    e.add('joinedOn', 'Date joined must be today or in the past', '#joinedOn-day');
  }

  if (e.list.length) return undefined;
  return {
    givenName: givenName!,
    familyName: familyName!,
    preferredName: preferredName ?? null,
    otherNames: otherNames ?? null,
    dateOfBirth: dateOfBirth!,
    sex: sex!,
    ethnicity: ethnicity!,
    addressLine1: addressLine1 ?? null,
    addressLine2: addressLine2 ?? null,
    town: town ?? null,
    postcode: pc ?? null,
    nhsNumber: nhs ?? null,
    upn: u ?? null,
    councilId: councilId ?? null,
    primaryNeed: primaryNeed ?? null,
    secondaryNeeds: secondaryNeeds ?? [],
    hasEhcPlan: hasEhcPlan!,
    severity: severity ?? null,
    communicationNeeds: communicationNeeds ?? null,
    joinedOn: joinedOn!,
    actsForSelf: actsForSelf ?? false,
  };
}

// ---------------------------------------------------------------------------------------------
// Registering: the child, the first parent or carer, consent to share

export interface ParentInput {
  fullName: string;
  relationship: Relationship;
  parentalResponsibility: boolean;
  phone: string | null;
  email: string | null;
  preferredContact: ContactMethod | null;
  language: string | null;
  needsInterpreter: boolean;
  consentsToEmail: boolean;
  consentsToSms: boolean;
}

export interface ConsentInput {
  givenBy: ConsentGiver;
  capacityNote: string | null;
  givenOn: string;
  method: ConsentMethod;
  evidence: string | null;
  reviewOn: string | null;
  scopes: { organisationType: string; section: Section }[];
}

export interface RegisterInput {
  child: ChildInput;
  parent: ParentInput | null;
  consent: ConsentInput;
  service: string;
  /** The person has seen the possible duplicates and said this is a different child. */
  confirmed: boolean;
}

const PARENT_FIELDS = [
  'parentName',
  'parentRelationship',
  'parentalResponsibility',
  'parentPhone',
  'parentEmail',
  'parentPreferredContact',
  'parentLanguage',
  'parentNeedsInterpreter',
  'parentConsentsToEmail',
  'parentConsentsToSms',
] as const;

const scopeFieldOrder = Object.keys(ORGANISATION_TYPES).map((t) => `scope-${t}`);

export const REGISTER_FIELD_ORDER = [
  ...CHILD_FIELDS,
  ...PARENT_FIELDS,
  'consentGivenBy',
  'consentCapacityNote',
  'consentGivenOn',
  'consentMethod',
  'consentEvidence',
  'consentReviewOn',
  ...scopeFieldOrder,
  'service',
] as const;

/** Scope checkboxes are named `scope` with values `<organisation type>:<section>`. */
export const scopeValue = (organisationType: string, section: string) => `${organisationType}:${section}`;

/**
 * The organisation types and sections ticked, with the core record added for every organisation
 * type that has any section: sharing anything with a type of organisation means they can find the child.
 */
export function scopesFrom(values: readonly string[]): { scopes: { organisationType: string; section: Section }[]; unknown: boolean } {
  const byType = new Map<string, Set<Section>>();
  let unknown = false;
  for (const v of values) {
    const i = v.lastIndexOf(':');
    const type = v.slice(0, i);
    const section = v.slice(i + 1);
    if (i < 0 || !isOrganisationType(type) || !isSection(section)) {
      unknown = true;
      continue;
    }
    const set = byType.get(type) ?? new Set<Section>(['core']);
    set.add(section);
    byType.set(type, set);
  }
  const scopes: { organisationType: string; section: Section }[] = [];
  for (const type of Object.keys(ORGANISATION_TYPES)) {
    const set = byType.get(type);
    if (!set) continue;
    for (const section of Object.keys(SECTIONS) as Section[]) if (set.has(section)) scopes.push({ organisationType: type, section });
  }
  return { scopes, unknown };
}

function parentIsBlank(body: Body) {
  return PARENT_FIELDS.every((f) => {
    const v = body[f];
    return v === undefined || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
  });
}

function parseParent(e: FormErrors, body: Body): ParentInput | undefined {
  const fullName = e.field(body, 'parentName', requiredText('Enter the parent or carer’s full name', 200, 'Full name must be 200 characters or fewer'));
  const relationship = e.field(body, 'parentRelationship', choice(isRelationship, 'Select their relationship to the child'));
  const parentalResponsibility = e.field(body, 'parentalResponsibility', yesNo('Select whether they have parental responsibility'));
  const ph = e.field(body, 'parentPhone', phone);
  const em = e.field(body, 'parentEmail', email);
  const preferredContact = e.field(
    body,
    'parentPreferredContact',
    optionalChoice((s): s is ContactMethod => Object.hasOwn(CONTACT_METHODS, s), 'Select how they prefer to be contacted'),
  );
  const language = e.field(body, 'parentLanguage', optionalText(100, 'Language must be 100 characters or fewer'));
  const needsInterpreter = e.field(body, 'parentNeedsInterpreter', ticked);
  const consentsToEmail = e.field(body, 'parentConsentsToEmail', ticked);
  const consentsToSms = e.field(body, 'parentConsentsToSms', ticked);

  if (ph === null) {
    if (preferredContact === 'sms' || preferredContact === 'phone') e.add('parentPhone', 'Enter their phone number, or choose another way to contact them');
    if (consentsToSms) e.add('parentPhone', 'Enter their mobile phone number, or untick consent to text messages');
  }
  if (em === null) {
    if (preferredContact === 'email') e.add('parentEmail', 'Enter their e-mail address, or choose another way to contact them');
    if (consentsToEmail) e.add('parentEmail', 'Enter their e-mail address, or untick consent to e-mail');
  }
  if (PARENT_FIELDS.some((f) => e.has(f))) return undefined;
  return {
    fullName: fullName!,
    relationship: relationship!,
    parentalResponsibility: parentalResponsibility!,
    phone: ph ?? null,
    email: em ?? null,
    preferredContact: preferredContact ?? null,
    language: language ?? null,
    needsInterpreter: needsInterpreter ?? false,
    consentsToEmail: consentsToEmail ?? false,
    consentsToSms: consentsToSms ?? false,
  };
}

/**
 * The whole registration form. `registrant` is the person registering: consent must cover their
 * own type of organisation for the core record, or they would lose sight of the child at once.
 */
export function parseRegisterForm(body: Body, today: string, registrant: { organisationType: string }): RegisterInput {
  const e = new FormErrors();
  const child = parseChild(e, body, today);
  const dob = child?.dateOfBirth ?? dateFromPartsOrNull(body, 'dateOfBirth');
  // A valid "acts for themselves" (16 or over) lets the parent or carer part be left blank.
  const actsForSelf = body.actsForSelf === 'yes' && !e.has('actsForSelf');

  // The first parent or carer: may be left out only for a young person who acts for themselves.
  const parent: ParentInput | null = actsForSelf && parentIsBlank(body) ? null : (parseParent(e, body) ?? null);

  const givenBy = e.field(
    body,
    'consentGivenBy',
    choice((s): s is ConsentGiver => Object.hasOwn(CONSENT_GIVERS, s), 'Select who gave consent'),
  );
  const capacityNote = e.field(body, 'consentCapacityNote', optionalText(1000, 'The note on capacity must be 1,000 characters or fewer'));
  const givenOn = dateField(e, body, 'consentGivenOn', 'Date consent was given', 'Enter the date consent was given');
  const method = e.field(
    body,
    'consentMethod',
    choice((s): s is ConsentMethod => Object.hasOwn(CONSENT_METHODS, s), 'Select how consent was given'),
  );
  const evidence = e.field(body, 'consentEvidence', optionalText(500, 'Evidence must be 500 characters or fewer'));
  const reviewOn = dateField(e, body, 'consentReviewOn', 'Review date', null);
  const ticks = list.parse(body.scope);
  const { scopes, unknown } = scopesFrom(ticks);
  const service = e.field(
    body,
    'service',
    requiredText('Enter the name of your service that works with the child, like Early years SEND team', 200, 'Service must be 200 characters or fewer'),
  );

  if (givenBy === 'parent' && !e.has('parentName')) {
    if (!parent && !PARENT_FIELDS.some((f) => e.has(f))) e.add('consentGivenBy', 'Add the parent or carer who gave consent, or choose who gave it');
    else if (parent && !parent.parentalResponsibility) {
      e.add('consentGivenBy', 'Consent from a parent or carer needs parental responsibility: check that answer, or choose who gave consent');
    }
  }
  if ((givenBy === 'young-person' || givenBy === 'decision-maker') && dob && givenOn && ageOn(dob, givenOn) < AGE_OF_OWN_DECISIONS) {
    e.add(
      'consentGivenBy',
      givenBy === 'young-person'
        ? `A young person can give their own consent only from age ${AGE_OF_OWN_DECISIONS}: for a younger child, consent comes from a parent or carer`
        : `Someone decides for a young person who lacks capacity only from age ${AGE_OF_OWN_DECISIONS}: for a younger child, consent comes from a parent or carer`,
    );
  }
  if (givenBy === 'decision-maker' && !capacityNote) {
    e.add('consentCapacityNote', 'Explain who made the decision and why the young person could not decide for themselves');
  }
  if (givenOn) {
    if (givenOn > today) e.add('consentGivenOn', 'Date consent was given must be today or in the past', '#consentGivenOn-day');
    else if (dob && givenOn < dob) e.add('consentGivenOn', 'Date consent was given must be on or after the date of birth', '#consentGivenOn-day');
  }
  if (reviewOn && givenOn && reviewOn <= givenOn) e.add('consentReviewOn', 'Review date must be after the date consent was given', '#consentReviewOn-day');

  const ownType = registrant.organisationType;
  const ownLabel = ORGANISATION_TYPES[ownType as keyof typeof ORGANISATION_TYPES] ?? ownType;
  if (unknown) e.add(`scope-${ownType}`, 'Select organisation types and parts of the record from the list');
  else if (!scopes.length) e.add(`scope-${ownType}`, 'Select at least one type of organisation to share the record with, including your own');
  else if (!scopes.some((s) => s.organisationType === ownType && s.section === 'core')) {
    e.add(
      `scope-${ownType}`,
      `Consent must cover your own type of organisation (${ownLabel}), or you would not be able to see this child once they are registered`,
    );
  }

  e.throwIfAny(REGISTER_FIELD_ORDER);
  return {
    child: child!,
    parent,
    consent: {
      givenBy: givenBy!,
      capacityNote: capacityNote ?? null,
      givenOn: givenOn!,
      method: method!,
      evidence: evidence ?? null,
      reviewOn: reviewOn ?? null,
      scopes,
    },
    service: service!,
    confirmed: body.confirmed === 'yes',
  };
}

function dateFromPartsOrNull(body: Body, name: string) {
  const r = dateFromParts({ day: body[`${name}-day`], month: body[`${name}-month`], year: body[`${name}-year`] });
  return r.ok ? r.value : null;
}

// ---------------------------------------------------------------------------------------------
// Editing the core record: the child's fields, status, the common definition of disability

export interface EditInput {
  child: ChildInput;
  status: Status;
  statusOn: string | null;
  criteria: string[];
  criteriaAssessedOn: string | null;
  version: number;
}

export const EDIT_FIELD_ORDER = [...CHILD_FIELDS, 'status', 'statusOn', 'criteria', 'criteriaAssessedOn'] as const;

/**
 * `criteria` are the ids of the active criteria the form offered; `alreadyMet` those recorded
 * before, so a date of assessment is needed only when a criterion is newly ticked.
 */
export function parseEditForm(body: Body, today: string, opts: { criteria: readonly string[]; alreadyMet: readonly string[] }): EditInput {
  const e = new FormErrors();
  const child = parseChild(e, body, today);
  const dob = child?.dateOfBirth ?? dateFromPartsOrNull(body, 'dateOfBirth');
  const status = e.field(body, 'status', choice(isStatus, 'Select the status of the record'));
  const statusOn = dateField(e, body, 'statusOn', 'Date of the change', status && status !== 'active' ? 'Enter the date the status changed' : null);
  const criteria = e.field(body, 'criteria', list.pipe(z.array(z.string().refine((id) => opts.criteria.includes(id), 'Select criteria from the list'))));
  const criteriaAssessedOn = dateField(e, body, 'criteriaAssessedOn', 'Date assessed', null);
  const version = e.field(body, 'version', z.coerce.number({ message: 'The form is out of date. Reload the page and try again' }).int().min(1));

  if (statusOn) {
    if (statusOn > today) e.add('statusOn', 'Date of the change must be today or in the past', '#statusOn-day');
    else if (dob && statusOn < dob) e.add('statusOn', 'Date of the change must be on or after the date of birth', '#statusOn-day');
    else if (status === 'over-25' && dob && ageOn(dob, statusOn) <= MAX_AGE) {
      e.add('status', `They were ${ageOn(dob, statusOn)} on that date, not over 25: choose another status or check the date`);
    }
  }
  const newlyMet = (criteria ?? []).filter((id) => !opts.alreadyMet.includes(id));
  if (newlyMet.length && criteriaAssessedOn === null) e.add('criteriaAssessedOn', 'Enter the date the criteria were assessed', '#criteriaAssessedOn-day');
  if (criteriaAssessedOn) {
    if (criteriaAssessedOn > today) e.add('criteriaAssessedOn', 'Date assessed must be today or in the past', '#criteriaAssessedOn-day');
    else if (dob && criteriaAssessedOn < dob) e.add('criteriaAssessedOn', 'Date assessed must be on or after the date of birth', '#criteriaAssessedOn-day');
  }

  e.throwIfAny(EDIT_FIELD_ORDER);
  return {
    child: child!,
    status: status!,
    statusOn: status === 'active' ? null : statusOn!,
    criteria: criteria ?? [],
    criteriaAssessedOn: criteriaAssessedOn ?? null,
    version: version!,
  };
}
