// Roles people hold in the partnership, and what each may do. Pure data: the route wrapper
// checks these; nothing else decides access to a page.

export const ORGANISATION_TYPES = {
  'council-education': 'Council: education (SEND)',
  'council-social-care': 'Council: social care',
  'nhs-commissioner': 'NHS commissioner (integrated care board)',
  'nhs-trust': 'NHS trust',
  school: 'School or college',
  provider: 'Provider',
  'parent-carer-forum': 'Parent carer forum',
} as const;
export type OrganisationType = keyof typeof ORGANISATION_TYPES;

export const ROLES = {
  'partnership-administrator': 'Partnership administrator',
  caseworker: 'Caseworker',
  'key-worker': 'Key worker',
  practitioner: 'Practitioner',
  'panel-member': 'Panel member',
  commissioner: 'Commissioner',
  'finance-officer': 'Finance officer',
  'participation-lead': 'Participation lead',
  'information-governance-lead': 'Information governance lead',
} as const;
export type Role = keyof typeof ROLES;

export const PERMISSIONS = [
  'home:view',
  'organisations:manage',
  'users:manage',
  'audit:view',
  'outbox:view',
  'jobs:view',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const EVERYONE: Permission[] = ['home:view', 'jobs:view'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  'partnership-administrator': [...EVERYONE, 'organisations:manage', 'users:manage', 'outbox:view', 'audit:view'],
  caseworker: EVERYONE,
  'key-worker': EVERYONE,
  practitioner: EVERYONE,
  'panel-member': EVERYONE,
  commissioner: EVERYONE,
  'finance-officer': EVERYONE,
  'participation-lead': EVERYONE,
  'information-governance-lead': [...EVERYONE, 'audit:view'],
};

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r as Role] ?? []) out.add(p);
  return out;
}

export const isRole = (r: string): r is Role => r in ROLES;
export const isOrganisationType = (t: string): t is OrganisationType => t in ORGANISATION_TYPES;
