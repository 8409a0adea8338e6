// Demoshire's joint commissioning, fictional: a plan with priorities (their evidence from the
// needs assessment, the Local Offer's gaps and what families said) and intentions at each stage
// of the cycle, approved by the partnership board (the administrator records it; the
// commissioner wrote it); and a few contracts, one ending within 3 months and one within 6, with
// demo packages linked so their spend shows from the ledger. Written through the capabilities'
// own writers after the demo money (src/demo/money.ts). Every name here is invented.
import type { Db } from '../platform/db/database.js';
import { todayInLondon } from '../platform/dates.js';
import { financialYearOf } from '../platform/financial-year.js';
import { listAgreements, listPartners } from '../capabilities/money/budgets/index.js';
import {
  addEvidence,
  addIntention,
  addPriority,
  createPlan,
  decidePlan,
  moveStage,
  saveStatement,
  submitPlan,
  type Stage,
} from '../capabilities/planning/commissioning-plans/index.js';
import { addKpi, addMonths, createContract, linkPackage, recordReturn } from '../capabilities/planning/contracts/index.js';

export type DemoCommissioningResult = { skipped: 'already-there' | 'no-money' } | { plans: number; intentions: number; contracts: number };

const userId = async (db: Db, who: string) =>
  (await db.selectFrom('users').select('id').where('email', '=', `${who}@demoshire.example.org`).executeTakeFirstOrThrow()).id;

