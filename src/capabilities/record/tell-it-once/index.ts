// Tell it once's public module: the child's summary and name for a record page, and the chronology
// other capabilities add events to.
export { addAboutMeVersion, childSummary, latestAboutMe, recordChronologyEvent } from './service.js';
export { aboutMeForm, type AboutMeForm } from './schema.js';
export { childName, navChild } from './presenters.js';
export { moveAboutMe, restoreAboutMe, type MovedVersion } from './merging.js';
