// Forms for "about me" and the chronology (their dates are GOV.UK date inputs: platform/date-input.ts).
import { z } from 'zod';
import { pastDate } from '../../../platform/date-input.js';
import { SECTION_KEYS, type Section } from '../sharing/index.js';

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
    title: z.string({ message: 'Enter a title for the event' }).trim().min(1, 'Enter a title for the event').max(200, 'Title must be 200 characters or fewer'),
    detail: optionalText(5000, 'Detail'),
    section: z
      .enum(SECTION_KEYS as [Section, ...Section[]], { message: 'Select which part of the record this event belongs to' })
      .refine((s) => sections.has(s), 'Select which part of the record this event belongs to, from the list'),
  });
