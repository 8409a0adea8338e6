// The forms of consent, lawful bases, emergency access and its review. Each field has its own
// specific message; rules across fields (age on the date consent was given, a review after the
// date given) follow in plain code, and every problem on the page is reported at once.
import { isOrganisationType } from '../../../platform/access/roles.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { ageOn, isIsoDate } from '../../../platform/dates.js';
import { dateFromParts } from '../../../platform/date-input.js';
import { isSection, type Section } from './rules.js';
import { CONSENT_GIVERS, CONSENT_METHODS, EMERGENCY_HOURS, LAWFUL_BASES, type ConsentGiver, type ConsentMethod, type LawfulBasis } from './presenters.js';
import { formList, formText } from '../../../platform/http/form-values.js';

type Body = Record<string, unknown>;

export const AGE_OF_OWN_CONSENT = 16;
export const MIN_EMERGENCY_REASON = 20;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

class Problems {
  readonly list: FieldError[] = [];
  private readonly seen = new Set<string>();
  add(field: string, text: string) {
    if (this.seen.has(field)) return;
    this.seen.add(field);
    this.list.push({ text, href: `#${field}` });
  }
  has(field: string) {
    return this.seen.has(field);
  }
  throwIfAny(order: readonly string[]) {
    if (!this.list.length) return;
    const rank = (href: string) => {
      const i = order.indexOf(href.slice(1));
      return i < 0 ? order.length : i;
    };
    throw new ValidationError([...this.list].sort((a, b) => rank(a.href) - rank(b.href)));
  }
}

/**
 * A GOV.UK date input (`name-day`, `name-month`, `name-year`) as 'YYYY-MM-DD'; null when left
 * empty; undefined after recording a problem against `name-day`.
 */
function readDate(body: Body, name: string, label: string, p: Problems, required: boolean): string | null | undefined {
  const field = `${name}-day`;
  const date = dateFromParts({ day: formText(body[`${name}-day`]), month: formText(body[`${name}-month`]), year: formText(body[`${name}-year`]) });
  if (date.ok) return date.value;
  const { problem } = date;
  if (problem.kind === 'missing') {
    if (required) p.add(field, `Enter ${label}`);
    return required ? undefined : null;
  }
  if (problem.kind === 'incomplete') p.add(field, `${capitalise(label)} must include a ${problem.missing.join(' and a ')}`);
  else p.add(field, `${capitalise(label)} must be a real date, like 27 3 2025`);
  return undefined;
}
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The values for a GOV.UK date input, from a submitted form or a stored date. */
export function dateValues(values: Body, name: string, iso?: string | null) {
  if (iso && isIsoDate(iso)) {
    const [year, month, day] = iso.split('-') as [string, string, string];
    return { day: String(Number(day)), month: String(Number(month)), year };
  }
  return { day: formText(values[`${name}-day`]), month: formText(values[`${name}-month`]), year: formText(values[`${name}-year`]) };
}

// ---------------------------------------------------------------------------------------------
// Consent

export interface ConsentForm {
  givenBy: ConsentGiver;
  memberId: string | null;
  capacityNote: string | null;
  givenOn: string;
  method: ConsentMethod;
  evidence: string | null;
  reviewOn: string;
  scopes: { organisationType: string; section: Section }[];
  organisationScopes: { organisationId: string; section: Section }[];
}

export interface ConsentContext {
  today: string;
  dateOfBirth: string;
  /** Family members of the child's family with parental responsibility. */
  parentIds: ReadonlySet<string>;
  /** Organisations the form offers by name: those working with the child (ADR 0014). */
  organisationIds: ReadonlySet<string>;
}

export const CONSENT_FIELDS = ['givenBy', 'memberId', 'capacityNote', 'givenOn-day', 'method', 'evidence', 'reviewOn-day', 'scope'];

