import type { Config } from '../../../config.js';
import type { RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { parseForm } from '../../../platform/http/forms.js';
import type { Notifier } from '../../../platform/notify/notify.js';
import { ORGANISATION_TYPES, ROLES, STAFF_ROLES, type Role } from '../../../platform/access/roles.js';
import { sealAudit, type AuditCheckpointing } from '../../../platform/audit/sealer.js';
import { checkAudit } from '../../../platform/audit/check.js';
import { auditStatusView } from './audit-status.js';
import { paths } from '../../../paths.js';
import { organisationEditForm, organisationForm, rolesForm, userForm, versionForm } from './schema.js';
import * as admin from './service.js';
import type { FieldError } from '../../../platform/http/errors.js';
import { formRoutes, type FormValues } from '../../../platform/http/form-routes.js';
import { formList } from '../../../platform/http/form-values.js';

const V = 'administration/partnership/views/';
const typeItems = (selected?: unknown) => Object.entries(ORGANISATION_TYPES).map(([value, text]) => ({ value, text, checked: value === selected }));
const roleItems = (selected: readonly unknown[] = []) =>
  Object.entries(STAFF_ROLES).map(([value, text]) => ({
    value,
    text,
    checked: selected.includes(value),
    ...(admin.needsSecondAdministrator(value as Role) ? { hint: { text: 'Adding or removing this role needs a second administrator to approve it' } } : {}),
  }));

export function administrationRoutes(deps: { config: Config; notifier: Notifier; auditCheckpoints?: AuditCheckpointing | undefined }): RouteSpec[] {
  const inviteDeps = { notifier: deps.notifier, baseUrl: deps.config.baseUrl };

  const newOrganisationPage = (_ctx: SignedInContext, values: FormValues = {}, errors?: FieldError[]): RouteResult => ({
    view: `${V}organisation-new.njk`,
    data: { pageTitle: 'Add an organisation', values, typeItems: typeItems(values.type), errors },
  });
  const organisationPage = async (ctx: SignedInContext, values?: FormValues, errors?: FieldError[]): Promise<RouteResult> => {
    const org = await admin.getOrganisation(ctx.db, ctx.param('id'));
    const v = values ?? { ...org, active: org.active ? 'yes' : 'no' };
    return {
      view: `${V}organisation.njk`,
      data: { pageTitle: org.name, org, values: v, typeItems: typeItems(v.type), errors, saved: ctx.query.saved === '1' },
    };
  };
  const newUserPage = async (ctx: SignedInContext, values: FormValues = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const orgs = (await admin.listOrganisations(ctx.db)).filter((o) => o.active);
    return {
      view: `${V}user-new.njk`,
      data: {
        pageTitle: 'Add a person',
        values,
        orgItems: [
          { value: '', text: 'Choose an organisation' },
          ...orgs.map((o) => ({ value: o.id, text: o.name, selected: o.id === values.organisationId })),
        ],
        roleItems: roleItems(formList(values.roles)),
        errors,
      },
    };
  };
  const userPage = async (ctx: SignedInContext, errors?: FieldError[]): Promise<RouteResult> => {
    const user = await admin.getUser(ctx.db, ctx.param('id'));
    const me = ctx.user.id;
    const requests = (await admin.openRoleRequests(ctx.db, user.id)).map((r) => ({
      ...r,
      roleName: ROLES[r.role as Role] ?? r.role,
      // Only a second administrator decides: not the one who asked, nor the person concerned.
      canDecide: r.requested_by !== me && user.id !== me,
    }));
    return {
      view: `${V}user.njk`,
      data: {
        pageTitle: user.display_name,
        user,
        roleNames: user.roles.map((r) => ROLES[r]),
        organisationSignIn: user.identities.length ? `Linked to ${user.identities.map((i) => new URL(i.issuer).host).join(', ')}` : 'Not linked',
        roleItems: roleItems(user.roles),
        isSelf: user.id === me,
        requests,
        locked: user.locked_until !== null && new Date(user.locked_until) > new Date(),
        errors,
        done: ctx.query.done,
      },
    };
  };

  /** A one-button action on a person's page: checks the form's version, then shows the result there. */
  const userAction = (
    url: string,
    audit: string,
    done: string,
    act: (ctx: SignedInContext, version: number | undefined) => Promise<unknown>,
    opts: { versioned?: boolean } = {},
  ): RouteSpec => ({
    method: 'POST',
    url,
    access: 'users:manage',
    audit,
    handler: async (ctx) => {
      const version = opts.versioned === false ? undefined : parseForm(versionForm, ctx.body).version;
      await act(ctx, version);
      Object.assign(ctx.audit, { subjectType: 'user', subjectId: ctx.params.id });
      return { redirect: `${paths.admin.user(ctx.params.id)}?done=${done}` };
    },
    onInvalid: (ctx, errors) => userPage(ctx, errors),
  });

  return [
    {
      method: 'GET',
      url: paths.admin.organisations,
      access: 'organisations:manage',
      audit: 'admin.organisations.list',
      handler: async (ctx) => ({
        view: `${V}organisations.njk`,
        data: { pageTitle: 'Organisations', organisations: await admin.listOrganisations(ctx.db), typeNames: ORGANISATION_TYPES, added: ctx.query.added },
      }),
    },
    ...formRoutes({
      url: paths.admin.newOrganisation,
      access: 'organisations:manage',
      audit: { show: 'admin.organisation.new', send: 'admin.organisation.create' },
      page: newOrganisationPage,
      read: organisationForm,
      send: async (ctx, form) => {
        const org = await admin.createOrganisation(ctx.db, form);
        Object.assign(ctx.audit, { subjectType: 'organisation', subjectId: org.id, details: form });
        return { redirect: `${paths.admin.organisations}?added=${encodeURIComponent(form.code)}` };
      },
    }),
    ...formRoutes({
      url: paths.admin.organisation(),
      access: 'organisations:manage',
      audit: { show: 'admin.organisation.view', send: 'admin.organisation.update' },
      page: organisationPage,
      read: organisationEditForm,
      send: async (ctx, form) => {
        const id = ctx.param('id');
        await admin.updateOrganisation(ctx.db, id, { ...form, active: form.active === 'yes' });
        Object.assign(ctx.audit, { subjectType: 'organisation', subjectId: id, details: { name: form.name, type: form.type, active: form.active } });
        return { redirect: `${paths.admin.organisation(id)}?saved=1` };
      },
    }),
    {
      method: 'GET',
      url: paths.admin.users,
      access: 'users:manage',
      audit: 'admin.users.list',
      handler: async (ctx) => {
        const users = await admin.listUsers(ctx.db);
        return {
          view: `${V}users.njk`,
          data: {
            pageTitle: 'People',
            users: users.map((u) => ({ ...u, roleNames: u.roles ? u.roles.split(',').map((r) => ROLES[r as keyof typeof ROLES] ?? r) : [] })),
          },
        };
      },
    },
    ...formRoutes({
      url: paths.admin.newUser,
      access: 'users:manage',
      audit: { show: 'admin.user.new', send: 'admin.user.create' },
      page: newUserPage,
      read: userForm,
      send: async (ctx, form) => {
        const user = await admin.createUser(ctx.db, inviteDeps, form, ctx.user.id);
        Object.assign(ctx.audit, {
          subjectType: 'user',
          subjectId: user.id,
          details: { organisationId: form.organisationId, roles: user.added, requested: user.requested, invited: true },
        });
        return { redirect: `${paths.admin.user(user.id)}?done=${user.requested.length ? 'invited-requested' : 'invited'}` };
      },
    }),
    {
      method: 'GET',
      url: paths.admin.user(),
      access: 'users:manage',
      audit: 'admin.user.view',
      handler: (ctx) => userPage(ctx),
    },
    {
      method: 'POST',
      url: paths.admin.userRoles(),
      access: 'users:manage',
      audit: 'admin.user.roles',
      handler: async (ctx) => {
        // The subject first, so a refusal (one's own roles) is audited as denied.
        Object.assign(ctx.audit, { subjectType: 'user', subjectId: ctx.params.id });
        const form = parseForm(rolesForm, ctx.body);
        const changed = await admin.changeRoles(ctx.db, inviteDeps, {
          userId: ctx.param('id'),
          roles: form.roles,
          version: form.version,
          byUserId: ctx.user.id,
        });
        ctx.audit.details = { roles: form.roles, added: changed.added, removed: changed.removed, requested: changed.requested };
        return { redirect: `${paths.admin.user(ctx.params.id)}?done=${changed.requested.length ? 'roles-requested' : 'roles'}` };
      },
      onInvalid: (ctx, errors) => userPage(ctx, errors),
    },
    ...(['approved', 'refused'] as const).map((decision): RouteSpec => ({
      method: 'POST',
      url: decision === 'approved' ? paths.admin.approveRoleRequest() : paths.admin.refuseRoleRequest(),
      access: 'users:manage',
      audit: decision === 'approved' ? 'admin.user.role-request.approve' : 'admin.user.role-request.refuse',
      handler: async (ctx) => {
        Object.assign(ctx.audit, { subjectType: 'user', subjectId: ctx.params.id, details: { requestId: ctx.params.requestId } });
        const decided = await admin.decideRoleRequest(ctx.db, inviteDeps, {
          userId: ctx.param('id'),
          requestId: ctx.param('requestId'),
          byUserId: ctx.user.id,
          decision,
        });
        ctx.audit.details = { requestId: ctx.params.requestId, role: decided.role, change: decided.change, decision };
        return { redirect: `${paths.admin.user(ctx.params.id)}?done=${decision}` };
      },
      onInvalid: (ctx, errors) => userPage(ctx, errors),
    })),
    userAction(paths.admin.deactivateUser(), 'admin.user.deactivate', 'deactivated', (ctx, version) =>
      admin.deactivateUser(ctx.db, ctx.param('id'), version!, ctx.user.id),
    ),
    userAction(paths.admin.unlockUser(), 'admin.user.unlock', 'unlocked', (ctx, version) => admin.unlockUser(ctx.db, ctx.param('id'), version!)),
    userAction(paths.admin.reactivateUser(), 'admin.user.reactivate', 'reactivated', (ctx, version) => admin.reactivateUser(ctx.db, ctx.param('id'), version!)),
    userAction(paths.admin.resendInvitation(), 'admin.user.invite', 'invited', (ctx) => admin.resendInvitation(ctx.db, inviteDeps, ctx.param('id')), {
      versioned: false,
    }),
    {
      method: 'GET',
      url: paths.admin.outbox,
      access: 'outbox:view',
      audit: 'admin.outbox.view',
      // Messages name people (their sign-in links are never stored): reading them is audited.
      auditReads: true,
      handler: async (ctx) => ({
        view: `${V}outbox.njk`,
        data: { pageTitle: 'Outbox', messages: await admin.listOutbox(ctx.db), provider: deps.notifier.provider },
      }),
    },
    {
      method: 'GET',
      url: paths.admin.audit,
      access: 'audit:view',
      audit: 'admin.audit.view',
      auditReads: true,
      // Seals what has committed so far, in its own transactions, before the page's opens.
      prepare: (ctx) => sealAudit(ctx.db, { checkpointing: deps.auditCheckpoints, maxBatches: 20 }),
      handler: async (ctx) => {
        const filter = { action: ctx.query.action?.trim() || undefined, result: ctx.query.result || undefined };
        // From the last signed checkpoint: the entries sealed since, not the whole chain.
        const entries = await admin.listAudit(ctx.db, filter);
        const check = await checkAudit(ctx.db, { checkpointing: deps.auditCheckpoints, from: 'last-checkpoint' });
        const status = auditStatusView(check, new Date(), { checkpointsConfigured: deps.auditCheckpoints !== undefined });
        return { view: `${V}audit.njk`, data: { pageTitle: 'Audit log', entries, status, filter } };
      },
    },
  ];
}
