// Pages to correct the ledger and move budget: reverse a transaction (from its page in the
// reports' trail), and transfer budget or carry an underspend forward within a pool. Both need
// 'budgets:manage' and, as every row-level finance page, 'budgets:entries'. Also registers the
// daily new-year rollover of package commitments.
import { randomUUID } from 'node:crypto';
import type { RouteContext, RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { formRoutes, type FormRoutes } from '../../../platform/http/form-routes.js';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { isIsoDate, todayInLondon } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import * as agreements from './agreements.js';
import { cancelInvoice, getInvoice } from './actuals.js';
import { asFormError } from './errors.js';
import { ROLLOVER_JOB, postMovement, reversalRefusal, reverseTransaction, rollover } from './corrections.js';
import { parseCancelInvoiceForm, parseMovementForm, parseReversalForm } from './schema.js';
import { categoryItems, dateItems, KIND_NAMES, money, partnerItems, yearItems } from './presenters.js';
import { serviceCategories } from './package-form.js';
import { longDate } from '../../../platform/dates.js';

const V = 'money/budgets/views/';
const MANAGE = 'budgets:manage' as const;
type Values = Record<string, unknown>;

/** The routes need 'budgets:manage'; the row-level pages need 'budgets:entries' as well. */
const requireEntries = (ctx: RouteContext) => {
  if (!ctx.user?.permissions.has('budgets:entries')) throw new ForbiddenError();
};
const transactionId = (ctx: RouteContext) => {
  const raw = ctx.params.transactionId ?? '';
  if (!/^[0-9]{1,15}$/.test(raw)) throw new NotFoundError('transaction');
  return Number(raw);
};
/**
 * A correction's form: 'budgets:manage' to open it and send it, and 'budgets:entries' as well
 * (refused with 403 before what was sent is read).
 */
const correctionForm = <F>(parse: (body: Values) => F, spec: Omit<FormRoutes<F, SignedInContext>, 'read' | 'rateLimit'>) =>
  formRoutes<F>({
    ...spec,
    access: MANAGE,
    read: (ctx) => {
      requireEntries(ctx);
      return parse(ctx.body);
    },
  });

export function correctionRoutes(deps: CapabilityDeps): RouteSpec[] {
  // Daily, so the first run after 1 April posts each continuing package's new year; on any other
  // day it finds nothing to post (postCommitment posts only differences).
  deps.jobs.register(ROLLOVER_JOB, async (payload, job) => {
    const at = (payload as { scheduledFor?: string } | null)?.scheduledFor;
    return { posted: await rollover(job.db, at && isIsoDate(at) ? at : undefined) };
  });
  deps.jobs.daily(ROLLOVER_JOB, '02:15');

  const reversalPage = async (ctx: RouteContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    requireEntries(ctx);
    const id = transactionId(ctx);
    const t = await ctx.db.selectFrom('ledger_transactions').select(['id', 'kind', 'reason', 'posted_on']).where('id', '=', id).executeTakeFirst();
    if (!t) throw new NotFoundError('transaction');
    const lines = await ctx.db.selectFrom('ledger_entries').select('amount_pence').where('transaction_id', '=', id).execute();
    ctx.audit.subjectType = 'ledger-transaction';
    ctx.audit.subjectId = String(id);
    return {
      view: `${V}reverse.njk`,
      data: {
        pageTitle: `Reverse transaction ${id}`,
        t: {
          ...t,
          kindName: KIND_NAMES[t.kind] ?? t.kind,
          posted: longDate(t.posted_on),
          amount: money(lines.filter((l) => l.amount_pence > 0).reduce((a, l) => a + l.amount_pence, 0)),
        },
        refusal: errors ? null : await reversalRefusal(ctx.db, id),
        transactionHref: paths.budgetReports.transaction(id),
        values: { token: randomUUID(), ...values },
        errors,
        postedOnItems: dateItems(values, 'postedOn', errors, todayInLondon()),
      },
    };
  };

  const cancelInvoicePage = async (ctx: RouteContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    requireEntries(ctx);
    const inv = await getInvoice(ctx.db, ctx.params.id);
    Object.assign(ctx.audit, { subjectType: 'invoice', subjectId: inv.id, children: inv.package_child_id ? [inv.package_child_id] : ctx.audit.children });
    const refusal = errors
      ? null
      : inv.cancelled_at
        ? `Invoice ${inv.supplier_reference} has already been cancelled: it cannot be cancelled twice`
        : Number(inv.paid_pence) > 0
          ? 'Payments have been recorded against this invoice: it cannot be cancelled'
          : null;
    return {
      view: `${V}invoice-cancel.njk`,
      data: {
        pageTitle: `Cancel invoice ${inv.supplier_reference}`,
        inv: { ...inv, amount: money(inv.amount_pence), received: longDate(inv.received_on) },
        refusal,
        values: { token: randomUUID(), ...values },
        errors,
        postedOnItems: dateItems(values, 'postedOn', errors, todayInLondon()),
      },
    };
  };

  const movementPage = async (ctx: RouteContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    requireEntries(ctx);
    const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
    const [years, partners, cats] = await Promise.all([agreements.agreementYears(ctx.db, pool.id), agreements.listPartners(ctx.db), serviceCategories(ctx.db)]);
    ctx.audit.subjectType = 'agreement';
    ctx.audit.subjectId = pool.id;
    return {
      view: `${V}move-budget.njk`,
      data: {
        pageTitle: 'Transfer budget or carry it forward',
        pool,
        values: { token: randomUUID(), ...values },
        errors,
        kindItems: [
          {
            value: 'transfer',
            text: 'A transfer within the financial year',
            hint: { text: 'Between partners or kinds of service' },
            checked: values.kind === 'transfer',
          },
          {
            value: 'carry-forward',
            text: 'A year-end adjustment: carry money forward to the next financial year',
            hint: { text: 'Only what is neither committed nor spent can be carried forward' },
            checked: values.kind === 'carry-forward',
          },
        ],
        yearItems: yearItems(years, values.financialYear),
        fromPartnerItems: partnerItems(partners, values.fromPartnerId),
        toPartnerItems: partnerItems(partners, values.toPartnerId),
        fromCategoryItems: categoryItems(cats, values.fromCategory),
        toCategoryItems: categoryItems(cats, values.toCategory),
        postedOnItems: dateItems(values, 'postedOn', errors, todayInLondon()),
      },
    };
  };

  return [
    ...correctionForm(parseReversalForm, {
      url: paths.budgets.reverseTransaction(),
      audit: { show: 'budgets.transaction.reverse-form', send: 'budgets.transaction.reverse' },
      page: reversalPage,
      send: async (ctx, form) => {
        const id = transactionId(ctx);
        const r = await asFormError('#postedOn-day', () => reverseTransaction(ctx.db, { transactionId: id, ...form }, { id: ctx.user.id }));
        Object.assign(ctx.audit, { subjectType: 'ledger-transaction', subjectId: String(id), details: { reversedBy: r.transactionId, repeated: !r.created } });
        return { redirect: `${paths.budgetReports.transaction(r.transactionId)}` };
      },
    }),
    ...correctionForm(parseCancelInvoiceForm, {
      url: paths.budgets.cancelInvoice(),
      audit: { show: 'budgets.invoice.cancel-form', send: 'budgets.invoice.cancel' },
      page: cancelInvoicePage,
      send: async (ctx, form) => {
        const inv = await getInvoice(ctx.db, ctx.params.id);
        const r = await asFormError('#postedOn-day', () => cancelInvoice(ctx.db, inv.id, form, { id: ctx.user.id }));
        Object.assign(ctx.audit, { subjectType: 'invoice', subjectId: inv.id, details: { reversals: r.transactionIds, repeated: !r.created } });
        return { redirect: `${paths.budgets.invoice(inv.id)}?done=invoice-cancelled` };
      },
    }),
    ...correctionForm(parseMovementForm, {
      url: paths.budgets.moveBudget(),
      audit: { show: 'budgets.transfer.new', send: 'budgets.transfer.create' },
      page: movementPage,
      send: async (ctx, form) => {
        const pool = await agreements.getAgreement(ctx.db, ctx.params.id);
        const codes = new Set((await ctx.db.selectFrom('service_categories').select('code').execute()).map((c) => c.code));
        const bad: FieldError[] = [];
        if (!codes.has(form.fromCategory)) bad.push({ text: 'Select the kind of service the budget moves from', href: '#fromCategory' });
        if (!codes.has(form.toCategory)) bad.push({ text: 'Select the kind of service the budget moves to', href: '#toCategory' });
        if (bad.length) throw new ValidationError(bad);
        const r = await asFormError('#postedOn-day', () => postMovement(ctx.db, { agreementId: pool.id, ...form }, { id: ctx.user.id }));
        Object.assign(ctx.audit, {
          subjectType: 'agreement',
          subjectId: pool.id,
          details: { transactionId: r.transactionId, kind: form.kind, amountPence: form.amountPence, repeated: !r.created },
        });
        return { redirect: paths.budgetReports.transaction(r.transactionId) };
      },
    }),
  ];
}
