// The referral forms: the family's own (public), a partner's, triage decisions and the search
// for the child's record. Every problem is reported at once, beside its field, in plain English.
import { z } from 'zod';
import { FormErrors, normalisePhone, normalisePostcode } from '../../record/children/index.js';
import { dateFromParts } from '../../../platform/date-input.js';
import {
  NO_AGREEMENT,
  NO_SHARING_BASIS,
  SOMEONE_ELSE,
  isSelfReferrer,
  isTriageDecision,
  selfReferralAgeProblem,
  type SelfReferrer,
  type TriageDecision,
} from './rules.js';

type Body = Record<string, unknown>;
const str = z.unknown().transform((v) => (typeof v === 'string' ? v.trim() : Array.isArray(v) ? String(v[0] ?? '').trim() : ''));
const required = (empty: string, max: number, tooLong: string) => str.pipe(z.string().min(1, empty).max(max, tooLong));
const text = (v: unknown) => str.parse(v);

/** A date from three boxes; the error points at the first box. */
function dateField(e: FormErrors, body: Body, name: string, label: string, missing: string): string | undefined {
  const r = dateFromParts({ day: body[`${name}-day`], month: body[`${name}-month`], year: body[`${name}-year`] });
  if (r.ok) return r.value;
  if (r.problem.kind === 'missing') e.add(name, missing, `#${name}-day`);
  else if (r.problem.kind === 'incomplete') e.add(name, `${label} must include a ${r.problem.missing.join(' and a ')}`, `#${name}-${r.problem.missing[0]}`);
  else e.add(name, `${label} must be a real date, like 27 3 2015`, `#${name}-day`);
  return undefined;
}

export interface ChildDetails {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  postcode: string | null;
}

export interface SelfReferralInput {
  who: Exclude<SelfReferrer, 'someone-else'>;
  name: string;
  email: string | null;
  phone: string | null;
  contactMethod: 'email' | 'sms';
  child: ChildDetails;
  helpNeeded: string;
  reason: string;
}

const SELF_ORDER = ['who', 'name', 'email', 'phone', 'contactMethod', 'givenName', 'familyName', 'dateOfBirth', 'postcode', 'helpNeeded', 'reason', 'agree'];

export function parseSelfReferral(body: Body, today: string): SelfReferralInput {
  const e = new FormErrors();
  const whoRaw = text(body.who);
  let who: SelfReferrer | undefined;
  if (!isSelfReferrer(whoRaw)) e.add('who', 'Select who you are');
  else if (whoRaw === 'someone-else') e.add('who', SOMEONE_ELSE);
  else who = whoRaw;
  const name = e.field(body, 'name', required('Enter your full name', 200, 'Your name must be 200 characters or fewer'));
  const emailRaw = text(body.email);
  const phoneRaw = text(body.phone);
  let email: string | null = null;
  let phone: string | null = null;
  if (emailRaw) {
    if (emailRaw.length <= 254 && z.email().safeParse(emailRaw).success) email = emailRaw;
    else e.add('email', 'Enter an email address in the correct format, like name@example.org');
  }
  if (phoneRaw) {
    const p = normalisePhone(phoneRaw);
    if (p && /^(07|\+447|00447)/.test(p.replace(/[\s()-]/g, ''))) phone = p;
    else e.add('phone', 'Enter a UK mobile number, like 07700 900 982');
  }
  const method = text(body.contactMethod);
  if (method !== 'email' && method !== 'sms') e.add('contactMethod', 'Select how you would like us to contact you');
  else if (method === 'email' && !emailRaw) e.add('email', 'Enter your email address, or choose text message');
  else if (method === 'sms' && !phoneRaw) e.add('phone', 'Enter your mobile number, or choose email');

  const givenName = e.field(body, 'givenName', required('Enter the child or young person’s first name', 100, 'First name must be 100 characters or fewer'));
  const familyName = e.field(body, 'familyName', required('Enter the child or young person’s last name', 100, 'Last name must be 100 characters or fewer'));
  const dateOfBirth = dateField(e, body, 'dateOfBirth', 'Date of birth', 'Enter the child or young person’s date of birth');
  if (dateOfBirth && who) {
    const problem = selfReferralAgeProblem(who, dateOfBirth, today);
    if (problem) e.add('dateOfBirth', problem, '#dateOfBirth-day');
  }
  const pcRaw = text(body.postcode);
  let postcode: string | null = null;
  if (!pcRaw) e.add('postcode', 'Enter the postcode where the child or young person lives');
  else if (!(postcode = normalisePostcode(pcRaw))) e.add('postcode', 'Enter a real postcode, like DM1 4AB');
  const helpNeeded = e.field(body, 'helpNeeded', required('Tell us what help you need', 4000, 'What help you need must be 4,000 characters or fewer'));
  const reason = e.field(body, 'reason', required('Tell us why you need this help', 4000, 'Why you need help must be 4,000 characters or fewer'));
  if (text(body.agree) !== 'yes') e.add('agree', NO_AGREEMENT);
  e.throwIfAny(SELF_ORDER);
  return {
    who: who as SelfReferralInput['who'],
    name: name!,
    email,
    phone,
    contactMethod: method as 'email' | 'sms',
    child: { givenName: givenName!, familyName: familyName!, dateOfBirth: dateOfBirth!, postcode },
    helpNeeded: helpNeeded!,
    reason: reason!,
  };
}

