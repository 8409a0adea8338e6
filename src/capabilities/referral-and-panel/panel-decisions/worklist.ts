// Panel decisions' part of "Your work": outcome sheets to issue, for the administrator of the
// panel that made the decision (requireDecisionReader lets them read it; the sheet page issues it).
import type { WorklistContributor } from '../../../platform/worklist.js';
import { longDate } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import { OUTCOMES } from './rules.js';

export const panelDecisionsWorklist: WorklistContributor = {
  name: 'Outcome sheets',
  permissions: ['panels:attend'],
  async items({ db, user }) {
    const rows = await db
      .selectFrom('panel_decisions as d')
      .innerJoin('panel_meetings as m', 'm.id', 'd.meeting_id')
      .innerJoin('panels as p', 'p.id', 'm.panel_id')
      .innerJoin('referrals as r', 'r.id', 'd.referral_id')
      .leftJoin('outcome_sheets as s', 's.decision_id', 'd.id')
      .select(['d.id', 'd.outcome', 'd.decided_on', 'd.sheet_due_on', 'r.reference'])
      .where('s.id', 'is', null)
      .where('p.administrator_id', '=', user.id)
      .orderBy('d.sheet_due_on')
      .orderBy('r.reference')
      .execute();
    return rows.map((d) => ({
      text: `Issue the outcome sheet for referral ${d.reference}`,
      href: paths.decisions.sheet(d.id),
      count: 1,
      dueOn: d.sheet_due_on,
      note: `${OUTCOMES[d.outcome]}, decided on ${longDate(d.decided_on)}`,
    }));
  },
};
