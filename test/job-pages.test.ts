// People follow the background jobs they started; someone else's job does not exist for them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, Client, text, type TestApp } from './support/app.js';
import { databaseKinds } from './support/db.js';
import { paths } from '../src/paths.js';

describe.each(databaseKinds())('job pages on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp(kind);
  });
  afterAll(() => t?.close());

  it('shows the progress of a running job to the person who started it, and no one else', async () => {
    const owner = await t.database.db.selectFrom('users').select('id').where('email', '=', 'caseworker@demoshire.example.org').executeTakeFirstOrThrow();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reported!: () => void;
    const progressed = new Promise<void>((r) => (reported = r));
    t.jobs.register('test-import', async (_payload, ctx) => {
      await ctx.progress(40, 'Checked 40 of 100 rows');
      reported();
      await gate;
      return { rows: 100 };
    });
    const id = await t.jobs.enqueue(t.database.db, 'test-import', { file: 'x.csv' }, { createdBy: owner.id });
    const running = t.jobs.runPending();
    await progressed;

    const c = new Client(t.app);
    await c.signIn('caseworker@demoshire.example.org');
    const page = text((await c.get(paths.jobs.job(String(id)))).body);
    expect(page).toContain('Job ' + id + ': test-import');
    expect(page).toContain('40%');
    expect(page).toContain('Checked 40 of 100 rows');
    expect(page).toContain('running');
    expect(text((await c.get(paths.jobs.list)).body)).toContain(`Job ${id}`);

    const other = new Client(t.app);
    await other.signIn('keyworker@demoshire.example.org');
    expect((await other.get(paths.jobs.job(String(id)))).status).toBe(404);
    expect(text((await other.get(paths.jobs.list)).body)).not.toContain(`Job ${id}`);

    release();
    expect(await running).toBe(1);
    const done = text((await c.get(paths.jobs.job(String(id)))).body);
    expect(done).toContain('succeeded');
    expect(done).toContain('100%');
  });
});
