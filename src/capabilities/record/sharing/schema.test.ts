// The sharing forms' rules at their edges (pure), and the plain words of "who has looked".
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../platform/http/errors.js';
import { identifierCandidates, parseConsentForm, parseEmergencyStartForm, parseLawfulBasisForm, parseWithdrawForm } from './schema.js';
import { describeAction } from './presenters.js';

const PARENT = '11111111-1111-4111-8111-111111111111';
const SCHOOL = '33333333-3333-4333-8333-333333333333';
const ctx = { today: '2025-06-10', dateOfBirth: '2009-06-10', parentIds: new Set([PARENT]), organisationIds: new Set([SCHOOL]) };
const date = (name: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${name}-day`]: d, [`${name}-month`]: m, [`${name}-year`]: y };
};
const consent = (extra: Record<string, unknown>) => ({
  givenBy: 'young-person',
  method: 'verbal',
  ...date('givenOn', '2025-06-10'),
  ...date('reviewOn', '2026-06-10'),
  scope: 'school.core',
  ...extra,
});
const problems = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof ValidationError) return e.errors;
    throw e;
  }
  return [];
};

describe('parseConsentForm', () => {
  it('lets a young person consent on their 16th birthday, not the day before', () => {
    expect(parseConsentForm(consent({}), ctx)).toMatchObject({
      givenBy: 'young-person',
      givenOn: '2025-06-10',
      scopes: [{ organisationType: 'school', section: 'core' }],
    });
    expect(problems(() => parseConsentForm(consent(date('givenOn', '2025-06-09')), ctx))).toEqual([
      {
        href: '#givenBy',
        text: 'The young person was 15 on the date consent was given. Young people can give consent for themselves only from 16: a parent or carer with parental responsibility must give it',
      },
    ]);
  });

  it('needs a parent with parental responsibility from the family when a parent gave consent', () => {
    expect(problems(() => parseConsentForm(consent({ givenBy: 'parent' }), ctx))).toEqual([
      { href: '#memberId', text: 'Select the parent or carer who gave consent' },
    ]);
    expect(parseConsentForm(consent({ givenBy: 'parent', memberId: PARENT }), ctx).memberId).toBe(PARENT);
    expect(problems(() => parseConsentForm(consent({ givenBy: 'parent' }), { ...ctx, parentIds: new Set() }))[0]!.text).toMatch(
      /^No one in the family has parental responsibility recorded/,
    );
  });

  it('keeps only real organisation types and sections in the scope', () => {
    const form = parseConsentForm(consent({ scope: ['school.core', 'school.core', 'spies.core', 'school.secrets', 'nhs-trust.health'] }), ctx);
    expect(form.scopes).toEqual([
      { organisationType: 'school', section: 'core' },
      { organisationType: 'nhs-trust', section: 'health' },
    ]);
    expect(problems(() => parseConsentForm(consent({ scope: ['spies.core'] }), ctx)).map((e) => e.href)).toEqual(['#scope']);
  });

  it('names only organisations working with the child, and a consent may name organisations alone (ADR 0014)', () => {
    const other = '44444444-4444-4444-8444-444444444444';
    const form = parseConsentForm(
      consent({ scope: undefined, organisationScope: [`${SCHOOL}.core`, `${SCHOOL}.education`, `${other}.core`, `${SCHOOL}.secrets`] }),
      ctx,
    );
    expect(form.scopes).toEqual([]);
    expect(form.organisationScopes).toEqual([
      { organisationId: SCHOOL, section: 'core' },
      { organisationId: SCHOOL, section: 'education' },
    ]);
    expect(problems(() => parseConsentForm(consent({ scope: undefined, organisationScope: `${other}.core` }), ctx))).toEqual([
      { href: '#scope', text: 'Select at least one organisation, or type of organisation, and part of the record to share' },
    ]);
  });

  it('refuses impossible and incomplete dates with specific messages', () => {
    const errs = problems(() => parseConsentForm(consent({ ...date('givenOn', '2025-02-30'), 'reviewOn-year': '' }), ctx));
    expect(errs).toEqual([
      { href: '#givenOn-day', text: 'The date consent was given must be a real date, like 27 3 2025' },
      { href: '#reviewOn-day', text: 'The date to review consent must include a year' },
    ]);
    expect(problems(() => parseConsentForm(consent(date('givenOn', '2009-06-09')), { ...ctx, dateOfBirth: '2009-06-10' }))[0]).toEqual({
      href: '#givenOn-day',
      text: 'The date consent was given must be on or after their date of birth',
    });
  });
});

describe('parseWithdrawForm', () => {
  const covered = { coveredOrganisationIds: new Set([SCHOOL]) };
  it('withdraws for everyone, or for one organisation the consent still covers', () => {
    expect(parseWithdrawForm({ withdrawFor: 'everyone', organisationId: SCHOOL, reason: 'Mum asked' }, covered)).toEqual({
      reason: 'Mum asked',
      organisationId: null,
    });
    expect(parseWithdrawForm({ withdrawFor: 'one', organisationId: SCHOOL, reason: 'Mum asked' }, covered)).toEqual({
      reason: 'Mum asked',
      organisationId: SCHOOL,
    });
  });
  it('says which choice is missing or wrong', () => {
    expect(problems(() => parseWithdrawForm({ reason: 'x' }, covered))).toEqual([
      { href: '#withdrawFor', text: 'Select whether consent is withdrawn for every organisation or for one organisation' },
    ]);
    expect(problems(() => parseWithdrawForm({ withdrawFor: 'one', reason: 'x' }, covered))).toEqual([
      { href: '#organisationId', text: 'Select the organisation consent is withdrawn for' },
    ]);
    expect(problems(() => parseWithdrawForm({ withdrawFor: 'one', organisationId: PARENT, reason: '' }, covered))).toEqual([
      { href: '#organisationId', text: 'Select an organisation this consent still covers' },
      { href: '#reason', text: 'Enter why consent is being withdrawn, for example who asked and when' },
    ]);
  });
});

describe('parseLawfulBasisForm', () => {
  const org = '22222222-2222-4222-8222-222222222222';
  const base = { basis: 'public-task', organisationId: org, sections: 'core', explanation: 'Statutory duty', ...date('decidedOn', '2025-06-10') };
  it('accepts a decision made today with no end date, and an end on the day of the decision', () => {
    expect(parseLawfulBasisForm(base, { today: '2025-06-10', organisationIds: new Set([org]) })).toMatchObject({ sections: ['core'], endsOn: null });
    expect(parseLawfulBasisForm({ ...base, ...date('endsOn', '2025-06-10') }, { today: '2025-06-10', organisationIds: new Set([org]) }).endsOn).toBe(
      '2025-06-10',
    );
  });
  it('refuses an organisation that is not active', () => {
    expect(problems(() => parseLawfulBasisForm(base, { today: '2025-06-10', organisationIds: new Set() })).map((e) => e.href)).toEqual(['#organisationId']);
  });
});

describe('emergency access', () => {
  it('reads NHS numbers with spaces or dashes, UPNs in any case, and council references as typed', () => {
    expect(identifierCandidates(' 943 476 5919 ')).toEqual({ nhsNumber: '9434765919', upn: null, councilId: '943 476 5919' });
    expect(identifierCandidates('943-476-5919').nhsNumber).toBe('9434765919');
    expect(identifierCandidates('a123456789012').upn).toBe('A123456789012');
    expect(identifierCandidates('DEMO-77')).toEqual({ nhsNumber: null, upn: null, councilId: 'DEMO-77' });
  });
  it('needs a reason of at least 20 characters and one of the offered durations', () => {
    expect(problems(() => parseEmergencyStartForm({ identifier: 'X', reason: 'x'.repeat(19), hours: '2' })).map((e) => e.href)).toEqual(['#reason', '#hours']);
    expect(parseEmergencyStartForm({ identifier: 'X', reason: 'x'.repeat(20), hours: '24' })).toEqual({ identifier: 'X', reason: 'x'.repeat(20), hours: 24 });
  });
});

describe('describeAction', () => {
  it('says actions in plain words from the one table, and never shows an internal name', () => {
    expect(describeAction('children.record.view')).toBe('Looked at the core record');
    expect(describeAction('child.consent.withdraw')).toBe('Recorded that consent was withdrawn');
    expect(describeAction('decisions.record')).toBe('Recorded the panel’s decision');
    // A name no longer used (every name in use has words: test/history-words.test.ts).
    expect(describeAction('child.portal.view')).toBe('Used the record in a way Jointly no longer names');
  });
});
