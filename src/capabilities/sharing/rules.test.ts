// The pure sharing rule at its edges. Its SQL twin is checked against it on real databases in
// test/sharing-rules.test.ts.
import { describe, expect, it } from 'vitest';
import { accessFor, hasCaseworkRole, SECTION_KEYS, sectionsOpenedToOwnOrganisation, suppress, type SharingFacts, type Viewer } from './rules.js';

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
    const facts: SharingFacts = { ...nothing, involvedOrganisationIds: ['org-edu'], consents: [{ withdrawn: false, approved: true, scopes: scopes('nhs-trust', 'core') }] };
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
    const pendingConsent: SharingFacts = { ...nothing, involvedOrganisationIds: ['org-edu'], consents: [{ withdrawn: false, approved: false, scopes: scopes('council-education', 'core') }] };
    expect(accessFor(edu, pendingConsent, now)).toEqual({ visible: false });
    const pendingBasis: SharingFacts = { ...nothing, involvedOrganisationIds: ['org-edu'], lawfulBases: [{ organisationId: 'org-edu', sections: ['core'], current: true, approved: false }] };
    expect(accessFor(edu, pendingBasis, now)).toEqual({ visible: false });
  });
});

describe('sectionsOpenedToOwnOrganisation (separation of duties)', () => {
  const partial = consentedToEdu(['core', 'education']);
  const basis = (organisationId: string, sections: string[]) => ({ lawfulBasis: { organisationId, sections, current: true, approved: true } });
  const consent = (type: string, sections: string[]) => ({ consent: { withdrawn: false, approved: true, scopes: scopes(type, ...sections) } });

  it('names the sections a lawful basis for the recorder’s own organisation would open', () => {
    expect(sectionsOpenedToOwnOrganisation(edu, partial, basis('org-edu', [...SECTION_KEYS]), now)).toEqual(['family', 'health', 'social-care', 'about-me']);
    // Nothing new: what they already see.
    expect(sectionsOpenedToOwnOrganisation(edu, partial, basis('org-edu', ['core', 'education']), now)).toEqual([]);
  });

  it('opens nothing to the recorder’s organisation when the grant is for another organisation or type', () => {
    expect(sectionsOpenedToOwnOrganisation(edu, partial, basis('org-csc', [...SECTION_KEYS]), now)).toEqual([]);
    expect(sectionsOpenedToOwnOrganisation(edu, partial, consent('council-social-care', [...SECTION_KEYS]), now)).toEqual([]);
  });

  it('names what a consent for the recorder’s own type of organisation would open', () => {
    expect(sectionsOpenedToOwnOrganisation(edu, partial, consent('council-education', ['core', 'family']), now)).toEqual(['family']);
  });

  it('counts grants that open nothing today but would later: not involved yet, or a section without the core record', () => {
    // Not involved: the grant would open the record the day the organisation becomes involved.
    expect(sectionsOpenedToOwnOrganisation(edu, nothing, basis('org-edu', ['core']), now)).toEqual(['core']);
    // "Family" alone shows nothing without the core record, but would the day core is granted.
    expect(sectionsOpenedToOwnOrganisation(edu, nothing, basis('org-edu', ['family']), now)).toEqual(['family']);
  });

  it('does not count the recorder’s own emergency access as access the organisation already has', () => {
    const glass: SharingFacts = { ...nothing, breakGlass: [{ userId: 'u-edu', expiresAt: new Date(now.getTime() + HOUR) }] };
    expect(sectionsOpenedToOwnOrganisation(edu, glass, basis('org-edu', [...SECTION_KEYS]), now)).toEqual([...SECTION_KEYS]);
  });

  it('judges a pending grant as if approved, and a withdrawn consent as giving nothing', () => {
    const pendingBefore: SharingFacts = { ...partial, lawfulBases: [{ organisationId: 'org-edu', sections: ['health'], current: true, approved: false }] };
    expect(sectionsOpenedToOwnOrganisation(edu, pendingBefore, basis('org-edu', ['health']), now)).toEqual(['health']);
    expect(sectionsOpenedToOwnOrganisation(edu, consentedToEdu(['core', 'health'], true), consent('council-education', ['core']), now)).toEqual(['core']);
  });
});

describe('suppress', () => {
  it('hides counts from 1 to 4 and keeps 0 and 5 and over', () => {
    expect([0, 1, 4, 5, 120].map(suppress)).toEqual([0, null, null, 5, 120]);
  });
});
