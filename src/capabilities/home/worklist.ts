// "Your work": the home page asks each capability's contributor (exported from its public
// module) what is due for the signed-in person. A contributor is asked only when the person holds
// one of its permissions, so a role runs only the queries that can find something for it.
import type { WorklistContext, WorklistContributor } from '../../platform/worklist.js';
import { partnershipWorklist } from '../administration/partnership/index.js';
import { sharingWorklist } from '../record/sharing/index.js';
import { importsWorklist } from '../linkage/imports/index.js';
import { matchingReviewWorklist } from '../linkage/matching-review/index.js';
import { budgetsWorklist } from '../money/budgets/index.js';
import { referralsWorklist } from '../referral-and-panel/referrals/index.js';
import { panelsWorklist } from '../referral-and-panel/panels/index.js';
import { panelDecisionsWorklist } from '../referral-and-panel/panel-decisions/index.js';
import { disputesWorklist } from '../referral-and-panel/disputes/index.js';
import { localOfferWorklist } from '../planning/local-offer/index.js';
import { contractsWorklist } from '../planning/contracts/index.js';
import { familyAccountsToApprove, familyWorklist } from '../families/my-family/service.js';
import { orderWork, type ShownWork } from './rules.js';

export const CONTRIBUTORS: readonly WorklistContributor[] = [
  referralsWorklist,
  panelsWorklist,
  panelDecisionsWorklist,
  disputesWorklist,
  budgetsWorklist,
  importsWorklist,
  matchingReviewWorklist,
  sharingWorklist,
  partnershipWorklist,
  localOfferWorklist,
  contractsWorklist,
  familyWorklist,
  familyAccountsToApprove,
];

/** The contributors that apply to this person. */
export const contributorsFor = (permissions: ReadonlySet<string>) => CONTRIBUTORS.filter((c) => c.permissions.some((p) => permissions.has(p)));

/** Everything due for this person, soonest first. One after another: they share the request's one connection. */
export async function yourWork(ctx: WorklistContext): Promise<ShownWork[]> {
  const items = [];
  for (const c of contributorsFor(ctx.user.permissions)) items.push(...(await c.items(ctx)));
  return orderWork(items, ctx.today);
}