export async function seedDemoCommissioning(db: Db, opts: { today?: string } = {}): Promise<DemoCommissioningResult> {
  const today = opts.today ?? todayInLondon();
  if (await db.selectFrom('commissioning_plans').select('id').limit(1).executeTakeFirst()) return { skipped: 'already-there' };
  const pools = await listAgreements(db);
  const s75 = pools.find((p) => p.code === 'DEMO-S75');
  if (!s75) return { skipped: 'no-money' };
  const partners = await listPartners(db);
  const orgs = await db.selectFrom('organisations').select(['id', 'code']).execute();
  const partner = (code: string) => partners.find((p) => p.organisation_id === orgs.find((o) => o.code === code)?.id)?.id;
  const health = partner('DEMO-ICB');
  const care = partner('DEMO-CSC');
  const education = partner('DEMO-EDU');
  if (!health || !care || !education) return { skipped: 'no-money' };

  return db.transaction().execute(async (tx) => {
    const commissioner = { id: await userId(tx, 'commissioner') };
    const clerk = { id: await userId(tx, 'admin') };
    const fy = financialYearOf(today);
    const plan = await createPlan(
      tx,
      { title: `Demoshire joint commissioning plan ${fy} to ${fy + 3} (fictional)`, periodFrom: `${fy}-04-01`, periodTo: `${fy + 3}-03-31` },
      commissioner,
    );
    const breaks = await addPriority(
      tx,
      plan.id,
      {
        title: 'More short breaks for autistic teenagers in North Demoshire',
        description: 'Families wait longest here, and the nearest overnight short breaks are over 20 miles away (demo).',
        evidence: {
          kind: 'local-offer-gap',
          summary: 'Autistic spectrum disorder, 11 to 15 year-olds in North Demoshire: at most one service within 10 miles (demo)',
          link: '/local-offer/need-and-supply',
          source: null,
          saidOn: null,
        },
      },
      commissioner,
    );
    await addEvidence(
      tx,
      breaks.id,
      {
        kind: 'family-voice',
        summary: 'We have not had a night’s sleep in months; there is nothing for him at weekends (demo).',
        link: null,
        source: 'Demoshire Parent Carer Forum survey (fictional)',
        saidOn: addMonths(today, -4),
      },
      commissioner,
    );
    const therapy = await addPriority(
      tx,
      plan.id,
      {
        title: 'Speech and language therapy in mainstream schools',
        description: 'More children with speech, language and communication needs stay in mainstream (demo).',
        evidence: {
          kind: 'needs-view',
          summary: 'Speech, language and communication needs is the largest primary need among 5 to 10 year-olds (demo)',
          link: '/commissioning/needs',
          source: null,
          saidOn: null,
        },
      },
      commissioner,
    );
    const intentions: { what: string; why: string; priority: string; stage: Stage; months: number; pence: number | null }[] = [
      {
        what: 'Overnight short breaks in North Demoshire',
        why: 'The gap in the Local Offer and what families told the forum (demo).',
        priority: breaks.id,
        stage: 'do',
        months: 3,
        pence: 180_000_00,
      },
      {
        what: 'Weekend youth clubs for autistic teenagers',
        why: 'Families asked for something at weekends (demo).',
        priority: breaks.id,
        stage: 'plan',
        months: 6,
        pence: 40_000_00,
      },
      {
        what: 'Speech and language therapists working in schools',
        why: 'The needs assessment shows the need growing (demo).',
        priority: therapy.id,
        stage: 'do',
        months: 4,
        pence: 220_000_00,
      },
      {
        what: 'A review of therapy waiting times',
        why: 'To see whether last year’s extra sessions shortened waits (demo).',
        priority: therapy.id,
        stage: 'review',
        months: 2,
        pence: null,
      },
      {
        what: 'Training for school staff in communication needs',
        why: 'Schools asked for it at the SENCO forum (demo).',
        priority: therapy.id,
        stage: 'understand',
        months: 9,
        pence: null,
      },
    ];
    const made: { id: string; stage: Stage; pence: number | null; what: string }[] = [];
    for (const i of intentions) {
      const row = await addIntention(
        tx,
        plan.id,
        {
          priorityId: i.priority,
          what: i.what,
          why: i.why,
          dueOn: addMonths(today, i.months),
          ownerId: commissioner.id,
          agreementId: i.pence ? s75.id : null,
          expectedPence: i.pence,
          partnerIds: i.priority === therapy.id ? [health, care, education] : [health, care],
        },
        commissioner,
      );
      const path: Stage[] = i.stage === 'understand' ? [] : i.stage === 'plan' ? ['plan'] : i.stage === 'do' ? ['plan', 'do'] : ['plan', 'do', 'review'];
      for (const [n, stage] of path.entries()) {
        const version = (await tx.selectFrom('commissioning_intentions').select('version').where('id', '=', row.id).executeTakeFirstOrThrow()).version;
        await moveStage(tx, row.id, { stage, ownerId: commissioner.id, dueOn: addMonths(today, i.months + n), note: null, version }, commissioner);
      }
      made.push({ id: row.id, stage: i.stage, pence: i.pence, what: i.what });
    }
    const version = async () => (await tx.selectFrom('commissioning_plans').select('version').where('id', '=', plan.id).executeTakeFirstOrThrow()).version;
    await submitPlan(tx, plan.id, await version(), commissioner);
    await decidePlan(tx, plan.id, { decision: 'approved', meetingOn: today, note: 'Agreed by the partnership board (demo).', version: await version() }, clerk);

    // Contracts: one from the approved "do" intention, two already running (one ends within 3
    // months, one within 6), with demo packages linked so their spend shows.
    const provider = (await tx.selectFrom('organisations').select('id').where('code', '=', 'DEMO-PROV').executeTakeFirstOrThrow()).id;
    const trust = (await tx.selectFrom('organisations').select('id').where('code', '=', 'DEMO-TRUST').executeTakeFirstOrThrow()).id;
    const overnight = made[0]!;
    const contracts = [
      await createContract(
        tx,
        {
          title: 'Overnight short breaks, North Demoshire (fictional)',
          providerId: provider,
          serviceId: null,
          startsOn: addMonths(today, 4),
          endsOn: addMonths(today, 40),
          annualValuePence: 180_000_00,
          shares: [
            { partnerId: health, agreementId: s75.id, pence: 90_000_00 },
            { partnerId: care, agreementId: s75.id, pence: 90_000_00 },
          ],
          intentionId: overnight.id,
        },
        commissioner,
      ),
      await createContract(
        tx,
        {
          title: 'Short breaks framework (fictional)',
          providerId: provider,
          serviceId: null,
          startsOn: addMonths(today, -34),
          endsOn: addMonths(today, 2),
          annualValuePence: 250_000_00,
          shares: [
            { partnerId: health, agreementId: s75.id, pence: 100_000_00 },
            { partnerId: care, agreementId: s75.id, pence: 150_000_00 },
          ],
          intentionId: null,
        },
        commissioner,
      ),
      await createContract(
        tx,
        {
          title: 'Community therapy (fictional)',
          providerId: trust,
          serviceId: null,
          startsOn: addMonths(today, -19),
          endsOn: addMonths(today, 5),
          annualValuePence: 120_000_00,
          shares: [
            { partnerId: health, agreementId: s75.id, pence: 80_000_00 },
            { partnerId: education, agreementId: s75.id, pence: 40_000_00 },
          ],
          intentionId: null,
        },
        commissioner,
      ),
    ];
    // The demo packages (src/demo/money.ts): short breaks under the framework, therapies under therapy.
    const packages = await tx.selectFrom('packages').select(['reference', 'service_category']).orderBy('reference').execute();
    for (const p of packages.filter((k) => k.service_category === 'short-breaks').slice(0, 6))
      await linkPackage(tx, contracts[1]!.id, p.reference, commissioner);
    for (const p of packages.filter((k) => k.service_category === 'therapies').slice(0, 6)) await linkPackage(tx, contracts[2]!.id, p.reference, commissioner);
    const kpi = await addKpi(
      tx,
      contracts[1]!.id,
      { name: 'Families offered a break within 6 weeks of asking', target: 85, unit: 'per cent', higherIsBetter: true },
      commissioner,
    );
    await recordReturn(tx, kpi.id, { periodEnding: addMonths(today, -3), value: 78, note: 'Two carers left in the quarter (demo).' }, commissioner);
    await recordReturn(tx, kpi.id, { periodEnding: addMonths(today, -6), value: 88, note: null }, commissioner);
    await saveStatement(
      tx,
      {
        introduction:
          'Demoshire’s education, health and care partners commission together for disabled children and young people and those with special educational needs (a fictional area).\n\nThis statement tells providers what we intend to commission over the next three years, and why.',
        toProviders: 'We want to hear from providers who can offer short breaks and therapy close to families, especially in North Demoshire (demo).',
        version: 0,
      },
      commissioner,
    );
    return { plans: 1, intentions: made.length, contracts: contracts.length };
  });
}
