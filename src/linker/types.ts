// Public types of the record linker. The linker is a pure library: it knows nothing of the database.

/** Roles a source column can play. `identifier:<name>` and `extra:<name>` carry their own name. */
export const FIXED_ROLES = ['given_name', 'middle_name', 'family_name', 'birth_date', 'sex', 'postcode', 'address', 'town', 'email', 'phone'] as const;
export type FixedRole = (typeof FIXED_ROLES)[number];
export type Role = FixedRole | `identifier:${string}` | `extra:${string}`;

/**
 * One record to link. `values` maps a role to its raw value; missing, empty or unparseable values
 * are treated as unknown. `birth_date` is `YYYY-MM-DD` unless the source has another format in
 * `LinkSettings.birthDateFormats`. `address` may be one string or several parts.
 */
export interface LinkRecord {
  source: string;
  id: string;
  values: { [role: string]: string | readonly string[] | null | undefined };
}

export interface RecordRef {
  source: string;
  id: string;
}

/** A person's decision about a pair: it overrides the score and is never asked again. */
export interface PairDecision {
  a: RecordRef;
  b: RecordRef;
  decision: 'same' | 'different';
}

export interface LinkSettings {
  /** dedupe: find the same person anywhere; link: only across sources (one record per source per person). */
  mode: 'dedupe' | 'link';
  /** Pairs at or above this probability are joined into one person. Default 0.9. */
  matchThreshold?: number;
  /** Pairs from this probability up to the match threshold are uncertain: clerical review. Default 0.5. */
  reviewLower?: number;
  /** Blocks (records sharing a blocking key) larger than this are skipped and counted. Default 1000. */
  maxBlockSize?: number;
  /** Random record pairs used to estimate u probabilities. Default 1,000,000. */
  uSampleSize?: number;
  /** Candidate pairs used for EM (a deterministic sample when there are more). Default 2,000,000. */
  emSampleSize?: number;
  /** Seed for the random pair sample (results are deterministic for a given seed). Default 1. */
  seed?: number;
  /** Worker threads for scoring; 0 scores in the calling thread. Default: 2 for large inputs. */
  workers?: number;
  /** Per source, the format of birth_date values (YYYYMMDD, DD/MM/YYYY, ...). Default YYYY-MM-DD. */
  birthDateFormats?: Record<string, string>;
  /** In link mode, refuse to put two records of the same source in one person. Default true. */
  oneRecordPerSource?: boolean;
  /** Send pairs whose given names are completely different (and share no exact identifier) to review instead of joining them. Default true. */
  requirePersonalAgreement?: boolean;
  /** Known decisions: must-link and cannot-link constraints. */
  decisions?: readonly PairDecision[];
}

/** One comparison column of the model: a role (or, for location, postcode+address+town). */
export interface FieldModel {
  name: string; // e.g. given_name, birth_date, location, identifier:nhs_number
  levels: readonly string[]; // human labels, most similar first; the last is "different"
  m: number[];
  u: number[];
  /** Exact matches on this field are adjusted by how common the value is. */
  termFrequency: boolean;
}

/** A trained Fellegi-Sunter model: reusable for incremental linking and explanations. */
export interface LinkModel {
  version: 1;
  mode: 'dedupe' | 'link';
  fields: FieldModel[];
  /** Probability that two random records (pairs of the mode) are the same person. */
  prior: number;
  /** EM iterations run and whether they converged. */
  em: { iterations: number; converged: boolean; candidateMatchShare: number };
  /**
   * For fields with termFrequency: the share of records with each value seen at least twice;
   * any other value counts as `default` (one record's share).
   */
  termFrequencies: Record<string, { default: number; values: Record<string, number> }>;
}

export interface FieldExplanation {
  field: string;
  level: string; // label, or "missing" when either side has no value
  levelIndex: number; // -1 when missing
  weight: number; // log2 Bayes factor (match weight)
}

export interface ScoredPair {
  a: number; // record index in the input
  b: number;
  probability: number;
  /** Sum of weights including the prior (log2 odds). */
  matchWeight: number;
}

export interface LinkStats {
  records: number;
  comparisons: number;
  pairs_above_review: number;
  clusters: number;
  blocking: { rule: string; pairs: number; skipped_blocks: number; skipped_records: number }[];
  candidate_pairs: number;
  /** Pairs scored as matches held for review: given names completely different (twins?) or no given name nor birth date. */
  held_for_review: number;
  /** Pairs scored as matches not joined: given names different, or missing, with birth dates apart (siblings). */
  not_joined_without_personal_agreement: number;
  wall_ms: number;
  phases_ms: Record<string, number>;
}

export interface LinkResult {
  /** Cluster id per input record, same order as the input. */
  clusterIds: string[];
  /** Scored pairs at or above reviewLower (sorted by a, b). */
  pairs: ScoredPair[];
  /** Pairs between reviewLower and matchThreshold with no decision yet: for clerical review. */
  uncertain: ScoredPair[];
  model: LinkModel;
  stats: LinkStats;
  /** Per pair explanation on demand (uses the encoded data of this run). */
  explain(a: number, b: number): FieldExplanation[];
}
