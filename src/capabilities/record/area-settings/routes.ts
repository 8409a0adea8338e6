// The area configures its register: localities (by postcode district or sector) and its common
// definition of disability. For the partnership administrator ('register:configure').
import type { RouteContext, RouteResult, RouteSpec } from '../../../platform/http/route.js';
import type { FieldError } from '../../../platform/http/errors.js';
import { parseForm } from '../../../platform/http/forms.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { criterionActiveForm, criterionEditForm, criterionForm, localityForm, prefixForm, removePrefixForm } from './schema.js';
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
};
const doneMessage = (ctx: RouteContext) => (ctx.query.done ? DONE[ctx.query.done] : undefined);

export function areaSettingsRoutes(_deps: CapabilityDeps): RouteSpec[] {
  const homePage = async (ctx: RouteContext): Promise<RouteResult> => ({
    view: `${V}home.njk`,
    data: {
      pageTitle: 'Area settings',
      localities: await settings.listLocalities(ctx.db),
      criteria: await settings.listCriteria(ctx.db),
      done: doneMessage(ctx),
    },
  });
  const newLocalityPage = (values: Record<string, unknown> = {}, errors?: FieldError[]): RouteResult => ({
    view: `${V}locality-new.njk`,
    data: { pageTitle: 'Add a locality', values, errors },
  });
  const localityPage = async (ctx: RouteContext, errors?: FieldError[], values: Record<string, unknown> = {}): Promise<RouteResult> => {
    const locality = await settings.getLocality(ctx.db, ctx.param('id'));
    return { view: `${V}locality.njk`, data: { pageTitle: locality.name, locality, values, errors, done: doneMessage(ctx) } };
  };
  const newCriterionPage = (values: Record<string, unknown> = {}, errors?: FieldError[]): RouteResult => ({
    view: `${V}criterion-new.njk`,
    data: { pageTitle: 'Add a criterion', values, errors },
  });
  const criterionPage = async (ctx: RouteContext, errors?: FieldError[], values?: Record<string, unknown>): Promise<RouteResult> => {
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

  return [
    { method: 'GET', url: paths.areaSettings.home, access: ACCESS, audit: 'area-settings.view', handler: homePage },
    { method: 'GET', url: paths.areaSettings.newLocality, access: ACCESS, audit: 'area-settings.locality.new', handler: async () => newLocalityPage() },
    {
      method: 'POST',
      url: paths.areaSettings.newLocality,
      access: ACCESS,
      audit: 'area-settings.locality.create',
      handler: async (ctx) => {
        const form = parseForm(localityForm, ctx.body);
        const locality = await settings.createLocality(ctx.db, form);
        Object.assign(ctx.audit, { subjectType: 'locality', subjectId: locality.id, details: form });
        return { redirect: `${paths.areaSettings.locality(locality.id)}?done=locality-added` };
      },
      onInvalid: (ctx, errors) => newLocalityPage(ctx.body, errors),
    },
    { method: 'GET', url: paths.areaSettings.locality(), access: ACCESS, audit: 'area-settings.locality.view', handler: (ctx) => localityPage(ctx) },
    {
      method: 'POST',
      url: paths.areaSettings.addPrefix(),
      access: ACCESS,
      audit: 'area-settings.locality.add-postcode',
      handler: async (ctx) => {
        const form = parseForm(prefixForm, ctx.body);
        await settings.addPrefix(ctx.db, ctx.param('id'), form.prefix);
        Object.assign(ctx.audit, { subjectType: 'locality', subjectId: ctx.params.id, details: { prefix: form.prefix } });
        return { redirect: `${paths.areaSettings.locality(ctx.params.id)}?done=prefix-added` };
      },
      onInvalid: (ctx, errors) => localityPage(ctx, errors, ctx.body),
    },
    {
      method: 'POST',
      url: paths.areaSettings.removePrefix(),
      access: ACCESS,
      audit: 'area-settings.locality.remove-postcode',
      handler: async (ctx) => {
        const form = parseForm(removePrefixForm, ctx.body);
        await settings.removePrefix(ctx.db, ctx.param('id'), form.prefix);
        Object.assign(ctx.audit, { subjectType: 'locality', subjectId: ctx.params.id, details: { prefix: form.prefix } });
        return { redirect: `${paths.areaSettings.locality(ctx.params.id)}?done=prefix-removed` };
      },
      onInvalid: (ctx, errors) => localityPage(ctx, errors),
    },
    { method: 'GET', url: paths.areaSettings.newCriterion, access: ACCESS, audit: 'area-settings.criterion.new', handler: async () => newCriterionPage() },
    {
      method: 'POST',
      url: paths.areaSettings.newCriterion,
      access: ACCESS,
      audit: 'area-settings.criterion.create',
      handler: async (ctx) => {
        const form = parseForm(criterionForm, ctx.body);
        const criterion = await settings.createCriterion(ctx.db, form);
        Object.assign(ctx.audit, { subjectType: 'criterion', subjectId: criterion.id, details: form });
        return { redirect: `${paths.areaSettings.home}?done=criterion-added#criteria` };
      },
      onInvalid: (ctx, errors) => newCriterionPage(ctx.body, errors),
    },
    { method: 'GET', url: paths.areaSettings.criterion(), access: ACCESS, audit: 'area-settings.criterion.view', handler: (ctx) => criterionPage(ctx) },
    {
      method: 'POST',
      url: paths.areaSettings.criterion(),
      access: ACCESS,
      audit: 'area-settings.criterion.update',
      handler: async (ctx) => {
        const form = parseForm(criterionEditForm, ctx.body);
        await settings.updateCriterion(ctx.db, ctx.param('id'), form);
        Object.assign(ctx.audit, { subjectType: 'criterion', subjectId: ctx.params.id, details: { previous: form.previous, description: form.description } });
        return { redirect: `${paths.areaSettings.criterion(ctx.params.id)}?done=criterion-saved` };
      },
      onInvalid: (ctx, errors) => criterionPage(ctx, errors, ctx.body),
    },
    {
      method: 'POST',
      url: paths.areaSettings.criterionActive(),
      access: ACCESS,
      audit: 'area-settings.criterion.set-active',
      handler: async (ctx) => {
        const form = parseForm(criterionActiveForm, ctx.body);
        await settings.setCriterionActive(ctx.db, ctx.param('id'), form.active === 'yes');
        Object.assign(ctx.audit, { subjectType: 'criterion', subjectId: ctx.params.id, details: { active: form.active === 'yes' } });
        return { redirect: `${paths.areaSettings.criterion(ctx.params.id)}?done=${form.active === 'yes' ? 'criterion-active' : 'criterion-inactive'}` };
      },
      onInvalid: (ctx, errors) => criterionPage(ctx, errors),
    },
  ];
}
