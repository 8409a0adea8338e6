// The pure sharing rule at its edges. Its SQL twin is checked against it on real databases in
// test/sharing-rules.test.ts.
import { describe, expect, it } from 'vitest';
import {
  accessFor,
  hasCaseworkRole,
  organisationsCovered,
  SECTION_KEYS,
  sectionsGrantedToOwnOrganisation,
  suppress,
  type SharingFacts,
  type Viewer,
} from './rules.js';

const now = new Date('2025-05-01T10:00:00Z');
const HOUR = 3_600_000;
const edu: Viewer = { userId: 'u-edu', organisationId: 'org-edu', organisationType: 'council-education', roles: ['caseworker'] };
const nothing: SharingFacts = { involvedOrganisationIds: [], consents: [], lawfulBases: [], breakGlass: [] };
const scopes = (organisationType: string, ...sections: string[]) => sections.map((section) => ({ organisationType, section }));
const consentedToEdu = (sections: string[], withdrawn = false): SharingFacts => ({
  ...nothing,
  involvedOrganisationIds: ['org-edu'],
  consents: [{ withdrawn, approved: true, scopes: scopes('council-education', ...sections) }],
});
const sectionsOf = (facts: SharingFacts, viewer = edu) => {
  const a = accessFor(viewer, facts, now);
  return a.visible ? [...a.sections].sort() : null;
};

