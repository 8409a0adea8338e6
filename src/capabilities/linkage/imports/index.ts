// Imports' public module: the fields of the record an agency's columns map to.
export { CHILD_COLUMNS, FIELDS, FIELD_KEYS, type Field } from './fields.js';
export { keepMergedValues, removeMergedValues } from './merging.js';
// What is due for the signed-in person ("Your work" on the home page).
export { importsWorklist } from './worklist.js';
