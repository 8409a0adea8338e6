// The GOV.UK date input (day, month and year boxes): reading the three boxes into 'YYYY-MM-DD',
// the zod schema for a past date, and the boxes' values and parameters for showing a form again.
import { z } from 'zod';
import { isIsoDate, todayInLondon } from './dates.js';
import { ValidationError, type FieldError } from './http/errors.js';
import { parseForm } from './http/forms.js';
import { formText } from './http/form-values.js';

type Values = Record<string, unknown>;

const INCOMPLETE = 'incomplete';
const NOT_A_DATE = 'not-a-date';

/** Joins `<field>-day`, `-month` and `-year` into 'YYYY-MM-DD' (or a marker saying what is wrong), read as dateFromParts reads them. */
export function datePartsToIso(body: Record<string, unknown>, field: string): string | undefined {
  const r = dateFromParts({ day: body[`${field}-day`], month: body[`${field}-month`], year: body[`${field}-year`] });
  if (r.ok) return r.value;
  return r.problem.kind === 'missing' ? undefined : r.problem.kind === 'incomplete' ? INCOMPLETE : NOT_A_DATE;
}

/** The three boxes' values for re-showing a form (govukDateInput's `values`). */
export function dateInputValues(values: Record<string, unknown>, field: string, iso?: string | null) {
  if (iso && values[`${field}-day`] === undefined) {
    const [y, m, d] = iso.split('-');
    return { day: String(Number(d)), month: String(Number(m)), year: y };
  }
  return { day: values[`${field}-day`], month: values[`${field}-month`], year: values[`${field}-year`] };
}

/**
 * A required date that must be today or earlier. `what` completes "Enter …", e.g.
 * "the date the involvement started".
 */
export const pastDate = (what: string, opts: { notBefore?: () => string | undefined } = {}) => {
  const The = what.charAt(0).toUpperCase() + what.slice(1);
  return z.string({ message: `Enter ${what}` }).superRefine((v, ctx) => {
    if (v === INCOMPLETE) return void ctx.addIssue({ code: 'custom', message: `${The} must include a day, month and year` });
    if (v === NOT_A_DATE || !isIsoDate(v)) return void ctx.addIssue({ code: 'custom', message: `${The} must be a real date, like 27 3 2024` });
    if (v > todayInLondon()) return void ctx.addIssue({ code: 'custom', message: `${The} must be today or in the past` });
    const floor = opts.notBefore?.();
    if (floor && v < floor) ctx.addIssue({ code: 'custom', message: `${The} must be on or after ${floor.split('-').reverse().join('/')}` });
  });
};

/**
 * parseForm for forms with date inputs: the day/month/year boxes become one field, and an error
 * on that field points at its day box (the first box), as the GOV.UK pattern asks.
 */
export function parseFormWithDates<S extends z.ZodType>(schema: S, body: Record<string, unknown>, dateFields: string[]): z.infer<S> {
  const joined: Record<string, unknown> = { ...body };
  for (const f of dateFields) joined[f] = datePartsToIso(body, f);
  try {
    return parseForm(schema, joined);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    throw new ValidationError(e.errors.map((x) => (dateFields.includes(x.href.slice(1)) ? { ...x, href: `${x.href}-day` } : x)));
  }
}

export type DateParts = { day?: unknown; month?: unknown; year?: unknown };
export type DatePartsProblem = { kind: 'missing' } | { kind: 'incomplete'; missing: ('day' | 'month' | 'year')[] } | { kind: 'not-real' };

/** Three GOV.UK date-input fields to 'YYYY-MM-DD'. Blank everywhere is 'missing'. */
export function dateFromParts(parts: DateParts): { ok: true; value: string } | { ok: false; problem: DatePartsProblem } {
  const day = formText(parts.day);
  const month = formText(parts.month);
  const year = formText(parts.year);
  if (!day && !month && !year) return { ok: false, problem: { kind: 'missing' } };
  const missing = (['day', 'month', 'year'] as const).filter((k) => !{ day, month, year }[k]);
  if (missing.length) return { ok: false, problem: { kind: 'incomplete', missing } };
  if (!/^[0-9]{1,2}$/.test(day) || !/^[0-9]{1,2}$/.test(month) || !/^[0-9]{4}$/.test(year)) return { ok: false, problem: { kind: 'not-real' } };
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  // Nothing recorded here (a child's birth, an event in their life, a meeting) is before 1900.
  if (!isIsoDate(iso) || Number(year) < 1900) return { ok: false, problem: { kind: 'not-real' } };
  return { ok: true, value: iso };
}

/** 'YYYY-MM-DD' back to the three fields, for a form. */
export const partsOfDate = (iso: string | null | undefined) => {
  if (!iso || !isIsoDate(iso)) return { day: '', month: '', year: '' };
  const [year, month, day] = iso.split('-') as [string, string, string];
  return { day: String(Number(day)), month: String(Number(month)), year };
};

/**
 * Parameters for govukDateInput: three boxes named `<field>-day`, `-month`, `-year`; all three
 * are marked when the date has an error (the summary links to the box that needs fixing).
 */
export function dateInput(
  field: string,
  values: Values,
  errors: FieldError[] | undefined,
  legend: string,
  hint?: string,
  legendClasses = 'govuk-fieldset__legend--s',
) {
  const error = errors?.find((e) => e.href === `#${field}` || e.href.startsWith(`#${field}-`));
  const box = (part: 'day' | 'month' | 'year', label: string, width: number) => ({
    name: part,
    label,
    classes: `govuk-input--width-${width}${error ? ' govuk-input--error' : ''}`,
    value: values[`${field}-${part}`] as string | undefined,
  });
  return {
    id: field,
    namePrefix: field,
    fieldset: { legend: { text: legend, classes: legendClasses } },
    ...(hint ? { hint: { text: hint } } : {}),
    ...(error ? { errorMessage: { text: error.text } } : {}),
    items: [box('day', 'Day', 2), box('month', 'Month', 2), box('year', 'Year', 4)],
  };
}

/** Puts a stored date into a form's values as its three boxes. */
export function withDate(values: Values, field: string, iso: string | null | undefined): Values {
  const p = partsOfDate(iso);
  return { ...values, [`${field}-day`]: p.day, [`${field}-month`]: p.month, [`${field}-year`]: p.year };
}
