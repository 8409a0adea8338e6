import { z } from 'zod';
import { CONTACT_METHODS, RELATIONSHIPS, contactProblems, parseUkPhone, type ContactMethod, type Relationship } from './rules.js';
import { formList } from '../../../platform/http/form-values.js';
import { formVersion, optionalText, requiredText } from '../../../platform/http/form-fields.js';

const memberFields = z.object({
  fullName: requiredText('Enter their full name', 200, 'Full name'),
  relationship: z.enum(Object.keys(RELATIONSHIPS) as [Relationship, ...Relationship[]], { message: 'Select their relationship to the child' }),
  parentalResponsibility: z.enum(['yes', 'no'], { message: 'Select whether they have parental responsibility' }),
  phone: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = (v ?? '').trim();
      if (!s) return null;
      const p = parseUkPhone(s);
      if (p.ok) return p.number;
      ctx.addIssue({ code: 'custom', message: 'Enter a UK phone number, like 01632 960 001 or 07700 900 982' });
      return z.NEVER;
    }),
  email: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(
      z.union([
        z.literal(''),
        z.email({ message: 'Enter an e-mail address in the correct format, like name@example.org' }).max(254, 'E-mail address must be 254 characters or fewer'),
      ]),
    )
    .transform((v) => v || null),
  address: optionalText(500, 'Address'),
  preferredContact: z
    .string()
    .optional()
    .transform((v) => v || null)
    .pipe(z.enum(Object.keys(CONTACT_METHODS) as [ContactMethod, ...ContactMethod[]], { message: 'Select how they prefer to be contacted' }).nullable()),
  language: optionalText(100, 'Language'),
  needsInterpreter: z
    .string()
    .optional()
    .transform((v) => v === 'yes'),
  contactConsents: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform(formList)
    .pipe(z.array(z.enum(['email', 'sms'], { message: 'Select from the list' }))),
});

type MemberFields = z.infer<typeof memberFields>;
function withContactRules(v: MemberFields, ctx: z.RefinementCtx<MemberFields>) {
  const { parentalResponsibility, contactConsents, ...rest } = v;
  const consentsToEmail = contactConsents.includes('email');
  const consentsToSms = contactConsents.includes('sms');
  for (const [field, message] of contactProblems({ ...rest, consentsToEmail, consentsToSms })) ctx.addIssue({ code: 'custom', path: [field], message });
  return { ...rest, parentalResponsibility: parentalResponsibility === 'yes', consentsToEmail, consentsToSms };
}

export const familyMemberForm = memberFields.transform((v, ctx) => withContactRules(v, ctx));
export type FamilyMemberForm = z.infer<typeof familyMemberForm>;

export const familyMemberEditForm = memberFields
  .extend({ version: formVersion })
  .transform(({ version, ...v }, ctx) => ({ ...withContactRules(v, ctx as z.RefinementCtx<MemberFields>), version }));
export type FamilyMemberEditForm = z.infer<typeof familyMemberEditForm>;
