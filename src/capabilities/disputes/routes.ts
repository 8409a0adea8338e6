// Disputes about a partner's share of a panel decision, and the area's escalation ladder. The
// partnership board (panel-reports:view) sees every dispute and its age; a paying partner raises;
// panel members and the partnership administrator escalate and resolve. Pages name the referral
// by its reference only: no child's details appear here.
import type { RouteContext, RouteResult, RouteSpec } from '../../platform/http/route.js';
import type { FieldError } from '../../platform/http/errors.js';
import { parseForm } from '../../platform/http/forms.js';
import { todayInLondon } from '../../platform/dates.js';
import { paths } from '../../paths.js';
import type { CapabilityDeps } from '../deps.js';
import { currentTerms } from '../budgets/packages.js';
import { formatShare } from '../budgets/split.js';
import { MAX_LADDER_STEPS } from './rules.js';
import { escalateForm, parseLadderForm, parseResolveForm, raiseForm, withdrawForm } from './schema.js';
import {
  disputableDecision,
  escalateDispute,
  escalateOverdue,
  getDispute,
  getLadder,
  ladderFingerprint,
  listDisputes,
  raiseDispute,
  raiserFor,
  replaceLadder,
  resolveDispute,
  withdrawDispute,
} from './service.js';

export const ESCALATE_JOB = 'disputes.escalate-overdue';
const V = (name: string) => `disputes/views/${name}.njk`;

const DONE: Record<string, string> = {
  ladder: 'Escalation ladder saved',
  raised: 'Dispute raised. The other paying partners and the panel’s administrator have been told',
  escalated: 'Dispute escalated to the next step',
  resolved: 'Dispute resolved. The agreed split has been posted to the budgets',
  withdrawn: 'Dispute withdrawn. The split as decided stands',
};
const doneMessage = (ctx: RouteContext) => (ctx.query.done ? DONE[ctx.query.done] : undefined);

const actor = (ctx: RouteContext) => ({ id: ctx.user!.id, organisationId: ctx.user!.organisationId });

