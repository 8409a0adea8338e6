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
      handler: ({ user }) => ({
        view: 'home/views/home.njk',
        data: {
          pageTitle: 'Home',
          roleNames: user.roles.map((r) => ROLES[r]),
          can: Object.fromEntries([...user.permissions].map((p) => [p, true])),
        },
      }),
    },
  ];
}
