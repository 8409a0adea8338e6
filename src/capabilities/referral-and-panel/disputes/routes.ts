// Disputes about a partner's share of a panel decision, and the area's escalation ladder. The
// partnership board (panel-reports:view) sees every dispute and its age; a paying partner raises;
// panel members and the partnership administrator escalate and resolve. Pages name the referral
// by its reference only: no child's details appear here.
import type { RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { ForbiddenError, type FieldError } from '../../../platform/http/errors.js';
import { parseForm } from '../../../platform/http/forms.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { todayInLondon } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { currentTerms, formatShare } from '../../money/budgets/index.js';
import { seesAggregatesOnly } from '../panel-reports/service.js';
import { MAX_LADDER_STEPS } from './rules.js';
import { escalateForm, parseLadderForm, parseResolveForm, raiseForm, withdrawForm } from './schema.js';
import {
  administersAPanel,
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
  requireResolver,
  resolverRefusal,
  resolveDispute,
  withdrawDispute,
} from './service.js';

export const ESCALATE_JOB = 'disputes.escalate-overdue';
const V = (name: string) => `referral-and-panel/disputes/views/${name}.njk`;

const DONE: Record<string, string> = {
  ladder: 'Escalation ladder saved',
  raised: 'Dispute raised. The other paying partners and the panel’s administrator have been told',
  escalated: 'Dispute escalated to the next step. The paying partners’ panel members and the panel’s administrator have been told',
  resolved:
    'Dispute resolved. The agreed split has been posted to the budgets. The paying partners’ panel members and the panel’s administrator have been told',
  withdrawn: 'Dispute withdrawn. The split as decided stands. The paying partners’ panel members and the panel’s administrator have been told',
};
/** The forms on a dispute's page, and the message each shows once done. */
type DisputeForm = 'escalate' | 'resolve' | 'withdraw';
const DONE_OF: Record<DisputeForm, string> = { escalate: 'escalated', resolve: 'resolved', withdraw: 'withdrawn' };
const doneMessage = (ctx: SignedInContext) => (ctx.query.done ? DONE[ctx.query.done] : undefined);

const actor = (ctx: SignedInContext) => ({ id: ctx.user.id, organisationId: ctx.user.organisationId });
const resolver = (ctx: SignedInContext) => ({ ...actor(ctx), permissions: ctx.user.permissions });

/** The partners paying a share under the package's current split: the only ones a resolution may share the cost between. */
async function payingPartners(ctx: SignedInContext, packageId: string | null) {
  if (!packageId) return [];
  const { split } = await currentTerms(ctx.db, packageId);
  const ids = [...new Set(split.flatMap((s) => s.shares.map((x) => x.partnerId)))];
  if (ids.length === 0) return [];
  return (await ctx.db.selectFrom('budget_partners').select(['id', 'short_name']).where('id', 'in', ids).orderBy('short_name').execute()).map((p) => ({
    id: p.id,
    name: p.short_name,
  }));
}

export function disputesRoutes(deps: CapabilityDeps): RouteSpec[] {
  const tell = { notifier: deps.notifier, baseUrl: deps.config.baseUrl };
  deps.jobs.register(ESCALATE_JOB, async (payload, job) => {
    const at = (payload as { scheduledFor?: string } | null)?.scheduledFor;
    return escalateOverdue(job.db, at && /^\d{4}-\d{2}-\d{2}$/.test(at) ? at : todayInLondon(), tell);
  });
  deps.jobs.daily(ESCALATE_JOB, '06:45');

  const ladderPage = async (ctx: SignedInContext, values?: Record<string, unknown>, errors?: FieldError[]): Promise<RouteResult> => {
    const ladder = await getLadder(ctx.db);
    const rowCount = Math.min(MAX_LADDER_STEPS, Math.max(ladder.length + 2, 3));
    const rows = Array.from({ length: rowCount }, (_, i) => {
      const n = i + 1;
      const v = values
        ? { name: values[`step${n}Name`], days: values[`step${n}Days`] }
        : { name: ladder[i]?.name ?? '', days: ladder[i] ? String(ladder[i].days) : '' };
      return { n, name: v.name ?? '', days: v.days ?? '' };
    });
    return {
      view: V('ladder'),
      data: {
        pageTitle: 'Escalation ladder for disputes',
        ladder,
        rows,
        previous: values?.previous ?? ladderFingerprint(ladder),
        errors,
        done: doneMessage(ctx),
      },
    };
  };

  const raisePage = async (ctx: SignedInContext, values: Record<string, unknown> = {}, errors?: FieldError[]): Promise<RouteResult> => {
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
        segments: current.map((s) => ({
          from: s.from,
          to: s.to,
          shares: s.shares.map((x) => `${partners.find((p) => p.id === x.partnerId)?.name ?? 'Another partner'} ${formatShare(x.bp)}`).join(', '),
        })),
        partner: 'partner' in who ? who.partner : null,
        refusal: 'refusal' in who ? who.refusal : null,
        ladder,
        values: { interimChoice: 'as-decided', ...values },
        errors,
      },
    };
  };

  const disputePage = async (ctx: SignedInContext, errors?: FieldError[], values: Record<string, unknown> = {}, form?: DisputeForm): Promise<RouteResult> => {
    const today = todayInLondon();
    const dispute = await getDispute(ctx.db, ctx.params.id, today);
    // Besides the board, the administrator of the panel that made the decision (told of each step by e-mail).
    if (!ctx.user.permissions.has('panel-reports:view') && dispute.panel_administrator_id !== ctx.user.id) {
      throw new ForbiddenError('Only the panel that made the decision, the partnership board and the partners paying a share can open a dispute');
    }
    const partners = await payingPartners(ctx, dispute.package_id);
    // The board sees disputes as a list without references; the page itself (which names the
    // referral) is for the panel, configurers and the partners paying a share.
    if (await seesAggregatesOnly(ctx.db, ctx.user)) {
      const ids = [dispute.partner_id, ...partners.map((p) => p.id)];
      const own = await ctx.db
        .selectFrom('budget_partners')
        .select('id')
        .where('id', 'in', ids)
        .where('organisation_id', '=', ctx.user.organisationId)
        .executeTakeFirst();
      if (!own) throw new ForbiddenError('Only the panel and the partners paying a share can open a dispute');
    }
    let current: { partnerId: string; bp: number }[] = [];
    let startsOn = '';
    // The package version shown: the resolution applies to these terms, or is refused as out of date.
    let packageVersion: number | null = null;
    if (dispute.package_id) {
      const t = await currentTerms(ctx.db, dispute.package_id);
      current = t.split[t.split.length - 1]?.shares ?? [];
      startsOn = t.pkg.starts_on;
      packageVersion = t.pkg.version;
    }
    const [y, m, d] = startsOn.split('-');
    const perms = ctx.user.permissions;
    const mayResolve = perms.has('disputes:resolve') && dispute.status === 'open';
    const refusal = mayResolve ? await resolverRefusal(ctx.db, resolver(ctx), dispute) : null;
    return {
      view: V('dispute'),
      data: {
        pageTitle: `Dispute about referral ${dispute.referral_reference}`,
        dispute,
        today,
        packageVersion,
        partners: partners.map((p) => ({
          id: p.id,
          name: p.name,
          value: values[`share-${p.id}`] ?? (current.find((c) => c.partnerId === p.id) ? String(current.find((c) => c.partnerId === p.id)!.bp / 100) : ''),
        })),
        currentShares: current.map((c) => `${partners.find((p) => p.id === c.partnerId)?.name ?? 'Another partner'} ${formatShare(c.bp)}`).join(', '),
        canResolve: mayResolve && refusal === null,
        resolveRefusal: mayResolve ? refusal : null,
        canWithdraw: perms.has('disputes:raise') && dispute.status === 'open' && dispute.raised_by === ctx.user.id,
        values: { 'from-day': d ? String(Number(d)) : '', 'from-month': m ? String(Number(m)) : '', 'from-year': y ?? '', ...values },
        form,
        errors,
        done: doneMessage(ctx),
      },
    };
  };

  /**
   * A form on a dispute's page (escalate, resolve, withdraw): what it did is audited against the
   * dispute and the page shown with its message; refused, the page again with that form open.
   */
  const disputeAction = (
    url: string,
    access: 'disputes:resolve' | 'disputes:raise',
    audit: string,
    form: DisputeForm,
    act: (ctx: SignedInContext) => Promise<Record<string, unknown>>,
    shownErrors: (errors: FieldError[]) => FieldError[] = (errors) => errors,
  ): RouteSpec => ({
    method: 'POST',
    url,
    access,
    audit,
    handler: async (ctx) => {
      const details = await act(ctx);
      Object.assign(ctx.audit, { subjectType: 'dispute', subjectId: ctx.params.id, details });
      return { redirect: `${paths.disputes.dispute(ctx.params.id)}?done=${DONE_OF[form]}` };
    },
    onInvalid: (ctx, errors) => disputePage(ctx, shownErrors(errors), ctx.body, form),
  });

  return [
    ...formRoutes({
      url: paths.disputes.ladder,
      access: 'panels:configure',
      audit: { show: 'disputes.ladder.view', send: 'disputes.ladder.replace' },
      page: ladderPage,
      read: (ctx) => parseLadderForm(ctx.body),
      send: async (ctx, form) => {
        await replaceLadder(ctx.db, form.steps, form.previous);
        // Counts and days only: step names are typed text.
        Object.assign(ctx.audit, { subjectType: 'escalation-ladder', details: { steps: form.steps.length, days: form.steps.map((x) => x.days) } });
        return { redirect: `${paths.disputes.ladder}?done=ladder` };
      },
    }),
    {
      method: 'GET',
      url: paths.disputes.list,
      // The board (panel-reports:view) sees every dispute; a panel's administrator (a caseworker,
      // e-mailed about each step) sees those about their panels' decisions; nobody else.
      access: 'signed-in',
      audit: 'disputes.list',
      handler: async (ctx) => {
        const today = todayInLondon();
        const board = ctx.user.permissions.has('panel-reports:view');
        const administers = board || (await administersAPanel(ctx.db, ctx.user.id));
        // Someone who attends panels is offered the page, and told why it is empty while they administer none.
        if (!administers && !ctx.user.permissions.has('panels:attend')) {
          throw new ForbiddenError('Only the partnership board and the administrators of panels can see disputes about shares');
        }
        const { open, closed } = administers ? await listDisputes(ctx.db, today, board ? undefined : ctx.user.id) : { open: [], closed: [] };
        // Aggregates-only viewers get no referral reference and no link: a row must not point at a decision.
        const aggregatesOnly = await seesAggregatesOnly(ctx.db, ctx.user);
        const strip = <T extends { referral_reference: string; package_reference: string | null; reason: string; interim: string }>(rows: T[]) =>
          aggregatesOnly ? rows.map((r) => ({ ...r, referral_reference: '', package_reference: null, reason: '', interim: '' })) : rows;
        return {
          view: V('list'),
          data: {
            pageTitle: 'Disputes about shares',
            open: strip(open),
            closed: strip(closed),
            aggregatesOnly,
            overdue: open.filter((d) => d.overdue).length,
            canConfigure: ctx.user.permissions.has('panels:configure'),
            administersNone: !administers,
            ownPanelsOnly: administers && !board,
          },
        };
      },
    },
    ...formRoutes({
      url: paths.disputes.raise(),
      access: 'disputes:raise',
      audit: { show: 'disputes.raise.form', send: 'disputes.raise' },
      page: raisePage,
      read: raiseForm,
      send: async (ctx, form) => {
        const { id } = await raiseDispute(
          ctx.db,
          deps.notifier,
          { decisionId: ctx.param('decisionId'), reason: form.reason, interim: form.interim, today: todayInLondon() },
          actor(ctx),
          tell.baseUrl,
        );
        Object.assign(ctx.audit, { subjectType: 'dispute', subjectId: id, details: { decisionId: ctx.params.decisionId } });
        return { redirect: `${paths.disputes.dispute(id)}?done=raised` };
      },
    }),
    // The board, and the decision's panel administrator (checked in disputePage).
    { method: 'GET', url: paths.disputes.dispute(), access: 'signed-in', audit: 'disputes.view', handler: (ctx) => disputePage(ctx) },
    disputeAction(paths.disputes.escalate(), 'disputes:resolve', 'disputes.escalate', 'escalate', async (ctx) => {
      await requireResolver(ctx.db, resolver(ctx), ctx.params.id);
      const form = parseForm(escalateForm, ctx.body);
      const r = await escalateDispute(ctx.db, ctx.param('id'), form.version, form.note, actor(ctx), todayInLondon(), tell);
      return { step: r.step };
    }),
    disputeAction(
      paths.disputes.resolve(),
      'disputes:resolve',
      'disputes.resolve',
      'resolve',
      async (ctx) => {
        await requireResolver(ctx.db, resolver(ctx), ctx.params.id);
        const dispute = await getDispute(ctx.db, ctx.params.id, todayInLondon());
        const form = parseResolveForm(ctx.body, await payingPartners(ctx, dispute.package_id));
        const r = await resolveDispute(ctx.db, ctx.param('id'), form.version, form, resolver(ctx), todayInLondon(), tell);
        return {
          from: form.from,
          shares: form.shares,
          commitmentTransaction: r.commitment?.transactionId ?? null,
          spendTransaction: r.spend?.transactionId ?? null,
        };
      },
      // The resolve form's note has its own id on the page.
      (errors) => errors.map((e) => (e.href === '#note' ? { ...e, href: '#resolveNote' } : e)),
    ),
    disputeAction(paths.disputes.withdraw(), 'disputes:raise', 'disputes.withdraw', 'withdraw', async (ctx) => {
      const form = parseForm(withdrawForm, ctx.body);
      await withdrawDispute(ctx.db, ctx.param('id'), form.version, form.note, actor(ctx), todayInLondon(), tell);
      return {};
    }),
  ];
}
