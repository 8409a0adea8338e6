// The demo area's multi-agency panel (fictional): a joint resources panel with a chair from
// education and members from social care and health, each with delegated authority for their
// partner's budget; the caseworker administers it. Also the area's split templates, escalation
// ladder for disputes, and a joint-funding rule set adapted from Tower Hamlets' as an example. Added after the
// demo money (the panel's members commit the demo partners' budgets).
import type { Db } from '../platform/db/database.js';
import { todayInLondon } from '../platform/dates.js';
import { ensureRuleSet } from '../capabilities/referral-and-panel/eligibility/service.js';
import { DEMOSHIRE_JOINT_FUNDING } from '../capabilities/referral-and-panel/eligibility/rules.js';
import { meetingDeadlines, nextMonthlyMeetings } from '../capabilities/referral-and-panel/panels/rules.js';

export const DEMO_PANEL_NAME = 'Demoshire Joint Resources Panel (fictional)';
const SETTINGS = { papersDays: 7, cutOffDays: 10 };
const SECOND_WEDNESDAY = { weekday: 3, nth: 2 } as const;

export type DemoPanelResult = { skipped: 'already-there' | 'no-partners' } | { panelId: string; meetings: number };

/** Adds the demo panel once; does nothing when it is there already or the demo partners are not. */
export async function seedDemoPanel(db: Db, opts: { today?: string } = {}): Promise<DemoPanelResult> {
  const today = opts.today ?? todayInLondon();
  return db.transaction().execute(async (tx) => {
    if (await tx.selectFrom('panels').select('id').where('name', '=', DEMO_PANEL_NAME).executeTakeFirst()) return { skipped: 'already-there' };
    const partners = await tx
      .selectFrom('budget_partners as p')
      .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
      .select(['p.id', 'o.code'])
      .where('o.code', 'in', ['DEMO-EDU', 'DEMO-CSC', 'DEMO-ICB'])
      .execute();
    const partner = Object.fromEntries(partners.map((p) => [p.code, p.id]));
    if (!partner['DEMO-EDU'] || !partner['DEMO-CSC'] || !partner['DEMO-ICB']) return { skipped: 'no-partners' };
    const users = Object.fromEntries(
      (await tx.selectFrom('users').select(['id', 'email']).where('email', 'like', '%@demoshire.example.org').execute()).map((u) => [u.email, u.id]),
    );
    const user = (email: string) => {
      const id = users[`${email}@demoshire.example.org`];
      if (!id) throw new Error(`The demo account ${email}@demoshire.example.org is missing: run the demo seed first`);
      return id;
    };

    await ensureRuleSet(tx, DEMOSHIRE_JOINT_FUNDING);

    const panel = await tx
      .insertInto('panels')
      .values({
        name: DEMO_PANEL_NAME,
        purpose:
          'To agree packages of support for disabled children and young people whose needs no single agency can meet, ' +
          'and who pays what share, within the members’ delegated authority. Joint funding is considered when three or more ' +
          'of the area’s joint funding conditions are met.',
        frequency: 'Monthly, on the second Wednesday',
        administrator_id: user('caseworker'),
        papers_days: SETTINGS.papersDays,
        cut_off_days: SETTINGS.cutOffDays,
        quorum_members: 3,
        joint_funding_agencies: JSON.stringify(['council-education', 'council-social-care', 'nhs-commissioner']),
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    await tx
      .insertInto('panel_members')
      .values([
        { panel_id: panel.id, user_id: user('panel-chair'), role: 'chair', partner_id: partner['DEMO-EDU'], authority_pence: 7_500_000 },
        { panel_id: panel.id, user_id: user('panel-care'), role: 'member', partner_id: partner['DEMO-CSC'], authority_pence: 5_000_000 },
        { panel_id: panel.id, user_id: user('panel'), role: 'member', partner_id: partner['DEMO-ICB'], authority_pence: 5_000_000 },
      ])
      .execute();

    // The next six meetings, each on a working day (a rule day that falls on a bank holiday is left out).
    const meetings = nextMonthlyMeetings(today, SECOND_WEDNESDAY, 7)
      .filter((m) => m.problem === null)
      .slice(0, 6)
      .map((m) => {
        const d = meetingDeadlines(m.meetsOn, SETTINGS);
        return {
          panel_id: panel.id,
          meets_on: m.meetsOn,
          cut_off_on: d.cutOffOn,
          papers_due_on: d.papersDueOn,
          place: 'Demoshire Civic Centre, Room 2 (fictional), and online',
        };
      });
    await tx.insertInto('panel_meetings').values(meetings).execute();

    const edu = partner['DEMO-EDU'];
    const csc = partner['DEMO-CSC'];
    const icb = partner['DEMO-ICB'];
    /** A template's segments when the shares hold for the whole package. */
    const throughout = (...shares: { partnerId: string | undefined; bp: number }[]) => JSON.stringify([{ days: null, shares }]);
    await tx
      .insertInto('split_templates')
      .values([
        {
          name: 'Post-operative personal care',
          description: 'Health and social care share the cost for six weeks after surgery; then social care pays.',
          segments: JSON.stringify([
            {
              days: 42,
              shares: [
                { partnerId: icb, bp: 5000 },
                { partnerId: csc, bp: 5000 },
              ],
            },
            { days: null, shares: [{ partnerId: csc, bp: 10_000 }] },
          ]),
        },
        {
          name: 'Residential school placement: education, health and care',
          description: 'A placement meeting education, health and care needs, shared equally by the three partners.',
          segments: throughout({ partnerId: edu, bp: 3334 }, { partnerId: csc, bp: 3333 }, { partnerId: icb, bp: 3333 }),
        },
        {
          name: 'Continuing care with education support',
          description: 'Health pays most of a continuing care package; education pays for support in school.',
          segments: throughout({ partnerId: icb, bp: 7000 }, { partnerId: edu, bp: 3000 }),
        },
      ])
      .execute();

    if (!(await tx.selectFrom('escalation_steps').select('position').limit(1).executeTakeFirst())) {
      await tx
        .insertInto('escalation_steps')
        .values([
          { position: 1, name: 'Panel chairs', days: 10 },
          { position: 2, name: 'Heads of service', days: 15 },
          { position: 3, name: 'Directors', days: 20 },
        ])
        .execute();
    }
    return { panelId: panel.id, meetings: meetings.length };
  });
}
