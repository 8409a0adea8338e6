// Forms for "about me" and the chronology (their dates are GOV.UK date inputs: platform/date-input.ts).
import { z } from 'zod';
import { pastDate } from '../../../platform/date-input.js';
import { STALE_FORM, optionalText, requiredText } from '../../../platform/http/form-fields.js';
import { SECTION_KEYS, type Section } from '../sharing/index.js';

export const aboutMeForm = z
  .object({
    whatMatters: optionalText(5000, 'What matters to me'),
    whatWorks: optionalText(5000, 'What works for me'),
    whatDoesNotWork: optionalText(5000, 'What does not work for me'),
    communication: optionalText(5000, 'How I communicate'),
    aspirations: optionalText(5000, 'My hopes and aspirations'),
    writtenWith: requiredText('Enter who this was written with, for example "Sam and their mum"', 500, 'Who it was written with'),
    // 0 when there is no version yet, unlike an edit's version.
    basedOn: z.coerce.number({ message: STALE_FORM }).int().min(0),
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
    title: requiredText('Enter a title for the event', 200, 'Title'),
    detail: optionalText(5000, 'Detail'),
    section: z
      .enum(SECTION_KEYS as [Section, ...Section[]], { message: 'Select which part of the record this event belongs to' })
      .refine((s) => sections.has(s), 'Select which part of the record this event belongs to, from the list'),
  });
