// Plain-English labels for consents, lawful bases, emergency access and the audit trail of a
// child's record ("who has looked").
import { ACTION_WORDS } from './action-words.js';
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

/**
 * The scope of a consent as rows with a yes/no per section: the organisations it names (ADR 0014),
 * then every type of organisation.
 */
export function scopeTable(
  scopes: readonly { organisationType: string; section: string }[],
  named: readonly { organisationId: string; organisationName: string; section: string }[] = [],
) {
  const has = new Set([...scopes.map((s) => `${s.organisationType}.${s.section}`), ...named.map((s) => `${s.organisationId}.${s.section}`)]);
  const names = new Map(named.map((s) => [s.organisationId, s.organisationName]));
  const rows = [...names].map(([id, name]) => ({ key: id, name: `${name} (named)` }));
  rows.push(...Object.keys(ORGANISATION_TYPES).map((type) => ({ key: type, name: `${organisationTypeName(type)} (any)` })));
  return rows.map((r) => ({ name: r.name, cells: SECTION_KEYS.map((section) => ({ section, shared: has.has(`${r.key}.${section}`) })) }));
}

// ---------------------------------------------------------------------------------------------
// "Who has looked": each audited action on a child's record in plain words (action-words.ts).

export { ACTION_WORDS };

/** An audit action name, e.g. `child.involvement.add`, as something a family would understand. */
export function describeAction(action: string): string {
  // Every action name used has words (test/history-words.test.ts); an entry written by an older
  // version of Jointly under a name since retired still reads as something.
  return ACTION_WORDS[action] ?? 'Used the record in a way Jointly no longer names';
}
