// The core record of a child or young person: register (with the duplicate guard), view, edit, history.
import type { RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { NotFoundError, type FieldError } from '../../../platform/http/errors.js';
import { todayInLondon, longDate } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { admitChild, childAccess, childPage, requireChild, viewerOf } from '../sharing/index.js';
import { parseEditForm, parseRegisterForm } from './schema.js';
import * as children from './service.js';
import { provenanceOf, provenanceSql } from '../../linkage/matching-review/index.js';
import { STATUS_NAMES } from '../../referral-and-panel/referrals/index.js';
import { childReferralsSql, OUTCOMES, type ChildReferralJson } from '../../referral-and-panel/panel-decisions/index.js';
import {
  childForNav,
  childFormData,
  displayName,
  formTables,
  hiddenFields,
  historyEntries,
  recordRows,
  registerFormData,
  valuesFromChild,
} from './presenters.js';
import { radioItems } from '../../../platform/views/items.js';
import { dateInput, withDate } from '../../../platform/date-input.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { formList } from '../../../platform/http/form-values.js';

const V = 'record/children/views/';
type Values = Record<string, unknown>;

function registerPage(ctx: SignedInContext, values: Values, errors?: FieldError[]): RouteResult {
  return { view: `${V}register.njk`, data: { pageTitle: 'Register a child or young person', ...registerFormData(values, errors, ctx.user.organisationType) } };
}

/**
 * The child's referrals and panel decisions for the record (references, dates, statuses and
 * outcomes only), linked only for those who may open the referral or the decision.
 */
function referralRows(ctx: SignedInContext, referrals: readonly ChildReferralJson[]) {
  const triage = ctx.user.permissions.has('referrals:triage');
  return referrals.map((r) => ({
    reference: r.reference,
    href: triage ? paths.referrals.referral(r.id) : null,
    received: longDate(r.received_on),
    status: STATUS_NAMES[r.status as keyof typeof STATUS_NAMES],
    decision: r.decision && {
      outcome: OUTCOMES[r.decision.outcome],
      decided: longDate(r.decision.decided_on),
      href: r.decision.readable ? paths.decisions.decision(r.decision.id) : null,
    },
  }));
}

export function childrenRoutes(_deps: CapabilityDeps): RouteSpec[] {
  const editPage = async (ctx: SignedInContext, values: Values | null, errors?: FieldError[]): Promise<RouteResult> => {
    const today = todayInLondon();
    const child = await children.getChild(ctx.db, ctx.param('id'));
    const [criteria, met] = await Promise.all([children.activeCriteria(ctx.db), children.criteriaMet(ctx.db, child.id)]);
    const v =
      values ??
      valuesFromChild(
        child,
        met.map((m) => m.id),
        today,
      );
    const ticked = new Set(formList(v.criteria));
    return {
      view: `${V}edit.njk`,
      data: {
        pageTitle: `Change the record of ${child.given_name} ${child.family_name}`,
        child: childForNav(child),
        name: displayName(child),
        version: child.version,
        ...childFormData(v, errors),
        statusItems: radioItems(formTables.status, v.status),
        statusOn: dateInput('statusOn', v, errors, 'Date of the change', 'Needed for any status other than active'),
        criteriaItems: criteria.map((c) => ({ value: c.id, text: c.description, checked: ticked.has(c.id) })),
        criteriaAssessedOn: dateInput(
          'criteriaAssessedOn',
          v,
          errors,
          'Date the criteria were assessed',
          'Recorded against any criterion you newly tick, with your name and organisation',
        ),
      },
    };
  };

  return [
    ...formRoutes({
      url: paths.children.register,
      access: 'children:register',
      audit: { show: 'children.register.form', send: 'children.register' },
      page: (ctx, values, errors) => {
        const today = todayInLondon();
        return registerPage(ctx, values ?? withDate(withDate({}, 'joinedOn', today), 'consentGivenOn', today), errors);
      },
      // "No, go back" is not read as a registration.
      read: (ctx) => {
        if (ctx.body._action === 'change') return { back: true as const };
        const today = todayInLondon();
        return { back: false as const, today, input: parseRegisterForm(ctx.body, today, ctx.user) };
      },
      send: async (ctx, form) => {
        // "No, go back": the form again, as it was filled in.
        if (form.back) {
          ctx.audit.details = { step: 'back to the form' };
          return registerPage(ctx, ctx.body);
        }
        const { today, input } = form;
        const user = ctx.user;
        if (!input.confirmed) {
          const matches = await children.findPossibleDuplicates(ctx.db, viewerOf(user), input.child);
          if (matches.visible.length || matches.hiddenIds.length) {
            // Those shown are views of their records; the others are noted for the information
            // governance lead, and the page says nothing about them.
            ctx.audit.details = { step: 'possible duplicates', shownChildIds: matches.visible.map((m) => m.id), otherMatchIds: matches.hiddenIds };
            return {
              view: `${V}duplicates.njk`,
              data: {
                pageTitle: 'This child may already be on the register',
                matches: matches.visible.map((m) => ({ ...m, name: displayName(m), born: longDate(m.date_of_birth), href: paths.children.record(m.id) })),
                hidden: hiddenFields(ctx.body),
              },
            };
          }
        }
        const ids = await children.registerChild(ctx.db, user, input, today);
        Object.assign(ctx.audit, {
          subjectType: 'child',
          subjectId: ids.childId,
          purpose: 'registering a child',
          details: { ...ids, confirmedDifferentChild: input.confirmed, scopes: input.consent.scopes.length },
        });
        return { redirect: `${paths.children.record(ids.childId)}?registered=1` };
      },
    }),
    {
      // The record in one query (the child, the sharing rule, criteria, provenance and referrals),
      // then the audit entry: see readRecord.
      method: 'GET',
      url: paths.children.record(),
      access: 'children:view',
      audit: 'children.record.view',
      auditReads: true,
      handler: async (ctx) => {
        const today = todayInLondon();
        const id = ctx.param('id');
        const child = await children.readRecord(ctx.db, viewerOf(ctx.user), id, {
          provenance: provenanceSql,
          referrals: (childId) => childReferralsSql(childId, ctx.user),
        });
        // No row: no such child, or one this person may not see. requireChild tells which, and
        // records a refused attempt at a child who exists (one more query, only when refused).
        if (!child) {
          await requireChild(ctx, id, 'core', 'viewing the record');
          throw new NotFoundError('child');
        }
        const access = admitChild(ctx, id, child, 'core', 'viewing the record');
        return {
          view: `${V}record.njk`,
          data: {
            pageTitle: `${child.given_name} ${child.family_name}`,
            child: childForNav(child),
            name: displayName(child),
            rows: recordRows(child, today),
            criteria: child.criteria.map((c) => ({
              ...c,
              assessed: `${c.assessed_by ?? 'Someone no longer recorded'}${c.assessed_by_organisation ? `, ${c.assessed_by_organisation}` : ''}, ${longDate(c.assessed_on)}`,
            })),
            emergency: access.visible && access.via === 'emergency-access',
            canEdit: ctx.user.permissions.has('children:edit'),
            registered: ctx.query.registered === '1',
            saved: ctx.query.saved,
            // Where each value came from (capabilities/matching-review): core fields, shown under the same rule.
            provenance: provenanceOf(child, child.provenance),
            referrals: referralRows(ctx, child.referrals),
            referHref: ctx.user.permissions.has('referrals:make') ? `${paths.referrals.newReferral}?child=${child.id}` : null,
          },
        };
      },
    },
    {
      method: 'GET',
      url: paths.children.edit(),
      access: 'children:edit',
      audit: 'children.edit.form',
      auditReads: true,
      handler: async (ctx) => {
        await requireChild(ctx, ctx.params.id, 'core', 'changing the record');
        return editPage(ctx, null);
      },
    },
    {
      method: 'POST',
      url: paths.children.edit(),
      access: 'children:edit',
      audit: 'children.edit',
      handler: async (ctx) => {
        await requireChild(ctx, ctx.params.id, 'core', 'changing the record');
        const id = ctx.param('id');
        const [criteria, met] = await Promise.all([children.activeCriteria(ctx.db), children.criteriaMet(ctx.db, id)]);
        const input = parseEditForm(ctx.body, todayInLondon(), { criteria: criteria.map((c) => c.id), alreadyMet: met.map((m) => m.id) });
        const result = await children.updateChild(ctx.db, ctx.user, id, input);
        ctx.audit.details = { ...ctx.audit.details, changedFields: result.changed };
        return { redirect: `${paths.children.record(id)}?saved=${result.changed ? 'changes' : 'none'}` };
      },
      onInvalid: async (ctx, errors) => {
        // The handler checked access a moment ago; check again without assuming it.
        const access = await childAccess(ctx.db, viewerOf(ctx.user), ctx.param('id'));
        if (!access.visible || !access.sections.has('core')) throw new NotFoundError('child');
        // A stale form shows the record as it is now (with its new version); other problems show what was typed.
        const stale = errors.length === 1 && errors[0]!.href === '#main-content';
        return editPage(ctx, stale ? null : ctx.body, errors);
      },
    },
    childPage({
      url: paths.children.history(),
      audit: 'children.history.view',
      section: 'core',
      purpose: 'viewing the history of changes',
      show: async (ctx) => {
        const child = await children.getChild(ctx.db, ctx.param('id'));
        return {
          view: `${V}history.njk`,
          data: {
            pageTitle: `Changes to the record of ${child.given_name} ${child.family_name}`,
            child: childForNav(child),
            name: displayName(child),
            entries: historyEntries(await children.listHistory(ctx.db, child.id)),
          },
        };
      },
    }),
  ];
}
