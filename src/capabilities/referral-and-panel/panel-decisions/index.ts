// Panel decisions' public module: a decision and who may read it, and the outcomes' names.
export { getDecision, requireDecisionReader } from './service.js';
export { OUTCOMES } from './rules.js';
