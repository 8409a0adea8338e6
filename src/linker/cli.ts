// `jointly link`: reads the configured CSV files, links them, writes clusters (and pairs, stats).
// Every input problem is found before anything is written.
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { loadConfig, type LinkConfig } from './config.js';
import { csvField, LinkInputError, parseCsv, readCsvText } from './csv.js';
import { Encoder } from './encode.js';
import { linkEncoded } from './linker.js';
import type { LinkResult } from './types.js';

export interface LinkCommandOptions {
  config: string;
  out: string;
  pairs?: string;
  stats?: string;
  model?: string;
}

/** Streams every configured CSV file into the encoder, checking ids and columns (also used by the linkage benchmark). */
export function readSources(config: LinkConfig, encoder: Encoder): void {
  for (const src of config.sources) {
    const name = basename(src.file);
    const text = readCsvText(src.file);
    let header: string[] | undefined;
    let idCol = -1;
    let roleCols = new Map<string, number[]>();
    const seen = new Map<string, number>();
    let records = 0;
    parseCsv(text, name, (fields, row) => {
      if (!header) {
        header = fields.map((h) => h.trim());
        const find = (col: string, what: string) => {
          const k = header!.indexOf(col);
          if (k < 0) throw new LinkInputError(`${name} has no column "${col}" (${what}); its columns are: ${header!.map((h) => `"${h}"`).join(', ')}`);
          return k;
        };
        idCol = find(src.id, 'the record id');
        roleCols = new Map(src.columns.map((c) => [c.role, c.columns.map((col) => find(col, `mapped to ${c.role}`))]));
        return;
      }
      if (fields.length > header.length) throw new LinkInputError(`${name} row ${row} has ${fields.length} fields but the header has ${header.length} columns`);
      const id = (fields[idCol] ?? '').trim();
      if (id === '') throw new LinkInputError(`${name} row ${row} has no record id in column "${src.id}"`);
      const before = seen.get(id);
      if (before !== undefined)
        throw new LinkInputError(`${name} has the record id "${id}" twice (rows ${before} and ${row}); record ids must be unique within a file`);
      seen.set(id, row);
      records++;
      encoder.add(src.name, id, (role) => {
        const idx = roleCols.get(role);
        if (!idx) return undefined;
        if (idx.length === 1) return fields[idx[0]!] ?? '';
        return idx.map((k) => fields[k] ?? '');
      });
    });
    if (!header) throw new LinkInputError(`${name} is empty: it needs a header row and at least one record`);
    if (records === 0) throw new LinkInputError(`${name} has a header but no records`);
  }
}

/** Writes to a temporary file next to the target and renames it, so a failure leaves nothing half-written. */
function writeAtomically(path: string, write: (put: (s: string) => void) => void): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    let buf = '';
    const put = (s: string) => {
      buf += s;
      if (buf.length > 1 << 20) {
        writeSync(fd, buf);
        buf = '';
      }
    };
    write(put);
    if (buf) writeSync(fd, buf);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    rmSync(tmp, { force: true });
    throw e;
  }
}

function writePairs(path: string, result: LinkResult, sourceOf: (i: number) => string, idOf: (i: number) => string): number {
  const fields = result.model.fields.map((f) => `weight_${f.name.replace(/:/g, '_')}`);
  writeAtomically(path, (put) => {
    put(['source_a', 'record_id_a', 'source_b', 'record_id_b', 'match_probability', ...fields].join(',') + '\n');
    for (const p of result.pairs) {
      const ex = result.explain(p.a, p.b);
      put(
        `${csvField(sourceOf(p.a))},${csvField(idOf(p.a))},${csvField(sourceOf(p.b))},${csvField(idOf(p.b))},${p.probability.toFixed(6)},${ex.map((e) => e.weight.toFixed(3)).join(',')}\n`,
      );
    }
  });
  return result.pairs.length;
}

/** Runs the command; throws LinkInputError for bad input (the caller exits with code 2). */
export async function runLinkCommand(opts: LinkCommandOptions, log: (s: string) => void = () => {}): Promise<void> {
  const started = performance.now();
  const config = loadConfig(opts.config);
  const roles = [...new Set(config.sources.flatMap((s) => s.columns.map((c) => c.role)))];
  const formats: Record<string, string> = {};
  for (const s of config.sources) if (s.birthDateFormat) formats[s.name] = s.birthDateFormat;
  const encoder = new Encoder(roles, formats);
  const t0 = performance.now();
  readSources(config, encoder);
  const readMs = Math.round(performance.now() - t0);
  log(`Read ${encoder.size.toLocaleString('en-GB')} records from ${config.sources.length} file(s).`);
  const result = await linkEncoded(encoder, {
    mode: config.mode,
    matchThreshold: config.matchThreshold,
    reviewLower: config.reviewLower,
    maxBlockSize: config.maxBlockSize,
    uSampleSize: config.uSampleSize,
    seed: config.seed,
    workers: config.workers,
    oneRecordPerSource: config.oneRecordPerSource,
    requirePersonalAgreement: config.requirePersonalAgreement,
    birthDateFormats: formats,
  });
  const srcOf: string[] = [];
  const t1 = performance.now();
  const ids = encoder.ids;
  const sourceOf = (i: number) => srcOf[i]!;
  for (let i = 0; i < ids.length; i++) srcOf.push(encoder.sourceName(i));
  writeAtomically(opts.out, (put) => {
    put('source,record_id,cluster_id\n');
    for (let i = 0; i < ids.length; i++) put(`${csvField(srcOf[i]!)},${csvField(ids[i]!)},${result.clusterIds[i]}\n`);
  });
  const pairsWritten = opts.pairs ? writePairs(opts.pairs, result, sourceOf, (i) => ids[i]!) : 0;
  if (opts.model) writeAtomically(opts.model, (put) => put(JSON.stringify(result.model, null, 2) + '\n'));
  const writeMs = Math.round(performance.now() - t1);
  const wallMs = Math.round(performance.now() - started);
  if (opts.stats) {
    const stats = {
      records: result.stats.records,
      comparisons: result.stats.comparisons,
      pairs_written: pairsWritten,
      pairs_above_review: result.stats.pairs_above_review,
      uncertain_pairs: result.uncertain.length,
      held_for_review: result.stats.held_for_review,
      not_joined_without_personal_agreement: result.stats.not_joined_without_personal_agreement,
      clusters: result.stats.clusters,
      wall_ms: wallMs,
      comparisons_per_s: Math.round(result.stats.comparisons / Math.max(1e-3, (result.stats.phases_ms.compare ?? 0) / 1000)),
      phases_ms: { read: readMs, ...result.stats.phases_ms, write: writeMs },
      blocking: result.stats.blocking,
      model: { prior: result.model.prior, em: result.model.em, fields: result.model.fields.map((f) => ({ name: f.name, levels: f.levels, m: f.m, u: f.u })) },
    };
    writeAtomically(opts.stats, (put) => put(JSON.stringify(stats, null, 2) + '\n'));
  }
  log(
    `Found ${result.stats.clusters.toLocaleString('en-GB')} people among ${result.stats.records.toLocaleString('en-GB')} records (${result.uncertain.length.toLocaleString('en-GB')} uncertain pairs for review) in ${(wallMs / 1000).toFixed(1)} s.`,
  );
}
