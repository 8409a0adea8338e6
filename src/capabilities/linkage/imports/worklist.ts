// Imports' part of "Your work": extracts whose dry run is done, waiting to be applied or left.
import { sql } from 'kysely';
import type { WorklistContributor } from '../../../platform/worklist.js';
import { paths } from '../../../paths.js';

export const importsWorklist: WorklistContributor = {
  name: 'Imports',
  permissions: ['records:import'],
  async items({ db }) {
    const rows = await db
      .selectFrom('imports as i')
      .innerJoin('import_sources as s', 's.id', 'i.source_id')
      .select([
        'i.id',
        'i.file_name',
        's.name as source_name',
        sql<string>`(coalesce(i.checked_at, i.uploaded_at) at time zone 'Europe/London')::date::text`.as('since'),
      ])
      .where('i.status', '=', 'checked')
      .orderBy('i.uploaded_at')
      .execute();
    return rows.map((i) => ({
      text: `Check the dry run of ${i.file_name} and apply it`,
      href: paths.imports.import(i.id),
      count: 1,
      dueOn: i.since,
      dueLabel: 'Checked on',
      note: `From ${i.source_name}`,
    }));
  },
};
