// Pairwise precision, recall and F1 of a clustering against the truth, from the contingency
// table of (predicted cluster, true person) counts: a group of n records holds n(n-1)/2 pairs,
// so no pair is ever listed and millions of records take seconds.
//   true positives  = sum over cells of C(n_cell, 2)   (pairs in the same cluster AND the same person)
//   predicted pairs = sum over clusters of C(n, 2)
//   true pairs      = sum over people of C(n, 2)
// Records the clustering leaves out count as clusters of their own (they predict no pairs).

export interface PairwiseScores {
  records: number;
  truePairs: number;
  predictedPairs: number;
  truePositives: number;
  /** true positives / predicted pairs (1 when no pairs were predicted). */
  precision: number;
  /** true positives / true pairs (1 when there are no true pairs). */
  recall: number;
  f1: number;
  /** Truth records missing from the clustering, clustering rows for records not in the truth, and rows given twice. */
  missing: number;
  unknown: number;
  repeated: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

export class PairwiseEvaluator {
  private readonly person = new Map<string, number>();
  private readonly personIds = new Map<string, number>();
  private readonly personSizes: number[] = [];
  private readonly clusterIds = new Map<string, number>();
  private readonly clusterSizes: number[] = [];
  private readonly cells = new Map<number, number>();
  private readonly seen = new Set<string>();
  private unknown = 0;
  private repeated = 0;

  /** One row of the truth: record `key` (source and record id) belongs to `personId`. */
  addTruth(key: string, personId: string): void {
    if (this.person.has(key)) throw new Error(`The truth gives record ${key} twice`);
    let p = this.personIds.get(personId);
    if (p === undefined) {
      p = this.personSizes.length;
      this.personIds.set(personId, p);
      this.personSizes.push(0);
    }
    this.personSizes[p]!++;
    this.person.set(key, p);
  }

  /** One row of the clustering: record `key` was put in `clusterId`. Add the whole truth first. */
  addPrediction(key: string, clusterId: string): void {
    const p = this.person.get(key);
    if (p === undefined) {
      this.unknown++;
      return;
    }
    if (this.seen.has(key)) {
      this.repeated++;
      return;
    }
    this.seen.add(key);
    let c = this.clusterIds.get(clusterId);
    if (c === undefined) {
      c = this.clusterSizes.length;
      this.clusterIds.set(clusterId, c);
      this.clusterSizes.push(0);
    }
    this.clusterSizes[c]!++;
    // A number key (cluster, person) is far cheaper than a string; both stay below 2^26 here.
    const cell = c * 67_108_864 + p;
    this.cells.set(cell, (this.cells.get(cell) ?? 0) + 1);
  }

  scores(): PairwiseScores {
    let truePairs = 0;
    for (const n of this.personSizes) truePairs += pairs(n);
    let predictedPairs = 0;
    for (const n of this.clusterSizes) predictedPairs += pairs(n);
    let truePositives = 0;
    for (const n of this.cells.values()) truePositives += pairs(n);
    const precision = predictedPairs === 0 ? 1 : truePositives / predictedPairs;
    const recall = truePairs === 0 ? 1 : truePositives / truePairs;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return {
      records: this.person.size,
      truePairs,
      predictedPairs,
      truePositives,
      precision,
      recall,
      f1,
      missing: this.person.size - this.seen.size,
      unknown: this.unknown,
      repeated: this.repeated,
    };
  }
}

/** The key of a record in both files: its source and its id. */
export const recordKey = (source: string, recordId: string) => `${source}\u0001${recordId}`;

/** Scores for in-memory rows: [source, record id, person] and [source, record id, cluster]. */
export function pairwiseScores(truth: Iterable<readonly [string, string, string]>, clusters: Iterable<readonly [string, string, string]>): PairwiseScores {
  const e = new PairwiseEvaluator();
  for (const [s, id, person] of truth) e.addTruth(recordKey(s, id), person);
  for (const [s, id, cluster] of clusters) e.addPrediction(recordKey(s, id), cluster);
  return e.scores();
}
