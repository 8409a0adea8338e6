// A year of fictional demo money for Demoshire, so the joint budgets and their reports have
// something to show: three partners, a pooled fund under Section 75 and an aligned budget, the
// partners' contributions, packages of support for some demo children (a few with a funding split
// that changes over time, a few changed part way through), monthly invoices and payments, direct
// payments, and some invoices left unmatched. Everything is posted through the budgets
// capability's own services, exactly as the screens post it, so the books balance by
// construction. Every name and reference here is invented.
import type { Db } from '../platform/db/database.js';
import { todayInLondon } from '../platform/dates.js';
import { addAgreementYear, createAgreement, createPartner, recordContribution } from '../capabilities/money/budgets/agreements.js';
import { changePackage, createPackage, type PackageInput } from '../capabilities/money/budgets/packages.js';
import { matchInvoice, payInvoice, recordDirectPayment, recordInvoice } from '../capabilities/money/budgets/actuals.js';
import { addDays, daysInclusive, financialYearOf, monthEnd } from '../platform/financial-year.js';
import type { Share, Split } from '../capabilities/money/budgets/split.js';
import { DEMO_COUNCIL_ID_PREFIX } from './register-config.js';

export interface DemoMoneyResult {
  skipped?: 'already-there' | 'no-children';
  packages: number;
  invoices: number;
  financialYear?: number;
}

const FINANCE = 'finance@demoshire.example.org';
/** How many demo children get packages. */
const CHILDREN_WITH_PACKAGES = 30;

/** The demo year: the current financial year once it is half over, otherwise the one before. */
export function demoFinancialYear(today: string): number {
  const fy = financialYearOf(today);
  return today >= `${fy}-10-01` ? fy : fy - 1;
}

// A deterministic uuid v4 for a form's one-time token (payments), from a counter.
const tokenOf = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

interface Services {
  category: string;
  service: string;
  unitCostPence: number;
  unitsX100: number;
  frequency: 'week' | 'month';
  provider: 'DEMO-PROV' | 'DEMO-TRUST' | null;
  pool: 'S75' | 'ALIGN';
}

// Typical services with plausible, invented unit costs.
const SERVICES: Services[] = [
  { category: 'short-breaks', service: 'Overnight short break', unitCostPence: 32_500, unitsX100: 100, frequency: 'week', provider: 'DEMO-PROV', pool: 'S75' },
  {
    category: 'short-breaks',
    service: 'After-school club with support',
    unitCostPence: 4_800,
    unitsX100: 300,
    frequency: 'week',
    provider: 'DEMO-PROV',
    pool: 'S75',
  },
  {
    category: 'therapies',
    service: 'Speech and language therapy session',
    unitCostPence: 9_500,
    unitsX100: 100,
    frequency: 'week',
    provider: 'DEMO-TRUST',
    pool: 'ALIGN',
  },
  {
    category: 'therapies',
    service: 'Occupational therapy session',
    unitCostPence: 8_800,
    unitsX100: 100,
    frequency: 'week',
    provider: 'DEMO-TRUST',
    pool: 'ALIGN',
  },
  { category: 'key-working', service: 'Key worker hours', unitCostPence: 3_600, unitsX100: 400, frequency: 'week', provider: 'DEMO-PROV', pool: 'S75' },
  {
    category: 'personal-budgets',
    service: 'Personal budget (direct payment)',
    unitCostPence: 45_000,
    unitsX100: 100,
    frequency: 'month',
    provider: null,
    pool: 'S75',
  },
  {
    category: 'transport',
    service: 'Home to short-break transport',
    unitCostPence: 2_500,
    unitsX100: 200,
    frequency: 'week',
    provider: 'DEMO-PROV',
    pool: 'S75',
  },
  {
    category: 'equipment',
    service: 'Equipment hire and maintenance',
    unitCostPence: 12_000,
    unitsX100: 100,
    frequency: 'month',
    provider: 'DEMO-TRUST',
    pool: 'ALIGN',
  },
];

