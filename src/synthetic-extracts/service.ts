// Writing the extracts to disk, streamed (a million people need only a few hundred MB), and
// scoring a clusters.csv against truth.csv.
import { createReadStream, createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Random } from './random.js';
import { csvLine, splitCsvLine } from './csv.js';
import { AGENCIES, PROFILES, type AgencyName, type ProfileName } from './agencies.js';
import { newState, synthesise, type GenerationState } from './generate.js';
import { PairwiseEvaluator, recordKey, type PairwiseScores } from './evaluate.js';

export const DEFAULT_SEED = 20260101;
/** Records are shuffled within blocks of this many, so a file's order says nothing about families. */
const BLOCK = 20_000;

export interface ExtractSummary {
  profile: ProfileName;
  people: number;
  families: number;
  seed: number;
  files: Record<string, number>;
  duplicates: Record<string, number>;
  totalRecords: number;
  recordsPerPerson: number;
  /** Per agency, per kind of error: records it was applied to, of those it could apply to. */
  errors: GenerationState['tallies'];
  fallbackToHealth: number;
}

class BlockWriter {
  private rows: string[] = [];
  constructor(
    private readonly out: WriteStream,
    private readonly r: Random,
  ) {}
  async add(line: string): Promise<void> {
    this.rows.push(line);
    if (this.rows.length >= BLOCK) await this.flush();
  }
  async flush(): Promise<void> {
    if (!this.rows.length) return;
    const text = this.r.shuffle(this.rows).join('');
    this.rows = [];
    if (!this.out.write(text)) await once(this.out, 'drain');
  }
  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }
}

/** The config for `jointly link` that reads these extracts (paths relative to the config file). */
export function linkConfig(profile: ProfileName = 'standard') {
  return {
    mode: 'dedupe',
    sources: AGENCIES.map((a) => {
      const s = PROFILES[profile][a];
      return { name: s.name, file: s.file, id: s.idColumn, birth_date_format: s.birthDateFormat, columns: s.columns };
    }),
  };
}

/**
 * Writes one CSV per agency, truth.csv (source,record_id,person_id), config.json for
 * `jointly link` and summary.json (counts and the errors applied) into `outDir`.
 */
export async function writeExtracts(opts: {
  people: number;
  outDir: string;
  seed?: number;
  /** standard (the default) or hard: sparse, messy extracts (agencies.ts, HARD_AGENCY_SPECS). */
  profile?: ProfileName;
  onProgress?: (people: number) => void;
}): Promise<ExtractSummary> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const profile = opts.profile ?? 'standard';
  const specs = PROFILES[profile];
  mkdirSync(opts.outDir, { recursive: true });
  const shuffle = new Random(seed ^ 0x0bad5eed);
  const open = (file: string, header: readonly string[]) => {
    const out = createWriteStream(join(opts.outDir, file), { highWaterMark: 1 << 20 });
    out.write(csvLine(header));
    return new BlockWriter(out, shuffle);
  };
  const writers = Object.fromEntries(AGENCIES.map((a) => [a, open(specs[a].file, specs[a].header)])) as Record<AgencyName, BlockWriter>;
  const truth = open('truth.csv', ['source', 'record_id', 'person_id']);
  const state = newState();
  let lastPerson = '';
  for (const rec of synthesise(opts.people, seed, state, profile)) {
    await writers[rec.agency].add(csvLine(rec.row));
    await truth.add(csvLine([rec.agency, rec.recordId, rec.person.id]));
    if (opts.onProgress && rec.person.id !== lastPerson && state.people % 100_000 === 0) opts.onProgress(state.people);
    lastPerson = rec.person.id;
  }
  await Promise.all([...Object.values(writers), truth].map((w) => w.close()));
  writeFileSync(join(opts.outDir, 'config.json'), `${JSON.stringify(linkConfig(profile), null, 2)}\n`);
  const files = Object.fromEntries(AGENCIES.map((a) => [specs[a].file, state.records[a]]));
  const totalRecords = Object.values(state.records).reduce((a, b) => a + b, 0);
  const summary: ExtractSummary = {
    profile,
    people: state.people,
    families: state.families,
    seed,
    files,
    duplicates: Object.fromEntries(AGENCIES.map((a) => [specs[a].file, state.duplicates[a]])),
    totalRecords,
    recordsPerPerson: Math.round((totalRecords / state.people) * 1000) / 1000,
    errors: state.tallies,
    fallbackToHealth: state.fallbackToHealth,
  };
  writeFileSync(join(opts.outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** Reads a CSV with a header, calling `row` with the named columns of every line. */
async function readColumns(
  file: string,
  names: readonly [string, string, string],
  row: (a: string, b: string, c: string, line: number) => void,
): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  let at: number[] | undefined;
  let n = 0;
  for await (const line of lines) {
    n++;
    if (at === undefined) {
      const header = splitCsvLine(line.replace(/^\uFEFF/, '')).map((h) => h.trim());
      at = names.map((name) => header.indexOf(name));
      const lost = names.filter((_, i) => at![i]! < 0);
      if (lost.length) throw new Error(`${file}: the header has no column ${lost.join(', ')} (it has ${header.join(', ')})`);
      continue;
    }
    if (!line) continue;
    const f = splitCsvLine(line);
    row(f[at[0]!] ?? '', f[at[1]!] ?? '', f[at[2]!] ?? '', n);
  }
  if (at === undefined) throw new Error(`${file} is empty: it has no header line`);
}

/** Pairwise precision, recall and F1 of clusters.csv (source,record_id,cluster_id) against truth.csv. */
export async function evaluateFiles(truthFile: string, clustersFile: string): Promise<PairwiseScores> {
  const e = new PairwiseEvaluator();
  await readColumns(truthFile, ['source', 'record_id', 'person_id'], (s, id, p) => e.addTruth(recordKey(s, id), p));
  await readColumns(clustersFile, ['source', 'record_id', 'cluster_id'], (s, id, c) => e.addPrediction(recordKey(s, id), c));
  return e.scores();
}

/** A few lines for people: records per file and in total. */
export function describeSummary(s: ExtractSummary, outDir: string): string {
  const n = (x: number) => x.toLocaleString('en-GB');
  const lines = [`Wrote extracts of ${n(s.people)} fictional people (${n(s.families)} families, seed ${s.seed}) to ${outDir}:`];
  for (const [file, count] of Object.entries(s.files))
    lines.push(`  ${file.padEnd(16)} ${n(count).padStart(11)} records, ${n(s.duplicates[file] ?? 0)} of them a person entered a second time`);
  lines.push(`  ${'total'.padEnd(16)} ${n(s.totalRecords).padStart(11)} records, ${s.recordsPerPerson} per person`);
  lines.push('  truth.csv (which record is which person), config.json (for jointly link), summary.json (errors applied)');
  return lines.join('\n');
}
