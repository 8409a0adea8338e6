// The area's register settings forms: localities with their postcode prefixes, and the criteria
// of the common definition of disability.
import { z } from 'zod';
import { STALE_FORM, optionalText, requiredText } from '../../../platform/http/form-fields.js';
import { normalisePhone } from '../children/index.js';

/** A postcode district ("DM3") or sector ("DM1 4"), in upper case with one space. */
export const POSTCODE_PREFIX = /^[A-Z]{1,2}[0-9][A-Z0-9]?( [0-9])?$/;

/** Upper case, spaces trimmed and runs of spaces made one. */
export const normalisePrefix = (raw: string) => raw.trim().toUpperCase().replace(/\s+/g, ' ');

const code = (what: string, example: string) =>
  z
    .string({ message: `Enter a code for the ${what}` })
    .trim()
    .toUpperCase()
    .pipe(
      z
        .string()
        .min(1, `Enter a code for the ${what}`)
        .regex(/^[A-Z0-9-]{2,20}$/, `Code must be 2 to 20 capital letters, digits or hyphens, like ${example}`),
    );

export const localityForm = z.object({
  name: requiredText('Enter the locality’s name', 100, 'Name'),
  code: code('locality', 'NORTH-EAST'),
});

export const prefixForm = z.object({
  prefix: z
    .string({ message: 'Enter a postcode district or sector' })
    .transform(normalisePrefix)
    .pipe(z.string().min(1, 'Enter a postcode district or sector').regex(POSTCODE_PREFIX, 'Enter a postcode district like DM3 or a sector like DM1 4')),
});

export const removePrefixForm = z.object({
  prefix: z.string({ message: 'Choose a postcode prefix to remove' }).transform(normalisePrefix).pipe(z.string().min(1, 'Choose a postcode prefix to remove')),
});

const description = z
  .string({ message: 'Enter a description of the criterion' })
  .transform((v) => v.replace(/\s+/g, ' ').trim())
  .pipe(
    z
      .string()
      .min(1, 'Enter a description of the criterion')
      .min(10, 'Description must be 10 characters or more')
      .max(500, 'Description must be 500 characters or fewer'),
  );

export const criterionForm = z.object({
  code: code('criterion', 'DAILY-LIVING'),
  description,
});

export const criterionEditForm = z.object({
  description,
  /** The description the form was opened with: if it has changed since, someone else edited it. */
  previous: z.string({ message: STALE_FORM }),
});

export const criterionActiveForm = z.object({
  active: z.enum(['yes', 'no'], { message: 'Choose whether the criterion is in use' }),
});

/** How families reach the area when the online form is not for them (shown on the public pages). */
export const contactForm = z.object({
  team: requiredText('Enter the name of the team families contact', 120, 'Team name'),
  telephone: z
    .string({ message: 'Enter a telephone number' })
    .trim()
    .min(1, 'Enter a telephone number')
    .transform((v) => normalisePhone(v))
    .refine((v): v is string => v !== null, 'Enter a telephone number, like 01632 960 000'),
  email: z
    .string({ message: 'Enter an e-mail address' })
    .trim()
    .min(1, 'Enter an e-mail address')
    .pipe(
      z.email({ message: 'Enter an e-mail address in the correct format, like send@example.org' }).max(254, 'E-mail address must be 254 characters or fewer'),
    ),
  address: requiredText('Enter a postal address', 500, 'Address'),
  openingHours: optionalText(200, 'Opening hours').transform((v) => v ?? ''),
  /** 0 when the area had no contact details when the form was opened. */
  version: z.coerce.number({ message: STALE_FORM }).int().min(0),
});
