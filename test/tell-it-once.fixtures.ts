// Children for the family, involvements and tell-it-once tests, through the shared helper
// (test/support/register.ts): a family, involvements of demo organisations, and a consent scoped
// to organisation types and sections, written in the short form these tests use. Every name is
// obviously fictional.
import type { Db } from '../src/platform/db/database.js';
import { todayInLondon } from '../src/platform/dates.js';
import type { Section } from '../src/capabilities/record/sharing/rules.js';
import { createChild as registerChild } from './support/register.js';
import { addDays } from './support/dates.js';
export { addDays };

export const CASEWORKER = 'caseworker@demoshire.example.org'; // DEMO-EDU, council-education
export const KEYWORKER = 'keyworker@demoshire.example.org'; // DEMO-CSC, council-social-care
export const PRACTITIONER = 'practitioner@demoshire.example.org'; // DEMO-TRUST, nhs-trust
export const COMMISSIONER = 'commissioner@demoshire.example.org';

export const yearsAgo = (years: number, days = 0) => {
  const [y, m, d] = todayInLondon().split('-').map(Number) as [number, number, number];
  return addDays(`${y - years}-${String(m).padStart(2, '0')}-${String(Math.min(d, 28)).padStart(2, '0')}`, -days);
};

export async function orgId(db: Db, code: string) {
  return (await db.selectFrom('organisations').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
}
export async function userId(db: Db, email: string) {
  return (await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

export interface ChildSpec {
  givenName: string;
  familyName?: string;
  familyId?: string;
  dateOfBirth?: string;
  actsForSelf?: boolean;
  /** Demo organisation codes involved from a year ago (or as given). */
  involved?: (string | { code: string; service?: string; startedOn?: string; endedOn?: string | null })[];
  /** Organisation type → sections the consent covers. */
  consent?: Record<string, readonly Section[]>;
}

export async function createChild(db: Db, spec: ChildSpec): Promise<{ id: string; familyId: string }> {
  const created = await registerChild(db, {
    givenName: spec.givenName,
    familyName: spec.familyName ?? 'Testfamily',
    ...(spec.familyId ? { familyId: spec.familyId } : {}),
    dateOfBirth: spec.dateOfBirth ?? yearsAgo(9),
    actsForSelf: spec.actsForSelf ?? false,
    // The tests add parents and carers themselves.
    familyMember: false,
    involvements: (spec.involved ?? []).map((inv) => {
      const i = typeof inv === 'string' ? { code: inv } : inv;
      return {
        orgCode: i.code,
        service: i.service ?? `Test service of ${i.code}`,
        startedOn: i.startedOn ?? addDays(todayInLondon(), -365),
        endedOn: i.endedOn ?? null,
      };
    }),
    consentScopes: spec.consent
      ? Object.entries(spec.consent).flatMap(([organisationType, sections]) => sections.map((section) => ({ organisationType, section })))
      : 'none',
  });
  return { id: created.childId, familyId: created.familyId };
}

export const auditFor = (db: Db, action: string, childId: string) =>
  db.selectFrom('audit_log').selectAll().where('action', '=', action).where('subject_id', '=', childId).orderBy('id').execute();