export function disputesRoutes(deps: CapabilityDeps): RouteSpec[] {
  deps.jobs.register(ESCALATE_JOB, async (payload, job) => {
    const at = (payload as { scheduledFor?: string } | null)?.scheduledFor;
    return escalateOverdue(job.db, at && /^\d{4}-\d{2}-\d{2}$/.test(at) ? at : todayInLondon());
  });
  deps.jobs.daily(ESCALATE_JOB, '06:45');

  const ladderPage = async (ctx: RouteContext, errors?: FieldError[], values?: Record<string, unknown>): Promise<RouteResult> => {
    const ladder = await getLadder(ctx.db);
    const rowCount = Math.min(MAX_LADDER_STEPS, Math.max(ladder.length + 2, 3));
    const rows = Array.from({ length: rowCount }, (_, i) => {
      const n = i + 1;
      const v = values ? { name: values[`step${n}Name`], days: values[`step${n}Days`] } : { name: ladder[i]?.name ?? '', days: ladder[i] ? String(ladder[i].days) : '' };
      return { n, name: v.name ?? '', days: v.days ?? '' };
    });
    return {
      view: V('ladder'),
      data: { pageTitle: 'Escalation ladder for disputes', ladder, rows, previous: values?.previous ?? ladderFingerprint(ladder), errors, done: doneMessage(ctx) },
    };
  };

  const raisePage = async (ctx: RouteContext, errors?: FieldError[], values: Record<string, unknown> = {}): Promise<RouteResult> => {
    const { decision, partners, packageId } = await disputableDecision(ctx.db, ctx.params.decisionId);
    const who = await raiserFor(ctx.db, decision.id, actor(ctx));
    const current = packageId ? (await currentTerms(ctx.db, packageId)).split : [];
    const ladder = await getLadder(ctx.db);
    return {
      view: V('raise'),
      status: 'refusal' in who ? 403 : undefined,
      data: {
        pageTitle: 'Dispute your share of a decision',
        decision,
        segments: current.map((s) => ({ from: s.from, to: s.to, shares: s.shares.map((x) => `${partners.find((p) => p.id === x.partnerId)?.name ?? 'Another partner'} ${formatShare(x.bp)}`).join(', ') })),
        partner: 'partner' in who ? who.partner : null,
        refusal: 'refusal' in who ? who.refusal : null,
        ladder,
        values: { interimChoice: 'as-decided', ...values },
        errors,
      },
    };
  };

  const disputePage = async (ctx: RouteContext, errors?: FieldError[], values: Record<string, unknown> = {}, form?: string): Promise<RouteResult> => {
    const today = todayInLondon();
    const dispute = await getDispute(ctx.db, ctx.params.id, today);
    const partners = await ctx.db.selectFrom('budget_partners').select(['id', 'short_name']).where('active', '=', true).orderBy('short_name').execute();
    let current: { partnerId: string; bp: number }[] = [];
    let startsOn = '';
    if (dispute.package_id) {
      const t = await currentTerms(ctx.db, dispute.package_id);
      current = t.split[t.split.length - 1]?.shares ?? [];
      startsOn = t.pkg.starts_on;
    }
    const [y, m, d] = startsOn.split('-');
    const perms = ctx.user!.permissions;
    return {
      view: V('dispute'),
      data: {
        pageTitle: `Dispute about referral ${dispute.referral_reference}`,
        dispute,
        today,
        partners: partners.map((p) => ({
          id: p.id,
          name: p.short_name,
          value: values[`share-${p.id}`] ?? (current.find((c) => c.partnerId === p.id) ? String(current.find((c) => c.partnerId === p.id)!.bp / 100) : ''),
        })),
        currentShares: current.map((c) => `${partners.find((p) => p.id === c.partnerId)?.short_name ?? 'Another partner'} ${formatShare(c.bp)}`).join(', '),
        canResolve: perms.has('disputes:resolve') && dispute.status === 'open',
        canWithdraw: perms.has('disputes:raise') && dispute.status === 'open' && dispute.raised_by === ctx.user!.id,
        values: { 'from-day': d ? String(Number(d)) : '', 'from-month': m ? String(Number(m)) : '', 'from-year': y ?? '', ...values },
        form,
        errors,
        done: doneMessage(ctx),
      },
    };
  };

  return [
    { method: 'GET', url: paths.disputes.ladder, access: 'panels:configure', audit: 'disputes.ladder.view', handler: (ctx) => ladderPage(ctx) },
    {
      method: 'POST',
      url: paths.disputes.ladder,
      access: 'panels:configure',
      audit: 'disputes.ladder.replace',
      handler: async (ctx) => {
        const form = parseLadderForm(ctx.body);
        await replaceLadder(ctx.db, form.steps, form.previous);
        Object.assign(ctx.audit, { subjectType: 'escalation-ladder', details: { steps: form.steps } });
        return { redirect: `${paths.disputes.ladder}?done=ladder` };
      },
      onInvalid: (ctx, errors) => ladderPage(ctx, errors, ctx.body),
    },
    {
      method: 'GET',
      url: paths.disputes.list,
      access: 'panel-reports:view',
      audit: 'disputes.list',
      handler: async (ctx) => {
        const today = todayInLondon();
        const { open, closed } = await listDisputes(ctx.db, today);
        return { view: V('list'), data: { pageTitle: 'Disputes about shares', open, closed, overdue: open.filter((d) => d.overdue).length, canConfigure: ctx.user!.permissions.has('panels:configure') } };
      },
    },
    { method: 'GET', url: paths.disputes.raise(), access: 'disputes:raise', audit: 'disputes.raise.form', handler: (ctx) => raisePage(ctx) },
    {
      method: 'POST',
      url: paths.disputes.raise(),
      access: 'disputes:raise',
      audit: 'disputes.raise',
      handler: async (ctx) => {
        const form = parseForm(raiseForm, ctx.body);
        const { id } = await raiseDispute(ctx.db, deps.notifier, { decisionId: ctx.params.decisionId!, reason: form.reason, interim: form.interim, today: todayInLondon() }, actor(ctx), deps.config.baseUrl);
        Object.assign(ctx.audit, { subjectType: 'dispute', subjectId: id, details: { decisionId: ctx.params.decisionId } });
        return { redirect: `${paths.disputes.dispute(id)}?done=raised` };
      },
      onInvalid: (ctx, errors) => raisePage(ctx, errors, ctx.body),
    },
    { method: 'GET', url: paths.disputes.dispute(), access: 'panel-reports:view', audit: 'disputes.view', handler: (ctx) => disputePage(ctx) },
    {
      method: 'POST',
      url: paths.disputes.escalate(),
      access: 'disputes:resolve',
      audit: 'disputes.escalate',
      handler: async (ctx) => {
        const form = parseForm(escalateForm, ctx.body);
        const r = await escalateDispute(ctx.db, ctx.params.id!, form.version, form.note, actor(ctx), todayInLondon());
        Object.assign(ctx.audit, { subjectType: 'dispute', subjectId: ctx.params.id, details: { step: r.step } });
        return { redirect: `${paths.disputes.dispute(ctx.params.id)}?done=escalated` };
      },
      onInvalid: (ctx, errors) => disputePage(ctx, errors, ctx.body, 'escalate'),
    },
    {
      method: 'POST',
      url: paths.disputes.resolve(),
      access: 'disputes:resolve',
      audit: 'disputes.resolve',
      handler: async (ctx) => {
        const partners = await ctx.db.selectFrom('budget_partners').select('id').where('active', '=', true).execute();
        const form = parseResolveForm(ctx.body, partners.map((p) => p.id));
        const r = await resolveDispute(ctx.db, ctx.params.id!, form.version, form, actor(ctx), todayInLondon());
        Object.assign(ctx.audit, {
          subjectType: 'dispute',
          subjectId: ctx.params.id,
          details: { from: form.from, shares: form.shares, commitmentTransaction: r.commitment?.transactionId ?? null, spendTransaction: r.spend?.transactionId ?? null },
        });
        return { redirect: `${paths.disputes.dispute(ctx.params.id)}?done=resolved` };
      },
      onInvalid: (ctx, errors) => disputePage(ctx, errors.map((e) => (e.href === '#note' ? { ...e, href: '#resolveNote' } : e)), ctx.body, 'resolve'),
    },
    {
      method: 'POST',
      url: paths.disputes.withdraw(),
      access: 'disputes:raise',
      audit: 'disputes.withdraw',
      handler: async (ctx) => {
        const form = parseForm(withdrawForm, ctx.body);
        await withdrawDispute(ctx.db, ctx.params.id!, form.version, form.note, actor(ctx), todayInLondon());
        Object.assign(ctx.audit, { subjectType: 'dispute', subjectId: ctx.params.id, details: {} });
        return { redirect: `${paths.disputes.dispute(ctx.params.id)}?done=withdrawn` };
      },
      onInvalid: (ctx, errors) => disputePage(ctx, errors, ctx.body, 'withdraw'),
    },
  ];
}

