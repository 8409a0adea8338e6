// The linkage benchmark: `jointly link` on synthetic agency extracts with known truth
// (src/synthetic-extracts), at 10,000, 100,000 and 1,000,000 fictional people by default
// (LINKAGE_SIZES=10k,100k for a quicker run). For each size:
//   - writes the four extracts, truth.csv and config.json to a temporary folder (seed fixed);
//   - runs the built command `node dist/src/cli/jointly.js link --config … --out clusters.csv
//     --stats stats.json` as a child process, building first if dist/ is older than src/;
//   - its wall time is measured here, from spawning to exit (so Node's start-up and reading and
//     writing the files count); its peak memory is the child's maximum resident set size as
//     reported by `/usr/bin/time -v` (GNU time, from getrusage), or, where that is missing, the
//     highest VmHWM read from /proc/<pid>/status every 50 ms while it runs;
//   - comparisons per second = stats.comparisons / the seconds of the linker's comparison
//     phase(s) (phases_ms keys naming "compar" or "scor"), or of its whole run if it reports
//     no such phase; context.comparisons_phase says which;
//   - pairwise precision, recall and F1 of clusters.csv against truth.csv.
// Targets from issue 4: F1 at least 0.97 at every size; 1m under 120,000 ms; peak memory under
// 4,096 MB; at least 1,000,000 comparisons a second.
// Then the same on the hard profile (sparse, messy extracts: HARD_SIZES=10k,100k,1m by default,
// HARD_SIZES=none to skip), with metrics prefixed hard_, plus, at 10k and 100k, the diagnosis of
// bench/linkage-diagnose.ts: candidate recall of blocking (the share of true pairs it offers),
// review pairs per 1,000 records, where the lost pairs go. Targets from issue 18: F1 at least
// 0.90 with precision at least 0.98, candidate recall at least 0.99, at most 20 review pairs per
// 1,000 records, the 1m run under 60,000 ms and 2,048 MB.
// LINKAGE_CLI=path.js runs another script in place of dist/src/cli/jointly.js (to try the harness);
// LINKAGE_PAIRS=1 also asks for pairs.csv; LINKAGE_KEEP=1 keeps the temporary folders.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectPath, projectRoot } from '../src/platform/paths-on-disk.js';
import { evaluateFiles, writeExtracts } from '../src/synthetic-extracts/service.js';
import { build } from './support/server.js';
import { machineLoad, round, target, writeResult, type BenchResult, type Target } from './support/results.js';
import { diagnose } from './linkage-diagnose.js';
import type { ProfileName } from '../src/synthetic-extracts/agencies.js';

const SEED = 20260101;
const DEFAULT_SIZES = '10k,100k,1m';
const TIMEOUT_MS = 20 * 60_000;
const TIME = '/usr/bin/time';

const log = (line: string) => console.log(`[linkage] ${line}`);

export function parseSizes(text: string): { label: string; people: number }[] {
  return text.split(',').map((raw) => {
    const label = raw.trim().toLowerCase();
    const m = /^([0-9]+)(k|m)?$/.exec(label);
    if (!m) throw new Error(`LINKAGE_SIZES: "${raw}" is not a size; write sizes like 10k,100k,1m`);
    const people = Number(m[1]) * (m[2] === 'm' ? 1_000_000 : m[2] === 'k' ? 1000 : 1);
    if (people < 1 || people > 10_000_000) throw new Error(`LINKAGE_SIZES: ${raw} is outside 1 to 10m people`);
    return { label, people };
  });
}

