// The `jointly` command: `npm run jointly -- <command>` or `npx jointly <command>`.
import { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase } from '../platform/db/database.js';
import { migrate } from '../platform/db/migrate.js';
import { appendAudit } from '../platform/audit/audit.js';
import { sealAudit } from '../platform/audit/sealer.js';
import { checkAudit, NoSuchCheckpoint } from '../platform/audit/check.js';
import { auditCheckpointing } from '../runtime.js';
import { demoSignInText, seedDemo } from '../demo/seed.js';
import { DEFAULT_DEMO_CHILDREN, seedPopulation } from '../demo/population.js';
import { isOrganisationType, ORGANISATION_TYPES } from '../platform/access/roles.js';
import { hashInvite } from '../capabilities/administration/sign-in/service.js';
import { parseKey } from '../platform/auth/secret-box.js';
import { paths } from '../paths.js';

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>, config: ReturnType<typeof loadConfig>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, databaseReadUrl: config.databaseReadUrl, dataDir: config.dataDir });
  try {
    return await fn(database, config);
  } finally {
    await database.close();
  }
}

export function buildCli(): Command {
  const program = new Command()
    .name('jointly')
    .description('Jointly: joint planning and commissioning for SEND. Uses DATABASE_URL (PostgreSQL) or the embedded database in JOINTLY_DATA_DIR.')
    .showHelpAfterError();

  program
    .command('migrate')
    .description('apply any new database migrations (on the embedded database, stop Jointly first)')
    .action(() =>
      withDatabase(async (database) => {
        const ran = await migrate(database);
        console.log(ran.length ? `Applied ${ran.join(', ')}` : 'The database is up to date.');
      }),
    );

  program
    .command('prepare')
    .description('prepare the starting copy of the embedded database and compile the templates, so a first start is quick (npm run build does this)')
    .action(async () => {
      const { ensureTemplate } = await import('../platform/db/prepare-template.js');
      console.log(`Prepared ${await ensureTemplate()}`);
      // The built app's templates, compiled once here rather than on each template's first use.
      const { writeCompiledViews } = await import('../platform/views/compiled.js');
      const views = writeCompiledViews();
      if (views) console.log(`Compiled the templates into ${views}`);
    });

  program
    .command('seed-demo')
    .description('create the fictional demo local area, if the database has no organisations yet, and its fictional population of children')
    .option('--children <n>', 'how many fictional children to put on the register (0 for none)', String(DEFAULT_DEMO_CHILDREN))
    .action((opts: { children: string }) =>
      withDatabase(async (database, config) => {
        if (config.production) throw new Error('Refusing to create demo accounts in production mode.');
        const children = Number(opts.children);
        if (!/^[0-9]+$/.test(opts.children.trim()) || children > 1_000_000) throw new Error('--children: give a whole number from 0 to 1000000');
        await migrate(database);
        if (await seedDemo(database.db)) console.log(demoSignInText());
        else console.log('The database already has organisations; no demo accounts were added.');
        if (children === 0) return;
        const started = Date.now();
        const result = await seedPopulation(database.db, {
          children,
          onProgress: (done, total) => {
            if (done === total || done % 10_000 === 0)
              console.log(`  ${done.toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')} fictional children added`);
          },
        });
        if (result.skipped) console.log('The demo population is already on the register; no children were added.');
        else console.log(`Added ${result.children.toLocaleString('en-GB')} fictional children in ${((Date.now() - started) / 1000).toFixed(1)} seconds.`);
      }),
    );

  program
    .command('verify-audit')
    .description(
      'seal what has committed, then check the audit log hash chain against its signed checkpoints; exits 1 and names the first bad position if any entry was edited, deleted or inserted, or the table rewritten',
    )
    .option('--from-checkpoint [position]', 'start from the last signed checkpoint (or the one at this position) instead of the first entry')
    .option(
      '--checkpoint-file <path>',
      'the checkpoint file to compare with (default JOINTLY_AUDIT_CHECKPOINT_FILE, or audit-checkpoints.jsonl in the data folder)',
    )
    .option('--no-seal', 'only read: do not seal entries waiting to be sealed first')
    .action((opts: { fromCheckpoint?: string | true; checkpointFile?: string; seal: boolean }) =>
      withDatabase(async (database, config) => {
        let from: 'start' | 'last-checkpoint' | number = 'start';
        if (opts.fromCheckpoint === true) from = 'last-checkpoint';
        else if (opts.fromCheckpoint !== undefined) {
          if (!/^[0-9]{1,15}$/.test(opts.fromCheckpoint.trim()) || Number(opts.fromCheckpoint) < 1)
            throw new Error(`--from-checkpoint: give the position of a checkpoint as a whole number, like 1000, not "${opts.fromCheckpoint}"`);
          from = Number(opts.fromCheckpoint);
        }
        const checkpointing = { ...auditCheckpointing(config), ...(opts.checkpointFile ? { file: opts.checkpointFile } : {}) };
        if (opts.seal) {
          const sealed = await sealAudit(database.db, { checkpointing });
          if (sealed.sealed) console.log(`Sealed ${sealed.sealed} entr${sealed.sealed === 1 ? 'y' : 'ies'} waiting to be sealed.`);
        }
        let check;
        try {
          check = await checkAudit(database.db, { checkpointing, from });
        } catch (e) {
          if (!(e instanceof NoSuchCheckpoint)) throw e;
          console.error(`jointly verify-audit: ${e.message}`);
          process.exitCode = 2;
          return;
        }
        const { verdict } = check;
        const start = check.from ? `from the signed checkpoint at position ${check.from.seq}` : 'from the first entry';
        if (verdict.ok) {
          console.log(
            `The audit log is intact: ${verdict.checked} entries checked (${start}, up to position ${verdict.head.seq}), against ${verdict.checkpoints} signed checkpoint${verdict.checkpoints === 1 ? '' : 's'}.`,
          );
        } else {
          const at = verdict.brokenAt === null ? `position ${verdict.position}` : `entry ${verdict.brokenAt} (position ${verdict.position})`;
          console.error(`The audit log is broken at ${at}: ${verdict.reason}. ${verdict.checked} entries before it (${start}) are intact.`);
          process.exitCode = 1;
        }
        if (check.otherKey) console.log(`${check.otherKey} checkpoint${check.otherKey === 1 ? ' was' : 's were'} signed with another key and not used.`);
        const { count, oldestAt } = verdict.unsealed;
        if (count)
          console.log(`${count} entr${count === 1 ? 'y is' : 'ies are'} waiting to be sealed (the oldest written ${oldestAt?.toISOString() ?? 'just now'}).`);
      }),
    );

  program
    .command('create-admin')
    .description('add a partnership administrator and print a one-time link to set their password')
    .requiredOption('--email <address>', 'their work e-mail address')
    .requiredOption('--name <name>', 'their full name')
    .requiredOption('--organisation <code>', "their organisation's short code (created if --organisation-name is given)")
    .option('--organisation-name <name>', 'name of the organisation to create')
    .option('--organisation-type <type>', `type of the organisation to create: ${Object.keys(ORGANISATION_TYPES).join(', ')}`, 'council-education')
    .action((opts: { email: string; name: string; organisation: string; organisationName?: string; organisationType: string }) =>
      withDatabase(async (database, config) => {
        await migrate(database);
        const email = opts.email.trim();
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new Error(`--email: "${email}" is not an e-mail address`);
        if (!isOrganisationType(opts.organisationType)) throw new Error(`--organisation-type: choose one of ${Object.keys(ORGANISATION_TYPES).join(', ')}`);
        const code = opts.organisation.trim().toUpperCase();
        const link = await database.db.transaction().execute(async (tx) => {
          let org = await tx.selectFrom('organisations').select('id').where('code', '=', code).executeTakeFirst();
          if (!org) {
            if (!opts.organisationName) throw new Error(`--organisation: there is no organisation with code ${code}; add --organisation-name to create it`);
            org = await tx
              .insertInto('organisations')
              .values({ code, name: opts.organisationName, type: opts.organisationType })
              .returning('id')
              .executeTakeFirstOrThrow();
          }
          const taken = await tx
            .selectFrom('users')
            .select('id')
            .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
            .executeTakeFirst();
          if (taken) throw new Error(`--email: someone already has an account with ${email}`);
          const user = await tx
            .insertInto('users')
            .values({ organisation_id: org.id, display_name: opts.name, email })
            .returning('id')
            .executeTakeFirstOrThrow();
          await tx.insertInto('user_roles').values({ user_id: user.id, role: 'partnership-administrator' }).execute();
          const token = randomBytes(32).toString('base64url');
          await tx
            .insertInto('invitations')
            .values({ token_hash: hashInvite(token), user_id: user.id, expires_at: new Date(Date.now() + 7 * 24 * 3600_000) })
            .execute();
          await appendAudit(tx, {
            action: 'cli.create-admin',
            subjectType: 'user',
            subjectId: user.id,
            organisationId: org.id,
            result: 'allowed',
            details: { via: 'jointly create-admin' },
          });
          return new URL(paths.invitation(token), config.baseUrl).toString();
        });
        console.log(`Added ${opts.name} as a partnership administrator.\nGive them this one-time link to create their password (valid for 7 days):\n${link}`);
      }),
    );

  program
    .command('synth-extracts')
    .description(
      'write agency extracts (health, education, social care, a provider) of one fictional population, with known errors, truth.csv and a config.json for jointly link',
    )
    .requiredOption('--people <n>', 'how many fictional children and young people (1 to 10000000)')
    .requiredOption('--out <dir>', 'the folder to write the files into (created if missing; files of the same name are replaced)')
    .option('--seed <n>', 'the random seed: the same seed and size always give the same files')
    .option('--profile <name>', 'standard (the default), or hard: name, birth date and postcode only, with heavy errors')
    .action(async (opts: { people: string; out: string; seed?: string; profile?: string }) => {
      const { DEFAULT_SEED, describeSummary, writeExtracts } = await import('../synthetic-extracts/service.js');
      const people = Number(opts.people);
      if (!/^[0-9]+$/.test(opts.people.trim()) || people < 1 || people > 10_000_000)
        throw new Error(`--people: give a whole number from 1 to 10000000, not "${opts.people}"`);
      if (opts.seed !== undefined && !/^[0-9]{1,10}$/.test(opts.seed.trim()))
        throw new Error(`--seed: give a whole number from 0 to 4294967295, not "${opts.seed}"`);
      const seed = opts.seed === undefined ? DEFAULT_SEED : Number(opts.seed) >>> 0;
      const profile = opts.profile ?? 'standard';
      if (profile !== 'standard' && profile !== 'hard') throw new Error(`--profile: give standard or hard, not "${opts.profile}"`);
      const summary = await writeExtracts({
        people,
        outDir: opts.out,
        seed,
        profile,
        onProgress: (n) => console.log(`  ${n.toLocaleString('en-GB')} people done`),
      });
      console.log(describeSummary(summary, opts.out));
    });

  program
    .command('link')
    .description('find the same person across (or within) CSV extracts, without the database; see docs/linkage.md')
    .requiredOption('--config <file>', 'the JSON config naming the CSV files and mapping their columns to roles')
    .requiredOption('--out <file>', 'where to write clusters.csv (source,record_id,cluster_id)')
    .option('--pairs <file>', "also write the scored pairs with each field's match weight")
    .option('--stats <file>', 'also write timings and counts as JSON')
    .option('--model <file>', 'also write the trained model as JSON')
    .action(async (opts: { config: string; out: string; pairs?: string; stats?: string; model?: string }) => {
      const { runLinkCommand, LinkInputError } = await import('../linker/index.js');
      try {
        await runLinkCommand(opts, (s) => console.log(s));
      } catch (e) {
        if (!(e instanceof LinkInputError)) throw e;
        // Bad input: one plain line and exit code 2; nothing has been written.
        console.error(`jointly link: ${e.message}`);
        process.exitCode = 2;
      }
    });
  program
    .command('import')
    .description('check an agency extract (CSV or XLSX) against the register and, with --apply, apply it in one transaction')
    .requiredOption('--source <name>', 'the agency source, as named on the Imports page (its column mapping is used)')
    .argument('<file>', 'the extract')
    .option('--apply', 'apply the file after the dry run (all or nothing)')
    .option('--leave-out-invalid', 'with --apply, leave invalid rows out instead of refusing the file')
    .action((file: string, opts: { source: string; apply?: boolean; leaveOutInvalid?: boolean }) =>
      withDatabase(async (database) => {
        await migrate(database);
        const { importCommand } = await import('../capabilities/linkage/imports/cli.js');
        process.exitCode = await importCommand(database.db, { ...opts, file }, (s) => console.log(s));
      }),
    );

  program
    .command('import-postcodes')
    .description(
      "load postcode centres for the Local Offer's distance search from a CSV with the columns postcode,lat,long (for example the ONS Postcode Directory); all or nothing, and safe to run again",
    )
    .argument('<file>', 'the CSV file')
    .action((file: string) =>
      withDatabase(async (database) => {
        await migrate(database);
        const { importPostcodesCommand } = await import('../capabilities/planning/local-offer/cli.js');
        process.exitCode = await importPostcodesCommand(database.db, file, (s) => console.log(s));
      }),
    );

  program
    .command('import-population')
    .description(
      'load the 0 to 25 population for the needs assessment from a CSV with the columns age,count (and locality, optional: a locality code); every age from 0 to 25 is needed; all or nothing, and safe to run again',
    )
    .argument('<file>', 'the CSV file')
    .action((file: string) =>
      withDatabase(async (database) => {
        await migrate(database);
        const { importPopulationCommand } = await import('../capabilities/planning/needs-assessment/cli.js');
        process.exitCode = await importPopulationCommand(database.db, file, (s) => console.log(s));
      }),
    );

  program
    .command('import-dfe-ehcp')
    .description(
      "load DfE's EHC plan statistics (caseload.csv and sen_needs_all_plans.csv) for the needs assessment's comparison with England and statistical neighbours; all or nothing, and the same files again change nothing",
    )
    .argument('[dir]', 'the folder with the DfE data files (default: ../shared/reference/ehcp-statistics/education-health-and-care-plans_2025/data)')
    .action((dir: string | undefined) =>
      withDatabase(async (database) => {
        await migrate(database);
        const { importDfeEhcpCommand } = await import('../capabilities/planning/needs-assessment/cli.js');
        process.exitCode = await importDfeEhcpCommand(database.db, dir, (s) => console.log(s));
      }),
    );

  program
    .command('import-oruk')
    .description(
      "check another directory's Open Referral UK 3.0 feed (a JSON file of full services) against the Local Offer and, with --apply, import it in one transaction; the same feed again changes nothing",
    )
    .argument('<file>', 'the feed: a page of /services, a list of services, or one service')
    .option('--apply', 'import it (all or nothing) after the checks')
    .option('--leave-out-conflicts', 'with --apply, leave out entries changed here since instead of refusing the feed')
    .action((file: string, opts: { apply?: boolean; leaveOutConflicts?: boolean }) =>
      withDatabase(async (database) => {
        await migrate(database);
        const { importOrukCommand } = await import('../capabilities/planning/local-offer/cli.js');
        process.exitCode = await importOrukCommand(database.db, file, opts, (s) => console.log(s));
      }),
    );

  program
    .command('demo-extracts')
    .description(
      'write three agency extracts (health, education, social care) of the demo population, with a few realistic errors, and add their agency sources',
    )
    .requiredOption('--out <dir>', 'the folder to write the files into')
    .option('--children <n>', 'how many demo children to draw from', '300')
    .action((opts: { out: string; children: string }) =>
      withDatabase(async (database) => {
        const children = Number(opts.children);
        if (!/^[0-9]+$/.test(opts.children.trim()) || children < 1) throw new Error('--children: give a whole number of at least 1');
        const { demoExtractsCommand } = await import('../capabilities/linkage/imports/cli.js');
        await demoExtractsCommand(database.db, { out: opts.out, children }, (s) => console.log(s));
      }),
    );
  program
    .command('budgets-rollover')
    .description("post each continuing package's commitment for the current financial year (safe to run again: it posts only what is missing)")
    .option('--date <yyyy-mm-dd>', 'the date to roll over as of (default today)')
    .action((opts: { date?: string }) =>
      withDatabase(async (database) => {
        if (opts.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(opts.date)) throw new Error('--date: give a date as YYYY-MM-DD, like 2026-04-01');
        await migrate(database);
        const { rollover } = await import('../capabilities/money/budgets/corrections.js');
        const posted = await rollover(database.db, opts.date);
        console.log(
          posted ? `Posted the commitment of ${posted} package${posted === 1 ? '' : 's'}.` : 'Every package’s commitment was already posted: nothing to do.',
        );
      }),
    );
  program
    .command('rekey-security-codes')
    .description('re-encrypt every security-code secret from the old key to the one in JOINTLY_TOTP_KEY, in one transaction (safe to run again)')
    .requiredOption('--old-key-file <path>', 'a file holding the old key (read from a file so it is not in shell history or the process list)')
    .action((opts: { oldKeyFile: string }) =>
      withDatabase(async (database, config) => {
        const oldKey = await readKeyFile(opts.oldKeyFile);
        const { rekeyTotpSecrets, RekeyRefused } = await import('../capabilities/administration/sign-in/totp-secret.js');
        try {
          const r = await rekeyTotpSecrets(database.db, { oldKey, newKey: config.totpKey }, 'jointly rekey-security-codes');
          const secrets = (n: number) => `${n} security-code secret${n === 1 ? '' : 's'}`;
          console.log(`Re-encrypted ${secrets(r.rekeyed)} under the new key.`);
          if (r.encrypted) console.log(`Encrypted ${secrets(r.encrypted)} that were stored in plaintext.`);
          if (r.current) console.log(`${secrets(r.current)} ${r.current === 1 ? 'was' : 'were'} already under the new key and left as they were.`);
        } catch (e) {
          if (!(e instanceof RekeyRefused)) throw e;
          console.error(`jointly rekey-security-codes: ${e.message}`);
          process.exitCode = 1;
        }
      }),
    );
  program
    .command('forecast-backtest')
    .description(
      'fit the forecast on the DfE EHC plan caseload of every local authority from 2018/19 to 2021/22, predict 2022/23 to 2024/25, and compare with the last value and a linear trend (median MAPE, per cent)',
    )
    .option(
      '--data <dir>',
      'the folder of the DfE EHC plan statistics (default: ../shared/reference/ehcp-statistics/education-health-and-care-plans_2025/data beside the project)',
    )
    .option('--json', 'print only the result as JSON')
    .action(async (options: { data?: string; json?: boolean }) => {
      const { backtestFiles } = await import('../capabilities/planning/forecast/index.js');
      try {
        const { result } = await backtestFiles(options.data);
        if (options.json) console.log(JSON.stringify(result));
        else {
          const m = result.median_mape;
          console.log(`${result.local_authorities} local authorities. Median MAPE over 2022/23 to 2024/25 (per cent):`);
          console.log(`  cohort model  ${m.model}\n  last value    ${m.last_value}\n  linear trend  ${m.linear_trend}`);
        }
      } catch (e) {
        console.error(`jointly forecast-backtest: ${(e as Error).message}`);
        process.exitCode = 1;
      }
    });

  return program;
}

/** The old security-code key, from a file so it never appears on a command line. */
async function readKeyFile(path: string): Promise<Buffer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`--old-key-file: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  const parsed = parseKey(text);
  if ('problem' in parsed) throw new Error(`--old-key-file: the key in ${path} ${parsed.problem}`);
  return parsed.key;
}

try {
  await buildCli().parseAsync(process.argv);
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `jointly: ${(e as Error).message}`);
  process.exitCode = 1;
}
