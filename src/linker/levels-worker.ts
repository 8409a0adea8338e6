// Worker thread: computes comparison levels for ranges of pairs of a shared dataset.
import { parentPort, workerData } from 'node:worker_threads';
import type { Dataset } from './encode.js';
import { makeComparator, type FieldSpec } from './compare.js';

const { ds, specs } = workerData as { ds: Dataset; specs: FieldSpec[] };
// Comparators keep their caches between jobs.
const comparators = specs.map((s) => makeComparator(ds, s));
const F = specs.length;

parentPort!.on('message', (msg: { id: number; a: Int32Array; b: Int32Array; start: number; end: number; out: Uint8Array }) => {
  try {
    const { a, b, out } = msg;
    for (let f = 0; f < F; f++) {
      const cmp = comparators[f]!;
      for (let p = msg.start; p < msg.end; p++) out[p * F + f] = cmp(a[p]!, b[p]!);
    }
    parentPort!.postMessage({ id: msg.id });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: (e as Error).stack ?? String(e) });
  }
});
