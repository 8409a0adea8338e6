// Panel decisions' public module: a decision and who may read it, and the outcomes' names.
export { childReferralsSql, getDecision, requireDecisionReader, type ChildReferralJson } from './service.js';
export { OUTCOMES } from './rules.js';
export { panelDecisionsWorklist } from './worklist.js';