/** Adds the demo money once; does nothing when the demo partners are already there or there are no demo children. */
export async function seedDemoMoney(db: Db, opts: { today?: string } = {}): Promise<DemoMoneyResult> {
  const today = opts.today ?? todayInLondon();
  const already = await db.selectFrom('pooling_agreements').select('id').where('code', 'in', ['DEMO-S75', 'DEMO-ALIGN']).limit(1).executeTakeFirst();
  if (already) return { skipped: 'already-there', packages: 0, invoices: 0 };
  const children = await db
    .selectFrom('children')
    .select('id')
    .where('council_id', 'like', `${DEMO_COUNCIL_ID_PREFIX}%`)
    .orderBy('council_id')
    .limit(CHILDREN_WITH_PACKAGES)
    .execute();
  if (children.length === 0) return { skipped: 'no-children', packages: 0, invoices: 0 };

  const orgs = Object.fromEntries(
    (await db.selectFrom('organisations').select(['id', 'code']).where('code', 'like', 'DEMO-%').execute()).map((o) => [o.code, o.id]),
  );
  const finance = await db.selectFrom('users').select('id').where('email', '=', FINANCE).executeTakeFirstOrThrow();
  const by = { id: finance.id };
  const fy = demoFinancialYear(today);
  const start = `${fy}-04-01`;

  // Partners, agreements, shares and contributions -------------------------------------------
  const { edu, csc, icb, s75, align } = await db.transaction().execute(async (tx) => {
    const edu = (await createPartner(tx, { organisationId: orgs['DEMO-EDU']!, shortName: 'Education (demo)' })).id;
    const csc = (await createPartner(tx, { organisationId: orgs['DEMO-CSC']!, shortName: 'Social care (demo)' })).id;
    const icb = (await createPartner(tx, { organisationId: orgs['DEMO-ICB']!, shortName: 'Health (demo)' })).id;
    const s75 = (
      await createAgreement(
        tx,
        {
          code: 'DEMO-S75',
          name: 'Demoshire short breaks and key working pooled fund (fictional)',
          arrangement: 'pooled',
          legalBasis: 'nhs-act-2006-s75',
          legalBasisNote: null,
          hostPartnerId: csc,
          startsOn: start,
        },
        by,
      )
    ).id;
    const align = (
      await createAgreement(
        tx,
        {
          code: 'DEMO-ALIGN',
          name: 'Demoshire therapies and equipment aligned budget (fictional)',
          arrangement: 'aligned',
          legalBasis: 'children-and-families-act-2014-s26',
          legalBasisNote: null,
          hostPartnerId: null,
          startsOn: start,
        },
        by,
      )
    ).id;
    await addAgreementYear(tx, s75, fy, [
      { partnerId: edu, bp: 2000 },
      { partnerId: csc, bp: 5000 },
      { partnerId: icb, bp: 3000 },
    ]);
    await addAgreementYear(tx, align, fy, [
      { partnerId: edu, bp: 4000 },
      { partnerId: icb, bp: 6000 },
    ]);
    const contributions: [string, string, string, number][] = [
      [s75, edu, 'short-breaks', 8_000_000],
      [s75, csc, 'short-breaks', 14_000_000],
      [s75, icb, 'short-breaks', 6_000_000],
      [s75, csc, 'key-working', 6_000_000],
      [s75, icb, 'key-working', 4_000_000],
      [s75, edu, 'key-working', 1_000_000],
      [s75, csc, 'personal-budgets', 9_000_000],
      [s75, icb, 'personal-budgets', 5_000_000],
      [s75, edu, 'transport', 3_000_000],
      [s75, csc, 'transport', 1_000_000],
      [align, edu, 'therapies', 6_000_000],
      [align, icb, 'therapies', 9_000_000],
      [align, edu, 'equipment', 2_000_000],
      [align, icb, 'equipment', 3_000_000],
    ];
    let n = 0;
    for (const [agreementId, partnerId, serviceCategory, amountPence] of contributions) {
      await recordContribution(
        tx,
        {
          agreementId,
          financialYear: fy,
          partnerId,
          serviceCategory,
          amountPence,
          postedOn: start,
          reason: `Agreed contribution for ${fy} to ${fy + 1} (demo)`,
          eventId: `demo-${fy}-${++n}`,
        },
        by,
      );
    }
    return { edu, csc, icb, s75, align };
  });

  // Packages -------------------------------------------------------------------------------------
  const pool = { S75: s75, ALIGN: align };
  /** The funding split for the i-th package: mostly fixed, some changing over time. */
  const splitFor = (i: number, s: Services, from: string): Split => {
    /** The same shares for the whole package. */
    const fixed = (...shares: Share[]): Split => [{ from, to: null, shares }];
    if (s.pool === 'ALIGN') return fixed({ partnerId: edu, bp: 4000 }, { partnerId: icb, bp: 6000 });
    if (i % 5 === 0) {
      // Health and social care half each for six weeks (after an operation), then social care alone.
      const six = addDays(from, 41);
      return [
        {
          from,
          to: six,
          shares: [
            { partnerId: icb, bp: 5000 },
            { partnerId: csc, bp: 5000 },
          ],
        },
        { from: addDays(six, 1), to: null, shares: [{ partnerId: csc, bp: 10_000 }] },
      ];
    }
    if (s.category === 'transport') return fixed({ partnerId: edu, bp: 10_000 });
    if (i % 3 === 0) return fixed({ partnerId: csc, bp: 7000 }, { partnerId: icb, bp: 3000 });
    return fixed({ partnerId: csc, bp: 10_000 });
  };

  const made: { id: string; i: number; s: Services; startsOn: string; endsOn: string | null; agreementId: string }[] = [];
  let i = 0;
  for (const [c, child] of children.entries()) {
    // Every kind of service in turn; every fourth child has a second package.
    const kinds = c % 4 === 0 ? [SERVICES[c % SERVICES.length]!, SERVICES[(c + 3) % SERVICES.length]!] : [SERVICES[c % SERVICES.length]!];
    for (const s of kinds) {
      const startsOn = addDays(start, (i * 11) % 90);
      const endsOn = i % 7 === 3 ? addDays(startsOn, 180) : null;
      const input: PackageInput & { agreementId: string; childId: string } = {
        agreementId: pool[s.pool],
        childId: child.id,
        serviceCategory: s.category,
        service: s.service,
        providerId: s.provider ? orgs[s.provider]! : null,
        unitCostPence: s.unitCostPence,
        unitsX100: s.unitsX100,
        frequency: s.frequency,
        startsOn,
        endsOn,
        reviewOn: addDays(startsOn, 182),
        split: splitFor(i, s, startsOn),
        reason: `Agreed at the demo multi-agency panel (fictional decision ${fy}-${String(i + 1).padStart(3, '0')})`,
      };
      const pkg = await createPackage(db, input, by, startsOn);
      made.push({ id: pkg.id, i, s, startsOn, endsOn, agreementId: input.agreementId });
      // Some packages change part way through: more units from the fourth month.
      if (i % 6 === 1) {
        const changedOn = addDays(startsOn, 95);
        if (changedOn < today) {
          await changePackage(
            db,
            pkg.id,
            1,
            { ...input, unitsX100: input.unitsX100 + 100, reason: 'Reviewed: more support agreed after a change in needs (demo)' },
            by,
            changedOn,
          );
        }
      }
      i++;
    }
  }

  // Invoices, payments and direct payments, month by month up to the last full month -------------
  let invoices = 0;
  let token = 1;
  for (const p of made) {
    const fresh = await db.selectFrom('packages').select(['unit_cost_pence', 'units_x100', 'frequency']).where('id', '=', p.id).executeTakeFirstOrThrow();
    for (let m = 0; m < 12; m++) {
      const monthStart = addMonths(start, m);
      const to = minDate(monthEnd(monthStart), p.endsOn ?? '9999-12-31');
      const from = maxDate(monthStart, p.startsOn);
      const received = addDays(monthEnd(monthStart), 5);
      if (from > to || received > today) continue;
      const amount =
        fresh.frequency === 'week'
          ? Math.round((fresh.unit_cost_pence * fresh.units_x100 * daysInclusive(from, to)) / 700)
          : Math.round((fresh.unit_cost_pence * fresh.units_x100 * daysInclusive(from, to)) / (100 * daysInclusive(monthStart, monthEnd(monthStart))));
      if (amount <= 0) continue;
      if (p.s.provider === null) {
        await recordDirectPayment(db, p.id, { id: tokenOf(token++), amountPence: amount, paidOn: from, reference: `DEMO-DP-${p.i}-${m + 1}` }, by);
        continue;
      }
      const inv = await recordInvoice(
        db,
        {
          agreementId: p.agreementId,
          providerId: orgs[p.s.provider]!,
          supplierReference: `DEMO-${p.i + 1}-${String(m + 1).padStart(2, '0')}`,
          packageId: p.id,
          serviceFrom: from,
          serviceTo: to,
          amountPence: amount,
          receivedOn: received,
          description: `${p.s.service}, ${from} to ${to} (demo)`,
        },
        by,
      );
      invoices++;
      const paidOn = addDays(received, 21);
      if (paidOn <= today) await payInvoice(db, inv.invoiceId, { id: tokenOf(token++), amountPence: amount, paidOn, reference: `BACS-DEMO-${invoices}` }, by);
    }
  }

  // Invoices not yet matched to a package: two left unmatched, one matched later.
  const lastMonth = addMonths(start, Math.max(0, monthsBetween(start, today) - 1));
  const unmatched = [
    { ref: 'DEMO-UNMATCHED-1', amount: 41_250, description: 'Short break, child not named on the invoice (demo)' },
    { ref: 'DEMO-UNMATCHED-2', amount: 18_000, description: 'Transport, route not recognised (demo)' },
    { ref: 'DEMO-UNMATCHED-3', amount: 32_500, description: 'Overnight short break, matched after checking with the provider (demo)' },
  ];
  const firstShortBreak = made.find(
    (p) => p.s.service === 'Overnight short break' && p.startsOn <= lastMonth && (p.endsOn === null || p.endsOn >= monthEnd(lastMonth)),
  );
  for (const u of unmatched) {
    const received = addDays(monthEnd(lastMonth), 3);
    if (received > today) continue;
    const inv = await recordInvoice(
      db,
      {
        agreementId: s75,
        providerId: orgs['DEMO-PROV']!,
        supplierReference: u.ref,
        packageId: null,
        serviceFrom: lastMonth,
        serviceTo: monthEnd(lastMonth),
        amountPence: u.amount,
        receivedOn: received,
        description: u.description,
      },
      by,
    );
    invoices++;
    if (u.ref === 'DEMO-UNMATCHED-3' && firstShortBreak)
      await matchInvoice(db, inv.invoiceId, firstShortBreak.id, by, addDays(received, 2) <= today ? addDays(received, 2) : received);
  }
  return { packages: made.length, invoices, financialYear: fy };
}

function addMonths(iso: string, months: number): string {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7)) - 1 + months;
  return `${y + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`;
}
const monthsBetween = (from: string, to: string) =>
  (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
const minDate = (a: string, b: string) => (a < b ? a : b);
const maxDate = (a: string, b: string) => (a > b ? a : b);
