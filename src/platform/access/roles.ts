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
  // A parent or carer, or a young person, with their own account (issue 15): given only through an
  // invitation from the child's record, never by an administrator (STAFF_ROLES).
  'family-member': 'Family member',
  'local-offer-provider': 'Local Offer provider',
  'local-offer-officer': 'Local Offer officer',
} as const;
export type Role = keyof typeof ROLES;
/** The roles an administrator may give or a person may ask for: everyone's but a family's. */
export const STAFF_ROLES = Object.fromEntries(Object.entries(ROLES).filter(([r]) => r !== 'family-member')) as Omit<typeof ROLES, 'family-member'>;
export type StaffRole = keyof typeof STAFF_ROLES;

export const PERMISSIONS = [
  'home:view',
  'organisations:manage',
  'users:manage',
  'audit:view',
  'outbox:view',
  'jobs:view',
  // The register: a child's record is also subject to the sharing rule (capabilities/sharing).
  'children:view',
  'children:register',
  'children:edit',
  'children:export',
  'register:overview',
  'register:configure',
  'emergency-access:review',
  // Separation of duties (docs/adr/0012): a consent or lawful basis that widens the recording
  // person's own organisation's access waits for someone holding this to approve it.
  'sharing:approve',
  // Joint budgets (capabilities/budgets, budget-reports; docs/adr/0009): 'budgets:view' is the
  // aggregate reports only (counts and sums, small groups suppressed); 'budgets:entries' opens the
  // row-level pages that name packages, invoices and children's finance references; 'manage' changes them.
  'budgets:view',
  'budgets:entries',
  'budgets:manage',
  // Bringing agency extracts into the register and reviewing uncertain matches (docs/adr/0010).
  'records:import',
  // One referral route (capabilities/referrals; docs/adr/0011): partners refer and triage sees the
  // queue. A family refers itself on a public page, with no account.
  'referrals:make',
  'referrals:triage',
  // Multi-agency panels: 'configure' sets up panels, members, split templates, rule sets and the
  // escalation ladder; 'attend' opens the panels a person belongs to (papers only for members,
  // meetings run by the panel's administrator: checked against the panel, not the role).
  'panels:configure',
  'panels:attend',
  // Disputes about a partner's share of a decision, and the panel's reports (aggregates only).
  'disputes:raise',
  'disputes:resolve',
  'panel-reports:view',
  // A family's own pages (capabilities/families): only the children they are linked to.
  'family:view',
  // The Local Offer (capabilities/planning/local-offer; docs/adr/0017): a provider proposes new
  // entries and changes to its own organisation's entries; an officer approves or refuses them
  // (never their own) and sees the worklist. Searching the directory and its ORUK API are public.
  'local-offer:provide',
  'local-offer:moderate',
  // The needs assessment (capabilities/planning/needs-assessment; docs/adr/0020): 'view' is the
  // figures with small numbers protected (fit to share beyond the commissioners); 'detail' shows
  // every count in full, for the commissioners only.
  'needs-assessment:view',
  'needs-assessment:detail',
  // The forecast of demand and cost (capabilities/planning/forecast; docs/adr/0019): 'view' reads the
  // forecast and its scenarios (aggregates only); 'manage' saves new scenarios.
  'forecast:view',
  'forecast:manage',
  // Joint commissioning (capabilities/planning/commissioning-plans and contracts; docs/adr/0023):
  // 'view' reads plans and the contracts register; 'manage' writes plans, intentions and contracts;
  // 'approve' records the partnership board's decision on a plan, never on one the person wrote.
  'commissioning:view',
  'commissioning:manage',
  'commissioning:approve',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const EVERYONE: Permission[] = ['home:view', 'jobs:view'];
const CASEWORK: Permission[] = [...EVERYONE, 'children:view', 'children:register', 'children:edit', 'children:export', 'referrals:make'];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  'partnership-administrator': [
    ...EVERYONE,
    'organisations:manage',
    'users:manage',
    'outbox:view',
    'audit:view',
    'register:configure',
    'register:overview',
    'budgets:view',
    'records:import',
    'panels:configure',
    'disputes:resolve',
    'panel-reports:view',
    'needs-assessment:view',
    // The administrator clerks the partnership board and records its decision on a plan (docs/adr/0023).
    'commissioning:view',
    'commissioning:approve',
  ],
  // The council's SEND casework team triages the one referral queue and administers panels.
  caseworker: [...CASEWORK, 'referrals:triage', 'panels:attend'],
  'key-worker': CASEWORK,
  practitioner: CASEWORK,
  'panel-member': [...EVERYONE, 'panels:attend', 'disputes:raise', 'disputes:resolve', 'panel-reports:view', 'needs-assessment:view'],
  commissioner: [
    ...EVERYONE,
    'register:overview',
    'budgets:view',
    'panel-reports:view',
    'needs-assessment:view',
    'needs-assessment:detail',
    'forecast:view',
    'forecast:manage',
    'commissioning:view',
    'commissioning:manage',
  ],
  'finance-officer': [
    ...EVERYONE,
    'budgets:view',
    'budgets:entries',
    'budgets:manage',
    'records:import',
    'disputes:raise',
    'panel-reports:view',
    'commissioning:view',
  ],
  // The parent carer forum sits on the partnership board: the same aggregates as the board
  // (counts, small numbers suppressed), never a child's record (docs/adr/0018).
  'participation-lead': [...EVERYONE, 'register:overview', 'panel-reports:view', 'needs-assessment:view', 'commissioning:view'],
  'information-governance-lead': [...EVERYONE, 'audit:view', 'emergency-access:review', 'sharing:approve'],
  // Not EVERYONE: a family's home is their own pages, and staff pages refuse them.
  'family-member': ['family:view'],
  'local-offer-provider': [...EVERYONE, 'local-offer:provide'],
  'local-offer-officer': [...EVERYONE, 'local-offer:moderate'],
};

export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r as Role] ?? []) out.add(p);
  return out;
}

export const isRole = (r: string): r is Role => r in ROLES;
export const isOrganisationType = (t: string): t is OrganisationType => t in ORGANISATION_TYPES;
