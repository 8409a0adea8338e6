// Joint budgets: partners, pooling agreements, packages of support with their funding split,
// invoices and payments, accounting periods, and the money on a child's record.
//
// Access: every page here is row-level (packages, invoices, children's finance references), so it
// needs 'budgets:entries' (finance officers); 'budgets:manage' (finance officers) changes them.
// Commissioners and the partnership administrator hold only 'budgets:view': the aggregate budget
// reports (docs/adr/0009, "Who sees what"). Finance pages
// name a child only by a reference (C-XXXX-XXXX-XXXX), never by name: finance officers and
// commissioners do not hold a casework role, so the sharing rule does not let them see the
// record. The child's own "Packages and spend" page is part of the record: it needs
// 'children:view' and the core section through the sharing rule, like "Who works with them".
import { randomUUID } from 'node:crypto';
import type { RouteResult, RouteSpec, SignedInContext, SignedInRouteSpec } from '../../../platform/http/route.js';
import { formRoutes, type FormRoutes } from '../../../platform/http/form-routes.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { parseForm } from '../../../platform/http/forms.js';
import { todayInLondon, longDate } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { requireChild } from '../../record/sharing/index.js';
import { childSummary, childName, navChild } from '../../record/tell-it-once/index.js';
import * as agreements from './agreements.js';
import * as packages from './packages.js';
import * as actuals from './actuals.js';
import { balances, poolEntries } from './ledger.js';
import { asFormError } from './errors.js';
import { correctionRoutes } from './corrections-routes.js';
import { financialYearOf } from '../../../platform/financial-year.js';
import { costPerPeriodPence } from './commitment.js';
import { reviewState } from './review.js';
import { packageFormItems, packageProviders, packageTermsAsValues, serviceCategories } from './package-form.js';
import { fieldItems, selectItems } from '../../../platform/views/items.js';
import {
  closePeriodForm,
  importForm,
  matchForm,
  parseContributionForm,
  parseInvoiceForm,
  parsePackageForm,
  parsePaymentForm,
  parsePoolForm,
  parseYearForm,
  partnerForm,
} from './schema.js';
import {
  ACCOUNT_NAMES,
  categoryItems,
  dateItems,
  KIND_NAMES,
  money,
  partnerItems,
  periodName,
  splitLines,
  unitsText,
  yearItems,
  yearLabel,
} from './presenters.js';

const V = 'money/budgets/views/';
const VIEW = 'budgets:entries' as const;

/** The review date as the pages show it: flagged when it has passed while the package continues, or comes within two weeks. */
const reviewText = (k: { review_on: string | null; ends_on: string | null }, today: string) => {
  if (!k.review_on) return null;
  const state = reviewState(k, today);
  return `${longDate(k.review_on)}${state === 'overdue' ? ': overdue' : state === 'due' ? ': due soon' : ''}`;
};
const MANAGE = 'budgets:manage' as const;
type Values = Record<string, unknown>;

const DONE: Record<string, string> = {
  'partner-added': 'Partner added',
  'pool-added': 'Agreement added. Add its financial years and each partner’s share next',
  'year-added': 'Financial year added',
  'contribution-added': 'Contribution recorded',
  'package-added': 'Package added and its commitment posted',
  'package-changed': 'Package changed and its commitment posted again',
  'invoice-added': 'Invoice recorded',
  'invoice-matched': 'Invoice matched to the package',
  'payment-added': 'Payment recorded',
  'invoice-cancelled': 'Invoice cancelled and its postings reversed',
  'period-closed': 'Period closed',
};
/** Links each child whose finance reference (or package) the page shows to this read's audit entry. */
const discloses = (ctx: SignedInContext, childIds: readonly (string | null | undefined)[]) => {
  ctx.audit.children = [...new Set([...(ctx.audit.children ?? []), ...childIds.filter((id): id is string => !!id)])];
};
const done = (ctx: SignedInContext) => (ctx.query.done ? DONE[ctx.query.done] : undefined);
const canManage = (ctx: SignedInContext) => ctx.user.permissions.has(MANAGE);
const items = selectItems;
/** A package as a choice: its reference, service and the child's finance reference (never a name). */
const packageItems = (pkgs: { id: string; reference: string; service: string; child_id: string }[], selected: unknown, empty: string) =>
  items(
    pkgs,
    (k) => k.id,
    (k) => `${k.reference}: ${k.service} (${packages.childReference(k.child_id)})`,
    selected,
    empty,
  );