export function parseConsentForm(body: Body, ctx: ConsentContext): ConsentForm {
  const p = new Problems();
  const givenBy = formText(body.givenBy);
  if (!(givenBy in CONSENT_GIVERS)) p.add('givenBy', 'Select who gave consent');

  const givenOn = readDate(body, 'givenOn', 'the date consent was given', p, true);
  if (givenOn && givenOn > ctx.today) p.add('givenOn-day', 'The date consent was given must be today or in the past');
  if (givenOn && givenOn < ctx.dateOfBirth) p.add('givenOn-day', 'The date consent was given must be on or after their date of birth');

  let memberId: string | null = null;
  let capacityNote: string | null = null;
  if (givenBy === 'parent') {
    if (ctx.parentIds.size === 0) {
      p.add('givenBy', 'No one in the family has parental responsibility recorded. Add them on the family page first, or choose who else gave consent');
    } else {
      const m = formText(body.memberId);
      if (!m) p.add('memberId', 'Select the parent or carer who gave consent');
      else if (!ctx.parentIds.has(m)) p.add('memberId', 'Select a parent or carer with parental responsibility from the list');
      else memberId = m;
    }
  } else if (givenBy === 'young-person') {
    // Judged on the date given; on today's date while that date itself has a problem.
    const on = givenOn && !p.has('givenOn-day') ? givenOn : ctx.today;
    const age = ageOn(ctx.dateOfBirth, on);
    if (age < AGE_OF_OWN_CONSENT) {
      p.add(
        'givenBy',
        `The young person was ${age} on the date consent was given. Young people can give consent for themselves only from 16: a parent or carer with parental responsibility must give it`,
      );
    }
  } else if (givenBy === 'decision-maker') {
    const note = formText(body.capacityNote);
    if (!note) p.add('capacityNote', 'Enter the capacity note: who decided, and why the young person cannot decide for themselves');
    else if (note.length > 2000) p.add('capacityNote', 'The capacity note must be 2,000 characters or fewer');
    else capacityNote = note;
  }

  const method = formText(body.method);
  if (!(method in CONSENT_METHODS)) p.add('method', 'Select how consent was given');

  const evidence = formText(body.evidence);
  if (evidence.length > 500) p.add('evidence', 'Evidence must be 500 characters or fewer');

  const reviewOn = readDate(body, 'reviewOn', 'the date to review consent', p, true);
  if (reviewOn && givenOn && reviewOn <= givenOn) p.add('reviewOn-day', 'The review date must be after the date consent was given');

  const scopes: ConsentForm['scopes'] = [];
  for (const v of new Set(formList(body.scope))) {
    const [type, section] = v.split('.') as [string, string | undefined];
    if (isOrganisationType(type) && section && isSection(section)) scopes.push({ organisationType: type, section });
  }
  const organisationScopes: ConsentForm['organisationScopes'] = [];
  for (const v of new Set(formList(body.organisationScope))) {
    const [organisationId, section] = v.split('.') as [string, string | undefined];
    if (ctx.organisationIds.has(organisationId) && section && isSection(section)) organisationScopes.push({ organisationId, section });
  }
  if (scopes.length === 0 && organisationScopes.length === 0) {
    p.add('scope', 'Select at least one organisation, or type of organisation, and part of the record to share');
  }

  p.throwIfAny(CONSENT_FIELDS);
  return {
    givenBy: givenBy as ConsentGiver,
    memberId,
    capacityNote,
    givenOn: givenOn!,
    method: method as ConsentMethod,
    evidence: evidence || null,
    reviewOn: reviewOn!,
    scopes,
    organisationScopes,
  };
}

/** Withdrawing a consent for everyone it covers, or for one of the organisations it covers (ADR 0014). */
export function parseWithdrawForm(body: Body, ctx: { coveredOrganisationIds: ReadonlySet<string> }): { reason: string; organisationId: string | null } {
  const p = new Problems();
  const scope = formText(body.withdrawFor);
  let organisationId: string | null = null;
  if (scope !== 'everyone' && scope !== 'one') p.add('withdrawFor', 'Select whether consent is withdrawn for every organisation or for one organisation');
  else if (scope === 'one') {
    const chosen = formText(body.organisationId);
    if (!chosen) p.add('organisationId', 'Select the organisation consent is withdrawn for');
    else if (!ctx.coveredOrganisationIds.has(chosen)) p.add('organisationId', 'Select an organisation this consent still covers');
    else organisationId = chosen;
  }
  const reason = formText(body.reason);
  if (!reason) p.add('reason', 'Enter why consent is being withdrawn, for example who asked and when');
  else if (reason.length > 1000) p.add('reason', 'The reason must be 1,000 characters or fewer');
  p.throwIfAny(['withdrawFor', 'organisationId', 'reason']);
  return { reason, organisationId };
}

// ---------------------------------------------------------------------------------------------
// Lawful basis

export interface LawfulBasisForm {
  basis: LawfulBasis;
  organisationId: string;
  sections: Section[];
  explanation: string;
  decidedOn: string;
  endsOn: string | null;
}

export const LAWFUL_BASIS_FIELDS = ['basis', 'organisationId', 'sections', 'explanation', 'decidedOn-day', 'endsOn-day'];

