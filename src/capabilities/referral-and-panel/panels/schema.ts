// The panels' forms: terms of reference, members, meetings, the agenda and attendance. Money goes
// through the budgets' parser so an amount is worded the same way everywhere.
import { z } from 'zod';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { toFieldErrors } from '../../../platform/http/forms.js';
import { isOrganisationType, ORGANISATION_TYPES, type OrganisationType } from '../../../platform/access/roles.js';
import { parseMoney, moneyMessage } from '../../../platform/money.js';
import { readDate } from '../../money/budgets/index.js';
import { formList, formText } from '../../../platform/http/form-values.js';

type Body = Record<string, unknown>;

const text = (what: string, max: number, Name: string) =>
  z
    .string({ message: `Enter ${what}` })
    .trim()
    .min(1, `Enter ${what}`)
    .max(max, `${Name} must be ${max} characters or fewer`);
const wholeNumber = (Name: string, min: number, max: number, example = min) =>
  z
    .string({ message: `Enter ${Name.toLowerCase()}` })
    .trim()
    .min(1, `Enter ${Name.toLowerCase()}`)
    .regex(/^\d+$/, `${Name} must be a whole number, like ${example}`)
    .transform(Number)
    .pipe(z.number().min(min, `${Name} must be ${min} or more`).max(max, `${Name} must be ${max} or fewer`));
const version = z
  .string({ message: 'The form is out of date. Reload the page and try again' })
  .regex(/^\d+$/, 'The form is out of date. Reload the page and try again')
  .transform(Number);

const panelFields = z.object({
  name: text('the panel’s name', 200, 'Name'),
  purpose: text('the panel’s purpose', 4000, 'Purpose'),
  frequency: text('how often the panel meets, like monthly', 200, 'How often it meets'),
  administratorId: z.string({ message: 'Choose the panel’s administrator' }).min(1, 'Choose the panel’s administrator'),
  papersDays: wholeNumber('Days before the meeting that papers go out', 0, 60, 7),
  cutOffDays: wholeNumber('Days before the meeting that cases close', 0, 90, 10),
  quorumMembers: wholeNumber('The quorum', 1, 50, 3),
});

export interface PanelInput {
  name: string;
  purpose: string;
  frequency: string;
  administratorId: string;
  papersDays: number;
  cutOffDays: number;
  quorumMembers: number;
  jointFundingAgencies: OrganisationType[];
}

function collect<S extends z.ZodType>(schema: S, body: Body, errors: FieldError[]): z.infer<S> | undefined {
  const r = schema.safeParse(body);
  if (!r.success) errors.push(...toFieldErrors(r.error));
  return r.success ? r.data : undefined;
}

export function parsePanelForm(body: Body): PanelInput {
  const errors: FieldError[] = [];
  const fields = collect(panelFields, body, errors);
  const agencies = formList(body.jointFundingAgencies);
  const unknown = agencies.filter((a) => !isOrganisationType(a));
  if (unknown.length) errors.push({ text: `Choose organisation types from the list (not ${unknown.join(', ')})`, href: '#jointFundingAgencies' });
  const papersDays = Number(formText(body.papersDays));
  const cutOffDays = Number(formText(body.cutOffDays));
  if (/^\d+$/.test(formText(body.papersDays)) && /^\d+$/.test(formText(body.cutOffDays)) && cutOffDays < papersDays) {
    errors.push({
      text: 'Cases must close on or before the day papers go out: make the cut-off at least as many days before the meeting as the papers',
      href: '#cutOffDays',
    });
  }
  if (errors.length || !fields) throw new ValidationError(errors);
  // Kept in the list's order, once each.
  const chosen = (Object.keys(ORGANISATION_TYPES) as OrganisationType[]).filter((t) => agencies.includes(t));
  return { ...fields, jointFundingAgencies: chosen };
}

export const parseVersion = (body: Body) => {
  const r = version.safeParse(body.version);
  if (!r.success) throw new ValidationError([{ text: 'The form is out of date. Reload the page and try again', href: '#main-content' }]);
  return r.data;
};

export interface MemberInput {
  userId: string;
  role: 'chair' | 'member' | 'adviser';
  partnerId: string | null;
  authorityPence: number;
}

