// Sharing's public module: the access rule (requireChild for a record page, visibleChild as SQL),
// the parts of the record (sections), small-number suppression, grants held by a merge, and the
// consent recorded with a registration.
export {
  addRegistrationConsent,
  childAccess,
  holdGrantsCarriedByMerge,
  releaseGrantsHeldByMerge,
  requireChild,
  viewerOf,
  visibleChild,
  type HeldByMerge,
} from './service.js';
export { CASEWORK_ROLES, isSection, SECTION_KEYS, SECTIONS, SMALL_NUMBER, suppress, type Section, type Viewer } from './rules.js';
