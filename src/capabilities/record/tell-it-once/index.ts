// Tell it once's public module: the child's summary and name for a record page, and the chronology
// other capabilities add events to.
export { childSummary, recordChronologyEvent } from './service.js';
export { childName, navChild } from './presenters.js';
export { moveAboutMe, restoreAboutMe, type MovedVersion } from './merging.js';
