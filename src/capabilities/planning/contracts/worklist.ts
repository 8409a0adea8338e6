// The contracts register's part of "Your work" (ADR 0018): contracts ending within 6 months, and
// within 3 months, for those who manage commissioning. One query for the few contracts ending in
// the next 7 months; the rule (rules.ts `expiry`) decides which alert each one is.
import type { WorkItem, WorklistContributor } from '../../../platform/worklist.js';
import { paths } from '../../../paths.js';
import { addMonths, expiry } from './rules.js';

export const contractsWorklist: WorklistContributor = {
  name: 'Contracts',
  permissions: ['commissioning:manage'],
  async items({ db, today }) {
    const rows = await db
      .selectFrom('contracts')
      .select('ends_on')
      .where('ends_on', '>=', today)
      .where('ends_on', '<=', addMonths(today, 7))
      .orderBy('ends_on')
      .execute();
    const soon = rows.filter((r) => expiry(r.ends_on, today) === 'within-3-months');
    const later = rows.filter((r) => expiry(r.ends_on, today) === 'within-6-months');
    const out: WorkItem[] = [];
    if (soon.length)
      out.push({
        text: 'Decide what follows contracts ending within 3 months',
        href: `${paths.commissioning.contracts}?ending=3`,
        count: soon.length,
        dueOn: soon[0]!.ends_on,
        dueLabel: 'First ends',
      });
    if (later.length)
      out.push({
        text: 'Plan for contracts ending within 6 months',
        href: `${paths.commissioning.contracts}?ending=6`,
        count: later.length,
        dueOn: later[0]!.ends_on,
        dueLabel: 'First ends',
      });
    return out;
  },
};
