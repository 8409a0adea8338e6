// Which organisation and service works with a child, and the key worker.
//
// All of it is part of the core record: a person who may see the child sees who works with them.
// Adding an involvement of another organisation does not by itself open the record to that
// organisation: the sharing rule also needs consent (or a lawful basis) covering its type.
import type { RouteContext, RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import type { FieldError } from '../../../platform/http/errors.js';
import { ORGANISATION_TYPES } from '../../../platform/access/roles.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { childAccess, childFormRoutes, childPage, requireChild, viewerOf } from '../sharing/index.js';
import { childSummary, childName, navChild } from '../tell-it-once/index.js';
import { longDate, todayInLondon } from '../../../platform/dates.js';
import { dateInputValues, parseFormWithDates } from '../../../platform/date-input.js';
import { parseForm } from '../../../platform/http/forms.js';
import { endInvolvementForm, involvementForm, keyWorkerForm } from './schema.js';
import { formatCost, KEY_WORKER_AGREEMENT } from './rules.js';
import * as service from './service.js';

const V = 'record/involvements/views/';

/** Who is recording the change. */
const by = (ctx: SignedInContext) => ({ id: ctx.user.id, organisationId: ctx.user.organisationId });

export function involvementsRoutes(_deps: CapabilityDeps): RouteSpec[] {
  const header = async (ctx: RouteContext) => {
    const child = await childSummary(ctx.db, ctx.param('id'));
    return { child: navChild(child), childName: childName(child), current: 'involvements' };
  };

  const present = (i: Awaited<ReturnType<typeof service.listInvolvements>>[number], today: string) => ({
    ...i,
    started: longDate(i.started_on),
    ended: longDate(i.ended_on),
    current: i.started_on <= today && (i.ended_on === null || i.ended_on >= today),
    practitioner: i.practitioner_display_name ?? i.practitioner_name,
    cost: formatCost(i.cost_pence, i.cost_period),
    organisationTypeName: ORGANISATION_TYPES[i.organisation_type as keyof typeof ORGANISATION_TYPES] ?? i.organisation_type,
  });

  const addPage = async (ctx: RouteContext, values: Record<string, unknown> = {}, errors?: FieldError[]): Promise<RouteResult> => {
    await requireChild(ctx, ctx.params.id, 'core');
    const [orgs, staff] = await Promise.all([service.activeOrganisations(ctx.db), service.caseworkStaff(ctx.db)]);
    return {
      view: `${V}involvement-new.njk`,
      data: {
        ...(await header(ctx)),
        pageTitle: 'Add an involvement',
        values,
        startedOnValues: dateInputValues(values, 'startedOn'),
        orgItems: [
          { value: '', text: 'Choose an organisation' },
          ...orgs.map((o) => ({ value: o.id, text: o.name, selected: o.id === values.organisationId })),
        ],
        staffItems: [
          { value: '', text: 'Not listed, or no named practitioner' },
          ...staff.map((s) => ({ value: s.id, text: `${s.display_name} (${s.organisation_name})`, selected: s.id === values.practitionerUserId })),
        ],
        periodItems: [
          { value: 'week', text: 'A week', checked: values.costPeriod === 'week' },
          { value: 'year', text: 'A year', checked: values.costPeriod === 'year' },
        ],
        errors,
      },
    };
  };

  const endPage = async (ctx: RouteContext, values: Record<string, unknown> = {}, errors?: FieldError[]): Promise<RouteResult> => {
    await requireChild(ctx, ctx.params.id, 'core');
    const inv = await service.getInvolvement(ctx.db, ctx.param('id'), ctx.param('involvementId'));
    return {
      view: `${V}involvement-end.njk`,
      data: {
        ...(await header(ctx)),
        pageTitle: 'End an involvement',
        involvement: present(inv, todayInLondon()),
        endedOnValues: dateInputValues(values, 'endedOn'),
        errors,
      },
    };
  };

  const keyWorkerPage = async (ctx: RouteContext, values: Record<string, unknown> = {}, errors?: FieldError[]): Promise<RouteResult> => {
    await requireChild(ctx, ctx.params.id, 'core');
    const [choices, now] = await Promise.all([service.keyWorkerChoices(ctx.db, ctx.param('id')), service.currentKeyWorker(ctx.db, ctx.param('id'))]);
    return {
      view: `${V}key-worker.njk`,
      data: {
        ...(await header(ctx)),
        pageTitle: 'Change the key worker',
        keyWorker: now,
        version: now.version,
        values,
        choiceItems: [
          { value: '', text: 'Choose a person' },
          ...choices.map((c) => ({ value: c.id, text: `${c.display_name} (${c.organisation_name})`, selected: c.id === values.keyWorkerUserId })),
        ],
        agreementItems: Object.entries(KEY_WORKER_AGREEMENT).map(([value, text]) => ({ value, text, checked: values.familyAgreed === value })),
        errors,
      },
    };
  };

  return [
    childPage({
      url: paths.children.involvements(),
      audit: 'child.involvements.view',
      section: 'core',
      show: async (ctx) => {
        const today = todayInLondon();
        const [involvements, keyWorker, history] = await Promise.all([
          service.listInvolvements(ctx.db, ctx.param('id')),
          service.currentKeyWorker(ctx.db, ctx.param('id')),
          service.keyWorkerHistory(ctx.db, ctx.param('id')),
        ]);
        const rows = involvements.map((i) => present(i, today));
        return {
          view: `${V}involvements.njk`,
          data: {
            ...(await header(ctx)),
            pageTitle: 'Who works with them',
            currentInvolvements: rows.filter((r) => r.ended_on === null || r.ended_on >= today),
            pastInvolvements: rows.filter((r) => r.ended_on !== null && r.ended_on < today),
            keyWorker,
            history: history.map((h) => ({ ...h, changed: longDate(h.changed_on) })),
            canEdit: ctx.user.permissions.has('children:edit'),
            done: ctx.query.done,
          },
        };
      },
    }),
    ...childFormRoutes({
      url: paths.children.addInvolvement(),
      section: 'core',
      audit: { show: 'child.involvement.new', send: 'child.involvement.add' },
      page: addPage,
      read: (ctx) => ({ form: parseFormWithDates(involvementForm, ctx.body, ['startedOn']) }),
      send: async (ctx, { form }) => {
        const row = await service.addInvolvement(ctx.db, ctx.param('id'), form, by(ctx));
        // Ids only: the audit log is read by people who may not see the record, and the service can say much about a child.
        ctx.audit.details = { ...ctx.audit.details, involvementId: row.id, organisationId: form.organisationId };
        return { redirect: `${paths.children.involvements(ctx.params.id)}?done=added` };
      },
    }),
    ...childFormRoutes({
      url: paths.children.endInvolvement(),
      section: 'core',
      audit: { show: 'child.involvement.end-form', send: 'child.involvement.end' },
      page: endPage,
      read: async (ctx) => {
        const inv = await service.getInvolvement(ctx.db, ctx.param('id'), ctx.param('involvementId'));
        return { inv, form: parseFormWithDates(endInvolvementForm(inv.started_on), ctx.body, ['endedOn']) };
      },
      send: async (ctx, { inv, form }) => {
        await service.endInvolvement(ctx.db, ctx.param('id'), inv.id, form.endedOn, form.version, by(ctx));
        ctx.audit.details = { ...ctx.audit.details, involvementId: inv.id, endedOn: form.endedOn };
        // Ending one's own organisation's involvement can end one's access to the record.
        const still = await childAccess(ctx.db, viewerOf(ctx.user), ctx.param('id'));
        if (!still.visible) return { view: `${V}no-longer-involved.njk`, data: { pageTitle: 'Involvement ended' } };
        return { redirect: `${paths.children.involvements(ctx.params.id)}?done=ended` };
      },
    }),
    ...childFormRoutes({
      url: paths.children.keyWorker(),
      section: 'core',
      audit: { show: 'child.key-worker.form', send: 'child.key-worker.change' },
      page: keyWorkerPage,
      read: (ctx) => ({ form: parseForm(keyWorkerForm, ctx.body) }),
      send: async (ctx, { form }) => {
        const { chosen, agreed } = await service.changeKeyWorker(ctx.db, ctx.param('id'), form, by(ctx));
        ctx.audit.details = { ...ctx.audit.details, keyWorkerUserId: chosen.id, familyAgreed: agreed };
        return { redirect: `${paths.children.involvements(ctx.params.id)}?done=${agreed ? 'key-worker' : 'interim-key-worker'}` };
      },
    }),
  ];
}