export function budgetsRoutes(deps: CapabilityDeps): RouteSpec[] {
  const categories = (ctx: SignedInContext) => serviceCategories(ctx.db);
  const providers = (ctx: SignedInContext) => packageProviders(ctx.db);
  const partnerNames = async (ctx: SignedInContext) => {
    const list = await agreements.listPartners(ctx.db);
    const byId = new Map(list.map((p) => [p.id, p.short_name]));
    return { list, name: (id: string) => byId.get(id) ?? 'Unknown partner' };
  };

  // Home ------------------------------------------------------------------------------------------
  const home = async (ctx: SignedInContext): Promise<RouteResult> => ({
    view: `${V}home.njk`,
    data: {
      pageTitle: 'Joint budgets',
      partners: await agreements.listPartners(ctx.db),
      pools: (await agreements.listAgreements(ctx.db)).map((a) => ({
        ...a,
        arrangementText: a.arrangement === 'pooled' ? 'Pooled fund' : 'Aligned budgets',
        started: longDate(a.starts_on),
      })),
      canManage: canManage(ctx),
      done: done(ctx),
    },
  });

  const partnerPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const taken = new Set((await agreements.listPartners(ctx.db)).map((p) => p.organisation_id));
    const orgs = (await ctx.db.selectFrom('organisations').select(['id', 'name']).where('active', '=', true).orderBy('name').execute()).filter(
      (o) => !taken.has(o.id),
    );
    return {
      view: `${V}partner-new.njk`,
      data: {
        pageTitle: 'Add a partner',
        values,
        errors,
        orgItems: fieldItems(orgs, 'id', 'name', values.organisationId, 'Choose an organisation'),
      },
    };
  };

  const poolFormPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const partners = await agreements.listPartners(ctx.db);
    return {
      view: `${V}pool-new.njk`,
      data: {
        pageTitle: 'Set up a pooling agreement',
        values,
        errors,
        arrangementItems: Object.entries(agreements.ARRANGEMENTS).map(([value, text]) => ({ value, text, checked: values.arrangement === value })),
        legalBasisItems: Object.entries(agreements.LEGAL_BASES).map(([value, text]) => ({ value, text, checked: values.legalBasis === value })),
        hostItems: items(
          partners,
          (p) => p.id,
          (p) => `${p.short_name} (${p.organisation_name})`,
          values.hostPartnerId,
          'Choose the host partner',
        ),
        startsOnItems: dateItems(values, 'startsOn', errors),
        noPartners: partners.length === 0,
      },
    };
  };

  // Pool --------------------------------------------------------------------------------------------
  const poolPage = async (ctx: SignedInContext): Promise<RouteResult> => {
    const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
    const [years, pkgs, bal, unmatched] = await Promise.all([
      agreements.agreementYears(ctx.db, pool.id),
      packages.listPackagesOfAgreement(ctx.db, pool.id),
      balances(ctx.db, { agreementId: pool.id }),
      actuals.unmatched(ctx.db, pool.id),
    ]);
    ctx.audit.subjectType = 'agreement';
    ctx.audit.subjectId = pool.id;
    discloses(
      ctx,
      pkgs.map((k) => k.child_id),
    );
    return {
      view: `${V}pool.njk`,
      data: {
        pageTitle: pool.name,
        pool: {
          ...pool,
          arrangementText: agreements.ARRANGEMENTS[pool.arrangement],
          legalBasisText: agreements.LEGAL_BASES[pool.legal_basis],
          started: longDate(pool.starts_on),
        },
        years,
        packages: pkgs.map((k) => ({
          ...k,
          child: packages.childReference(k.child_id),
          started: longDate(k.starts_on),
          ended: longDate(k.ends_on),
          review: reviewText(k, todayInLondon()),
          reviewOverdue: reviewState(k, todayInLondon()) === 'overdue',
        })),
        accounts: ['budget', 'commitments', 'spend', 'suspense', 'creditors', 'cash'].map((a) => ({
          name: ACCOUNT_NAMES[a],
          amount: money(bal.get(a as never) ?? 0),
        })),
        unmatchedCount: unmatched.invoices.length + unmatched.overCommitted.length,
        canManage: canManage(ctx),
        done: done(ctx),
      },
    };
  };

  const yearPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
    const partners = await agreements.listPartners(ctx.db);
    const have = new Set((await agreements.agreementYears(ctx.db, pool.id)).map((y) => y.financialYear));
    const now = financialYearOf(todayInLondon());
    const choices = Array.from({ length: 6 }, (_, i) => now - 2 + i).filter((y) => !have.has(y));
    return {
      view: `${V}year-new.njk`,
      data: {
        pageTitle: 'Add a financial year',
        pool,
        values,
        errors,
        yearItems: items(choices, String, yearLabel, values.financialYear, 'Choose a year'),
        partners: partners.map((p) => ({ ...p, value: values[`share-${p.id}`] })),
      },
    };
  };

  const contributionPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
    const [years, partners, cats] = await Promise.all([agreements.agreementYears(ctx.db, pool.id), agreements.listPartners(ctx.db), categories(ctx)]);
    return {
      view: `${V}contribution-new.njk`,
      data: {
        pageTitle: 'Record a contribution',
        pool,
        values: { token: randomUUID(), ...values },
        errors,
        noYears: years.length === 0,
        yearItems: yearItems(years, values.financialYear),
        partnerItems: partnerItems(partners, values.partnerId),
        categoryItems: categoryItems(cats, values.serviceCategory),
        postedOnItems: dateItems(values, 'postedOn', errors),
      },
    };
  };

  // Packages ---------------------------------------------------------------------------------------
  const packageFormData = async (ctx: SignedInContext, values: Values, errors: FieldError[] | undefined) => {
    const [partners, cats, provs] = await Promise.all([agreements.listPartners(ctx.db), categories(ctx), providers(ctx)]);
    return { values, errors, ...packageFormItems(values, errors, { partners, categories: cats, providers: provs }) };
  };

  const newPackagePage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
    return {
      view: `${V}package-form.njk`,
      data: {
        pageTitle: 'Add a package of support',
        pool,
        isNew: true,
        action: paths.budgets.newPackage(pool.id),
        ...(await packageFormData(ctx, values, errors)),
      },
    };
  };

  /** The current terms as the form's values, for "change". */
  const valuesOf = async (ctx: SignedInContext, packageId: string): Promise<Values> => {
    const { pkg, split } = await packages.currentTerms(ctx.db, packageId);
    return { ...packageTermsAsValues(pkg, split), version: String(pkg.version), reason: '' };
  };

  const changePackagePage = async (ctx: SignedInContext, values?: Values, errors?: FieldError[]): Promise<RouteResult> => {
    const pkg = await packages.getPackage(ctx.db, ctx.params.id);
    Object.assign(ctx.audit, { subjectType: 'child', subjectId: pkg.child_id, details: { ...ctx.audit.details, packageId: pkg.id } });
    const v = values ?? (await valuesOf(ctx, pkg.id));
    return {
      view: `${V}package-form.njk`,
      data: {
        pageTitle: `Change ${pkg.reference}`,
        pkg,
        isNew: false,
        action: paths.budgets.changePackage(pkg.id),
        ...(await packageFormData(ctx, v, errors)),
      },
    };
  };

  const packagePage = async (ctx: SignedInContext): Promise<RouteResult> => {
    const pkg = await packages.getPackage(ctx.db, ctx.params.id);
    const [{ split }, money_, history, invoices, direct, names] = await Promise.all([
      packages.currentTerms(ctx.db, pkg.id),
      packages.packageMoney(ctx.db, pkg.id),
      packages.packageHistory(ctx.db, pkg.id),
      actuals.listInvoices(ctx.db, pkg.agreement_id, { packageId: pkg.id }),
      actuals.directPaymentsOfPackage(ctx.db, pkg.id),
      partnerNames(ctx),
    ]);
    // The child is the subject, so their "who has looked" lists finance looking at their package.
    ctx.audit.subjectType = 'child';
    ctx.audit.subjectId = pkg.child_id;
    ctx.audit.details = { ...ctx.audit.details, packageId: pkg.id };
    const years = [...new Set(money_.map((m) => m.financialYear))].sort();
    const rows = years.flatMap((fy) => {
      const partnersOfYear = [...new Set(money_.filter((m) => m.financialYear === fy).map((m) => m.partnerId))];
      return partnersOfYear.map((pid) => {
        const sum = (account: string) =>
          money_.filter((m) => m.financialYear === fy && m.partnerId === pid && m.account === account).reduce((a, m) => a + m.pence, 0);
        return { year: yearLabel(fy), partner: pid ? names.name(pid) : 'Not yet split', committed: money(sum('commitments')), spent: money(sum('spend')) };
      });
    });
    return {
      view: `${V}package.njk`,
      data: {
        pageTitle: `Package ${pkg.reference}`,
        pkg: {
          ...pkg,
          child: packages.childReference(pkg.child_id),
          units: unitsText(pkg.units_x100, pkg.frequency, pkg.unit_cost_pence),
          costPerPeriod: `${money(costPerPeriodPence({ unitCostPence: pkg.unit_cost_pence, unitsX100: pkg.units_x100 }))} a ${pkg.frequency}`,
          started: longDate(pkg.starts_on),
          ended: pkg.ends_on ? longDate(pkg.ends_on) : 'No end date',
          review: reviewText(pkg, todayInLondon()) ?? 'No review date',
          reviewState: reviewState(pkg, todayInLondon()),
          reviewOn: longDate(pkg.review_on),
        },
        splitLines: splitLines(split, names.name),
        moneyRows: rows,
        history: history.map((h) => ({ ...h, when: h.changed_at })),
        invoices: invoices.map((i) => ({ ...i, amount: money(i.amount_pence), paid: money(Number(i.paid_pence)), received: longDate(i.received_on) })),
        directPayments: direct.map((d) => ({ ...d, amount: money(d.amount_pence), paid: longDate(d.paid_on) })),
        canManage: canManage(ctx),
        done: done(ctx),
      },
    };
  };

  // Invoices and payments --------------------------------------------------------------------------
  const invoiceFormPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
    const [provs, pkgs] = await Promise.all([providers(ctx), packages.listPackagesOfAgreement(ctx.db, pool.id)]);
    ctx.audit.subjectType = 'agreement';
    ctx.audit.subjectId = pool.id;
    discloses(
      ctx,
      pkgs.map((k) => k.child_id),
    );
    return {
      view: `${V}invoice-new.njk`,
      data: {
        pageTitle: 'Record an invoice',
        pool,
        values,
        errors,
        providerItems: fieldItems(provs, 'id', 'name', values.providerId, 'Choose the provider'),
        packageItems: packageItems(pkgs, values.packageId, 'No package yet: list it as unmatched'),
        serviceFromItems: dateItems(values, 'serviceFrom', errors),
        serviceToItems: dateItems(values, 'serviceTo', errors),
        receivedOnItems: dateItems(values, 'receivedOn', errors),
      },
    };
  };

  const invoicesPage = async (ctx: SignedInContext): Promise<RouteResult> => {
    const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
    const [list, unmatched] = await Promise.all([actuals.listInvoices(ctx.db, pool.id), actuals.unmatched(ctx.db, pool.id)]);
    ctx.audit.subjectType = 'agreement';
    ctx.audit.subjectId = pool.id;
    discloses(ctx, [...list.map((i) => i.package_child_id), ...unmatched.overCommitted.map((o) => o.childId)]);
    const present = (i: (typeof list)[number]) => ({
      ...i,
      amount: money(i.amount_pence),
      paid: money(Number(i.paid_pence)),
      received: longDate(i.received_on),
      period: `${longDate(i.service_from)} to ${longDate(i.service_to)}`,
    });
    return {
      view: `${V}invoices.njk`,
      data: {
        pageTitle: 'Invoices',
        pool,
        invoices: list.map(present),
        unmatchedInvoices: unmatched.invoices.map(present),
        overCommitted: unmatched.overCommitted.map((o) => ({
          ...o,
          year: yearLabel(o.financialYear),
          committedText: money(o.committed),
          spentText: money(o.spent),
          overText: money(o.over),
        })),
        canManage: canManage(ctx),
        done: done(ctx),
      },
    };
  };

  const importPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[], result?: actuals.ImportResult): Promise<RouteResult> => {
    const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
    return {
      view: `${V}invoice-import.njk`,
      data: {
        pageTitle: 'Import invoices from a CSV file',
        pool,
        values,
        errors,
        columns: actuals.IMPORT_COLUMNS,
        result: result && {
          ...result,
          rows: result.rows.map((r) => ({
            ...r,
            amount: money(r.invoice.amountPence),
            statusText: r.status === 'new' ? 'Will be recorded' : 'Already recorded: left alone',
          })),
          newCount: result.rows.filter((r) => r.status === 'new').length,
        },
      },
    };
  };

  const invoicePage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const inv = await actuals.getInvoice(ctx.db, ctx.params.id);
    const [payments, pkgs] = await Promise.all([actuals.paymentsOfInvoice(ctx.db, inv.id), packages.listPackagesOfAgreement(ctx.db, inv.agreement_id)]);
    ctx.audit.subjectType = 'invoice';
    ctx.audit.subjectId = inv.id;
    discloses(ctx, [inv.package_child_id, ...pkgs.map((k) => k.child_id)]);
    const owed = Number(inv.owed_pence);
    const state = actuals.invoiceState({ cancelled: inv.cancelled_at !== null, paidPence: Number(inv.paid_pence), owedPence: owed });
    const cancelledBy = inv.cancelled_by
      ? await ctx.db.selectFrom('users').select('display_name').where('id', '=', inv.cancelled_by).executeTakeFirst()
      : undefined;
    const cancelled = inv.cancelled_at
      ? `Cancelled on ${longDate(todayInLondon(new Date(inv.cancelled_at)))} by ${cancelledBy?.display_name ?? 'someone no longer known'} because ${inv.cancel_reason}`
      : null;
    return {
      view: `${V}invoice.njk`,
      data: {
        pageTitle: `Invoice ${inv.supplier_reference}`,
        inv: {
          ...inv,
          amount: money(inv.amount_pence),
          paid: money(Number(inv.paid_pence)),
          owed: state.owedText ?? money(owed),
          owedPence: owed,
          status: state.text,
          received: longDate(inv.received_on),
          period: `${longDate(inv.service_from)} to ${longDate(inv.service_to)}`,
        },
        payments: payments.map((p) => ({ ...p, amount: money(p.amount_pence), paid: longDate(p.paid_on) })),
        packageItems: packageItems(pkgs, values.packageId, 'Choose a package'),
        values: { token: randomUUID(), ...values },
        errors,
        paidOnItems: dateItems(values, 'paidOn', errors),
        canManage: canManage(ctx) && !inv.cancelled_at,
        // Cancelling needs nothing paid on it (actuals.cancelInvoice); the form says why otherwise.
        canCancel: canManage(ctx) && !inv.cancelled_at && Number(inv.paid_pence) === 0,
        cancelled,
        done: done(ctx),
      },
    };
  };

  const directPaymentPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const pkg = await packages.getPackage(ctx.db, ctx.params.id);
    Object.assign(ctx.audit, { subjectType: 'child', subjectId: pkg.child_id, details: { ...ctx.audit.details, packageId: pkg.id } });
    return {
      view: `${V}direct-payment.njk`,
      data: { pageTitle: 'Record a direct payment', pkg, values: { token: randomUUID(), ...values }, errors, paidOnItems: dateItems(values, 'paidOn', errors) },
    };
  };

  // Periods ----------------------------------------------------------------------------------------
  const periodsPage = async (ctx: SignedInContext, errors?: FieldError[]): Promise<RouteResult> => {
    const fy = Number(ctx.query.year) || financialYearOf(todayInLondon());
    const list = await agreements.listPeriods(ctx.db, fy);
    const today = todayInLondon();
    return {
      view: `${V}periods.njk`,
      data: {
        pageTitle: 'Accounting periods',
        yearText: yearLabel(fy),
        previousYear: `${paths.budgets.periods}?year=${fy - 1}`,
        nextYear: `${paths.budgets.periods}?year=${fy + 1}`,
        periods: list.map((p) => ({ ...p, value: `${fy}-${p.period}`, ended: p.endsOn < today, closedText: p.closedAt ? 'Closed' : 'Open' })),
        canManage: canManage(ctx),
        errors,
        done: done(ctx),
      },
    };
  };

  const me = (ctx: SignedInContext) => ({ id: ctx.user.id });
  const partnerIds = async (ctx: SignedInContext) => (await agreements.listPartners(ctx.db)).map((p) => p.id);
  const payment = (form: ReturnType<typeof parsePaymentForm>) => ({
    id: form.token,
    amountPence: form.amountPence,
    paidOn: form.paidOn,
    reference: form.reference,
  });
  /** The finance office's forms: all need 'budgets:manage'. */
  const manageForm = <F>(spec: Omit<FormRoutes<F, SignedInContext>, 'rateLimit'>) => formRoutes<F>({ ...spec, access: MANAGE });
  /** A form on the invoice's page (paying, matching): sent to its own address, the invoice's page shown again when refused. */
  const invoiceAction = (
    url: string,
    audit: string,
    act: (ctx: SignedInContext, inv: Awaited<ReturnType<typeof actuals.getInvoice>>) => Promise<RouteResult>,
  ): SignedInRouteSpec => ({
    method: 'POST',
    url,
    access: MANAGE,
    audit,
    handler: async (ctx) => act(ctx, await actuals.getInvoice(ctx.db, ctx.params.id)),
    onInvalid: (ctx, errors) => invoicePage(ctx, ctx.body, errors),
  });

  return [
    ...correctionRoutes(deps),
    { method: 'GET', url: paths.budgets.home, access: VIEW, audit: 'budgets.view', handler: home },
    ...manageForm({
      url: paths.budgets.newPartner,
      audit: { show: 'budgets.partner.new', send: 'budgets.partner.create' },
      page: partnerPage,
      read: partnerForm,
      send: async (ctx, form) => {
        const p = await agreements.createPartner(ctx.db, form);
        Object.assign(ctx.audit, { subjectType: 'budget-partner', subjectId: p.id, details: form });
        return { redirect: `${paths.budgets.home}?done=partner-added` };
      },
    }),
    ...manageForm({
      url: paths.budgets.newPool,
      audit: { show: 'budgets.pool.new', send: 'budgets.pool.create' },
      page: poolFormPage,
      read: (ctx) => parsePoolForm(ctx.body),
      send: async (ctx, form) => {
        const a = await agreements.createAgreement(ctx.db, form, me(ctx));
        Object.assign(ctx.audit, {
          subjectType: 'agreement',
          subjectId: a.id,
          details: { code: form.code, arrangement: form.arrangement, legalBasis: form.legalBasis },
        });
        return { redirect: `${paths.budgets.pool(a.id)}?done=pool-added` };
      },
    }),
    { method: 'GET', url: paths.budgets.pool(), access: VIEW, audit: 'budgets.pool.view', auditReads: true, handler: poolPage },
    ...manageForm({
      url: paths.budgets.addYear(),
      audit: { show: 'budgets.year.new', send: 'budgets.year.create' },
      page: yearPage,
      read: async (ctx) => parseYearForm(ctx.body, await partnerIds(ctx)),
      send: async (ctx, form) => {
        await agreements.addAgreementYear(ctx.db, ctx.param('id'), form.financialYear, form.shares);
        Object.assign(ctx.audit, { subjectType: 'agreement', subjectId: ctx.params.id, details: { financialYear: form.financialYear, shares: form.shares } });
        return { redirect: `${paths.budgets.pool(ctx.params.id)}?done=year-added` };
      },
    }),
    ...manageForm({
      url: paths.budgets.addContribution(),
      audit: { show: 'budgets.contribution.new', send: 'budgets.contribution.create' },
      page: contributionPage,
      read: (ctx) => parseContributionForm(ctx.body),
      send: async (ctx, form) => {
        const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
        const posted = await asFormError('#postedOn-day', () =>
          agreements.recordContribution(ctx.db, { agreementId: pool.id, ...form, eventId: form.token }, me(ctx)),
        );
        Object.assign(ctx.audit, {
          subjectType: 'agreement',
          subjectId: pool.id,
          details: { transactionId: posted.transactionId, amountPence: form.amountPence, partnerId: form.partnerId },
        });
        return { redirect: `${paths.budgets.pool(pool.id)}?done=contribution-added` };
      },
    }),
    {
      method: 'GET',
      url: paths.budgets.entries(),
      access: VIEW,
      audit: 'budgets.entries.view',
      auditReads: true,
      handler: async (ctx) => {
        const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
        const page = Math.max(1, Math.floor(Number(ctx.query.page)) || 1);
        const rows = await poolEntries(ctx.db, pool.id, { limit: 101, offset: (page - 1) * 100 });
        ctx.audit.subjectType = 'agreement';
        ctx.audit.subjectId = pool.id;
        return {
          view: `${V}entries.njk`,
          data: {
            pageTitle: `Ledger entries: ${pool.name}`,
            pool,
            entries: rows.slice(0, 100).map((e) => ({
              ...e,
              accountName: ACCOUNT_NAMES[e.account] ?? e.account,
              kindName: KIND_NAMES[e.kind] ?? e.kind,
              debit: e.amount_pence > 0 ? money(e.amount_pence) : '',
              credit: e.amount_pence < 0 ? money(-e.amount_pence) : '',
              year: yearLabel(e.financial_year),
              posted: longDate(e.posted_on),
            })),
            nextPage: rows.length > 100 ? `${paths.budgets.entries(pool.id)}?page=${page + 1}` : null,
            previousPage: page > 1 ? `${paths.budgets.entries(pool.id)}?page=${page - 1}` : null,
          },
        };
      },
    },
    ...manageForm({
      url: paths.budgets.newPackage(),
      audit: { show: 'budgets.package.new', send: 'budgets.package.create' },
      page: newPackagePage,
      read: async (ctx) => parsePackageForm(ctx.body, await partnerIds(ctx), { needsChild: true }),
      send: async (ctx, form) => {
        const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
        const childId = await packages.childIdFromReference(ctx.db, form.childReference);
        if (!childId)
          throw new ValidationError([
            {
              text: 'No child on the register has this reference. Check it with their key worker: it is on the child’s "Packages and spend" page',
              href: '#childReference',
            },
          ]);
        const made = await asFormError('#startsOn-day', () => packages.createPackage(ctx.db, { ...form, agreementId: pool.id, childId }, me(ctx)));
        // Ids only: the audit log is read by people who may not see the child.
        Object.assign(ctx.audit, {
          subjectType: 'package',
          subjectId: made.id,
          details: { agreementId: pool.id, reference: made.reference, transactionId: made.posted?.transactionId ?? null },
        });
        return { redirect: `${paths.budgets.package(made.id)}?done=package-added` };
      },
    }),
    { method: 'GET', url: paths.budgets.package(), access: VIEW, audit: 'budgets.package.view', auditReads: true, handler: packagePage },
    ...manageForm({
      url: paths.budgets.changePackage(),
      audit: { show: 'budgets.package.change-form', send: 'budgets.package.change' },
      auditReads: true,
      page: changePackagePage,
      read: async (ctx) => parsePackageForm(ctx.body, await partnerIds(ctx), { needsChild: false }),
      send: async (ctx, form) => {
        const pkg = await packages.getPackage(ctx.db, ctx.params.id);
        const version = Number(ctx.body.version);
        const posted = await asFormError('#startsOn-day', () => packages.changePackage(ctx.db, pkg.id, version, form, me(ctx)));
        Object.assign(ctx.audit, {
          subjectType: 'package',
          subjectId: pkg.id,
          details: { version: version + 1, transactionId: posted?.transactionId ?? null },
        });
        return { redirect: `${paths.budgets.package(pkg.id)}?done=package-changed` };
      },
    }),
    ...manageForm({
      url: paths.budgets.directPayment(),
      audit: { show: 'budgets.direct-payment.new', send: 'budgets.direct-payment.create' },
      auditReads: true,
      page: directPaymentPage,
      read: (ctx) => parsePaymentForm(ctx.body),
      send: async (ctx, form) => {
        const pkg = await packages.getPackage(ctx.db, ctx.params.id);
        const r = await asFormError('#paidOn-day', () => actuals.recordDirectPayment(ctx.db, pkg.id, payment(form), me(ctx)));
        Object.assign(ctx.audit, { subjectType: 'package', subjectId: pkg.id, details: { paymentId: r.paymentId, amountPence: form.amountPence } });
        return { redirect: `${paths.budgets.package(pkg.id)}?done=payment-added` };
      },
    }),
    { method: 'GET', url: paths.budgets.invoices(), access: VIEW, audit: 'budgets.invoices.view', auditReads: true, handler: invoicesPage },
    ...manageForm({
      url: paths.budgets.newInvoice(),
      audit: { show: 'budgets.invoice.new', send: 'budgets.invoice.create' },
      auditReads: true,
      page: invoiceFormPage,
      read: (ctx) => parseInvoiceForm(ctx.body),
      send: async (ctx, form) => {
        const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
        const r = await asFormError('#receivedOn-day', () => actuals.recordInvoice(ctx.db, { agreementId: pool.id, ...form }, me(ctx)));
        Object.assign(ctx.audit, {
          subjectType: 'invoice',
          subjectId: r.invoiceId,
          details: { agreementId: pool.id, amountPence: form.amountPence, packageId: form.packageId },
        });
        return { redirect: `${paths.budgets.invoice(r.invoiceId)}?done=invoice-added` };
      },
    }),
    ...manageForm({
      url: paths.budgets.importInvoices(),
      audit: { show: 'budgets.invoices.import-form', send: 'budgets.invoices.import' },
      page: importPage,
      read: importForm,
      send: async (ctx, form) => {
        const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
        const result = await actuals.importInvoices(ctx.db, pool.id, form.csv, me(ctx), { dryRun: form.action === 'check' });
        if (result.problems.length) throw new actuals.ImportFailed(result.problems);
        Object.assign(ctx.audit, {
          subjectType: 'agreement',
          subjectId: pool.id,
          details: { checked: form.action === 'check', rows: result.rows.length, recorded: result.recorded },
        });
        if (form.action === 'check') return importPage(ctx, { csv: form.csv }, undefined, result);
        return { redirect: `${paths.budgets.invoices(pool.id)}?done=invoice-added&recorded=${result.recorded}` };
      },
    }),
    { method: 'GET', url: paths.budgets.invoice(), access: VIEW, audit: 'budgets.invoice.view', auditReads: true, handler: (ctx) => invoicePage(ctx) },
    invoiceAction(paths.budgets.payInvoice(), 'budgets.invoice.pay', async (ctx, inv) => {
      const form = parsePaymentForm(ctx.body);
      const r = await asFormError('#paidOn-day', () => actuals.payInvoice(ctx.db, inv.id, payment(form), me(ctx)));
      Object.assign(ctx.audit, { subjectType: 'invoice', subjectId: inv.id, details: { paymentId: r.paymentId, amountPence: form.amountPence } });
      return { redirect: `${paths.budgets.invoice(inv.id)}?done=payment-added` };
    }),
    invoiceAction(paths.budgets.matchInvoice(), 'budgets.invoice.match', async (ctx, inv) => {
      const form = parseForm(matchForm, ctx.body);
      await asFormError('#packageId', () => actuals.matchInvoice(ctx.db, inv.id, form.packageId, me(ctx)));
      Object.assign(ctx.audit, { subjectType: 'invoice', subjectId: inv.id, details: { packageId: form.packageId } });
      return { redirect: `${paths.budgets.invoice(inv.id)}?done=invoice-matched` };
    }),
    { method: 'GET', url: paths.budgets.periods, access: VIEW, audit: 'budgets.periods.view', handler: (ctx) => periodsPage(ctx) },
    {
      method: 'POST',
      url: paths.budgets.closePeriod,
      access: MANAGE,
      audit: 'budgets.period.close',
      handler: async (ctx) => {
        const form = parseForm(closePeriodForm, ctx.body).period;
        await agreements.closePeriod(ctx.db, form.financialYear, form.period, me(ctx));
        Object.assign(ctx.audit, {
          subjectType: 'period',
          subjectId: `${form.financialYear}-${form.period}`,
          details: { name: periodName(form.financialYear, form.period) },
        });
        return { redirect: `${paths.budgets.periods}?year=${form.financialYear}&done=period-closed` };
      },
      onInvalid: (ctx, errors) => periodsPage(ctx, errors),
    },
    // The money on the child's record: part of the record, so the sharing rule decides.
    {
      method: 'GET',
      url: paths.children.packages(),
      access: 'children:view',
      audit: 'child.packages.view',
      auditReads: true,
      handler: async (ctx) => {
        await requireChild(ctx, ctx.params.id, 'core');
        const child = await childSummary(ctx.db, ctx.param('id'));
        const [list, names] = await Promise.all([packages.packagesOfChild(ctx.db, child.id), partnerNames(ctx)]);
        return {
          view: `${V}child-packages.njk`,
          data: {
            pageTitle: 'Packages and spend',
            child: navChild(child),
            childName: childName(child),
            current: 'packages',
            reference: packages.childReference(child.id),
            packages: list.map((k) => ({
              ...k,
              units: unitsText(k.units_x100, k.frequency, k.unit_cost_pence),
              dates: k.ends_on ? `${longDate(k.starts_on)} to ${longDate(k.ends_on)}` : `From ${longDate(k.starts_on)}`,
              review: reviewText(k, todayInLondon()),
              splitLines: splitLines(k.split, names.name),
              committed: money(k.committedPence),
              spent: money(k.spentPence),
              paid: money(k.paidPence),
            })),
            totals: {
              committed: money(list.reduce((a, k) => a + k.committedPence, 0)),
              spent: money(list.reduce((a, k) => a + k.spentPence, 0)),
            },
          },
        };
      },
    },
  ];
}