describe('accessFor', () => {
  it('shows the sections consented to an involved organisation of that type', () => {
    expect(sectionsOf(consentedToEdu(['core', 'education']))).toEqual(['core', 'education']);
    expect(accessFor(edu, consentedToEdu(['core']), now)).toMatchObject({ visible: true, via: 'sharing' });
  });

  it('shows nothing to someone without a casework role, whatever the facts', () => {
    const full: SharingFacts = {
      involvedOrganisationIds: ['org-edu'],
      consents: [{ withdrawn: false, approved: true, scopes: scopes('council-education', ...SECTION_KEYS) }],
      lawfulBases: [{ organisationId: 'org-edu', sections: [...SECTION_KEYS], current: true, approved: true }],
      breakGlass: [{ userId: 'u-edu', expiresAt: new Date(now.getTime() + HOUR) }],
    };
    for (const roles of [[], ['commissioner'], ['information-governance-lead', 'partnership-administrator'], ['panel-member']]) {
      expect(hasCaseworkRole({ roles })).toBe(false);
      expect(accessFor({ ...edu, roles }, full, now)).toEqual({ visible: false });
    }
    expect(accessFor({ ...edu, roles: ['commissioner', 'caseworker'] }, full, now).visible).toBe(true);
  });

  it('hides the whole child when the core record is not shared, even if other sections are', () => {
    expect(accessFor(edu, consentedToEdu(['education', 'health', 'family']), now)).toEqual({ visible: false });
  });

  it('hides the child from an organisation that is not involved, even with consent for its type', () => {
    expect(accessFor(edu, { ...consentedToEdu(['core']), involvedOrganisationIds: ['org-other'] }, now)).toEqual({ visible: false });
    // Another organisation of the same type being involved does not count.
    const sameType: Viewer = { ...edu, organisationId: 'org-edu-2' };
    expect(accessFor(sameType, consentedToEdu(['core']), now)).toEqual({ visible: false });
  });

  it('ignores consent given to another type of organisation', () => {
    const facts: SharingFacts = {
      ...nothing,
      involvedOrganisationIds: ['org-edu'],
      consents: [{ withdrawn: false, approved: true, scopes: scopes('nhs-trust', 'core') }],
    };
    expect(accessFor(edu, facts, now)).toEqual({ visible: false });
  });

  it('gives nothing for a withdrawn consent, while another consent still counts', () => {
    expect(accessFor(edu, consentedToEdu(['core', 'health'], true), now)).toEqual({ visible: false });
    const two: SharingFacts = {
      ...nothing,
      involvedOrganisationIds: ['org-edu'],
      consents: [
        { withdrawn: true, approved: true, scopes: scopes('council-education', 'core', 'health') },
        { withdrawn: false, approved: true, scopes: scopes('council-education', 'core') },
      ],
    };
    expect(sectionsOf(two)).toEqual(['core']);
  });

  it('counts a current lawful basis for the viewer’s own organisation only', () => {
    const base: SharingFacts = { ...nothing, involvedOrganisationIds: ['org-edu', 'org-csc'] };
    const forEdu = { ...base, lawfulBases: [{ organisationId: 'org-edu', sections: ['core', 'social-care'], current: true, approved: true }] };
    expect(sectionsOf(forEdu)).toEqual(['core', 'social-care']);
    const forAnother = { ...base, lawfulBases: [{ organisationId: 'org-csc', sections: ['core', 'social-care'], current: true, approved: true }] };
    expect(accessFor(edu, forAnother, now)).toEqual({ visible: false });
    const ended = { ...base, lawfulBases: [{ organisationId: 'org-edu', sections: ['core'], current: false, approved: true }] };
    expect(accessFor(edu, ended, now)).toEqual({ visible: false });
  });

  it('adds lawful-basis sections to consented ones, and ignores unknown section names', () => {
    const facts: SharingFacts = {
      ...consentedToEdu(['core', 'not-a-section']),
      lawfulBases: [{ organisationId: 'org-edu', sections: ['health', 'made-up'], current: true, approved: true }],
    };
    expect(sectionsOf(facts)).toEqual(['core', 'health']);
  });

  it('gives everything through current emergency access, even when not involved and without consent', () => {
    const facts: SharingFacts = { ...nothing, breakGlass: [{ userId: 'u-edu', expiresAt: new Date(now.getTime() + 1) }] };
    expect(accessFor(edu, facts, now)).toEqual({ visible: true, sections: new Set(SECTION_KEYS), via: 'emergency-access' });
  });

  it('gives nothing through expired emergency access, or emergency access granted to someone else', () => {
    expect(accessFor(edu, { ...nothing, breakGlass: [{ userId: 'u-edu', expiresAt: now }] }, now)).toEqual({ visible: false });
    expect(accessFor(edu, { ...nothing, breakGlass: [{ userId: 'u-edu', expiresAt: new Date(now.getTime() - HOUR) }] }, now)).toEqual({ visible: false });
    expect(accessFor(edu, { ...nothing, breakGlass: [{ userId: 'u-colleague', expiresAt: new Date(now.getTime() + HOUR) }] }, now)).toEqual({
      visible: false,
    });
    // Expired emergency access falls back to the ordinary rule.
    const back = { ...consentedToEdu(['core']), breakGlass: [{ userId: 'u-edu', expiresAt: new Date(now.getTime() - HOUR) }] };
    expect(accessFor(edu, back, now)).toMatchObject({ visible: true, via: 'sharing' });
  });

  it('gives no emergency access to someone without a casework role', () => {
    const facts: SharingFacts = { ...nothing, breakGlass: [{ userId: 'u-edu', expiresAt: new Date(now.getTime() + HOUR) }] };
    expect(accessFor({ ...edu, roles: ['information-governance-lead'] }, facts, now)).toEqual({ visible: false });
  });
});

describe('accessFor and approval', () => {
  it('ignores a consent or lawful basis that a second person has not approved', () => {
    const pendingConsent: SharingFacts = {
      ...nothing,
      involvedOrganisationIds: ['org-edu'],
      consents: [{ withdrawn: false, approved: false, scopes: scopes('council-education', 'core') }],
    };
    expect(accessFor(edu, pendingConsent, now)).toEqual({ visible: false });
    const pendingBasis: SharingFacts = {
      ...nothing,
      involvedOrganisationIds: ['org-edu'],
      lawfulBases: [{ organisationId: 'org-edu', sections: ['core'], current: true, approved: false }],
    };
    expect(accessFor(edu, pendingBasis, now)).toEqual({ visible: false });
  });
});

