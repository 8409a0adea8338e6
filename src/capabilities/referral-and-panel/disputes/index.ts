// Disputes' public module: a decision's disputes, an open dispute on a package, and what is
// waiting at each step, for "Your work".
export { disputesOfDecision, openDisputeOnPackage } from './service.js';
export { disputesWorklist } from './worklist.js';