export interface PartnerReferralInput {
  childId: string;
  helpNeeded: string;
  reason: string;
  basis: 'consent' | 'lawful-basis';
  consentGivenBy: string | null;
  lawfulBasis: string | null;
}

export function parsePartnerReferral(body: Body): PartnerReferralInput {
  const e = new FormErrors();
  const childId = text(body.childId);
  const helpNeeded = e.field(
    body,
    'helpNeeded',
    required('Enter what help the child and family need', 4000, 'What help is needed must be 4,000 characters or fewer'),
  );
  const reason = e.field(body, 'reason', required('Enter why you are referring', 4000, 'The reason must be 4,000 characters or fewer'));
  const basis = text(body.basis);
  const consentGivenBy = text(body.consentGivenBy);
  const lawfulBasis = text(body.lawfulBasis);
  if (basis === 'consent' && !consentGivenBy) e.add('consentGivenBy', NO_SHARING_BASIS);
  else if (basis === 'lawful-basis' && !lawfulBasis) e.add('lawfulBasis', NO_SHARING_BASIS);
  else if (basis !== 'consent' && basis !== 'lawful-basis') e.add('basis', NO_SHARING_BASIS);
  if (consentGivenBy.length > 200) e.add('consentGivenBy', 'Who agreed must be 200 characters or fewer');
  if (lawfulBasis.length > 1000) e.add('lawfulBasis', 'The lawful basis must be 1,000 characters or fewer');
  e.throwIfAny(['helpNeeded', 'reason', 'basis', 'consentGivenBy', 'lawfulBasis']);
  return {
    childId,
    helpNeeded: helpNeeded!,
    reason: reason!,
    basis: basis as 'consent' | 'lawful-basis',
    consentGivenBy: basis === 'consent' ? consentGivenBy : null,
    lawfulBasis: basis === 'lawful-basis' ? lawfulBasis : null,
  };
}

export interface TriageInput {
  decision: TriageDecision;
  reason: string;
  version: number;
}

export function parseTriage(body: Body): TriageInput {
  const e = new FormErrors();
  const decision = text(body.decision);
  if (!isTriageDecision(decision)) e.add('decision', 'Select a decision');
  const reason = e.field(
    body,
    'reason',
    required('Write the reason for your decision: the referrer and the family will read it', 2000, 'The reason must be 2,000 characters or fewer'),
  );
  const version = Number(text(body.version));
  e.throwIfAny(['decision', 'reason']);
  return { decision: decision as TriageDecision, reason: reason!, version: Number.isInteger(version) ? version : -1 };
}

/** The search for the child's record on a referral's page: a name and/or a date of birth. */
export function parseChildSearch(query: Record<string, string>): { name: string; dateOfBirth: string | null; problem: string | null } | null {
  const name = text(query.childName);
  const anyDate = ['day', 'month', 'year'].some((p) => text(query[`childDob-${p}`]));
  if (!name && !anyDate) return null;
  let dateOfBirth: string | null = null;
  let problem: string | null = null;
  if (anyDate) {
    const r = dateFromParts({ day: query['childDob-day'], month: query['childDob-month'], year: query['childDob-year'] });
    if (r.ok) dateOfBirth = r.value;
    else problem = 'Date of birth must be a real date, like 27 3 2015';
  }
  return { name, dateOfBirth, problem };
}
