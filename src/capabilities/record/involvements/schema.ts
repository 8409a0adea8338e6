import { z } from 'zod';
import { pastDate } from '../../../platform/date-input.js';
import { formVersion as version, optionalText, requiredText } from '../../../platform/http/form-fields.js';
import { KEY_WORKER_AGREEMENT, NEEDS_FAMILY_AGREEMENT, poundsToPence, type KeyWorkerAgreement } from './rules.js';

const optionalId = z
  .string()
  .optional()
  .transform((v) => (v ?? '').trim() || null)
  .pipe(z.string().uuid('Choose a practitioner from the list').nullable());

export const involvementForm = z
  .object({
    organisationId: z.string({ message: 'Select the organisation' }).uuid('Select the organisation'),
    service: requiredText('Enter the service, for example "Speech and language therapy"', 200, 'Service'),
    provides: optionalText(1000, 'What they provide'),
    startedOn: pastDate('the date the involvement started'),
    practitionerUserId: optionalId,
    practitionerName: optionalText(200, 'Practitioner’s name'),
    cost: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const cost = poundsToPence(v);
        if (cost.ok) return cost.pence;
        ctx.addIssue({ code: 'custom', message: cost.message });
        return z.NEVER;
      }),
    costPeriod: z
      .string()
      .optional()
      .transform((v) => v || null)
      .pipe(z.enum(['week', 'year'], { message: 'Select whether the cost is for a week or a year' }).nullable()),
  })
  .transform((v, ctx) => {
    if (v.cost !== null && v.costPeriod === null) {
      ctx.addIssue({ code: 'custom', path: ['costPeriod'], message: 'Select whether the cost is for a week or a year' });
      return z.NEVER;
    }
    if (v.practitionerUserId && v.practitionerName) {
      ctx.addIssue({ code: 'custom', path: ['practitionerName'], message: 'Choose a practitioner from the list or type their name, not both' });
      return z.NEVER;
    }
    return { ...v, costPence: v.cost, costPeriod: v.cost === null ? null : v.costPeriod };
  });
export type InvolvementForm = z.infer<typeof involvementForm>;

export const endInvolvementForm = (startedOn: string) =>
  z.object({
    endedOn: pastDate('the date the involvement ended', { notBefore: () => startedOn }),
    version,
  });

export const keyWorkerForm = z
  .object({
    keyWorkerUserId: z.string({ message: 'Choose the new key worker' }).uuid('Choose the new key worker'),
    familyAgreed: z.enum(Object.keys(KEY_WORKER_AGREEMENT) as [KeyWorkerAgreement, ...KeyWorkerAgreement[]], {
      message: 'Select whether the family agreed to the change',
    }),
    note: optionalText(1000, 'Note'),
    version,
  })
  .superRefine((v, ctx) => {
    if (v.familyAgreed === 'no') ctx.addIssue({ code: 'custom', path: ['familyAgreed'], message: NEEDS_FAMILY_AGREEMENT });
  });
export type KeyWorkerForm = z.infer<typeof keyWorkerForm>;
