// Computing comparison levels for many pairs: in the calling thread for small jobs, otherwise
// split across worker threads that share the dataset and the output through SharedArrayBuffers.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Dataset } from './encode.js';
import { makeComparator, type FieldSpec } from './compare.js';

export interface LevelJob {
  a: Int32Array;
  b: Int32Array;
  start: number;
  end: number;
  out: Uint8Array; // (end - start) * fields, pair-major, offset by start
}

/** Fills out[(p - start) * F + f] for pairs p in [start, end). */
export function computeLevelsInline(ds: Dataset, specs: readonly FieldSpec[], job: LevelJob, offset = job.start): void {
  const comparators = specs.map((s) => makeComparator(ds, s));
  const F = specs.length;
  const { a, b, out } = job;
  for (let f = 0; f < F; f++) {
    const cmp = comparators[f]!;
    for (let p = job.start; p < job.end; p++) out[(p - offset) * F + f] = cmp(a[p]!, b[p]!);
  }
}

/** The built worker runs directly; under tsx (source, tests) a small bootstrap registers tsx first. */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./levels-worker.js', import.meta.url), { workerData });
  const tsx = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./levels-worker.ts', import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), { workerData });
}

/** A pool of worker threads holding one dataset; close() when done. */
export class LevelPool {
  private readonly workers: Worker[] = [];
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  constructor(
    private readonly ds: Dataset,
    private readonly specs: readonly FieldSpec[],
    size: number,
    /** Jobs smaller than this run in the calling thread (starting workers costs more). */
    private readonly inlineBelow = 50_000,
  ) {
    for (let k = 0; k < size; k++) {
      const w = startWorker({ ds, specs });
      w.on('message', (msg: { id: number; error?: string }) => {
        const p = this.waiting.get(msg.id);
        if (!p) return;
        this.waiting.delete(msg.id);
        if (msg.error) p.reject(new Error(msg.error));
        else p.resolve();
      });
      w.on('error', (e) => {
        for (const p of this.waiting.values()) p.reject(e);
        this.waiting.clear();
      });
      this.workers.push(w);
    }
  }

  /** Levels of pairs (a[p], b[p]) for p < count, pair-major with one byte per field. */
  async levels(a: Int32Array, b: Int32Array, count: number): Promise<Uint8Array> {
    const F = this.specs.length;
    const out = new Uint8Array(new SharedArrayBuffer(Math.max(1, count * F)), 0, count * F);
    if (this.workers.length === 0 || count < this.inlineBelow) {
      computeLevelsInline(this.ds, this.specs, { a, b, start: 0, end: count, out });
      return out;
    }
    // Several chunks per worker so an uneven share of slow pairs does not leave a core idle.
    const chunks = this.workers.length * 8;
    const size = Math.ceil(count / chunks);
    const queue: { start: number; end: number }[] = [];
    for (let s = 0; s < count; s += size) queue.push({ start: s, end: Math.min(count, s + size) });
    await Promise.all(
      this.workers.map(async (w) => {
        for (let job = queue.shift(); job; job = queue.shift()) {
          const id = this.nextId++;
          const done = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
          w.postMessage({ id, a, b, start: job.start, end: job.end, out });
          await done;
        }
      }),
    );
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
