// A pool for tests, written through the budgets services: three partners (health, social care,
// education), a Section 75 pooled fund hosted by social care, and its financial years with
// shares. Every name is fictional (the demo organisations).
import type { Db } from '../../src/platform/db/database.js';
import { addAgreementYear, createAgreement, createPartner } from '../../src/capabilities/money/budgets/agreements.js';
import { orgByCode, userIdByEmail } from './register.js';

export interface TestPool {
  agreementId: string;
  health: string;
  socialCare: string;
  education: string;
  providerId: string;
  financeUserId: string;
}

let counter = 0;

/** Partners are created once per database; each call makes a new agreement (a new pool). */
export async function createTestPool(db: Db, opts: { years?: number[]; code?: string } = {}): Promise<TestPool> {
  const partner = async (code: string, shortName: string) => {
    const org = await orgByCode(db, code);
    const found = await db.selectFrom('budget_partners').select('id').where('organisation_id', '=', org.id).executeTakeFirst();
    return found?.id ?? (await createPartner(db, { organisationId: org.id, shortName })).id;
  };
  const health = await partner('DEMO-ICB', 'Health');
  const socialCare = await partner('DEMO-CSC', 'Social care');
  const education = await partner('DEMO-EDU', 'Education');
  const financeUserId = await userIdByEmail(db, 'finance@demoshire.example.org');
  const code = opts.code ?? `POOL-${++counter}-${Math.floor(Math.random() * 1e6)}`.slice(0, 20);
  const { id: agreementId } = await createAgreement(
    db,
    {
      code,
      name: `Short breaks pooled fund ${code} (fictional)`,
      arrangement: 'pooled',
      legalBasis: 'nhs-act-2006-s75',
      legalBasisNote: null,
      hostPartnerId: socialCare,
      startsOn: '2024-04-01',
    },
    { id: financeUserId },
  );
  for (const fy of opts.years ?? [2024, 2025, 2026]) {
    await addAgreementYear(db, agreementId, fy, [
      { partnerId: health, bp: 4000 },
      { partnerId: socialCare, bp: 4000 },
      { partnerId: education, bp: 2000 },
    ]);
  }
  const providerId = (await orgByCode(db, 'DEMO-PROV')).id;
  return { agreementId, health, socialCare, education, providerId, financeUserId };
}
