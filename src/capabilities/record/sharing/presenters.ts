// Plain-English labels for consents, lawful bases, emergency access and the audit trail of a
// child's record ("who has looked").
import { ORGANISATION_TYPES, ROLES } from '../../../platform/access/roles.js';
import { SECTION_KEYS, type Section } from './rules.js';

export const SECTION_SHORT: Record<Section, string> = {
  core: 'Core record',
  family: 'Family',
  education: 'Education',
  health: 'Health',
  'social-care': 'Social care',
  'about-me': 'About me and chronology',
};

export const CONSENT_GIVERS = {
  parent: 'A parent or carer with parental responsibility',
  'young-person': 'The young person (16 or over)',
  'decision-maker': 'Someone deciding for the young person (a decision-maker)',
} as const;
export type ConsentGiver = keyof typeof CONSENT_GIVERS;

export const CONSENT_METHODS = {
  written: 'In writing (a signed form or letter)',
  verbal: 'Spoken (in person or by phone)',
  electronic: 'Electronically (an e-mail or online form)',
} as const;
export type ConsentMethod = keyof typeof CONSENT_METHODS;
export const CONSENT_METHOD_SHORT: Record<ConsentMethod, string> = { written: 'In writing', verbal: 'Spoken', electronic: 'Electronically' };

export const LAWFUL_BASES = {
  safeguarding: 'Safeguarding: to protect the child from harm',
  'legal-obligation': 'A legal obligation',
  'vital-interests': 'Vital interests: to protect someone’s life',
  'public-task': 'Public task: a statutory duty',
} as const;
export type LawfulBasis = keyof typeof LAWFUL_BASES;

export const EMERGENCY_HOURS = [1, 4, 24] as const;

export const organisationTypeName = (t: string) => ORGANISATION_TYPES[t as keyof typeof ORGANISATION_TYPES] ?? t;
export const roleNames = (roles: string) =>
  roles
    .split(',')
    .filter(Boolean)
    .map((r) => ROLES[r as keyof typeof ROLES] ?? r);

/** "27 Mar 2024, 14:05" in the area's time. */
export const dateTime = (d: Date | string | null | undefined) =>
  d ? new Date(d).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' }) : '';

/** The scope of a consent as rows of organisation types with a yes/no per section. */
export function scopeTable(scopes: readonly { organisation_type: string; section: string }[]) {
  const has = new Set(scopes.map((s) => `${s.organisation_type}.${s.section}`));
  return Object.keys(ORGANISATION_TYPES).map((type) => ({
    type,
    name: organisationTypeName(type),
    cells: SECTION_KEYS.map((section) => ({ section, shared: has.has(`${type}.${section}`) })),
  }));
}

// ---------------------------------------------------------------------------------------------
// "Who has looked": each audited action on a child's record in plain words.

const KNOWN_ACTIONS: Record<string, string> = {
  'children.record.view': 'Looked at the core record',
  'children.register': 'Added them to the register',
  'children.edit.form': 'Opened the core record to change it',
  'children.edit': 'Changed the core record',
  'children.history.view': 'Looked at the history of changes',
  'children.search': 'Found them in a search',
  'children.export': 'Exported a list that included them',
  'child.family.view': 'Looked at the family',
  'child.family.member-new': 'Opened the form to add a family member',
  'child.family.member-add': 'Added a family member',
  'child.family.member-edit': 'Opened a family member’s details to change them',
  'child.family.member-update': 'Changed a family member’s details',
  'child.involvements.view': 'Looked at who works with them',
  'child.involvement.new': 'Opened the form to add an involvement',
  'child.involvement.add': 'Added an involvement',
  'child.involvement.end-form': 'Opened the form to end an involvement',
  'child.involvement.end': 'Ended an involvement',
  'child.key-worker.form': 'Opened the form to change the key worker',
  'child.key-worker.change': 'Changed the key worker',
  'child.about-me.view': 'Looked at “about me”',
  'child.about-me.edit': 'Opened “about me” to change it',
  'child.about-me.update': 'Changed “about me”',
  'child.about-me.version.view': 'Looked at an earlier version of “about me”',
  'child.chronology.view': 'Looked at the chronology',
  'child.chronology.new': 'Opened the form to add to the chronology',
  'child.chronology.add': 'Added an event to the chronology',
  'child.sharing.view': 'Looked at consent and sharing',
  'child.consent.new': 'Opened the form to record consent',
  'child.consent.add': 'Recorded consent to share',
  'child.consent.withdraw-form': 'Opened the form to withdraw consent',
  'child.consent.withdraw': 'Recorded that consent was withdrawn',
  'child.lawful-basis.new': 'Opened the form to record a lawful basis',
  'child.lawful-basis.add': 'Recorded a lawful basis for sharing',
  'child.emergency-access.start': 'Used emergency access',
  'child.emergency-access.grant': 'Used emergency access',
  'child.emergency-access.view': 'Looked at their emergency access',
  'child.who-has-looked.view': 'Looked at who has looked at this record',
  'register.emergency-access.review': 'Reviewed an emergency access',
  'register.emergency-access.review-list': 'Looked at emergency access to review',
  'register.sharing-approvals.view': 'Looked at sharing waiting for approval',
  'register.sharing-approvals.decide': 'Decided whether to approve a consent or lawful basis',
};

const VERBS: Record<string, string> = {
  view: 'Looked at',
  list: 'Looked at',
  form: 'Opened the form for',
  new: 'Opened the form for',
  edit: 'Opened the form to change',
  add: 'Added',
  create: 'Added',
  register: 'Added',
  update: 'Changed',
  change: 'Changed',
  end: 'Ended',
  withdraw: 'Withdrew',
  export: 'Exported',
  search: 'Searched',
};

/** An audit action name, e.g. `child.involvement.add`, as something a family would understand. */
export function describeAction(action: string): string {
  const known = KNOWN_ACTIONS[action];
  if (known) return known;
  const parts = action.split('.');
  const last = parts.at(-1) ?? '';
  const verb = VERBS[last];
  const thing = parts
    .slice(1, verb ? -1 : undefined)
    .join(' ')
    .replace(/-/g, ' ')
    .trim();
  if (verb) return thing ? `${verb} ${thing}` : verb;
  const words = action.replace(/[.-]/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
