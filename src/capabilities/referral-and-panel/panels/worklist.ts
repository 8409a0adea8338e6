// Panels' part of "Your work": papers to read before a meeting, for its members; for its
// administrator, the next agenda to publish and meetings held but not yet closed.
import { sql } from 'kysely';
import type { WorklistContributor, WorkItem } from '../../../platform/worklist.js';
import { longDate } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';

interface Row {
  kind: 'papers' | 'publish' | 'close';
  meeting_id: string;
  panel_name: string;
  meets_on: string;
  papers_due_on: string;
  cases: number;
}

export const panelsWorklist: WorklistContributor = {
  name: 'Panels',
  permissions: ['panels:attend'],
  async items({ db, user, today }) {
    // One query: the member's published meetings to come (papers open, as meetingForViewer allows),
    // and the administrator's next unpublished meeting of each panel and any past meeting not marked held.
    const { rows } = await sql<Row>`
      with mine as (
        select p.id, p.name, (p.administrator_id = ${user.id}) as administers,
               exists (select 1 from panel_members pm where pm.panel_id = p.id and pm.user_id = ${user.id} and pm.active) as member
        from panels p
        where p.active and (p.administrator_id = ${user.id}
          or exists (select 1 from panel_members pm where pm.panel_id = p.id and pm.user_id = ${user.id} and pm.active))
      ),
      meetings as (
        select m.id, m.meets_on, m.papers_due_on, m.status, mine.name, mine.administers, mine.member, mine.id as panel_id,
               (select count(*)::int from panel_cases c where c.meeting_id = m.id) as cases,
               row_number() over (partition by m.panel_id, (m.status = 'planned' and m.meets_on >= ${today}::date) order by m.meets_on) as nth
        from panel_meetings m join mine on mine.id = m.panel_id
        where m.status <> 'cancelled'
      )
      select 'papers' as kind, id as meeting_id, name as panel_name, meets_on::text, papers_due_on::text, cases
        from meetings where member and status = 'published' and meets_on >= ${today}::date and cases > 0
      union all
      select 'publish', id, name, meets_on::text, papers_due_on::text, cases
        from meetings where administers and status = 'planned' and meets_on >= ${today}::date and nth = 1
      union all
      select 'close', id, name, meets_on::text, papers_due_on::text, cases
        from meetings where administers and status in ('planned', 'published') and meets_on < ${today}::date and cases > 0
    `.execute(db);
    return rows.map((r): WorkItem => {
      const cases = Number(r.cases);
      const onAgenda = cases === 0 ? 'No cases on the agenda yet' : cases === 1 ? '1 case on the agenda' : `${cases} cases on the agenda`;
      if (r.kind === 'papers')
        return {
          text: `Read the papers for ${r.panel_name} on ${longDate(r.meets_on)}`,
          href: paths.panels.papers(r.meeting_id),
          count: cases,
          dueOn: r.meets_on,
          dueLabel: 'Meeting on',
          note: onAgenda,
        };
      if (r.kind === 'publish')
        return {
          text: `Prepare and publish the agenda for ${r.panel_name} on ${longDate(r.meets_on)}`,
          href: paths.panels.meeting(r.meeting_id),
          count: cases,
          dueOn: r.papers_due_on,
          note: `${onAgenda}; papers go to members by ${longDate(r.papers_due_on)}`,
        };
      return {
        text: `Record attendance and decisions for ${r.panel_name} on ${longDate(r.meets_on)}`,
        href: paths.panels.meeting(r.meeting_id),
        count: cases,
        dueOn: r.meets_on,
        note: onAgenda,
      };
    });
  },
};
