import { z } from 'zod';
import { ORGANISATION_TYPES, STAFF_ROLES } from '../../../platform/access/roles.js';
import { formVersion as version, requiredText } from '../../../platform/http/form-fields.js';

const roleList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.enum(Object.keys(STAFF_ROLES) as [keyof typeof STAFF_ROLES], { message: 'Choose roles from the list' })));

export const organisationForm = z.object({
  name: requiredText('Enter the organisation’s name', 200, 'Name'),
  code: z
    .string({ message: 'Enter a short code' })
    .trim()
    .toUpperCase()
    .pipe(
      z
        .string()
        .min(1, 'Enter a short code')
        .regex(/^[A-Z0-9-]{2,20}$/, 'Code must be 2 to 20 letters, digits or hyphens, like NHS-ICB'),
    ),
  type: z.enum(Object.keys(ORGANISATION_TYPES) as [keyof typeof ORGANISATION_TYPES], { message: 'Select the type of organisation' }),
});

export const organisationEditForm = organisationForm.omit({ code: true }).extend({
  active: z.enum(['yes', 'no'], { message: 'Select whether the organisation is active' }),
  version,
});

export const userForm = z.object({
  displayName: requiredText('Enter the person’s full name', 200, 'Name'),
  email: z
    .string({ message: 'Enter an e-mail address' })
    .trim()
    .min(1, 'Enter an e-mail address')
    .pipe(z.email({ message: 'Enter an e-mail address in the correct format, like name@example.org' })),
  organisationId: z.string({ message: 'Select the person’s organisation' }).uuid('Select the person’s organisation'),
  roles: roleList,
});

export const rolesForm = z.object({ roles: roleList, version });
export const versionForm = z.object({ version });
