// GOV.UK Frontend's compiled assets and Jointly's own, served from disk with long caching.
import { existsSync, readFileSync } from 'node:fs';
import { normalize } from 'node:path';
import type { FastifyReply } from 'fastify';
import type { RouteResult, RouteSpec } from './route.js';
import { projectPath } from '../paths-on-disk.js';
import { paths } from '../../paths.js';
import { NotFoundError } from './errors.js';

const GOVUK_DIST = projectPath('node_modules/govuk-frontend/dist/govuk');
const GOVUK_FILES: Record<string, string> = {
  'govuk-frontend.min.js': 'govuk-frontend.min.js',
  'manifest.json': 'assets/manifest.json',
};

// Jointly is not a GOV.UK service: it uses the Design System's components but not GOV.UK's
// typeface, which is restricted to GOV.UK. The stylesheet is served without it (Arial instead).
let stylesheet: string | undefined;
export function govukStylesheet(): string {
  stylesheet ??= readFileSync(`${GOVUK_DIST}/govuk-frontend.min.css`, 'utf8')
    .replace(/@font-face\{font-family:GDS Transport;[^}]*\}/g, '')
    .replace(/font-family:GDS Transport,/g, 'font-family:');
  return stylesheet;
}

function safe(rel: string): string {
  const n = normalize(rel);
  if (n.startsWith('..') || n.includes('\0')) throw new NotFoundError('asset');
  return n;
}

/** Public files below `url`: `serve` answers one, given its path below `url` (checked not to climb out). */
const files = (url: string, serve: (rel: string, reply: FastifyReply) => RouteResult): RouteSpec => ({
  method: 'GET',
  url: `${url}/*`,
  access: 'public',
  audit: 'asset.read',
  handler: ({ params, reply }) => serve(safe(params['*'] ?? ''), reply),
});

export function assetRoutes(): RouteSpec[] {
  return [
    files(paths.assets, (rel, reply) => {
      if (rel === 'govuk-frontend.min.css') {
        return { contentType: 'text/css; charset=utf-8', body: govukStylesheet(), headers: { 'cache-control': 'public, max-age=86400' } };
      }
      const file = GOVUK_FILES[rel] ?? (rel.startsWith('images/') ? `assets/${rel}` : undefined);
      if (!file || !existsSync(`${GOVUK_DIST}/${file}`)) throw new NotFoundError('asset');
      void reply.header('cache-control', 'public, max-age=86400').sendFile(file, GOVUK_DIST);
      return { handled: true };
    }),
    files(paths.public, (rel, reply) => {
      if (!existsSync(projectPath('public', rel))) throw new NotFoundError('asset');
      void reply.header('cache-control', 'public, max-age=3600').sendFile(rel);
      return { handled: true };
    }),
  ];
}
