// Children's public module: registering a child and the core record's rules (identifiers, codes,
// names) that other capabilities use, with the registration form others embed (referrals).
export { activeCriteria, addImportedChild, findPossibleDuplicates, identifiersTaken, lookupLocality, registerChild, updateFromImport } from './service.js';
export {
  ageProblems,
  ETHNICITY_CODES,
  formatNhsNumber,
  isNeedCode,
  isStatus,
  nameTokens,
  NEED_CODES,
  normalisePhone,
  normalisePostcode,
  parseNhsNumber,
  parseUpn,
  searchNames,
  SEVERITY_BANDS,
  STATUSES,
  type NeedCode,
  type Status,
} from './rules.js';
export { FormErrors, parseRegisterForm } from './schema.js';
export { displayName, hiddenFields, registerFormData } from './presenters.js';
// Merging and undoing a merge, as linkage's matching review runs it.
export {
  addChildHistory,
  childRow,
  completeMergedChild,
  deleteChild,
  familyHasOtherChildren,
  lockChildren,
  moveCriteria,
  restoreChildRow,
  restoreCriteria,
  type ChildRow,
  type CriterionRow,
} from './merging.js';
