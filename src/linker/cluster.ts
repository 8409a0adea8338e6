// Clustering scored pairs into people: union-find over pairs at or above the match threshold,
// strongest first, refusing any union that would break a safeguard.

export interface ClusterConstraints {
  /** Pairs a person said are the same: joined first, whatever the score. */
  mustLink: [number, number][];
  /** Pairs a person said are different: never in one cluster through scored links. */
  cannotLink: [number, number][];
  /** True when records x and y must not be in one cluster (e.g. different NHS numbers). */
  conflict?: (x: number, y: number) => boolean;
  /** Records that carry conflict-relevant values (others never conflict). */
  conflictCarrier?: (x: number) => boolean;
  /** Source index per record, for one-record-per-source (link mode). */
  sourceOf?: Int32Array;
  /** Components that must not be merged by scores (incremental: existing people). */
  locked?: Uint8Array; // per record: 1 when it belongs to an existing cluster
}

export class UnionFind {
  readonly parent: Int32Array;
  readonly size: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(x: number): number {
    let r = x;
    while (this.parent[r] !== r) r = this.parent[r]!;
    while (this.parent[x] !== r) {
      const next = this.parent[x]!;
      this.parent[x] = r;
      x = next;
    }
    return r;
  }
  /** Joins the sets of a and b; returns the new root. */
  union(ra: number, rb: number): number {
    if (ra === rb) return ra;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
    return ra;
  }
}

export interface ClusterOutcome {
  uf: UnionFind;
  refused: number; // unions refused by a safeguard
}

/**
 * Pairs (a[k], b[k]) with probability p[k] are visited strongest first; a union is made when
 * p >= threshold and no safeguard objects: a cannot-link decision, conflicting identifiers
 * anywhere in the two clusters, two records of one source (link mode), or two existing people.
 */
export function clusterPairs(
  n: number,
  a: Int32Array,
  b: Int32Array,
  p: Float32Array | Float64Array,
  count: number,
  threshold: number,
  c: ClusterConstraints,
  uf = new UnionFind(n),
): ClusterOutcome {
  // Members of each cluster as a circular linked list (next[x]), so two clusters' members can be
  // walked and joined in O(1) without per-record arrays.
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) next[i] = i;
  const locked = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = uf.find(i);
    if (r !== i) {
      // Splice i into r's list (existing clusters given by the caller).
      next[i] = next[r]!;
      next[r] = i;
    }
    if (c.locked?.[i]) locked[r] = 1;
  }
  const cannot = new Map<number, number[]>(); // record -> records it must not share a cluster with
  for (const [x, y] of c.cannotLink) {
    cannot.set(x, [...(cannot.get(x) ?? []), y]);
    cannot.set(y, [...(cannot.get(y) ?? []), x]);
  }
  const hasCannot = new Uint8Array(n);
  for (const [x, y] of c.cannotLink) {
    hasCannot[uf.find(x)] = 1;
    hasCannot[uf.find(y)] = 1;
  }
  const join = (ra: number, rb: number) => {
    const r = uf.union(ra, rb);
    const t = next[ra]!;
    next[ra] = next[rb]!;
    next[rb] = t;
    locked[r] = locked[ra]! | locked[rb]!;
    hasCannot[r] = hasCannot[ra]! | hasCannot[rb]!;
    return r;
  };
  /** Whether any member of cluster ra and any member of cluster rb may not be together. */
  const objects = (ra: number, rb: number): boolean => {
    if (hasCannot[ra] || hasCannot[rb]) {
      let x = ra;
      do {
        const list = cannot.get(x);
        if (list && list.some((y) => uf.find(y) === rb)) return true;
        x = next[x]!;
      } while (x !== ra);
    }
    if (!c.sourceOf && !c.conflict) return false;
    let x = ra;
    do {
      const carrier = c.conflictCarrier ? c.conflictCarrier(x) : true;
      let y = rb;
      do {
        if (c.sourceOf && c.sourceOf[x] === c.sourceOf[y]) return true;
        if (c.conflict && carrier && (!c.conflictCarrier || c.conflictCarrier(y)) && c.conflict(x, y)) return true;
        y = next[y]!;
      } while (y !== rb);
      x = next[x]!;
    } while (x !== ra);
    return false;
  };
  for (const [x, y] of c.mustLink) {
    const rx = uf.find(x);
    const ry = uf.find(y);
    if (rx !== ry) join(rx, ry);
  }

  const order = strongestFirst(p, count, threshold);
  // Joining two clusters that already hold several records takes a strong link: a chain of
  // merely likely links must not snowball into one giant cluster.
  const strong = Math.max(threshold, 1 - (1 - threshold) / 10);
  let refused = 0;
  for (let q = 0; q < order.length; q++) {
    const k = order[q]!;
    const ra = uf.find(a[k]!);
    const rb = uf.find(b[k]!);
    if (ra === rb) continue;
    if ((locked[ra] && locked[rb]) || (p[k]! < strong && uf.size[ra]! > 1 && uf.size[rb]! > 1) || objects(ra, rb)) {
      refused++;
      continue;
    }
    join(ra, rb);
  }
  return { uf, refused };
}

/** Indices of pairs at or above the threshold, strongest first (ties by index: deterministic). */
export function strongestFirst(p: Float32Array | Float64Array, count: number, threshold: number): Int32Array {
  let m = 0;
  for (let k = 0; k < count; k++) if (p[k]! >= threshold) m++;
  const SCALE = 2 ** 26;
  if (count >= SCALE) {
    const idx: number[] = [];
    for (let k = 0; k < count; k++) if (p[k]! >= threshold) idx.push(k);
    return Int32Array.from(idx.sort((x, y) => p[y]! - p[x]! || x - y));
  }
  // Pack (1 - p) and the index into one exact double, so a numeric sort orders both.
  const keys = new Float64Array(m);
  let w = 0;
  for (let k = 0; k < count; k++) {
    const v = p[k]!;
    if (v >= threshold) keys[w++] = Math.min(SCALE - 1, Math.floor((1 - v) * SCALE)) * SCALE + k;
  }
  keys.sort();
  const out = new Int32Array(m);
  for (let q = 0; q < m; q++) out[q] = keys[q]! % SCALE;
  return out;
}
