// Budgets' public module: what other capabilities use of the pooled budgets, packages, splits and the ledger.
export { listAgreements, listPartners } from './agreements.js';
export { commitmentByYear, type PackageTerms } from './commitment.js';
export { REVERSIBLE_KINDS } from './corrections.js';
export { inTransaction, LedgerError, post, type LedgerLine, type Posted } from './ledger.js';
export { packageFormItems, packageProviders, packageTermsAsValues, serviceCategories } from './package-form.js';
export {
  changePackage,
  childReference,
  createPackage,
  currentTerms,
  getPackage,
  packageHistory,
  packageIdByReference,
  packagesOfChild,
  packagesWithSpend,
  splitsOfChanges,
  type PackageInput,
} from './packages.js';
export { ACCOUNT_NAMES, money, splitLines, unitsText } from './presenters.js';
export { FIRST_LEDGER_DAY, LAST_LEDGER_DAY, parsePackageForm, readDate } from './schema.js';
export { allocate, dayWeights, formatShare, FULL_SHARE, parsePercent, validateSplit, type Share, type Split } from './split.js';
export { budgetsWorklist } from './worklist.js';
export { reviewState, REVIEW_SOON_DAYS } from './review.js';
export { actualSpendByChild, latestSpendYear, type ChildSpend } from './spend-by-child.js';
