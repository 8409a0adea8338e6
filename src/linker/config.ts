// The `jointly link` configuration file: JSON naming CSV sources and mapping their columns to roles.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { checkDateFormat } from './dates.js';
import { LinkInputError } from './csv.js';
import { FIXED_ROLES } from './types.js';

const roleName = z.string().refine((r) => (FIXED_ROLES as readonly string[]).includes(r) || /^(identifier|extra):[A-Za-z0-9_.-]+$/.test(r), {
  message: `is not a role: use ${FIXED_ROLES.join(', ')}, identifier:<name> or extra:<name>`,
});

const sourceSchema = z.strictObject({
  name: z.string().trim().min(1, 'give the source a name'),
  file: z.string().min(1, 'give the CSV file'),
  id: z.string().min(1, 'give the record id column'),
  birth_date_format: z.string().optional(),
  columns: z.record(z.string(), z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])),
});

const configSchema = z.strictObject({
  mode: z.enum(['dedupe', 'link']),
  sources: z.array(sourceSchema).min(1, 'name at least one source'),
  thresholds: z.strictObject({ match: z.number().gt(0).max(1).optional(), review_lower: z.number().min(0).max(1).optional() }).optional(),
  max_block_size: z.number().int().min(2).optional(),
  u_sample_size: z.number().int().min(1000).optional(),
  seed: z.number().int().optional(),
  workers: z.number().int().min(0).max(64).optional(),
  one_record_per_source: z.boolean().optional(),
  require_personal_agreement: z.boolean().optional(),
});

export interface SourceConfig {
  name: string;
  file: string; // absolute
  id: string;
  birthDateFormat?: string;
  columns: { role: string; columns: string[] }[];
}

export interface LinkConfig {
  mode: 'dedupe' | 'link';
  sources: SourceConfig[];
  matchThreshold?: number;
  reviewLower?: number;
  maxBlockSize?: number;
  uSampleSize?: number;
  seed?: number;
  workers?: number;
  oneRecordPerSource?: boolean;
  requirePersonalAgreement?: boolean;
}

export function loadConfig(path: string): LinkConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LinkInputError(`the config file ${path} does not exist`);
    throw new LinkInputError(`the config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length
      ? issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '')
      : 'the top level';
    throw new LinkInputError(`the config file ${path} is not right at ${where}: ${issue.message}`);
  }
  const c = parsed.data;
  const base = dirname(resolve(path));
  const names = new Set<string>();
  const sources = c.sources.map((s, k) => {
    if (names.has(s.name)) throw new LinkInputError(`the config file ${path}: two sources are called "${s.name}"; give each a different name`);
    names.add(s.name);
    if (s.birth_date_format) {
      const bad = checkDateFormat(s.birth_date_format);
      if (bad) throw new LinkInputError(`the config file ${path} is not right at sources[${k}].birth_date_format: ${bad}`);
    }
    const columns = Object.entries(s.columns).map(([role, col]) => {
      const r = roleName.safeParse(role);
      if (!r.success) throw new LinkInputError(`the config file ${path} is not right at sources[${k}].columns: "${role}" ${r.error.issues[0]!.message}`);
      if (Array.isArray(col) && role !== 'address')
        throw new LinkInputError(`the config file ${path} is not right at sources[${k}].columns.${role}: only address may name several columns`);
      return { role, columns: Array.isArray(col) ? col : [col] };
    });
    if (columns.length === 0) throw new LinkInputError(`the config file ${path} is not right at sources[${k}].columns: map at least one column to a role`);
    return { name: s.name, file: resolve(base, s.file), id: s.id, birthDateFormat: s.birth_date_format, columns };
  });
  if (c.mode === 'link' && sources.length < 2)
    throw new LinkInputError(`the config file ${path}: mode "link" links records across sources, so it needs at least two sources (use "dedupe" for one)`);
  if (c.thresholds?.match !== undefined && c.thresholds.review_lower !== undefined && c.thresholds.review_lower > c.thresholds.match)
    throw new LinkInputError(`the config file ${path}: thresholds.review_lower must not be above thresholds.match`);
  return {
    mode: c.mode,
    sources,
    matchThreshold: c.thresholds?.match,
    reviewLower: c.thresholds?.review_lower,
    maxBlockSize: c.max_block_size,
    uSampleSize: c.u_sample_size,
    seed: c.seed,
    workers: c.workers,
    oneRecordPerSource: c.one_record_per_source,
    requirePersonalAgreement: c.require_personal_agreement,
  };
}
