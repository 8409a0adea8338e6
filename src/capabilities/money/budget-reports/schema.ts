// The reports' query strings (GET forms and drill-down links). Empty means "all"; a value that
// is not one of the allowed ones is refused with a plain message rather than ignored.
import { z } from 'zod';
import { MEASURES } from './rules.js';

const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const year = z.preprocess(
  blank,
  z.coerce
    .number({ message: 'Choose a financial year from the list' })
    .int('Choose a financial year from the list')
    .min(2000, 'Choose a financial year from the list')
    .max(2200, 'Choose a financial year from the list')
    .optional(),
);
const page = z.preprocess(blank, z.coerce.number().int().min(1).max(100_000).optional().catch(undefined));

export const yearForm = z.object({ year, page });

export const entriesForm = z.object({
  year,
  page,
  measure: z.preprocess(blank, z.enum(MEASURES, { message: 'Choose which figure to show the entries of' }).default('actual')),
  agreement: z.preprocess(blank, z.string().regex(uuid, 'The pool in the address is not one of the area’s pools').optional()),
  partner: z.preprocess(
    blank,
    z
      .string()
      .regex(new RegExp(`${uuid.source}|^none$`, 'i'), 'The partner in the address is not one of the area’s partners')
      .optional(),
  ),
  category: z.preprocess(
    blank,
    z
      .string()
      .regex(/^[a-z-]{2,40}$/, 'The service category in the address is not one of the list')
      .optional(),
  ),
  package: z.preprocess(blank, z.string().regex(uuid, 'The package in the address is not a package reference').optional()),
  service: z.preprocess(
    blank,
    z
      .string()
      .regex(/^[a-z-]{2,40}\|.{1,200}$/, 'The service in the address is not one of the list')
      .optional(),
  ),
});
export type EntriesForm = z.infer<typeof entriesForm>;

export const exportForm = z.object({
  year,
  report: z.preprocess(blank, z.enum(['board', 'shares', 'spend'], { message: 'Choose which report to download' })),
  format: z.preprocess(blank, z.enum(['csv', 'xlsx'], { message: 'Choose CSV or Excel' })),
});