export function parseLawfulBasisForm(body: Body, ctx: { today: string; organisationIds: ReadonlySet<string> }): LawfulBasisForm {
  const p = new Problems();
  const basis = formText(body.basis);
  if (!(basis in LAWFUL_BASES)) p.add('basis', 'Select the lawful basis for sharing');
  const organisationId = formText(body.organisationId);
  if (!UUID.test(organisationId) || !ctx.organisationIds.has(organisationId)) p.add('organisationId', 'Select the organisation it applies to');
  const sections = [...new Set(formList(body.sections))].filter(isSection);
  if (sections.length === 0) p.add('sections', 'Select at least one part of the record it covers');
  const explanation = formText(body.explanation);
  if (!explanation) p.add('explanation', 'Explain why the record is shared on this basis');
  else if (explanation.length > 2000) p.add('explanation', 'The explanation must be 2,000 characters or fewer');
  const decidedOn = readDate(body, 'decidedOn', 'the date of the decision', p, true);
  if (decidedOn && decidedOn > ctx.today) p.add('decidedOn-day', 'The date of the decision must be today or in the past');
  const endsOn = readDate(body, 'endsOn', 'the end date', p, false);
  if (endsOn && decidedOn && endsOn < decidedOn) p.add('endsOn-day', 'The end date must be on or after the date of the decision');
  p.throwIfAny(LAWFUL_BASIS_FIELDS);
  return { basis: basis as LawfulBasis, organisationId, sections, explanation, decidedOn: decidedOn!, endsOn: endsOn ?? null };
}

// ---------------------------------------------------------------------------------------------
// Emergency access

/** What someone typed as a child's NHS number, UPN or council reference, in each stored form. */
export function identifierCandidates(raw: string): { nhsNumber: string | null; upn: string | null; councilId: string } {
  const compact = raw.replace(/[\s-]/g, '');
  return {
    nhsNumber: /^[0-9]{10}$/.test(compact) ? compact : null,
    upn: /^[A-Za-z][0-9]{11}[0-9A-Za-z]$/.test(compact) ? compact.toUpperCase() : null,
    councilId: raw.trim(),
  };
}

export interface EmergencyForm {
  identifier: string;
  reason: string;
  hours: (typeof EMERGENCY_HOURS)[number];
}

function readReasonAndHours(body: Body, p: Problems) {
  const reason = formText(body.reason);
  if (!reason) p.add('reason', 'Enter the reason you need emergency access');
  else if (reason.length < MIN_EMERGENCY_REASON) {
    p.add('reason', `The reason must be at least ${MIN_EMERGENCY_REASON} characters: say what the emergency is and why you need the record now`);
  } else if (reason.length > 1000) p.add('reason', 'The reason must be 1,000 characters or fewer');
  const hours = Number(formText(body.hours));
  if (!(EMERGENCY_HOURS as readonly number[]).includes(hours)) p.add('hours', 'Select how long you need access for');
  return { reason, hours: hours as EmergencyForm['hours'] };
}

export function parseEmergencyStartForm(body: Body): EmergencyForm {
  const p = new Problems();
  const identifier = formText(body.identifier);
  if (!identifier) p.add('identifier', 'Enter the child’s NHS number, Unique Pupil Number or council reference');
  else if (identifier.length > 50) p.add('identifier', 'The number must be 50 characters or fewer');
  const rest = readReasonAndHours(body, p);
  p.throwIfAny(['identifier', 'reason', 'hours']);
  return { identifier, ...rest };
}

export function parseEmergencyForm(body: Body): Omit<EmergencyForm, 'identifier'> {
  const p = new Problems();
  const rest = readReasonAndHours(body, p);
  p.throwIfAny(['reason', 'hours']);
  return rest;
}

export function parseReviewForm(body: Body): { breakGlassId: string; note: string } {
  const p = new Problems();
  const breakGlassId = formText(body.breakGlassId);
  const note = formText(body.note);
  if (!note) p.add(`note-${breakGlassId}`, 'Enter a review note, for example whether the access was justified');
  else if (note.length > 1000) p.add(`note-${breakGlassId}`, 'The review note must be 1,000 characters or fewer');
  p.throwIfAny([]);
  return { breakGlassId: UUID.test(breakGlassId) ? breakGlassId : '', note };
}

/** The information governance lead's decision on a consent or lawful basis waiting for a second person. */
export function parseApprovalForm(body: Body): { kind: 'consent' | 'lawful-basis'; id: string; approve: boolean; note: string } {
  const p = new Problems();
  const kind = formText(body.kind) === 'consent' ? 'consent' : 'lawful-basis';
  const id = UUID.test(formText(body.id)) ? formText(body.id) : '';
  const decision = formText(body.decision);
  const note = formText(body.note);
  if (decision !== 'approve' && decision !== 'refuse') p.add(`decision-${id}`, 'Select whether you approve it or not');
  if (!note) p.add(`note-${id}`, 'Enter a note, for example what you checked and why you decided so');
  else if (note.length > 1000) p.add(`note-${id}`, 'The note must be 1,000 characters or fewer');
  p.throwIfAny([]);
  return { kind, id, approve: decision === 'approve', note };
}
