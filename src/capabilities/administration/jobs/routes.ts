// Background jobs a person started, with their progress. Administrators see everyone's.
import type { RouteSpec } from '../../../platform/http/route.js';
import type { Jobs } from '../../../platform/jobs/jobs.js';
import { NotFoundError } from '../../../platform/http/errors.js';
import { paths } from '../../../paths.js';

export function jobRoutes(deps: { jobs: Jobs }): RouteSpec[] {
  return [
    {
      method: 'GET',
      url: paths.jobs.list,
      access: 'jobs:view',
      audit: 'jobs.list',
      handler: async ({ db, user }) => {
        const all = user.permissions.has('users:manage');
        const jobs = await deps.jobs.list(db, all ? {} : { createdBy: user.id });
        return { view: 'administration/jobs/views/jobs.njk', data: { pageTitle: 'Background jobs', jobs, all } };
      },
    },
    {
      method: 'GET',
      url: paths.jobs.job(),
      access: 'jobs:view',
      audit: 'jobs.view',
      handler: async ({ db, user, params }) => {
        const id = Number(params.id);
        const job = Number.isSafeInteger(id) ? await deps.jobs.get(db, id) : undefined;
        // Someone else's job does not exist for you.
        if (!job || (job.createdBy !== user.id && !user.permissions.has('users:manage'))) throw new NotFoundError('job');
        return { view: 'administration/jobs/views/job.njk', data: { pageTitle: `Job ${job.id}`, job } };
      },
    },
  ];
}