export function parseMemberForm(body: Body): MemberInput {
  const errors: FieldError[] = [];
  const userId = formText(body.userId);
  if (!userId) errors.push({ text: 'Choose the person to add', href: '#userId' });
  const role = formText(body.role);
  if (!['chair', 'member', 'adviser'].includes(role)) errors.push({ text: 'Choose whether they are the chair, a member or an adviser', href: '#role' });
  const partnerId = formText(body.partnerId) || null;
  let authorityPence = 0;
  const rawAuthority = formText(body.authority);
  if (rawAuthority) {
    const r = parseMoney(rawAuthority);
    if (!r.ok) errors.push({ text: moneyMessage(r.problem, 'the delegated financial authority'), href: '#authority' });
    else authorityPence = r.pence;
  }
  if (authorityPence > 0 && !partnerId)
    errors.push({ text: 'Choose the budget partner whose money this authority commits, or leave the authority empty', href: '#partnerId' });
  if (errors.length) throw new ValidationError(errors);
  return { userId, role: role as MemberInput['role'], partnerId, authorityPence };
}

export interface MeetingInput {
  meetsOn: string;
  place: string | null;
}

export function parseMeetingForm(body: Body): MeetingInput {
  const errors: FieldError[] = [];
  const d = readDate(body, 'meetsOn', 'the date of the meeting', true);
  if (!d.ok) errors.push(d.error);
  const place = formText(body.place);
  if (place.length > 200) errors.push({ text: 'Place must be 200 characters or fewer', href: '#place' });
  if (errors.length || !d.ok) throw new ValidationError(errors);
  return { meetsOn: d.value!, place: place || null };
}

export const generateForm = z.object({
  weekday: z.enum(['1', '2', '3', '4', '5'], { message: 'Choose the day of the week the panel meets' }).transform(Number),
  nth: z.enum(['1', '2', '3', '4', '5'], { message: 'Choose which week of the month the panel meets' }).transform((v) => Number(v) as 1 | 2 | 3 | 4 | 5),
  count: wholeNumber('The number of meetings', 1, 12, 6),
  place: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(200, 'Place must be 200 characters or fewer'))
    .transform((v) => v || null),
});

export interface CaseInput {
  referralId: string;
  summary: string;
  late: boolean;
}

export function parseCaseForm(body: Body): CaseInput {
  const errors: FieldError[] = [];
  const referralId = formText(body.referralId);
  if (!referralId) errors.push({ text: 'Choose the referral to add to the agenda', href: '#referralId' });
  const summary = readSummary(body, errors);
  if (errors.length) throw new ValidationError(errors);
  return { referralId, summary, late: formList(body.late).includes('yes') };
}

function readSummary(body: Body, errors: FieldError[]) {
  const summary = formText(body.summary);
  if (!summary) errors.push({ text: 'Enter a case summary for the papers', href: '#summary' });
  else if (summary.length > 4000) errors.push({ text: 'The case summary must be 4000 characters or fewer', href: '#summary' });
  return summary;
}

/** A case summary changed on a draft agenda: the same rules as when the case was added. */
export function parseSummaryForm(body: Body): string {
  const errors: FieldError[] = [];
  const summary = readSummary(body, errors);
  if (errors.length) throw new ValidationError(errors);
  return summary;
}

/** Why a meeting is cancelled: required, so the administrator and auditors can tell later. */
export function parseCancelForm(body: Body): string {
  const reason = formText(body.reason);
  if (!reason) throw new ValidationError([{ text: 'Enter why the meeting is being cancelled', href: '#reason' }]);
  if (reason.length > 2000) throw new ValidationError([{ text: 'The reason for cancelling must be 2000 characters or fewer', href: '#reason' }]);
  return reason;
}

export const caseActionForm = z.object({
  caseId: z.string({ message: 'Choose a case' }).min(1, 'Choose a case'),
  direction: z.enum(['up', 'down']).optional(),
});

export interface AttendanceInput {
  userId: string;
  present: boolean;
  interests: string | null;
}

/** One row per member: `present-<userId>` yes/no and `interests-<userId>`. */
export function parseAttendanceForm(body: Body, members: { userId: string; name: string }[]): AttendanceInput[] {
  const errors: FieldError[] = [];
  const out: AttendanceInput[] = [];
  for (const m of members) {
    const present = formText(body[`present-${m.userId}`]);
    if (present !== 'yes' && present !== 'no') errors.push({ text: `Say whether ${m.name} was present`, href: `#present-${m.userId}` });
    const interests = formText(body[`interests-${m.userId}`]);
    if (interests.length > 2000) errors.push({ text: `${m.name}’s declaration of interest must be 2000 characters or fewer`, href: `#interests-${m.userId}` });
    out.push({ userId: m.userId, present: present === 'yes', interests: interests || null });
  }
  if (errors.length) throw new ValidationError(errors);
  return out;
}
