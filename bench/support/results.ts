// The shape every benchmark writes to bench/results/<name>.json, and the machine it ran on.
// Metric names carry their unit: _ms, _per_s, _mb, _ratio (and _bytes, _count where needed).
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectPath } from '../../src/platform/paths-on-disk.js';

export interface Machine {
  cores: number;
  memory_gb: number;
  node: string;
  cpu_model: string;
  os: string;
}

export interface Target {
  metric: string;
  /** The figure must be at most this (`max`), strictly below it (`below`) or at least this (`min`). */
  max?: number;
  below?: number;
  min?: number;
  value: number;
  met: boolean;
}

export interface BenchResult {
  name: string;
  /** When the run finished, ISO 8601. */
  date: string;
  machine: Machine;
  metrics: Record<string, number>;
  targets?: Record<string, Target>;
  /** Anything else a reader needs to judge the figures: settings, versions, raw runs, load on the machine. */
  context?: Record<string, unknown>;
}

/** Metric names must end in a unit, so nobody has to guess what a number means. */
const UNIT = /_(ms|per_s|per_1000|mb|ratio|bytes|count)$/;

export function machine(): Machine {
  const list = cpus();
  return {
    cores: list.length,
    memory_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    cpu_model: list[0]?.model.trim() ?? 'unknown',
    os: `${process.platform} ${release()}`,
  };
}

/** What else was running: the one-minute load average and free memory, for the record. */
export function machineLoad() {
  return { load_average_1m: Math.round(loadavg()[0]! * 100) / 100, free_memory_gb: Math.round((freemem() / 1024 ** 3) * 10) / 10 };
}

export function target(metric: string, value: number, rule: { max: number } | { below: number } | { min: number }): Target {
  const met = 'max' in rule ? value <= rule.max : 'below' in rule ? value < rule.below : value >= rule.min;
  return { metric, ...rule, value, met };
}

export function writeResult(result: Omit<BenchResult, 'date' | 'machine'>): { path: string; result: BenchResult } {
  for (const [k, v] of Object.entries(result.metrics)) {
    if (!UNIT.test(k)) throw new Error(`Metric ${k} has no unit suffix (_ms, _per_s, _per_1000, _mb, _ratio, _bytes, _count)`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`Metric ${k} is not a finite number: ${String(v)}`);
  }
  const full: BenchResult = { name: result.name, date: new Date().toISOString(), machine: machine(), metrics: result.metrics };
  if (result.targets) full.targets = result.targets;
  if (result.context) full.context = result.context;
  const dir = projectPath('bench', 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${result.name}.json`);
  writeFileSync(path, `${JSON.stringify(full, null, 2)}\n`);
  return { path, result: full };
}

/** Rounds for the record: two decimal places is plenty for milliseconds and ratios. */
export const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;
