// "About me", written with the family, and one chronology across agencies.
//
// About me needs the 'about-me' section. The chronology needs the core record, and then shows
// only the events of the sections the person may see; they may add events only to those sections.
import type { RouteContext, RouteResult, RouteSpec } from '../../../platform/http/route.js';
import type { FieldError } from '../../../platform/http/errors.js';
import { NotFoundError } from '../../../platform/http/errors.js';
import { todayInLondon, longDate } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { childFormRoutes, childPage, requireChild } from '../sharing/index.js';
import { aboutMeForm, chronologyEventForm } from './schema.js';
import { dateInputValues, parseFormWithDates } from '../../../platform/date-input.js';
import { parseForm } from '../../../platform/http/forms.js';
import * as service from './service.js';
import { childName, navChild, SECTION_SHORT, sectionItems } from './presenters.js';

const V = 'record/tell-it-once/views/';

export function tellItOnceRoutes(_deps: CapabilityDeps): RouteSpec[] {
  // `current` tells the record's sub-navigation which page this is.
  const header = async (ctx: RouteContext, current: 'about-me' | 'chronology') => {
    const child = await service.childSummary(ctx.db, ctx.param('id'));
    return { child: navChild(child), childName: childName(child), current };
  };

  const aboutMeFormPage = async (ctx: RouteContext, values?: Record<string, unknown>, errors?: FieldError[]): Promise<RouteResult> => {
    await requireChild(ctx, ctx.params.id, 'about-me');
    const latest = await service.latestAboutMe(ctx.db, ctx.param('id'));
    const basedOn = latest?.version ?? 0;
    const v = values
      ? { ...values, basedOn }
      : {
          whatMatters: latest?.what_matters,
          whatWorks: latest?.what_works,
          whatDoesNotWork: latest?.what_does_not_work,
          communication: latest?.communication,
          aspirations: latest?.aspirations,
          writtenWith: latest?.written_with,
          basedOn,
        };
    return {
      view: `${V}about-me-form.njk`,
      data: { ...(await header(ctx, 'about-me')), pageTitle: 'Update about me', values: v, latestVersion: basedOn, errors },
    };
  };

  const chronologyFormPage = async (ctx: RouteContext, values: Record<string, unknown> = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const access = await requireChild(ctx, ctx.params.id, 'core');
    if (!access.visible) throw new NotFoundError('child');
    return {
      view: `${V}chronology-new.njk`,
      data: {
        ...(await header(ctx, 'chronology')),
        pageTitle: 'Add an event to the chronology',
        values,
        occurredOnValues: dateInputValues(values, 'occurredOn'),
        sectionItems: sectionItems(access.sections, values.section ?? 'core'),
        errors,
      },
    };
  };

  return [
    childPage({
      url: paths.children.aboutMe(),
      audit: 'child.about-me.view',
      section: 'about-me',
      show: async (ctx) => {
        const versions = await service.listAboutMe(ctx.db, ctx.param('id'));
        return {
          view: `${V}about-me.njk`,
          data: {
            ...(await header(ctx, 'about-me')),
            pageTitle: 'About me',
            latest: versions[0],
            earlier: versions.slice(1),
            saved: ctx.query.saved === '1',
            canEdit: ctx.user.permissions.has('children:edit'),
          },
        };
      },
    }),
    childPage({
      url: paths.children.aboutMeVersion(),
      audit: 'child.about-me.version.view',
      section: 'about-me',
      show: async (ctx) => {
        const n = /^[1-9][0-9]{0,8}$/.test(ctx.params.version ?? '') ? Number(ctx.params.version) : NaN;
        if (!Number.isInteger(n)) throw new NotFoundError('about me version');
        const version = await service.aboutMeVersion(ctx.db, ctx.param('id'), n);
        const latest = await service.latestAboutMe(ctx.db, ctx.param('id'));
        ctx.audit.details = { ...ctx.audit.details, version: n };
        return {
          view: `${V}about-me-version.njk`,
          data: { ...(await header(ctx, 'about-me')), pageTitle: `About me: version ${n}`, version, isCurrent: latest?.version === n },
        };
      },
    }),
    ...childFormRoutes({
      url: paths.children.updateAboutMe(),
      section: 'about-me',
      audit: { show: 'child.about-me.edit', send: 'child.about-me.update' },
      page: aboutMeFormPage,
      read: (ctx) => ({ form: parseForm(aboutMeForm, ctx.body) }),
      send: async (ctx, { form }) => {
        const version = await service.addAboutMeVersion(ctx.db, ctx.param('id'), form, { id: ctx.user.id, organisationId: ctx.user.organisationId });
        await service.recordChronologyEvent(ctx.db, {
          childId: ctx.param('id'),
          organisationId: ctx.user.organisationId,
          occurredOn: todayInLondon(),
          section: 'about-me',
          title: version === 1 ? 'About me written' : `About me updated (version ${version})`,
          detail: `Written with ${form.writtenWith}`,
          recordedBy: ctx.user.id,
        });
        ctx.audit.details = { ...ctx.audit.details, version };
        return { redirect: `${paths.children.aboutMe(ctx.params.id)}?saved=1` };
      },
    }),
    childPage({
      url: paths.children.chronology(),
      audit: 'child.chronology.view',
      section: 'core',
      show: async (ctx, access) => {
        if (!access.visible) throw new NotFoundError('child');
        const order = ctx.query.order === 'oldest' ? 'oldest' : 'newest';
        const events = await service.listChronology(ctx.db, ctx.param('id'), access.sections, order);
        ctx.audit.details = { ...ctx.audit.details, sections: [...access.sections].sort(), events: events.length };
        return {
          view: `${V}chronology.njk`,
          data: {
            ...(await header(ctx, 'chronology')),
            pageTitle: 'Chronology',
            order,
            events: events.map((e) => ({
              ...e,
              date: longDate(e.occurred_on),
              sectionName: SECTION_SHORT[e.section as keyof typeof SECTION_SHORT] ?? e.section,
            })),
            added: ctx.query.added === '1',
            canEdit: ctx.user.permissions.has('children:edit'),
          },
        };
      },
    }),
    ...childFormRoutes({
      url: paths.children.addChronologyEvent(),
      section: 'core',
      audit: { show: 'child.chronology.new', send: 'child.chronology.add' },
      page: chronologyFormPage,
      // Only to the sections the person may see.
      read: (ctx, access) => {
        if (!access.visible) throw new NotFoundError('child');
        return { form: parseFormWithDates(chronologyEventForm(access.sections), ctx.body, ['occurredOn']) };
      },
      send: async (ctx, { form }) => {
        const event = await service.recordChronologyEvent(ctx.db, {
          childId: ctx.param('id'),
          organisationId: ctx.user.organisationId,
          occurredOn: form.occurredOn,
          section: form.section,
          title: form.title,
          detail: form.detail,
          recordedBy: ctx.user.id,
        });
        ctx.audit.details = { ...ctx.audit.details, eventId: event.id, eventSection: form.section };
        return { redirect: `${paths.children.chronology(ctx.params.id)}?added=1` };
      },
    }),
  ];
}
