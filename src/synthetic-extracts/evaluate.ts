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

/** Groups (people, clusters) numbered in the order first seen, with how many records each holds. */
class GroupSizes {
  private readonly numbers = new Map<string, number>();
  readonly sizes: number[] = [];

  /** Counts one more record in group `id`; answers the group's number. */
  add(id: string): number {
    let n = this.numbers.get(id);
    if (n === undefined) {
      n = this.sizes.length;
      this.numbers.set(id, n);
      this.sizes.push(0);
    }
    this.sizes[n]!++;
    return n;
  }
}

export class PairwiseEvaluator {
  private readonly person = new Map<string, number>();
  private readonly people = new GroupSizes();
  private readonly clusters = new GroupSizes();
  private readonly cells = new Map<number, number>();
  private readonly seen = new Set<string>();
  private unknown = 0;
  private repeated = 0;

  /** One row of the truth: record `key` (source and record id) belongs to `personId`. */
  addTruth(key: string, personId: string): void {
    if (this.person.has(key)) throw new Error(`The truth gives record ${key} twice`);
    this.person.set(key, this.people.add(personId));
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
    const c = this.clusters.add(clusterId);
    // A number key (cluster, person) is far cheaper than a string; both stay below 2^26 here.
    const cell = c * 67_108_864 + p;
    this.cells.set(cell, (this.cells.get(cell) ?? 0) + 1);
  }

  scores(): PairwiseScores {
    let truePairs = 0;
    for (const n of this.people.sizes) truePairs += pairs(n);
    let predictedPairs = 0;
    for (const n of this.clusters.sizes) predictedPairs += pairs(n);
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
