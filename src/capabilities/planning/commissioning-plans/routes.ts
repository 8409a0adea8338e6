// Commissioning plans' pages: the list, a plan with its priorities, evidence and intentions, the
// forms that write them, sending a plan to the partnership board and recording its decision.
import type { RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { formList, formText } from '../../../platform/http/form-values.js';
import { dateInput, withDate } from '../../../platform/date-input.js';
import { longDate, todayInLondon } from '../../../platform/dates.js';
import { formatPence } from '../../../platform/money.js';
import { fieldItems, radioItems } from '../../../platform/views/items.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { listAgreements, listPartners } from '../../money/budgets/index.js';
import { needAgainstSupply } from '../local-offer/index.js';
import { EVIDENCE_KINDS, neighbours, PLAN_STATUSES, STAGES, type Stage } from './rules.js';
import {
  addEvidence,
  addIntention,
  addPriority,
  createPlan,
  decidePlan,
  intentionRow,
  listPlans,
  moveStage,
  possibleOwners,
  priorityRow,
  readPlan,
  submitPlan,
} from './service.js';
import { paragraphs, readStatement, saveStatement, statementIntentions } from './market-position.js';
import { FormReader, readDecisionForm, readEvidenceForm, readIntentionForm, readPlanForm, readPriorityForm, readStageForm } from './schema.js';

const V = 'planning/commissioning-plans/views/';
type Values = Record<string, unknown>;

/** The Local Offer's current gaps, in words, for a priority's evidence. */
async function gapSentences(ctx: SignedInContext): Promise<string[]> {
  const { rows } = await needAgainstSupply(ctx.db, todayInLondon(), 10);
  return rows
    .filter((g) => g.gap)
    .map(
      (g) =>
        `${g.needName}, ${g.bandName} year-olds in ${g.localityName}: ${g.children} children, ${g.services} service${g.services === 1 ? '' : 's'} within 10 miles`,
    );
}

function evidenceFields(values: Values, errors: FieldError[] | undefined, gaps: string[], optional: boolean) {
  const kinds: Record<string, string> = optional ? { none: 'No evidence yet', ...EVIDENCE_KINDS } : { ...EVIDENCE_KINDS };
  return {
    kindItems: radioItems(kinds, values.kind ?? (optional ? 'none' : undefined)),
    gapItems: [
      { value: '', text: gaps.length ? 'Choose a gap' : 'No gaps at 10 miles today' },
      ...gaps.map((g) => ({ value: g, text: g, selected: g === values.gap })),
    ],
    saidOn: dateInput('saidOn', values, errors, 'When families said it'),
  };
}

async function ownersAndMoney(ctx: SignedInContext) {
  const [owners, partners, pools] = await Promise.all([possibleOwners(ctx.db), listPartners(ctx.db), listAgreements(ctx.db)]);
  return { owners, partners: partners.filter((p) => p.active), pools };
}

export function commissioningPlanRoutes(_deps: CapabilityDeps): RouteSpec[] {
  const planPage = async (ctx: SignedInContext): Promise<RouteResult> => {
    const { plan, priorities, intentions } = await readPlan(ctx.db, ctx.param('id'));
    ctx.audit.subjectType = 'commissioning-plan';
    ctx.audit.subjectId = plan.id;
    const manage = ctx.user.permissions.has('commissioning:manage');
    const approve = ctx.user.permissions.has('commissioning:approve');
    return {
      view: `${V}plan.njk`,
      data: {
        pageTitle: plan.title,
        plan: {
          ...plan,
          period: `${longDate(plan.period_from)} to ${longDate(plan.period_to)}`,
          statusText: PLAN_STATUSES[plan.status],
          submittedOn: plan.submitted_at ? longDate(todayInLondon(new Date(plan.submitted_at))) : null,
          decidedOn: plan.decided_at ? longDate(todayInLondon(new Date(plan.decided_at))) : null,
          meetingOn: plan.board_meeting_on ? longDate(plan.board_meeting_on) : null,
        },
        manage,
        approve: approve && plan.status === 'submitted',
        priorities: priorities.map((p) => ({
          ...p,
          evidence: p.evidence.map((e) => ({
            ...e,
            kindText: EVIDENCE_KINDS[e.kind],
            saidOnText: e.said_on ? longDate(e.said_on) : null,
          })),
          newEvidence: paths.commissioning.newEvidence(p.id),
        })),
        intentions: intentions.map((i) => ({
          ...i,
          href: paths.commissioning.intention(i.id),
          stageText: STAGES[i.stage],
          due: longDate(i.due_on),
          expected: i.expected_pence === null ? 'Not yet known' : `${formatPence(i.expected_pence)} a year from ${i.pool_name ?? 'a pool'}`,
          priority: priorities.find((p) => p.id === i.priority_id)?.title ?? 'None',
        })),
        newPriority: paths.commissioning.newPriority(plan.id),
        newIntention: paths.commissioning.newIntention(plan.id),
        submit: paths.commissioning.submit(plan.id),
        decide: paths.commissioning.decide(plan.id),
        canSubmit: manage && (plan.status === 'draft' || plan.status === 'not-approved') && intentions.length > 0,
      },
    };
  };

  return [
    {
      method: 'GET',
      url: paths.commissioning.plans,
      access: 'commissioning:view',
      audit: 'commissioning.plans.view',
      handler: async (ctx) => {
        const plans = await listPlans(ctx.db);
        return {
          view: `${V}plans.njk`,
          data: {
            pageTitle: 'Commissioning plans',
            manage: ctx.user.permissions.has('commissioning:manage'),
            plans: plans.map((p) => ({
              ...p,
              href: paths.commissioning.plan(p.id),
              period: `${longDate(p.period_from)} to ${longDate(p.period_to)}`,
              statusText: PLAN_STATUSES[p.status],
            })),
          },
        };
      },
    },
    ...formRoutes({
      url: paths.commissioning.newPlan,
      access: 'commissioning:manage',
      audit: { show: 'commissioning.plan.form', send: 'commissioning.plan.create' },
      page: (_ctx, values = {}, errors) => ({
        view: `${V}plan-new.njk`,
        status: errors ? 400 : 200,
        data: {
          pageTitle: 'Start a commissioning plan',
          values,
          errors,
          periodFrom: dateInput('periodFrom', values, errors, 'When the plan starts'),
          periodTo: dateInput('periodTo', values, errors, 'When the plan ends'),
        },
      }),
      read: (ctx) => readPlanForm(ctx.body),
      send: async (ctx, form) => {
        const p = await createPlan(ctx.db, form, ctx.user);
        ctx.audit.subjectType = 'commissioning-plan';
        ctx.audit.subjectId = p.id;
        ctx.audit.details = { title: form.title };
        return { redirect: paths.commissioning.plan(p.id) };
      },
    }),
    {
      method: 'GET',
      url: paths.commissioning.plan(),
      access: 'commissioning:view',
      audit: 'commissioning.plan.view',
      handler: (ctx) => planPage(ctx),
    },
    ...formRoutes({
      url: paths.commissioning.newPriority(),
      access: 'commissioning:manage',
      audit: { show: 'commissioning.priority.form', send: 'commissioning.priority.create' },
      page: async (ctx, values, errors) => {
        const { plan } = await readPlan(ctx.db, ctx.param('id'));
        const gaps = await gapSentences(ctx);
        // "Make this a priority" from a gap: the gap comes ready as its evidence.
        const start: Values = values ?? (ctx.query.gap ? { kind: 'local-offer-gap', gap: ctx.query.gap, title: '' } : {});
        return {
          view: `${V}priority-new.njk`,
          status: errors ? 400 : 200,
          data: { pageTitle: 'Add a priority', plan, values: { version: plan.version, ...start }, errors, ...evidenceFields(start, errors, gaps, true) },
        };
      },
      read: (ctx) => readPriorityForm(ctx.body),
      send: async (ctx, form) => {
        const planId = ctx.param('id');
        const p = await addPriority(ctx.db, planId, form, ctx.user, form.version || undefined);
        ctx.audit.subjectType = 'commissioning-plan';
        ctx.audit.subjectId = planId;
        ctx.audit.details = { priorityId: p.id, evidence: form.evidence?.kind ?? null };
        return { redirect: `${paths.commissioning.plan(planId)}#priorities` };
      },
    }),
    ...formRoutes({
      url: paths.commissioning.newEvidence(),
      access: 'commissioning:manage',
      audit: { show: 'commissioning.evidence.form', send: 'commissioning.evidence.create' },
      page: async (ctx, values = {}, errors) => {
        const priority = await priorityRow(ctx.db, ctx.param('id'));
        const gaps = await gapSentences(ctx);
        return {
          view: `${V}evidence-new.njk`,
          status: errors ? 400 : 200,
          data: {
            pageTitle: `Add evidence for “${priority.title}”`,
            priority,
            planHref: paths.commissioning.plan(priority.plan_id),
            values,
            errors,
            ...evidenceFields(values, errors, gaps, false),
          },
        };
      },
      read: (ctx) => readEvidenceForm(ctx.body),
      send: async (ctx, form) => {
        const pr = await addEvidence(ctx.db, ctx.param('id'), form, ctx.user);
        ctx.audit.subjectType = 'commissioning-plan';
        ctx.audit.subjectId = pr.plan_id;
        ctx.audit.details = { priorityId: pr.id, kind: form.kind };
        return { redirect: `${paths.commissioning.plan(pr.plan_id)}#priorities` };
      },
    }),
    ...formRoutes({
      url: paths.commissioning.newIntention(),
      access: 'commissioning:manage',
      audit: { show: 'commissioning.intention.form', send: 'commissioning.intention.create' },
      page: async (ctx, values = {}, errors) => {
        const { plan, priorities } = await readPlan(ctx.db, ctx.param('id'));
        const { owners, partners, pools } = await ownersAndMoney(ctx);
        const chosen = formList(values.partnerIds);
        return {
          view: `${V}intention-new.njk`,
          status: errors ? 400 : 200,
          data: {
            pageTitle: 'Add a commissioning intention',
            plan,
            values: { ownerId: ctx.user.id, priorityId: ctx.query.priority ?? '', ...values },
            errors,
            priorityItems: fieldItems(priorities, 'id', 'title', values.priorityId ?? ctx.query.priority, 'Not for one priority'),
            ownerItems: fieldItems(owners, 'id', 'display_name', values.ownerId ?? ctx.user.id, 'Choose who owns it'),
            partnerItems: partners.map((p) => ({ value: p.id, text: p.short_name, checked: chosen.includes(p.id) })),
            poolItems: fieldItems(pools, 'id', 'name', values.agreementId, 'Not yet known'),
            dueOn: dateInput('dueOn', values, errors, 'Due by'),
          },
        };
      },
      read: async (ctx) => {
        const form = readIntentionForm(ctx.body);
        const { owners, partners, pools } = await ownersAndMoney(ctx);
        const errors: FieldError[] = [];
        if (!owners.some((o) => o.id === form.ownerId)) errors.push({ text: 'Select who owns it from the list', href: '#ownerId' });
        if (form.partnerIds.some((p) => !partners.some((x) => x.id === p))) errors.push({ text: 'Select partners from the list', href: '#partnerIds' });
        if (form.agreementId && !pools.some((x) => x.id === form.agreementId)) errors.push({ text: 'Select a pool from the list', href: '#agreementId' });
        if (errors.length) throw new ValidationError(errors);
        return form;
      },
      send: async (ctx, form) => {
        const planId = ctx.param('id');
        const i = await addIntention(ctx.db, planId, form, ctx.user);
        ctx.audit.subjectType = 'commissioning-plan';
        ctx.audit.subjectId = planId;
        ctx.audit.details = { intentionId: i.id };
        return { redirect: paths.commissioning.intention(i.id) };
      },
    }),
    {
      method: 'GET',
      url: paths.commissioning.intention(),
      access: 'commissioning:view',
      audit: 'commissioning.intention.view',
      handler: async (ctx) => {
        const i = await intentionRow(ctx.db, ctx.param('id'));
        const { intentions } = await readPlan(ctx.db, i.plan_id);
        const full = intentions.find((x) => x.id === i.id)!;
        ctx.audit.subjectType = 'commissioning-intention';
        ctx.audit.subjectId = i.id;
        return {
          view: `${V}intention.njk`,
          data: {
            pageTitle: i.what,
            i: {
              ...full,
              stageText: STAGES[i.stage],
              due: longDate(i.due_on),
              expected: full.expected_pence === null ? 'Not yet known' : `${formatPence(full.expected_pence)} a year`,
              stages: full.stages.map((s) => ({
                ...s,
                stageText: STAGES[s.stage],
                due: longDate(s.due_on),
                on: longDate(todayInLondon(new Date(s.changed_at))),
              })),
            },
            planHref: paths.commissioning.plan(i.plan_id),
            planTitle: i.plan_title,
            manage: ctx.user.permissions.has('commissioning:manage'),
            move: paths.commissioning.moveStage(i.id),
            toContract:
              i.stage === 'do' && i.plan_status === 'approved' && ctx.user.permissions.has('commissioning:manage')
                ? `${paths.commissioning.newContract}?intention=${i.id}`
                : null,
          },
        };
      },
    },
    ...formRoutes({
      url: paths.commissioning.moveStage(),
      access: 'commissioning:manage',
      audit: { show: 'commissioning.stage.form', send: 'commissioning.stage.move' },
      page: async (ctx, values, errors) => {
        const i = await intentionRow(ctx.db, ctx.param('id'));
        const { owners } = await ownersAndMoney(ctx);
        const v: Values = values ?? withDate({ ownerId: i.owner_id, version: i.version }, 'dueOn', i.due_on);
        return {
          view: `${V}stage.njk`,
          status: errors ? 400 : 200,
          data: {
            pageTitle: `Move “${i.what}” on`,
            i: { ...i, stageText: STAGES[i.stage] },
            values: v,
            errors,
            back: paths.commissioning.intention(i.id),
            stageItems: neighbours(i.stage).map((s: Stage) => ({ value: s, text: STAGES[s], checked: v.stage === s })),
            ownerItems: fieldItems(owners, 'id', 'display_name', v.ownerId, 'Choose who owns it'),
            dueOn: dateInput('dueOn', v, errors, 'This stage is due to finish by'),
          },
        };
      },
      read: async (ctx) => {
        const form = readStageForm(ctx.body);
        const { owners } = await ownersAndMoney(ctx);
        if (!owners.some((o) => o.id === form.ownerId)) throw new ValidationError([{ text: 'Select who owns it from the list', href: '#ownerId' }]);
        return form;
      },
      send: async (ctx, form) => {
        const i = await moveStage(ctx.db, ctx.param('id'), form, ctx.user);
        ctx.audit.subjectType = 'commissioning-intention';
        ctx.audit.subjectId = i.id;
        ctx.audit.details = { from: i.stage, to: form.stage, planId: i.plan_id };
        return { redirect: paths.commissioning.intention(i.id) };
      },
    }),
    ...formRoutes({
      url: paths.commissioning.submit(),
      access: 'commissioning:manage',
      audit: { show: 'commissioning.plan.submit-form', send: 'commissioning.plan.submit' },
      page: async (ctx, values, errors) => {
        const { plan, intentions } = await readPlan(ctx.db, ctx.param('id'));
        return {
          view: `${V}submit.njk`,
          status: errors ? 400 : 200,
          data: {
            pageTitle: `Send “${plan.title}” to the partnership board`,
            plan,
            intentions: intentions.length,
            values: values ?? { version: plan.version },
            errors,
            back: paths.commissioning.plan(plan.id),
          },
        };
      },
      read: (ctx) => ({ version: Number(formText(ctx.body.version)) || 0 }),
      send: async (ctx, form) => {
        const id = ctx.param('id');
        await submitPlan(ctx.db, id, form.version, ctx.user);
        ctx.audit.subjectType = 'commissioning-plan';
        ctx.audit.subjectId = id;
        return { redirect: paths.commissioning.plan(id) };
      },
    }),
    ...formRoutes({
      url: paths.commissioning.decide(),
      access: 'commissioning:approve',
      audit: { show: 'commissioning.plan.decision-form', send: 'commissioning.plan.decide' },
      page: async (ctx, values, errors) => {
        const { plan, priorities, intentions } = await readPlan(ctx.db, ctx.param('id'));
        const v = values ?? { version: plan.version };
        return {
          view: `${V}decide.njk`,
          status: errors ? 400 : 200,
          data: {
            pageTitle: `The board’s decision on “${plan.title}”`,
            plan: { ...plan, statusText: PLAN_STATUSES[plan.status] },
            priorities: priorities.length,
            intentions: intentions.length,
            values: v,
            errors,
            back: paths.commissioning.plan(plan.id),
            decisionItems: radioItems({ approved: 'Approved', 'not-approved': 'Not approved' }, v.decision),
            meetingOn: dateInput('meetingOn', v, errors, 'Date of the board meeting'),
          },
        };
      },
      read: (ctx) => readDecisionForm(ctx.body),
      send: async (ctx, form) => {
        const id = ctx.param('id');
        ctx.audit.subjectType = 'commissioning-plan';
        ctx.audit.subjectId = id;
        ctx.audit.details = { decision: form.decision, meetingOn: form.meetingOn };
        await decidePlan(ctx.db, id, form, ctx.user);
        return { redirect: paths.commissioning.plan(id) };
      },
    }),
    {
      method: 'GET',
      url: paths.commissioning.marketPosition,
      access: 'commissioning:view',
      audit: 'commissioning.market-position.view',
      handler: async (ctx) => {
        const [statement, intentions] = await Promise.all([readStatement(ctx.db), statementIntentions(ctx.db)]);
        const plans: { title: string; intentions: Record<string, unknown>[] }[] = [];
        for (const i of intentions) {
          let plan = plans.find((p) => p.title === i.plan);
          if (!plan) plans.push((plan = { title: i.plan, intentions: [] }));
          plan.intentions.push({ ...i, due: longDate(i.due_on), expected: i.expected_pence === null ? null : formatPence(i.expected_pence) });
        }
        return {
          view: `${V}market-position.njk`,
          data: {
            pageTitle: 'Market position statement',
            manage: ctx.user.permissions.has('commissioning:manage'),
            introduction: paragraphs(statement.introduction),
            toProviders: paragraphs(statement.to_providers),
            plans,
            updated: statement.updated_at ? longDate(todayInLondon(new Date(statement.updated_at))) : null,
          },
        };
      },
    },
    ...formRoutes({
      url: paths.commissioning.editMarketPosition,
      access: 'commissioning:manage',
      audit: { show: 'commissioning.market-position.form', send: 'commissioning.market-position.edit' },
      page: async (ctx, values, errors) => {
        const s = await readStatement(ctx.db);
        return {
          view: `${V}market-position-edit.njk`,
          status: errors ? 400 : 200,
          data: {
            pageTitle: 'Change the market position statement',
            values: values ?? { introduction: s.introduction, toProviders: s.to_providers, version: s.version },
            errors,
          },
        };
      },
      read: (ctx) => {
        const r = new FormReader(ctx.body);
        const introduction = r.text('introduction', 'the introduction', 10_000, false);
        const toProviders = r.text('toProviders', 'what the partnership asks of providers', 10_000, false);
        const version = Number(formText(ctx.body.version));
        r.done();
        return { introduction, toProviders, version: Number.isSafeInteger(version) ? version : -1 };
      },
      send: async (ctx, form) => {
        await saveStatement(ctx.db, form, ctx.user);
        ctx.audit.details = { version: form.version + 1 };
        return { redirect: paths.commissioning.marketPosition };
      },
    }),
  ];
}
