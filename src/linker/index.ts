// The record linker's public API (pure library: no database, no platform imports).
export { linkRecords, linkEncoded, linkIncremental, explainPair, rolesOfModel, DEFAULTS } from './linker.js';
export type { IncrementalInput, IncrementalResult } from './linker.js';
export { Encoder } from './encode.js';
export { LinkInputError } from './csv.js';
export { runLinkCommand } from './cli.js';
export type { LinkCommandOptions } from './cli.js';
export * from './types.js';