describe('consent per named organisation, withdrawn per organisation (ADR 0014)', () => {
  const school = { organisationId: 'org-school', organisationType: 'school' };
  const otherSchool = { organisationId: 'org-school-2', organisationType: 'school' };
  const viewer = (o: typeof school): Viewer => ({ userId: 'u', ...o, roles: ['practitioner'] });
  const facts = (consent: SharingFacts['consents'][number]): SharingFacts => ({
    ...nothing,
    involvedOrganisationIds: ['org-school', 'org-school-2'],
    consents: [consent],
  });
  const named = (organisationId: string, ...sections: string[]) => sections.map((section) => ({ organisationId, section }));

  it('gives a named organisation its sections and nobody else of its type', () => {
    const f = facts({ withdrawn: false, approved: true, scopes: [], organisationScopes: named('org-school', 'core', 'education') });
    expect(sectionsOf(f, viewer(school))).toEqual(['core', 'education']);
    expect(sectionsOf(f, viewer(otherSchool))).toBeNull();
  });

  it('adds what a consent names to what it gives the type', () => {
    const f = facts({ withdrawn: false, approved: true, scopes: scopes('school', 'core'), organisationScopes: named('org-school', 'health') });
    expect(sectionsOf(f, viewer(school))).toEqual(['core', 'health']);
    expect(sectionsOf(f, viewer(otherSchool))).toEqual(['core']);
  });

  it('withdrawn for one organisation, covers it neither by type nor by name, and still covers the others', () => {
    const f = facts({
      withdrawn: false,
      approved: true,
      scopes: scopes('school', 'core'),
      organisationScopes: named('org-school', 'core', 'health'),
      withdrawnFor: ['org-school'],
    });
    expect(sectionsOf(f, viewer(school))).toBeNull();
    expect(sectionsOf(f, viewer(otherSchool))).toEqual(['core']);
    expect(organisationsCovered(f.consents[0]!, [school, otherSchool, { organisationId: 'org-trust', organisationType: 'nhs-trust' }])).toEqual([otherSchool]);
  });

  it('counts a consent naming the recorder’s own organisation as widening their access', () => {
    expect(sectionsGrantedToOwnOrganisation(school, { consent: { scopes: [], organisationScopes: named('org-school', 'health', 'core') } })).toEqual([
      'core',
      'health',
    ]);
    expect(sectionsGrantedToOwnOrganisation(school, { consent: { scopes: [], organisationScopes: named('org-school-2', 'core') } })).toEqual([]);
  });
});

describe('sectionsGrantedToOwnOrganisation (separation of duties)', () => {
  const basis = (organisationId: string, sections: string[]) => ({ lawfulBasis: { organisationId, sections } });
  const consent = (type: string, sections: string[]) => ({ consent: { scopes: scopes(type, ...sections) } });

  it('names every section a lawful basis gives the recorder’s own organisation, whatever it sees now', () => {
    expect(sectionsGrantedToOwnOrganisation(edu, basis('org-edu', [...SECTION_KEYS]))).toEqual([...SECTION_KEYS]);
    // Even what it already sees: the grant it sees through may end, and this copy would outlast it.
    expect(sectionsGrantedToOwnOrganisation(edu, basis('org-edu', ['core', 'education']))).toEqual(['core', 'education']);
  });

  it('names what a consent gives the recorder’s own type of organisation, and nothing of other types', () => {
    expect(sectionsGrantedToOwnOrganisation(edu, consent('council-education', ['family', 'core']))).toEqual(['core', 'family']);
    expect(sectionsGrantedToOwnOrganisation(edu, { consent: { scopes: [...scopes('nhs-trust', 'core'), ...scopes('council-education', 'health')] } })).toEqual([
      'health',
    ]);
  });

  it('gives nothing to the recorder’s organisation when the grant is for another organisation or type', () => {
    expect(sectionsGrantedToOwnOrganisation(edu, basis('org-csc', [...SECTION_KEYS]))).toEqual([]);
    expect(sectionsGrantedToOwnOrganisation(edu, consent('council-social-care', [...SECTION_KEYS]))).toEqual([]);
    expect(sectionsGrantedToOwnOrganisation(edu, {})).toEqual([]);
  });
});

describe('suppress', () => {
  it('hides counts from 1 to 4 and keeps 0 and 5 and over', () => {
    expect([0, 1, 4, 5, 120].map(suppress)).toEqual([0, null, null, 5, 120]);
  });
});
