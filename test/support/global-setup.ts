// Starts one PostgreSQL for the whole run (or uses TEST_DATABASE_URL), migrates a template
// database once, and tells each test file where it is. Test files clone the template.
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { findPostgresBin, startCluster, type Cluster } from './postgres-cluster.js';
import { openPostgres } from '../../src/platform/db/database.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { ensureTemplate } from '../../src/platform/db/prepare-template.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { adminUrl: string; template: string } | null;
    browser: string | null;
  }
}

export const TEMPLATE = 'jointly_template';
const inCi = process.env.CI === 'true';

function loud(message: string) {
  const bar = '!'.repeat(78);
  console.warn(`\n${bar}\n${message}\n${bar}\n`);
}

export default async function setup(project: TestProject) {
  // Every PGlite in the tests starts from the prepared copy instead of running initdb.
  await ensureTemplate();
  let cluster: Cluster | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const bin = findPostgresBin();
    if (bin) {
      cluster = await startCluster(bin);
      adminUrl = cluster.adminUrl;
    }
  }
  if (adminUrl) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${TEMPLATE}`);
    await admin.query(`create database ${TEMPLATE}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${TEMPLATE}`;
    const database = await openPostgres(url.toString(), 2);
    await migrate(database);
    await database.close();
    project.provide('postgres', { adminUrl, template: TEMPLATE });
  } else {
    if (inCi) throw new Error('CI=true but no PostgreSQL was found: install postgresql or set TEST_DATABASE_URL');
    loud('PostgreSQL NOT FOUND: the PostgreSQL layer of the tests is SKIPPED.\nInstall postgresql (apt-get install -y postgresql) or set TEST_DATABASE_URL.');
    project.provide('postgres', null);
  }

  const { findChromium } = await import('./browser.js');
  const browser = findChromium();
  if (!browser) {
    if (inCi) throw new Error('CI=true but no Chromium was found: install chromium or set CHROMIUM_PATH');
    loud('CHROMIUM NOT FOUND: the browser tests are SKIPPED.\nInstall chromium (apt-get install -y chromium) or set CHROMIUM_PATH.');
  }
  project.provide('browser', browser ?? null);

  return () => cluster?.stop();
}
