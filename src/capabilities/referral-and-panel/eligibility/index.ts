// Eligibility's public module: assessing a referral against a rule set, and the assessment form.
export { assessableRuleSets, assessReferral, eligibilityOfReferral, getRuleSet } from './service.js';
export { parseAssessmentForm } from './schema.js';
