// The overview's filters (a GET form): empty means "all".
import { z } from 'zod';
import { AGE_BANDS } from './rules.js';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' ? v.trim() : v);

export const overviewFilterForm = z.object({
  locality: z.preprocess(blankToUndefined, z.string({ message: 'Choose a locality from the list' }).uuid('Choose a locality from the list').optional()),
  ageBand: z.preprocess(
    blankToUndefined,
    z
      .enum(AGE_BANDS.map((b) => b.code) as [(typeof AGE_BANDS)[number]['code'], ...(typeof AGE_BANDS)[number]['code'][]], {
        message: 'Choose an age band from the list',
      })
      .optional(),
  ),
});
export type OverviewFilterForm = z.infer<typeof overviewFilterForm>;
