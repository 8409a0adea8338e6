import type { RouteSpec } from '../../platform/http/route.js';
import { ROLES } from '../../platform/access/roles.js';
import { longDate, todayInLondon } from '../../platform/dates.js';
import { paths } from '../../paths.js';
import { yourWork } from './worklist.js';

export function homeRoutes(): RouteSpec[] {
  return [
    {
      method: 'GET',
      url: paths.home,
      access: 'signed-in',
      audit: 'home.view',
      // "Your work" may name children (a key worker's consents due for review): audited, with them listed.
      auditReads: true,
      handler: async (ctx) => {
        const { user } = ctx;
        // A family account's home is its own family's pages.
        if (user.permissions.has('family:view')) return { redirect: paths.myFamily.home };
        const today = todayInLondon();
        const work = await yourWork({ db: ctx.db, user, today });
        const children = [...new Set(work.flatMap((w) => w.children ?? []))];
        if (children.length) ctx.audit.children = children;
        ctx.audit.details = { items: work.length };
        return {
          view: 'home/views/home.njk',
          data: {
            pageTitle: 'Home',
            roleNames: user.roles.map((r) => ROLES[r]),
            can: Object.fromEntries([...user.permissions].map((p) => [p, true])),
            work: work.map((w) => ({ ...w, due: w.dueOn ? `${w.dueLabel ?? 'Due'} ${longDate(w.dueOn)}` : null })),
            overdue: work.filter((w) => w.overdue).length,
          },
        };
      },
    },
  ];
}
