// Forms for "about me" and the chronology, and the GOV.UK date input (day, month, year) used by
// the family, involvement and chronology forms.
import { z } from 'zod';
import { isIsoDate, todayInLondon } from '../../../platform/dates.js';
import { ValidationError } from '../../../platform/http/errors.js';
import { parseForm } from '../../../platform/http/forms.js';
import { SECTION_KEYS, type Section } from '../sharing/rules.js';

const INCOMPLETE = 'incomplete';
const NOT_A_DATE = 'not-a-date';

/** Joins `<field>-day`, `-month` and `-year` into 'YYYY-MM-DD' (or a marker saying what is wrong). */
export function datePartsToIso(body: Record<string, unknown>, field: string): string | undefined {
  const part = (p: string) => String(body[`${field}-${p}`] ?? '').trim();
  const [d, m, y] = [part('day'), part('month'), part('year')];
  if (!d && !m && !y) return undefined;
  if (!d || !m || !y) return INCOMPLETE;
  if (!/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y)) return NOT_A_DATE;
  return `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
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

const optionalText = (max: number, name: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(max, `${name} must be ${max.toLocaleString('en-GB')} characters or fewer`))
    .transform((v) => v || null);

export const aboutMeForm = z
  .object({
    whatMatters: optionalText(5000, 'What matters to me'),
    whatWorks: optionalText(5000, 'What works for me'),
    whatDoesNotWork: optionalText(5000, 'What does not work for me'),
    communication: optionalText(5000, 'How I communicate'),
    aspirations: optionalText(5000, 'My hopes and aspirations'),
    writtenWith: z
      .string({ message: 'Enter who this was written with, for example "Sam and their mum"' })
      .trim()
      .min(1, 'Enter who this was written with, for example "Sam and their mum"')
      .max(500, 'Who it was written with must be 500 characters or fewer'),
    basedOn: z.coerce.number({ message: 'The form is out of date. Reload the page and try again' }).int().min(0),
  })
  .superRefine((v, ctx) => {
    if (!v.whatMatters && !v.whatWorks && !v.whatDoesNotWork && !v.communication && !v.aspirations) {
      ctx.addIssue({ code: 'custom', path: ['whatMatters'], message: 'Write at least one part of the profile, for example what matters to them' });
    }
  });
export type AboutMeForm = z.infer<typeof aboutMeForm>;

/** A chronology event; `sections` are those the person may see, the only ones they may choose. */
export const chronologyEventForm = (sections: ReadonlySet<Section>) =>
  z.object({
    occurredOn: pastDate('the date it happened'),
    title: z
      .string({ message: 'Enter a title for the event' })
      .trim()
      .min(1, 'Enter a title for the event')
      .max(200, 'Title must be 200 characters or fewer'),
    detail: optionalText(5000, 'Detail'),
    section: z
      .enum(SECTION_KEYS as [Section, ...Section[]], { message: 'Select which part of the record this event belongs to' })
      .refine((s) => sections.has(s), 'Select which part of the record this event belongs to, from the list'),
  });
