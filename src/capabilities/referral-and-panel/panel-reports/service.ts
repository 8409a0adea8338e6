// Reads what the panel reports aggregate: decisions in a date range (outcome, when the referral
// came in, when it was decided), the package each funded decision set up as decided, and disputes.
// Nothing about a child is read.
import type { Db } from '../../../platform/db/database.js';
import { splitsOfChanges } from '../../money/budgets/index.js';
import { byOutcome, byPartner, disputeFigures, timeToDecision, type FundedDecision } from './rules.js';

export async function panelReport(db: Db, from: string, to: string) {
  const decisions = await db
    .selectFrom('panel_decisions as d')
    .innerJoin('referrals as r', 'r.id', 'd.referral_id')
    .select(['d.id', 'd.outcome', 'd.decided_on', 'd.package_id', 'r.received_on'])
    .where('d.decided_on', '>=', from)
    .where('d.decided_on', '<=', to)
    .execute();
  const facts = decisions.map((d) => ({ outcome: d.outcome, receivedOn: d.received_on, decidedOn: d.decided_on }));

  // The package as the panel decided it: the first version recorded with the decision (a
  // dispute's resolution later records another version with the same decision).
  const funded: FundedDecision[] = [];
  const withPackage = decisions.filter((d) => d.package_id).map((d) => d.id);
  for (let i = 0; i < withPackage.length; i += 5000) {
    const changes = await db
      .selectFrom('package_changes')
      .select(['id', 'decision_id', 'version', 'unit_cost_pence', 'units_x100', 'frequency', 'starts_on', 'ends_on'])
      .where('decision_id', 'in', withPackage.slice(i, i + 5000))
      .orderBy('version')
      .execute();
    const first = new Map<string, (typeof changes)[number]>();
    for (const c of changes) if (c.decision_id && !first.has(c.decision_id)) first.set(c.decision_id, c);
    const splits = await splitsOfChanges(
      db,
      [...first.values()].map((c) => c.id),
    );
    for (const c of first.values()) {
      funded.push({
        terms: { unitCostPence: c.unit_cost_pence, unitsX100: c.units_x100, frequency: c.frequency, startsOn: c.starts_on, endsOn: c.ends_on },
        split: splits.get(c.id) ?? [],
      });
    }
  }
  const partners = await db.selectFrom('budget_partners').select(['id', 'short_name']).execute();
  const disputes = await db.selectFrom('disputes').select(['raised_on', 'status', 'resolved_on']).execute();
  return {
    decisions: facts.length,
    outcomes: byOutcome(facts),
    time: timeToDecision(facts, from, to),
    partners: byPartner(funded).map((p) => ({ ...p, name: partners.find((x) => x.id === p.partnerId)?.short_name ?? 'A former partner' })),
    disputes: disputeFigures(
      disputes.map((d) => ({ raisedOn: d.raised_on, status: d.status, resolvedOn: d.resolved_on })),
      from,
      to,
    ),
  };
}
export type PanelReport = Awaited<ReturnType<typeof panelReport>>;

/**
 * Whether this person sees the panel's work as aggregates only (commissioners, finance officers):
 * not the administrator or a current member of any panel, and not the partnership administrator.
 * For them small counts are suppressed and nothing names a decision (docs/adr/0007).
 */
export async function seesAggregatesOnly(db: Db, who: { id: string; permissions: ReadonlySet<string> }): Promise<boolean> {
  if (who.permissions.has('panels:configure')) return false;
  const admin = await db.selectFrom('panels').select('id').where('administrator_id', '=', who.id).executeTakeFirst();
  if (admin) return false;
  const member = await db.selectFrom('panel_members').select('id').where('user_id', '=', who.id).where('active', '=', true).executeTakeFirst();
  return !member;
}
