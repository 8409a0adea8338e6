// Who may see what of a child's record: pure, so it is tested exhaustively and its SQL twin
// (service.ts) is checked against it.
//
// A staff member sees a section of a child's record only when
//   (a) they hold a casework role, and
//   (b) their organisation is currently involved with the child, and
//   (c) an approved consent covers the section for their organisation, by its type or by its name,
//       and has been withdrawn neither for everyone nor for their organisation (ADR 0014), or a
//       current, approved lawful basis recorded for their organisation covers it;
// or (d) they hold a casework role and have current emergency access ("break glass") to the child.
// The child exists for them only when they may see its core section.

export const SECTIONS = {
  core: 'Core record: names, date of birth, identifiers, needs',
  family: 'Family and contact details',
  education: 'Education',
  health: 'Health',
  'social-care': 'Social care',
  'about-me': 'About me and the chronology',
} as const;
export type Section = keyof typeof SECTIONS;
export const SECTION_KEYS = Object.keys(SECTIONS) as Section[];
export const isSection = (s: string): s is Section => s in SECTIONS;

/** Roles that work with individual children. Others (commissioners, finance) see counts only. */
export const CASEWORK_ROLES = ['caseworker', 'key-worker', 'practitioner'] as const;

export interface Viewer {
  userId: string;
  organisationId: string;
  organisationType: string;
  roles: readonly string[];
}

export interface SharingFacts {
  /** Organisations with an involvement that has started and not ended on `today`. */
  involvedOrganisationIds: readonly string[];
  /** `approved` is false while a second person has yet to approve it, or refused it (ADR 0012). */
  consents: readonly ConsentFacts[];
  lawfulBases: readonly { organisationId: string; sections: readonly string[]; current: boolean; approved: boolean }[];
  breakGlass: readonly { userId: string; expiresAt: Date }[];
}

/**
 * One consent as the rule reads it. `scopes` give sections to every organisation of a type,
 * `organisationScopes` to one named organisation; `withdrawnFor` lists the organisations it was
 * withdrawn for alone (ADR 0014), and `withdrawn` means withdrawn for everyone.
 */
export interface ConsentFacts {
  withdrawn: boolean;
  approved: boolean;
  scopes: readonly { organisationType: string; section: string }[];
  organisationScopes?: readonly { organisationId: string; section: string }[];
  withdrawnFor?: readonly string[];
}

/** The sections one consent gives an organisation, ignoring approval and withdrawal for everyone. */
export function consentSectionsFor(
  c: Pick<ConsentFacts, 'scopes' | 'organisationScopes' | 'withdrawnFor'>,
  org: { organisationId: string; organisationType: string },
): Section[] {
  if (c.withdrawnFor?.includes(org.organisationId)) return [];
  const sections = new Set<Section>();
  for (const s of c.scopes) if (s.organisationType === org.organisationType && isSection(s.section)) sections.add(s.section);
  for (const s of c.organisationScopes ?? []) if (s.organisationId === org.organisationId && isSection(s.section)) sections.add(s.section);
  return SECTION_KEYS.filter((s) => sections.has(s));
}

/** The organisations, of those given, that a consent still gives any section (what it may be withdrawn for). */
export const organisationsCovered = <O extends { organisationId: string; organisationType: string }>(
  c: Pick<ConsentFacts, 'scopes' | 'organisationScopes' | 'withdrawnFor'>,
  organisations: readonly O[],
): O[] => organisations.filter((o) => consentSectionsFor(c, o).length > 0);

export type Access = { visible: false } | { visible: true; sections: ReadonlySet<Section>; via: 'sharing' | 'emergency-access' };

export const hasCaseworkRole = (v: Pick<Viewer, 'roles'>) => v.roles.some((r) => (CASEWORK_ROLES as readonly string[]).includes(r));

export function accessFor(viewer: Viewer, facts: SharingFacts, now: Date): Access {
  if (!hasCaseworkRole(viewer)) return { visible: false };
  if (facts.breakGlass.some((g) => g.userId === viewer.userId && g.expiresAt > now)) {
    return { visible: true, sections: new Set(SECTION_KEYS), via: 'emergency-access' };
  }
  if (!facts.involvedOrganisationIds.includes(viewer.organisationId)) return { visible: false };
  const sections = new Set<Section>();
  for (const c of facts.consents) {
    if (c.withdrawn || !c.approved) continue;
    for (const s of consentSectionsFor(c, viewer)) sections.add(s);
  }
  for (const b of facts.lawfulBases) {
    if (!b.current || !b.approved || b.organisationId !== viewer.organisationId) continue;
    for (const s of b.sections) if (isSection(s)) sections.add(s);
  }
  return sections.has('core') ? { visible: true, sections, via: 'sharing' } : { visible: false };
}

/**
 * Separation of duties (ADR 0012): the sections a new consent or lawful basis gives the
 * recording person's own organisation (a consent through its type, a lawful basis by name).
 * Anything here needs a second person's approval before it counts. It is judged by what the
 * grant gives on its own, not against what the organisation sees today: today's access may
 * rest on a grant that ends or is withdrawn tomorrow, and a copy banked now would outlast it.
 */
export function sectionsGrantedToOwnOrganisation(
  recorder: Pick<Viewer, 'organisationId' | 'organisationType'>,
  grant: {
    consent?: Pick<ConsentFacts, 'scopes' | 'organisationScopes'>;
    lawfulBasis?: { organisationId: string; sections: readonly string[] };
  },
): Section[] {
  const granted = new Set<string>(grant.consent ? consentSectionsFor(grant.consent, recorder) : []);
  if (grant.lawfulBasis?.organisationId === recorder.organisationId) for (const s of grant.lawfulBasis.sections) granted.add(s);
  return SECTION_KEYS.filter((s) => granted.has(s));
}

/** Counts below this are shown as "fewer than 5" so no child can be picked out of a table. */
export const SMALL_NUMBER = 5;
export const suppress = (n: number): number | null => (n > 0 && n < SMALL_NUMBER ? null : n);
