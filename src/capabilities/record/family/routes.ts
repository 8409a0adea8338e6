// Parents, carers and siblings of a child on the register: the 'family' section of the record.
import type { RouteContext, RouteResult, RouteSpec } from '../../../platform/http/route.js';
import type { FieldError } from '../../../platform/http/errors.js';
import { parseForm } from '../../../platform/http/forms.js';
import { ageOn, todayInLondon } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { childFormRoutes, childPage, requireChild, viewerOf } from '../sharing/index.js';
import { childSummary, childName, navChild } from '../tell-it-once/index.js';
import { familyMemberEditForm, familyMemberForm } from './schema.js';
import { formItems, memberValues, presentMember, presentSibling } from './presenters.js';
import * as service from './service.js';
import { formText } from '../../../platform/http/form-values.js';

const V = 'record/family/views/';

export function familyRoutes(_deps: CapabilityDeps): RouteSpec[] {
  /** Checks access to the family section and answers the child (with its family id). */
  const familyOf = async (ctx: RouteContext) => {
    await requireChild(ctx, ctx.params.id, 'family');
    return childSummary(ctx.db, ctx.param('id'));
  };
  const header = (child: Awaited<ReturnType<typeof childSummary>>) => ({ child: navChild(child), childName: childName(child), current: 'family' });

  const memberPage = async (ctx: RouteContext, mode: 'add' | 'edit', values?: Record<string, unknown>, errors?: FieldError[]): Promise<RouteResult> => {
    const child = await familyOf(ctx);
    let v = values ?? {};
    let action = paths.children.addFamilyMember(child.id);
    if (mode === 'edit') {
      const member = await service.getMember(ctx.db, child.family_id, ctx.param('memberId'));
      // After a clash (someone else saved first), show what is stored now, with its version, so
      // nothing is overwritten unseen; after a mistake, show what the person typed.
      const stale = errors?.some((e) => e.href === '#main-content') ?? false;
      v = values && !stale ? values : memberValues(member);
      action = paths.children.editFamilyMember(child.id, member.id);
      ctx.audit.details = { ...ctx.audit.details, familyMemberId: member.id };
    }
    return {
      view: `${V}member-form.njk`,
      data: {
        ...header(child),
        pageTitle: mode === 'add' ? 'Add a parent or carer' : `Change details of ${formText(v.fullName)}`,
        mode,
        action,
        values: v,
        ...formItems(v),
        errors,
      },
    };
  };

  return [
    childPage({
      url: paths.children.family(),
      audit: 'child.family.view',
      section: 'family',
      show: async (ctx) => {
        const child = await childSummary(ctx.db, ctx.param('id'));
        const today = todayInLondon();
        const [members, siblings] = await Promise.all([
          service.listMembers(ctx.db, child.family_id),
          service.visibleSiblings(ctx.db, viewerOf(ctx.user), child.family_id, child.id),
        ]);
        return {
          view: `${V}family.njk`,
          data: {
            ...header(child),
            pageTitle: 'Family',
            members: members.map(presentMember),
            siblings: siblings.map((s) => presentSibling(s, today)),
            actsForSelf: child.acts_for_self && ageOn(child.date_of_birth, today) >= 16,
            canEdit: ctx.user.permissions.has('children:edit'),
            done: ctx.query.done,
          },
        };
      },
    }),
    ...childFormRoutes({
      url: paths.children.addFamilyMember(),
      section: 'family',
      audit: { show: 'child.family.member-new', send: 'child.family.member-add' },
      page: (ctx, values, errors) => memberPage(ctx, 'add', values, errors),
      read: async (ctx) => ({ child: await childSummary(ctx.db, ctx.param('id')), form: parseForm(familyMemberForm, ctx.body) }),
      send: async (ctx, { child, form }) => {
        const row = await service.addMember(ctx.db, child.family_id, form);
        ctx.audit.details = { ...ctx.audit.details, familyMemberId: row.id };
        return { redirect: `${paths.children.family(child.id)}?done=added` };
      },
    }),
    ...childFormRoutes({
      url: paths.children.editFamilyMember(),
      section: 'family',
      audit: { show: 'child.family.member-edit', send: 'child.family.member-update' },
      // After a clash the page shows the member as stored now (memberPage decides).
      page: (ctx, values, errors) => memberPage(ctx, 'edit', values, errors),
      read: async (ctx) => {
        const child = await childSummary(ctx.db, ctx.param('id'));
        const member = await service.getMember(ctx.db, child.family_id, ctx.param('memberId'));
        return { child, member, form: parseForm(familyMemberEditForm, ctx.body) };
      },
      send: async (ctx, { child, member, form }) => {
        await service.updateMember(ctx.db, child.family_id, member.id, form, form.version);
        ctx.audit.details = { ...ctx.audit.details, familyMemberId: member.id };
        return { redirect: `${paths.children.family(child.id)}?done=changed` };
      },
    }),
  ];
}
