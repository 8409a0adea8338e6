import type { RouteSpec } from '../../platform/http/route.js';
import { ROLES } from '../../platform/access/roles.js';
import { paths } from '../../paths.js';

export function homeRoutes(): RouteSpec[] {
  return [
    {
      method: 'GET',
      url: paths.home,
      access: 'signed-in',
      audit: 'home.view',
      // A family account's home is its own family's pages.
      handler: ({ user }) =>
        user.permissions.has('family:view')
          ? { redirect: paths.myFamily.home }
          : {
              view: 'home/views/home.njk',
              data: {
                pageTitle: 'Home',
                roleNames: user.roles.map((r) => ROLES[r]),
                can: Object.fromEntries([...user.permissions].map((p) => [p, true])),
              },
            },
    },
  ];
}