/** A target the figure must reach or beat (results.ts has only upper limits). */
function atLeast(metric: string, value: number, min: number): Target & { min: number } {
  return { metric, min, value, met: value >= min };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuilt(cli: string): void {
  const built = existsSync(cli) ? statSync(cli).mtimeMs : 0;
  if (built >= newestMtime(projectPath('src'))) return;
  log('dist/ is older than src/: building (npm run build)');
  build();
}

interface LinkRun {
  wallMs: number;
  peakRssMb: number;
  rssSource: string;
  stats: {
    records: number;
    comparisons: number;
    pairs_written?: number;
    uncertain_pairs?: number;
    clusters: number;
    wall_ms: number;
    phases_ms?: Record<string, number>;
  };
}

function runLink(cli: string, dir: string): Promise<LinkRun> {
  const args = [cli, 'link', '--config', join(dir, 'config.json'), '--out', join(dir, 'clusters.csv'), '--stats', join(dir, 'stats.json')];
  if (process.env.LINKAGE_PAIRS === '1') args.push('--pairs', join(dir, 'pairs.csv'));
  const timed = existsSync(TIME);
  const started = performance.now();
  const child = timed
    ? spawn(TIME, ['-v', process.execPath, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  let polledKb = 0;
  const poll = timed
    ? undefined
    : setInterval(() => {
        try {
          const m = /VmHWM:\s+([0-9]+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) polledKb = Math.max(polledKb, Number(m[1]));
        } catch {
          /* ended */
        }
      }, 50);
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      if (code !== 0) {
        reject(new Error(`jointly link exited with ${code ?? signal} after ${Math.round(wallMs)} ms:\n${(out + err).slice(-4000)}`));
        return;
      }
      let peakKb = polledKb;
      if (timed) {
        const m = /Maximum resident set size \(kbytes\): ([0-9]+)/.exec(err);
        if (!m) return reject(new Error(`${TIME} -v did not report the maximum resident set size:\n${err.slice(-2000)}`));
        peakKb = Number(m[1]);
      }
      const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')) as LinkRun['stats'];
      resolve({
        wallMs,
        peakRssMb: peakKb / 1024,
        rssSource: timed ? '/usr/bin/time -v (maximum resident set size)' : '/proc/<pid>/status VmHWM polled every 50 ms',
        stats,
      });
    });
  });
}

/** The comparison phase's milliseconds, or the whole run's, and which was used. */
export function comparisonMs(stats: LinkRun['stats']): { ms: number; phase: string } {
  const phases = Object.entries(stats.phases_ms ?? {}).filter(([k]) => /compar|scor/i.test(k));
  const ms = phases.reduce((s, [, v]) => s + v, 0);
  return ms > 0 ? { ms, phase: phases.map(([k]) => k).join('+') } : { ms: stats.wall_ms, phase: 'whole run (stats.wall_ms)' };
}

