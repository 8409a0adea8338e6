// The forms of the imports pages: an agency source with its column mapping, and the apply choice.
import { z } from 'zod';
import { requiredText } from '../../../platform/http/form-fields.js';
import { DATE_FORMATS, FIELD_KEYS, FIELDS, SOURCE_KINDS, type DateFormat, type Mapping, type SourceKind } from './fields.js';
import type { SourceInput } from './service.js';

const column = z.string().trim().max(200, 'A column name must be 200 characters or fewer').optional();

export const sourceForm = z
  .object({
    name: requiredText('Enter the source’s name', 100, 'The name'),
    organisationId: z.string().trim().optional(),
    kind: z.enum(Object.keys(SOURCE_KINDS) as [SourceKind, ...SourceKind[]], { message: 'Select the kind of agency' }),
    recordIdColumn: z
      .string({ message: 'Enter the column holding the agency’s record id' })
      .trim()
      .min(1, 'Enter the column holding the agency’s record id')
      .max(200),
    birthDateFormat: z.enum(Object.keys(DATE_FORMATS) as [DateFormat, ...DateFormat[]], { message: 'Select how the agency writes dates of birth' }),
    version: z.coerce.number().int().optional(),
    matchThreshold: z.coerce
      .number({ message: 'Enter the match probability at which records link, from 1 to 100' })
      .min(1, 'Enter the match probability at which records link, from 1 to 100')
      .max(100, 'Enter the match probability at which records link, from 1 to 100'),
    reviewLower: z.coerce
      .number({ message: 'Enter the match probability from which a person reviews the pair, from 0 to 100' })
      .min(0, 'Enter the match probability from which a person reviews the pair, from 0 to 100')
      .max(100, 'Enter the match probability from which a person reviews the pair, from 0 to 100'),
    // Every column box; the required ones say which value is missing.
    ...Object.fromEntries(
      FIELD_KEYS.map((f) => {
        const message = `Enter the column holding the ${FIELDS[f].label.toLowerCase()}`;
        return [
          `column-${f}`,
          FIELDS[f].required ? z.string({ message }).trim().min(1, message).max(200, 'A column name must be 200 characters or fewer') : column,
        ];
      }),
    ),
  })
  .refine((v) => v.reviewLower <= v.matchThreshold, { path: ['reviewLower'], message: 'The review threshold must not be above the match threshold' });

export function toSourceInput(v: z.infer<typeof sourceForm>): SourceInput & { version?: number } {
  const values = v as unknown as Record<string, string | undefined>;
  const mapping: Mapping = {};
  for (const f of FIELD_KEYS) {
    const c = values[`column-${f}`];
    if (c) mapping[f] = c;
  }
  return {
    name: v.name,
    organisationId: v.organisationId && /^[0-9a-f-]{36}$/.test(v.organisationId) ? v.organisationId : null,
    kind: v.kind,
    recordIdColumn: v.recordIdColumn,
    birthDateFormat: v.birthDateFormat,
    mapping,
    thresholds: { matchThreshold: v.matchThreshold / 100, reviewLower: v.reviewLower / 100 },
    version: v.version,
  };
}

export const applyForm = z.object({ leaveOutInvalid: z.enum(['yes']).optional() });
