// Decided cases for the disputes and panel reports tests (issue 6), on top of helper C's panel
// world (test/support/panel-world.ts): decisions are inserted directly, and a funded decision's
// package is set up through the budgets (createPackage with the decision), so its commitment is
// in the ledger linked to the decision. Every name is fictional.
import { insertReferral } from './referrals.js';
import type { Db } from '../../src/platform/db/database.js';
import { createPackage } from '../../src/capabilities/money/budgets/packages.js';
import type { Split } from '../../src/capabilities/money/budgets/split.js';
import { addWorkingDays } from '../../src/platform/working-days.js';
import { createPanelWorld, type PanelWorld, type PanelWorldOptions } from './panel-world.js';

export type Outcome = 'approve' | 'approve-with-changes' | 'decline' | 'defer' | 'refer-elsewhere';

export interface DecidedCase {
  decisionId: string;
  referralId: string;
  referralReference: string;
  packageId: string | null;
  packageReference: string | null;
}

export interface CaseOptions {
  outcome?: Outcome;
  receivedOn: string;
  decidedOn: string;
  /** A package for a funded decision: £ per week and split. */
  package?: { unitCostPence: number; unitsX100?: number; frequency?: 'week' | 'month'; startsOn: string; endsOn: string | null; split: Split };
  /** Today for the package's posting (defaults to the decision date). */
  today?: string;
}

let counter = 0;

/** Adds one referral, case and decision to the world's meeting (and the package, when funded). */
export async function addDecidedCase(db: Db, w: PanelWorld, o: CaseOptions): Promise<DecidedCase> {
  const n = ++counter;
  const referral = await insertReferral(db, {
    route: 'partner',
    child_id: w.childId,
    child_details: '{}',
    referrer_user_id: w.referrerId,
    referrer_name: 'Demo Key Worker',
    referrer_relationship: 'professional',
    help_needed: `Help needed ${n} (fictional)`,
    reason: 'Needs several agencies together (fictional)',
    sharing_basis: 'lawful-basis',
    lawful_basis: 'Children Act 1989 section 17 (fictional test)',
    status: o.outcome === 'defer' ? 'to-panel' : 'decided',
    received_on: o.receivedOn,
  });
  const pc = await db
    .insertInto('panel_cases')
    .values({ meeting_id: w.meetingId, referral_id: referral.id, position: 100 + n, summary: 'A case (fictional)', added_by: w.administratorId })
    .returning('id')
    .executeTakeFirstOrThrow();
  const decision = await db
    .insertInto('panel_decisions')
    .values({
      case_id: pc.id,
      referral_id: referral.id,
      meeting_id: w.meetingId,
      outcome: o.outcome ?? 'approve',
      reasons: 'The panel agreed the package (fictional)',
      decided_on: o.decidedOn,
      sheet_due_on: addWorkingDays(o.decidedOn, 1),
      recorded_by: w.administratorId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  let pkg: { id: string; reference: string } | null = null;
  if (o.package) {
    pkg = await createPackage(
      db,
      {
        agreementId: w.pool.agreementId,
        childId: w.childId,
        serviceCategory: 'short-breaks',
        service: 'Personal care at home (fictional)',
        providerId: w.pool.providerId,
        unitCostPence: o.package.unitCostPence,
        unitsX100: o.package.unitsX100 ?? 100,
        frequency: o.package.frequency ?? 'week',
        startsOn: o.package.startsOn,
        endsOn: o.package.endsOn,
        reviewOn: null,
        split: o.package.split,
        reason: 'Panel decision (fictional)',
        decisionId: decision.id,
      },
      { id: w.administratorId },
      o.today ?? o.decidedOn,
    );
    await db.updateTable('panel_decisions').set({ package_id: pkg.id }).where('id', '=', decision.id).execute();
  }
  return {
    decisionId: decision.id,
    referralId: referral.id,
    referralReference: referral.reference,
    packageId: pkg?.id ?? null,
    packageReference: pkg?.reference ?? null,
  };
}

/** A panel world with one approved, jointly funded decision: health and social care 50/50 from `startsOn`. */
export async function createDisputeWorld(db: Db, opts: { startsOn: string; endsOn: string | null; unitCostPence?: number; today: string } & PanelWorldOptions) {
  const w = await createPanelWorld(db, opts);
  const c = await addDecidedCase(db, w, {
    receivedOn: opts.startsOn,
    decidedOn: opts.startsOn,
    today: opts.today,
    package: {
      unitCostPence: opts.unitCostPence ?? 70_000,
      startsOn: opts.startsOn,
      endsOn: opts.endsOn,
      split: [
        {
          from: opts.startsOn,
          to: opts.endsOn,
          shares: [
            { partnerId: w.partners.health, bp: 5000 },
            { partnerId: w.partners.socialCare, bp: 5000 },
          ],
        },
      ],
    },
  });
  return { world: w, case: c };
}

/** The escalation ladder the brief gives as an example. */
export const EXAMPLE_LADDER = [
  { name: 'Panel chairs', days: 10 },
  { name: 'Heads of service', days: 15 },
  { name: 'Directors', days: 20 },
];
