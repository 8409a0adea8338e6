// GOV.UK Frontend's compiled assets and Jointly's own, served from disk with long caching.
import { existsSync } from 'node:fs';
import { normalize } from 'node:path';
import type { RouteSpec } from './route.js';
import { projectPath } from '../paths-on-disk.js';
import { paths } from '../../paths.js';
import { NotFoundError } from './errors.js';

const GOVUK_DIST = projectPath('node_modules/govuk-frontend/dist/govuk');
const GOVUK_FILES: Record<string, string> = {
  'govuk-frontend.min.css': 'govuk-frontend.min.css',
  'govuk-frontend.min.js': 'govuk-frontend.min.js',
  'manifest.json': 'assets/manifest.json',
};

function safe(rel: string): string {
  const n = normalize(rel);
  if (n.startsWith('..') || n.includes('\0')) throw new NotFoundError('asset');
  return n;
}

export function assetRoutes(): RouteSpec[] {
  return [
    {
      method: 'GET',
      url: `${paths.assets}/*`,
      access: 'public',
      audit: 'asset.read',
      handler: async ({ params, reply }) => {
        const rel = safe(params['*'] ?? '');
        const file = GOVUK_FILES[rel] ?? (rel.startsWith('images/') || rel.startsWith('fonts/') ? `assets/${rel}` : undefined);
        if (!file || !existsSync(`${GOVUK_DIST}/${file}`)) throw new NotFoundError('asset');
        void reply.header('cache-control', 'public, max-age=86400').sendFile(file, GOVUK_DIST);
        return { handled: true };
      },
    },
    {
      method: 'GET',
      url: `${paths.public}/*`,
      access: 'public',
      audit: 'asset.read',
      handler: async ({ params, reply }) => {
        const rel = safe(params['*'] ?? '');
        if (!existsSync(projectPath('public', rel))) throw new NotFoundError('asset');
        void reply.header('cache-control', 'public, max-age=3600').sendFile(rel);
        return { handled: true };
      },
    },
  ];
}
