// A year of fictional history for the demo area (issue 14): who signed in and whose records they
// opened, on the working days of the last twelve months, so "who has looked", the audit log and the
// information governance lead's reviews have a past to show. Every entry says it is demo history in
// its details. Staff open only the records of children their organisation works with (an
// involvement), as the sharing rule would let them. Written in time order before the demo's live
// weeks, so the chain's order and the clock agree.
import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import { appendAudit, type AuditEntry } from '../platform/audit/audit.js';
import { addDays } from '../platform/financial-year.js';
import { isWorkingDay } from '../platform/working-days.js';
import { todayInLondon } from '../platform/dates.js';
import { Random } from '../synthetic-extracts/random.js';
import { DEMO_USERS } from './seed.js';

/** The people who open children's records in the course of their work, and how many a day at most. */
const READERS: Record<string, number> = {
  'caseworker@demoshire.example.org': 6,
  'keyworker@demoshire.example.org': 4,
  'practitioner@demoshire.example.org': 3,
};
const WHAT_THEY_OPEN = ['children.record.view', 'children.record.view', 'child.involvements.view', 'child.family.view'] as const;
export const DEMO_HISTORY_DAYS = 365;

export interface DemoHistoryResult {
  entries: number;
  from: string | null;
  to: string | null;
}

/** Writes the year before `today` (exclusive), once: a second call finds it there and writes nothing. */
export async function seedDemoHistory(db: Db, opts: { today?: string; seed?: number } = {}): Promise<DemoHistoryResult> {
  const today = opts.today ?? todayInLondon();
  const already = await db
    .selectFrom('audit_log')
    .select('id')
    .where(sql<boolean>`details::jsonb ->> 'demoHistory' = 'true'`)
    .limit(1)
    .executeTakeFirst();
  if (already) return { entries: 0, from: null, to: null };

  const people = await db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .select(['u.id', 'u.email', 'u.organisation_id', 'r.role'])
    .where(
      'u.email',
      'in',
      DEMO_USERS.map((d) => d.email),
    )
    .execute();
  const involved = await db
    .selectFrom('involvements as i')
    .innerJoin('children as c', 'c.id', 'i.child_id')
    .select(['i.child_id', 'i.organisation_id'])
    .where('c.status', '=', 'active')
    .orderBy('i.child_id')
    .execute();
  const childrenOf = new Map<string, string[]>();
  for (const i of involved) childrenOf.set(i.organisation_id, [...(childrenOf.get(i.organisation_id) ?? []), i.child_id]);

  const random = new Random(opts.seed ?? 2026);
  let entries = 0;
  let first: string | null = null;
  let last: string | null = null;
  await db.transaction().execute(async (tx) => {
    for (let back = DEMO_HISTORY_DAYS; back >= 1; back--) {
      const day = addDays(today, -back);
      if (!isWorkingDay(day)) continue;
      // Each person's day: signed in at about nine, then the records, a few minutes apart; the
      // day's entries written in the order they happened.
      const day_: (AuditEntry & { at: Date })[] = [];
      for (const person of people) {
        if (!random.chance(0.85)) continue;
        let minute = 8 * 60 + 30 + random.int(0, 60);
        const at = () => new Date(`${day}T${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00Z`);
        const who = { userId: person.id, organisationId: person.organisation_id, roles: [person.role], result: 'allowed' as const };
        day_.push({ ...who, action: 'sign-in.password', subjectType: 'user', subjectId: person.id, details: { demoHistory: true }, at: at() });
        const most = READERS[person.email] ?? 0;
        const theirs = childrenOf.get(person.organisation_id) ?? [];
        if (most === 0 || theirs.length === 0) continue;
        for (let n = random.int(1, most); n > 0; n--) {
          minute += random.int(5, 40);
          day_.push({
            ...who,
            action: random.pick(WHAT_THEY_OPEN),
            subjectType: 'child',
            subjectId: random.pick(theirs),
            details: { demoHistory: true },
            at: at(),
          });
        }
      }
      day_.sort((a, b) => a.at.getTime() - b.at.getTime());
      for (const entry of day_) await appendAudit(tx, entry);
      entries += day_.length;
      if (day_.length) {
        first ??= day;
        last = day;
      }
    }
  });
  return { entries, from: first, to: last };
}
