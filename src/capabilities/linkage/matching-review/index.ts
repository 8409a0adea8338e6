// Matching review's public module: adding a pair for review and the queue's size (imports), a
// child's provenance (the record page), and the pairs waiting, for "Your work".
export { addReviewPair, countQueue, provenanceOf, provenanceSql } from './service.js';
export { matchingReviewWorklist } from './worklist.js';
