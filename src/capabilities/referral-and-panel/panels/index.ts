// Panels' public module: who was at a meeting, and the members' delegated financial authority.
export { presentMembers } from './service.js';
export {
  authorityProblems,
  authorityWindowEnd,
  countingMembers,
  firstYearCostByPartner,
  largestYearlyCostByPartner,
  payingPartners,
  type PresentMember,
  type YearlyCost,
} from './authority.js';
export { panelsWorklist } from './worklist.js';