export async function linkage(): Promise<BenchResult> {
  const sizes = parseSizes(process.env.LINKAGE_SIZES ?? DEFAULT_SIZES);
  const cli = process.env.LINKAGE_CLI ?? projectPath('dist', 'src', 'cli', 'jointly.js');
  if (!process.env.LINKAGE_CLI) ensureBuilt(cli);
  const metrics: Record<string, number> = {};
  const targets: Record<string, Target> = {};
  const runs: Record<string, unknown> = {};
  const hardSizes = (process.env.HARD_SIZES ?? DEFAULT_SIZES) === 'none' ? [] : parseSizes(process.env.HARD_SIZES ?? DEFAULT_SIZES);
  const plan: { profile: ProfileName; label: string; people: number }[] = [
    ...sizes.map((x) => ({ profile: 'standard' as const, ...x })),
    ...hardSizes.map((x) => ({ profile: 'hard' as const, ...x })),
  ];
  for (const { profile, label: size, people } of plan) {
    const label = profile === 'hard' ? `hard_${size}` : size;
    const dir = mkdtempSync(join(tmpdir(), `jointly-linkage-${label}-`));
    try {
      let t = performance.now();
      const summary = await writeExtracts({ people, outDir: dir, seed: SEED, profile });
      const generateMs = performance.now() - t;
      log(
        `${label}: ${summary.totalRecords.toLocaleString('en-GB')} records of ${people.toLocaleString('en-GB')} people written in ${Math.round(generateMs)} ms; linking`,
      );
      const run = await runLink(cli, dir);
      t = performance.now();
      const scores = await evaluateFiles(join(dir, 'truth.csv'), join(dir, 'clusters.csv'));
      const evaluateMs = performance.now() - t;
      if (scores.missing || scores.unknown || scores.repeated)
        throw new Error(
          `${label}: clusters.csv must list every record once: ${scores.missing} missing, ${scores.unknown} not in the extracts, ${scores.repeated} listed twice`,
        );
      const cmp = comparisonMs(run.stats);
      const perS = cmp.ms > 0 ? run.stats.comparisons / (cmp.ms / 1000) : 0;
      const reviewPer1000 = ((run.stats.uncertain_pairs ?? 0) / run.stats.records) * 1000;
      Object.assign(metrics, {
        [`${label}_records_count`]: summary.totalRecords,
        [`${label}_candidate_pairs_count`]: run.stats.comparisons,
        [`${label}_precision_ratio`]: round(scores.precision, 4),
        [`${label}_recall_ratio`]: round(scores.recall, 4),
        [`${label}_f1_ratio`]: round(scores.f1, 4),
        [`${label}_review_pairs_per_1000`]: round(reviewPer1000, 1),
        [`${label}_wall_ms`]: Math.round(run.wallMs),
        [`${label}_comparisons_per_s`]: Math.round(perS),
        [`${label}_peak_rss_mb`]: round(run.peakRssMb, 1),
      });
      let diagnosis: Awaited<ReturnType<typeof diagnose>> | undefined;
      if (profile === 'standard') {
        targets[`${label}_f1_ratio`] = atLeast(`${label}_f1_ratio`, round(scores.f1, 4), 0.97);
        targets[`${label}_peak_rss_mb`] = target(`${label}_peak_rss_mb`, round(run.peakRssMb, 1), { below: 4096 });
        targets[`${label}_comparisons_per_s`] = atLeast(`${label}_comparisons_per_s`, Math.round(perS), 1_000_000);
        if (label === '1m') targets['1m_wall_ms'] = target('1m_wall_ms', Math.round(run.wallMs), { below: 120_000 });
      } else {
        if (size !== '1m') {
          targets[`${label}_f1_ratio`] = atLeast(`${label}_f1_ratio`, round(scores.f1, 4), 0.9);
          targets[`${label}_precision_ratio`] = atLeast(`${label}_precision_ratio`, round(scores.precision, 4), 0.98);
          targets[`${label}_review_pairs_per_1000`] = target(`${label}_review_pairs_per_1000`, round(reviewPer1000, 1), { max: 20 });
          // The diagnosis links the files again in this process, with truth at hand.
          diagnosis = await diagnose(dir);
          metrics[`${label}_candidate_recall_ratio`] = round(diagnosis.candidate_recall, 4);
          targets[`${label}_candidate_recall_ratio`] = atLeast(`${label}_candidate_recall_ratio`, round(diagnosis.candidate_recall, 4), 0.99);
        } else {
          targets[`${label}_wall_ms`] = target(`${label}_wall_ms`, Math.round(run.wallMs), { below: 60_000 });
          targets[`${label}_peak_rss_mb`] = target(`${label}_peak_rss_mb`, round(run.peakRssMb, 1), { below: 2048 });
        }
      }
      runs[label] = {
        profile,
        people,
        generate_ms: Math.round(generateMs),
        evaluate_ms: Math.round(evaluateMs),
        extracts: summary.files,
        scores,
        linker_stats: run.stats,
        comparisons_phase: cmp.phase,
        ...(diagnosis ? { diagnosis } : {}),
      };
      log(
        `${label}: precision ${scores.precision.toFixed(4)}, recall ${scores.recall.toFixed(4)}, F1 ${scores.f1.toFixed(4)}; ${Math.round(run.wallMs)} ms, peak ${run.peakRssMb.toFixed(0)} MB, ${run.stats.comparisons.toLocaleString('en-GB')} comparisons (${Math.round(perS).toLocaleString('en-GB')}/s over ${cmp.phase}); ${reviewPer1000.toFixed(1)} review pairs per 1,000 records${diagnosis ? `; candidate recall ${diagnosis.candidate_recall.toFixed(4)}` : ''}`,
      );
      if (process.env.LINKAGE_KEEP === '1') log(`${label}: kept ${dir}`);
    } finally {
      if (process.env.LINKAGE_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
    }
  }
  const { path, result } = writeResult({
    name: 'linkage',
    metrics,
    targets,
    context: {
      seed: SEED,
      sizes: sizes.map((s) => s.label),
      hard_sizes: hardSizes.map((s) => s.label),
      review_pairs_per_1000: "the linker's review queue (stats uncertain_pairs: one question per pair of clusters) per 1,000 records",
      linker: process.env.LINKAGE_CLI ? `stand-in ${process.env.LINKAGE_CLI}` : 'node dist/src/cli/jointly.js link (default settings)',
      pairs_written: process.env.LINKAGE_PAIRS === '1',
      wall_ms_measures: 'from spawning the child process to its exit, including Node start-up, reading the extracts and writing clusters.csv',
      peak_rss_from: existsSync(TIME) ? '/usr/bin/time -v (maximum resident set size)' : '/proc/<pid>/status VmHWM polled every 50 ms',
      comparisons_per_s_over: 'stats.comparisons divided by the linker-reported comparison/scoring phase(s); see runs.<size>.comparisons_phase',
      runs,
      load: machineLoad(),
    },
  });
  log(`wrote ${path}`);
  return result;
}
