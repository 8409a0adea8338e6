// The area configures its register: localities (by postcode district or sector) and its common
// definition of disability. For the partnership administrator ('register:configure').
import type { z } from 'zod';
import type { RouteContext, RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { formRoutes, type FormValues } from '../../../platform/http/form-routes.js';
import type { FieldError } from '../../../platform/http/errors.js';
import { parseForm } from '../../../platform/http/forms.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { contactForm, criterionActiveForm, criterionEditForm, criterionForm, localityForm, prefixForm, removePrefixForm } from './schema.js';
import * as settings from './service.js';

const V = 'record/area-settings/views/';
const ACCESS = 'register:configure' as const;

const DONE: Record<string, string> = {
  'locality-added': 'Locality added',
  'prefix-added': 'Postcode added to the locality',
  'prefix-removed': 'Postcode removed from the locality',
  'criterion-added': 'Criterion added',
  'criterion-saved': 'Criterion saved',
  'criterion-inactive': 'Criterion no longer in use',
  'criterion-active': 'Criterion in use again',
  'contact-saved': 'Contact details saved',
};
const doneMessage = (ctx: RouteContext) => (ctx.query.done ? DONE[ctx.query.done] : undefined);

export function areaSettingsRoutes(_deps: CapabilityDeps): RouteSpec[] {
  const homePage = async (ctx: RouteContext): Promise<RouteResult> => ({
    view: `${V}home.njk`,
    data: {
      pageTitle: 'Area settings',
      localities: await settings.listLocalities(ctx.db),
      criteria: await settings.listCriteria(ctx.db),
      areaContact: await settings.areaContact(ctx.db),
      done: doneMessage(ctx),
    },
  });
  const newLocalityPage = (_ctx: RouteContext, values: FormValues = {}, errors?: FieldError[]): RouteResult => ({
    view: `${V}locality-new.njk`,
    data: { pageTitle: 'Add a locality', values, errors },
  });
  const localityPage = async (ctx: RouteContext, values: FormValues = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const locality = await settings.getLocality(ctx.db, ctx.param('id'));
    return { view: `${V}locality.njk`, data: { pageTitle: locality.name, locality, values, errors, done: doneMessage(ctx) } };
  };
  const contactPage = async (ctx: RouteContext, values?: FormValues, errors?: FieldError[]): Promise<RouteResult> => {
    const current = await settings.areaContact(ctx.db);
    return {
      view: `${V}contact.njk`,
      data: { pageTitle: 'How families contact the area', values: values ?? { ...current, version: current?.version ?? 0 }, errors },
    };
  };
  const newCriterionPage = (_ctx: RouteContext, values: FormValues = {}, errors?: FieldError[]): RouteResult => ({
    view: `${V}criterion-new.njk`,
    data: { pageTitle: 'Add a criterion', values, errors },
  });
  const criterionPage = async (ctx: RouteContext, values?: FormValues, errors?: FieldError[]): Promise<RouteResult> => {
    const criterion = await settings.getCriterion(ctx.db, ctx.param('id'));
    return {
      view: `${V}criterion.njk`,
      data: {
        pageTitle: `Criterion ${criterion.code}`,
        criterion,
        values: values ?? { description: criterion.description, previous: criterion.description },
        errors,
        done: doneMessage(ctx),
      },
    };
  };

  /**
   * A form on the locality's or the criterion's page that posts to an address of its own: the
   * change, audited against that locality or criterion, then back to the page, or the page again
   * with what was wrong.
   */
  const change = <S extends z.ZodType>(spec: {
    url: string;
    audit: string;
    subjectType: 'locality' | 'criterion';
    schema: S;
    run: (ctx: SignedInContext, id: string, form: z.infer<S>) => Promise<{ details: Record<string, unknown>; redirect: string }>;
    onInvalid: (ctx: SignedInContext, errors: FieldError[]) => Promise<RouteResult>;
  }): RouteSpec => ({
    method: 'POST',
    url: spec.url,
    access: ACCESS,
    audit: spec.audit,
    handler: async (ctx) => {
      const form = parseForm(spec.schema, ctx.body);
      const id = ctx.param('id');
      const { details, redirect } = await spec.run(ctx, id, form);
      Object.assign(ctx.audit, { subjectType: spec.subjectType, subjectId: id, details });
      return { redirect };
    },
    onInvalid: spec.onInvalid,
  });

  return [
    { method: 'GET', url: paths.areaSettings.home, access: ACCESS, audit: 'area-settings.view', handler: homePage },
    ...formRoutes({
      url: paths.areaSettings.newLocality,
      access: ACCESS,
      audit: { show: 'area-settings.locality.new', send: 'area-settings.locality.create' },
      page: newLocalityPage,
      read: localityForm,
      send: async (ctx, form) => {
        const locality = await settings.createLocality(ctx.db, form);
        Object.assign(ctx.audit, { subjectType: 'locality', subjectId: locality.id, details: form });
        return { redirect: `${paths.areaSettings.locality(locality.id)}?done=locality-added` };
      },
    }),
    ...formRoutes({
      url: paths.areaSettings.contact,
      access: ACCESS,
      audit: { show: 'area-settings.contact.view', send: 'area-settings.contact.update' },
      page: contactPage,
      read: contactForm,
      send: async (ctx, form) => {
        const { version, ...details } = form;
        await settings.setAreaContact(ctx.db, ctx.user.id, details, version);
        Object.assign(ctx.audit, { subjectType: 'area-contact', details });
        return { redirect: `${paths.areaSettings.home}?done=contact-saved#contact` };
      },
    }),
    { method: 'GET', url: paths.areaSettings.locality(), access: ACCESS, audit: 'area-settings.locality.view', handler: (ctx) => localityPage(ctx) },
    change({
      url: paths.areaSettings.addPrefix(),
      audit: 'area-settings.locality.add-postcode',
      subjectType: 'locality',
      schema: prefixForm,
      run: async (ctx, id, form) => {
        await settings.addPrefix(ctx.db, id, form.prefix);
        return { details: { prefix: form.prefix }, redirect: `${paths.areaSettings.locality(id)}?done=prefix-added` };
      },
      onInvalid: (ctx, errors) => localityPage(ctx, ctx.body, errors),
    }),
    change({
      url: paths.areaSettings.removePrefix(),
      audit: 'area-settings.locality.remove-postcode',
      subjectType: 'locality',
      schema: removePrefixForm,
      run: async (ctx, id, form) => {
        await settings.removePrefix(ctx.db, id, form.prefix);
        return { details: { prefix: form.prefix }, redirect: `${paths.areaSettings.locality(id)}?done=prefix-removed` };
      },
      onInvalid: (ctx, errors) => localityPage(ctx, undefined, errors),
    }),
    ...formRoutes({
      url: paths.areaSettings.newCriterion,
      access: ACCESS,
      audit: { show: 'area-settings.criterion.new', send: 'area-settings.criterion.create' },
      page: newCriterionPage,
      read: criterionForm,
      send: async (ctx, form) => {
        const criterion = await settings.createCriterion(ctx.db, form);
        Object.assign(ctx.audit, { subjectType: 'criterion', subjectId: criterion.id, details: form });
        return { redirect: `${paths.areaSettings.home}?done=criterion-added#criteria` };
      },
    }),
    ...formRoutes({
      url: paths.areaSettings.criterion(),
      access: ACCESS,
      audit: { show: 'area-settings.criterion.view', send: 'area-settings.criterion.update' },
      page: criterionPage,
      read: criterionEditForm,
      send: async (ctx, form) => {
        const id = ctx.param('id');
        await settings.updateCriterion(ctx.db, id, form);
        Object.assign(ctx.audit, { subjectType: 'criterion', subjectId: id, details: { previous: form.previous, description: form.description } });
        return { redirect: `${paths.areaSettings.criterion(id)}?done=criterion-saved` };
      },
    }),
    change({
      url: paths.areaSettings.criterionActive(),
      audit: 'area-settings.criterion.set-active',
      subjectType: 'criterion',
      schema: criterionActiveForm,
      run: async (ctx, id, form) => {
        await settings.setCriterionActive(ctx.db, id, form.active === 'yes');
        return {
          details: { active: form.active === 'yes' },
          redirect: `${paths.areaSettings.criterion(id)}?done=${form.active === 'yes' ? 'criterion-active' : 'criterion-inactive'}`,
        };
      },
      onInvalid: (ctx, errors) => criterionPage(ctx, undefined, errors),
    }),
  ];
}
