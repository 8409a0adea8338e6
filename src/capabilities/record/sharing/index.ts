// Sharing's public module: the access rule (requireChild for a record page, visibleChild as SQL),
// the parts of the record (sections) and their short names, small-number suppression, grants held by a merge, and the
// consent recorded with a registration; the form pair of a page that changes a child's record.
export { childFormRoutes, childPage, type ChildFormRoutes, type ChildPage } from './child-forms.js';
export {
  accessOf,
  addRegistrationConsent,
  admitChild,
  childAccess,
  holdGrantsCarriedByMerge,
  listConsents,
  listLawfulBases,
  organisationsConsentCovers,
  releaseGrantsHeldByMerge,
  whoCanSee,
  whoHasLooked,
  withdrawConsent,
  requireChild,
  viewerOf,
  visibleAmong,
  visibleChild,
  type AccessRow,
  type HeldByMerge,
} from './service.js';
export { dateTime, LAWFUL_BASES, organisationTypeName, SECTION_SHORT } from './presenters.js';
export { CASEWORK_ROLES, isSection, SECTION_KEYS, SECTIONS, SMALL_NUMBER, suppress, type Section, type Viewer } from './rules.js';
export { sharingWorklist } from './worklist.js';
