// zod builders for the text fields most forms have, so that they read and word them one way.
import { z } from 'zod';

/** Said when a form's hidden version no longer fits: the form was opened before a change. */
export const STALE_FORM = 'The form is out of date. Reload the page and try again';

const tooLong = (name: string, max: number) => `${name} must be ${max.toLocaleString('en-GB')} characters or fewer`;

/** Text that must be given, trimmed: `empty` when it is blank, "<name> must be <max> characters or fewer" when too long. */
export const requiredText = (empty: string, max: number, name: string) => z.string({ message: empty }).trim().min(1, empty).max(max, tooLong(name, max));

/** Text that may be left out, trimmed: null when blank. */
export const optionalText = (max: number, name: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(max, tooLong(name, max)))
    .transform((v) => v || null);

/** The version of the record the form was opened at (1 or more), to refuse saving over someone else's change. */
export const formVersion = z.coerce.number({ message: STALE_FORM }).int().min(1);
