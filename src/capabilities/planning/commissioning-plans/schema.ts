// Reading the commissioning plans' forms: every problem named at once, each pointing at its field.
import { dateFromParts } from '../../../platform/date-input.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { formList, formText } from '../../../platform/http/form-values.js';
import { isUuid } from '../../../platform/ids.js';
import { parsePositiveMoney } from '../../../platform/money.js';
import { EVIDENCE_KINDS, isStage, type EvidenceKind, type Stage } from './rules.js';
import type { NewEvidence, NewIntention, NewPlan, NewPriority } from './service.js';

type Body = Record<string, unknown>;

/** Collects problems while reading a form; `done` throws them all. */
export class FormReader {
  readonly errors: FieldError[] = [];
  constructor(readonly body: Body) {}
  problem(field: string, text: string) {
    this.errors.push({ text, href: `#${field}` });
  }
  text(field: string, what: string, max: number, required = true): string {
    const v = formText(this.body[field]).trim();
    if (!v && required) this.problem(field, `Enter ${what}`);
    else if (v.length > max) this.problem(field, `${what.charAt(0).toUpperCase()}${what.slice(1)} must be ${max} characters or fewer`);
    return v;
  }
  date(field: string, what: string, required = true): string | null {
    const r = dateFromParts({ day: this.body[`${field}-day`], month: this.body[`${field}-month`], year: this.body[`${field}-year`] });
    const The = what.charAt(0).toUpperCase() + what.slice(1);
    if (r.ok) return r.value;
    if (r.problem.kind === 'missing') {
      if (required) this.problem(`${field}-day`, `Enter ${what}`);
      return null;
    }
    this.problem(`${field}-day`, r.problem.kind === 'incomplete' ? `${The} must include a day, month and year` : `${The} must be a real date, like 27 3 2027`);
    return null;
  }
  id(field: string, what: string, required = true): string | null {
    const v = formText(this.body[field]).trim();
    if (!v) {
      if (required) this.problem(field, `Select ${what}`);
      return null;
    }
    if (!isUuid(v)) {
      this.problem(field, `Select ${what}`);
      return null;
    }
    return v;
  }
  version(): number {
    const v = Number(formText(this.body.version));
    return Number.isSafeInteger(v) && v > 0 ? v : 0;
  }
  done() {
    if (this.errors.length) throw new ValidationError(this.errors);
  }
}

export function readPlanForm(body: Body): NewPlan {
  const r = new FormReader(body);
  const title = r.text('title', 'the plan’s title', 200);
  const periodFrom = r.date('periodFrom', 'the date the plan starts');
  const periodTo = r.date('periodTo', 'the date the plan ends');
  if (periodFrom && periodTo && periodTo < periodFrom) r.problem('periodTo-day', 'The date the plan ends must be on or after the date it starts');
  r.done();
  return { title, periodFrom: periodFrom!, periodTo: periodTo! };
}

/** Evidence from the form's fields; `optional` lets "no evidence yet" through (a priority's first evidence). */
export function readEvidence(r: FormReader, optional: boolean): NewEvidence | null {
  const kind = formText(r.body.kind);
  if (!kind || kind === 'none') {
    if (!optional) r.problem('kind', 'Select what the evidence is');
    return null;
  }
  if (!(kind in EVIDENCE_KINDS)) {
    r.problem('kind', 'Select what the evidence is');
    return null;
  }
  const k = kind as EvidenceKind;
  if (k === 'local-offer-gap') {
    const summary = r.text('gap', 'the gap in the Local Offer', 2000);
    return { kind: k, summary, link: '/local-offer/need-and-supply', source: null, saidOn: null };
  }
  if (k === 'needs-view') {
    const summary = r.text('needsSummary', 'what the needs assessment shows', 2000);
    const link = formText(r.body.needsLink).trim();
    if (link && !/^\/commissioning\/needs[A-Za-z0-9/_?=&.%-]*$/.test(link))
      r.problem('needsLink', 'The link must be to a view of the needs assessment, starting /commissioning/needs');
    return { kind: k, summary, link: link || '/commissioning/needs', source: null, saidOn: null };
  }
  const summary = r.text('familySaid', 'what families said', 2000);
  const source = r.text('source', 'where families said it (a survey, a forum meeting)', 200);
  const saidOn = r.date('saidOn', 'the date families said it');
  return { kind: k, summary, link: null, source, saidOn };
}

export function readPriorityForm(body: Body): NewPriority & { version: number } {
  const r = new FormReader(body);
  const title = r.text('title', 'the priority', 200);
  const description = r.text('description', 'why it is a priority', 2000, false);
  const evidence = readEvidence(r, true);
  r.done();
  return { title, description, evidence, version: r.version() };
}

export function readEvidenceForm(body: Body): NewEvidence {
  const r = new FormReader(body);
  const e = readEvidence(r, false);
  r.done();
  return e!;
}

export function readIntentionForm(body: Body): NewIntention {
  const r = new FormReader(body);
  const priorityId = r.id('priorityId', 'the priority it serves', false);
  const what = r.text('what', 'what is to be commissioned', 300);
  const why = r.text('why', 'why', 2000);
  const dueOn = r.date('dueOn', 'the date it is due by');
  const ownerId = r.id('ownerId', 'who owns it');
  const partnerIds = formList(body.partnerIds).filter((p) => isUuid(p));
  if (partnerIds.length === 0) r.problem('partnerIds', 'Select the partners commissioning it');
  const agreementId = r.id('agreementId', 'the pool the money is expected from', false);
  const amountText = formText(body.expected).trim();
  let expectedPence: number | null = null;
  if (amountText) {
    const m = parsePositiveMoney(amountText, 'the expected money a year');
    if (m.ok) expectedPence = m.pence;
    else r.problem('expected', m.message);
  }
  if (expectedPence !== null && !agreementId) r.problem('agreementId', 'Select the pool the expected money comes from');
  r.done();
  return { priorityId, what, why, dueOn: dueOn!, ownerId: ownerId!, agreementId, expectedPence, partnerIds };
}

export function readStageForm(body: Body): { stage: Stage; ownerId: string; dueOn: string; note: string | null; version: number } {
  const r = new FormReader(body);
  const stage = formText(body.stage);
  if (!isStage(stage)) r.problem('stage', 'Select the stage it moves to');
  const ownerId = r.id('ownerId', 'who owns it at this stage');
  const dueOn = r.date('dueOn', 'the date this stage is due to finish');
  const note = r.text('note', 'a note', 1000, false);
  r.done();
  return { stage: stage as Stage, ownerId: ownerId!, dueOn: dueOn!, note: note || null, version: r.version() };
}

export function readDecisionForm(body: Body): { decision: 'approved' | 'not-approved'; meetingOn: string; note: string; version: number } {
  const r = new FormReader(body);
  const decision = formText(body.decision);
  if (decision !== 'approved' && decision !== 'not-approved') r.problem('decision', 'Select the board’s decision');
  const meetingOn = r.date('meetingOn', 'the date of the board meeting');
  const note = r.text('note', 'what the board said', 2000, decision === 'not-approved');
  r.done();
  return { decision: decision as 'approved' | 'not-approved', meetingOn: meetingOn!, note, version: r.version() };
}
