// Disputes' part of "Your work". Those who may open a dispute's own page and act on it (a current
// member or the administrator of the panel that made the decision, or whoever configures panels)
// see each open dispute at its step, with the step's due date; the rest of the board
// (panel-reports:view, which sees disputes as a list without references) sees how many are open.
import { sql } from 'kysely';
import type { WorklistContributor, WorkItem } from '../../../platform/worklist.js';
import { paths } from '../../../paths.js';

interface Row {
  id: string;
  step: number;
  step_due_on: string;
  step_name: string | null;
  reference: string;
  partner_name: string;
  /** The person may open this dispute's page (disputePage's rule). */
  opens: boolean;
  /** …and escalate or resolve it (resolverRefusal's rule): not a party to it. */
  acts: boolean;
}

export const disputesWorklist: WorklistContributor = {
  name: 'Disputes',
  permissions: ['disputes:resolve', 'panel-reports:view', 'panels:attend'],
  async items({ db, user }) {
    const configures = user.permissions.has('panels:configure');
    const board = user.permissions.has('panel-reports:view');
    const resolves = user.permissions.has('disputes:resolve');
    const { rows } = await sql<Row>`
      select x.id, x.step, x.step_due_on::text, s.name as step_name, r.reference, o.name as partner_name,
             (${configures} or p.administrator_id = ${user.id} or (${board} and member.id is not null)) as opens,
             (${resolves} and (${configures} or p.administrator_id = ${user.id} or member.id is not null)
               and x.raised_by is distinct from ${user.id} and b.organisation_id <> ${user.organisationId}) as acts
      from disputes x
      join panel_decisions d on d.id = x.decision_id
      join panel_meetings m on m.id = d.meeting_id
      join panels p on p.id = m.panel_id
      join referrals r on r.id = d.referral_id
      join budget_partners b on b.id = x.partner_id
      join organisations o on o.id = b.organisation_id
      left join escalation_steps s on s.position = x.step
      left join panel_members member on member.panel_id = p.id and member.user_id = ${user.id} and member.active
      where x.status = 'open'
      order by x.step_due_on, r.reference
    `.execute(db);
    const items: WorkItem[] = rows
      .filter((r) => r.opens)
      .map((r) => ({
        text: `${r.acts ? 'Settle or escalate' : 'Follow'} the dispute about ${r.partner_name}’s share of referral ${r.reference}`,
        href: paths.disputes.dispute(r.id),
        count: 1,
        dueOn: r.step_due_on,
        note: `Step ${r.step}: ${r.step_name ?? 'the last step'}`,
      }));
    const others = rows.filter((r) => !r.opens);
    if (board && others.length)
      items.push({
        text: others.length === 1 ? '1 dispute about shares is open' : `${others.length} disputes about shares are open`,
        href: paths.disputes.list,
        count: others.length,
        dueOn: others[0]!.step_due_on,
        dueLabel: 'Next step due',
      });
    return items;
  },
};
