// The family page in plain English.
import { ageOn, todayInLondon } from '../../../platform/dates.js';
import { childName } from '../tell-it-once/index.js';
import { CONTACT_METHODS, RELATIONSHIPS, formatUkPhone, relationshipName, type ContactMethod } from './rules.js';
import type { listMembers, visibleSiblings } from './service.js';
import { formList } from '../../../platform/http/form-values.js';

type Member = Awaited<ReturnType<typeof listMembers>>[number];
type Sibling = Awaited<ReturnType<typeof visibleSiblings>>[number];

export const presentMember = (m: Member) => ({
  id: m.id,
  fullName: m.full_name,
  relationship: relationshipName(m.relationship),
  parentalResponsibility: m.parental_responsibility ? 'Yes' : 'No',
  phone: formatUkPhone(m.phone),
  email: m.email,
  address: m.address,
  preferredContact: m.preferred_contact ? CONTACT_METHODS[m.preferred_contact] : null,
  language: m.language,
  interpreter: m.needs_interpreter ? 'Needs an interpreter' : 'No interpreter needed',
  contactConsents:
    [m.consents_to_email ? 'E-mail' : null, m.consents_to_sms ? 'Text messages' : null].filter(Boolean).join(' and ') || 'Neither e-mail nor text messages',
});

export const presentSibling = (s: Sibling, today = todayInLondon()) => ({
  id: s.id,
  name: childName(s),
  age: ageOn(s.date_of_birth, today),
});

/** Form values from a stored member, for the edit page. */
export const memberValues = (m: Member): Record<string, unknown> => ({
  fullName: m.full_name,
  relationship: m.relationship,
  parentalResponsibility: m.parental_responsibility ? 'yes' : 'no',
  phone: formatUkPhone(m.phone),
  email: m.email,
  address: m.address,
  preferredContact: m.preferred_contact ?? '',
  language: m.language,
  needsInterpreter: m.needs_interpreter ? 'yes' : undefined,
  contactConsents: [m.consents_to_email ? 'email' : null, m.consents_to_sms ? 'sms' : null].filter(Boolean),
  version: m.version,
});

export const formItems = (values: Record<string, unknown>) => ({
  relationshipItems: [
    { value: '', text: 'Choose a relationship' },
    ...Object.entries(RELATIONSHIPS).map(([value, text]) => ({ value, text, selected: value === values.relationship })),
  ],
  prItems: [
    { value: 'yes', text: 'Yes', checked: values.parentalResponsibility === 'yes' },
    { value: 'no', text: 'No', checked: values.parentalResponsibility === 'no' },
  ],
  contactItems: [
    ...(Object.entries(CONTACT_METHODS) as [ContactMethod, string][]).map(([value, text]) => ({ value, text, checked: values.preferredContact === value })),
    { divider: 'or' },
    { value: '', text: 'No preference', checked: !values.preferredContact },
  ],
  interpreterItems: [{ value: 'yes', text: 'They need an interpreter', checked: values.needsInterpreter === 'yes' }],
  consentItems: [
    { value: 'email', text: 'They agree to be contacted by e-mail', checked: formList(values.contactConsents).includes('email') },
    { value: 'sms', text: 'They agree to be contacted by text message', checked: formList(values.contactConsents).includes('sms') },
  ],
});
