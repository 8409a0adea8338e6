// A referral row for tests that need one without going through the forms: fictional defaults
// (a parent's own referral, shared with their agreement, received today), and what each test
// cares about on top.
import type { Insertable } from 'kysely';
import type { Db } from '../../src/platform/db/database.js';
import type { ReferralsTable } from '../../src/platform/db/schema.js';
import { todayInLondon } from '../../src/platform/dates.js';

export type ReferralValues = Partial<Insertable<ReferralsTable>>;

export function insertReferral(db: Db, values: ReferralValues = {}) {
  const lawful = values.sharing_basis === 'lawful-basis';
  return db
    .insertInto('referrals')
    .values({
      route: 'family',
      referrer_name: 'Robin Fictional',
      referrer_relationship: 'parent',
      referrer_email: 'robin.fictional@example.org',
      help_needed: 'Short breaks (fictional)',
      reason: 'Caring alone (fictional)',
      sharing_basis: 'consent',
      consent_given_by: lawful ? null : 'Robin Fictional (parent)',
      received_on: todayInLondon(),
      ...values,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}
