// A clearly fictional local area, "Demoshire", so a newcomer can click through at once.
// Every name here is invented; the e-mail domain is reserved (example.org).
import { sql } from 'kysely';
import type { Db } from '../platform/db/database.js';
import type { Role } from '../platform/access/roles.js';
import { hashPassword } from '../capabilities/administration/sign-in/passwords.js';
import { seedRegisterConfig } from './register-config.js';
import { seedDemoLocalOffer } from './local-offer.js';
import { seedDemoNeeds } from './needs.js';
import { todayInLondon } from '../platform/dates.js';

export const DEMO_PASSWORD = 'demo-password-only';

export const DEMO_ORGANISATIONS = [
  { code: 'DEMO-EDU', name: 'Demoshire Council: SEND and inclusion (fictional)', type: 'council-education' },
  { code: 'DEMO-CSC', name: 'Demoshire Council: children with disabilities team (fictional)', type: 'council-social-care' },
  { code: 'DEMO-ICB', name: 'NHS Demoshire Integrated Care Board (fictional)', type: 'nhs-commissioner' },
  { code: 'DEMO-TRUST', name: 'Demoshire Community Health NHS Trust (fictional)', type: 'nhs-trust' },
  { code: 'DEMO-SCH', name: 'Oakfield Special School, Demoshire (fictional)', type: 'school' },
  { code: 'DEMO-PROV', name: 'Demoshire Short Breaks Provider (fictional)', type: 'provider' },
  { code: 'DEMO-PCF', name: 'Demoshire Parent Carer Forum (fictional)', type: 'parent-carer-forum' },
] as const;

export const DEMO_USERS: { email: string; name: string; org: string; roles: Role[] }[] = [
  { email: 'admin@demoshire.example.org', name: 'Demo Administrator', org: 'DEMO-EDU', roles: ['partnership-administrator'] },
  { email: 'caseworker@demoshire.example.org', name: 'Demo Caseworker', org: 'DEMO-EDU', roles: ['caseworker'] },
  { email: 'keyworker@demoshire.example.org', name: 'Demo Key Worker', org: 'DEMO-CSC', roles: ['key-worker'] },
  { email: 'practitioner@demoshire.example.org', name: 'Demo Practitioner', org: 'DEMO-TRUST', roles: ['practitioner'] },
  { email: 'panel@demoshire.example.org', name: 'Demo Panel Member', org: 'DEMO-ICB', roles: ['panel-member'] },
  // The multi-agency panel also has a chair from education and a member from social care (src/demo/panel.ts).
  { email: 'panel-chair@demoshire.example.org', name: 'Demo Panel Chair', org: 'DEMO-EDU', roles: ['panel-member'] },
  { email: 'panel-care@demoshire.example.org', name: 'Demo Panel Member for Social Care', org: 'DEMO-CSC', roles: ['panel-member'] },
  { email: 'commissioner@demoshire.example.org', name: 'Demo Commissioner', org: 'DEMO-ICB', roles: ['commissioner'] },
  { email: 'finance@demoshire.example.org', name: 'Demo Finance Officer', org: 'DEMO-CSC', roles: ['finance-officer'] },
  { email: 'participation@demoshire.example.org', name: 'Demo Participation Lead', org: 'DEMO-PCF', roles: ['participation-lead'] },
  { email: 'ig@demoshire.example.org', name: 'Demo Information Governance Lead', org: 'DEMO-EDU', roles: ['information-governance-lead'] },
  // The Local Offer: the short breaks provider keeps its own entries; the council's officer approves changes.
  { email: 'provider@demoshire.example.org', name: 'Demo Local Offer Provider', org: 'DEMO-PROV', roles: ['local-offer-provider'] },
  { email: 'local-offer@demoshire.example.org', name: 'Demo Local Offer Officer', org: 'DEMO-EDU', roles: ['local-offer-officer'] },
];

/** The family accounts (issue 15), made with the living demo once the population is there (src/demo/families.ts). */
export const DEMO_FAMILY_ACCOUNTS = [
  { email: 'parent@demoshire.example.org', who: 'a parent (family account)' },
  { email: 'young-person@demoshire.example.org', who: 'a young person aged 17 (their own account)' },
] as const;

const DEMO_SEED_LOCK = 7_240_004;

/**
 * Creates the demo area when the database has no organisations yet. Returns false if it did nothing.
 * `localOffer: false` leaves out the Local Offer's directory and 36,000 postcodes (about a second on
 * the embedded database), which tests that do not look at the directory have no use for.
 */
export async function seedDemo(db: Db, opts: { localOffer?: boolean } = {}): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    // Several processes starting at once on one empty database: one seeds, the others then find it seeded.
    await sql`select pg_advisory_xact_lock(${DEMO_SEED_LOCK})`.execute(tx);
    const any = await tx.selectFrom('organisations').select('id').limit(1).executeTakeFirst();
    if (any) return false;
    const orgs = await tx
      .insertInto('organisations')
      .values([...DEMO_ORGANISATIONS])
      .returning(['id', 'code'])
      .execute();
    const orgId = new Map(orgs.map((o) => [o.code, o.id]));
    const hash = await hashPassword(DEMO_PASSWORD);
    for (const u of DEMO_USERS) {
      const user = await tx
        .insertInto('users')
        .values({ organisation_id: orgId.get(u.org)!, display_name: u.name, email: u.email, password_hash: hash })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('user_roles')
        .values(u.roles.map((role) => ({ user_id: user.id, role })))
        .execute();
    }
    await seedRegisterConfig(tx);
    // The needs assessment's fictional population and illustrative statistical neighbours.
    await seedDemoNeeds(tx);
    // The Local Offer's directory and postcodes, through the Local Offer's own writers.
    if (opts.localOffer !== false) await seedDemoLocalOffer(tx, todayInLondon());
    return true;
  });
}

export function demoSignInText(): string {
  const width = Math.max(...DEMO_USERS.map((u) => u.email.length));
  return [
    'Demo local area "Demoshire" (fictional). Every account uses the password: ' + DEMO_PASSWORD,
    ...DEMO_USERS.map((u) => `  ${u.email.padEnd(width)}  ${u.roles.join(', ')}`),
    'Family accounts, once the demo population has been added in the background:',
    ...DEMO_FAMILY_ACCOUNTS.map((u) => `  ${u.email.padEnd(width)}  ${u.who}`),
  ].join('\n');
}
