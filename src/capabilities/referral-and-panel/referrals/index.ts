// Referrals' public module: a child's referrals and the statuses' names.
export { recordOutcomeSheetIssued, recordPanelOutcome, referralsOfChild } from './service.js';
export { STATUS_NAMES } from './rules.js';
export { referralsWorklist } from './worklist.js';
