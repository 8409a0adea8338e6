// Eligibility rule sets, configured by the partnership administrator ('panels:configure'): list,
// view a version, add a rule set, save a change as a new version (the old one is kept).
import type { RouteContext, RouteResult, RouteSpec } from '../../../platform/http/route.js';
import type { FieldError } from '../../../platform/http/errors.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { radioItems } from '../../../platform/views/items.js';
import { KINDS, conditionsText, parseRuleSetForm } from './schema.js';
import * as eligibility from './service.js';

const V = 'referral-and-panel/eligibility/views/';
const ACCESS = 'panels:configure' as const;
type Values = Record<string, unknown>;

const kindLabel = (r: { kind: keyof typeof KINDS; threshold: number | null; conditions: string }) => {
  const n = (JSON.parse(r.conditions) as unknown[]).length;
  return r.kind === 'at-least' ? `At least ${r.threshold} of ${n} conditions` : r.kind === 'all' ? `All ${n} conditions` : `Any one of ${n} conditions`;
};

const formData = (values: Values, errors?: FieldError[]) => ({
  values,
  errors,
  kindItems: radioItems(KINDS, values.kind),
});

export function eligibilityRoutes(_deps: CapabilityDeps): RouteSpec[] {
  const listPage = async (ctx: RouteContext): Promise<RouteResult> => ({
    view: `${V}list.njk`,
    data: {
      pageTitle: 'Eligibility rules',
      ruleSets: (await eligibility.listRuleSets(ctx.db)).map((k) => ({ ...k.latest, rule: kindLabel(k.latest), versionCount: k.versions.length })),
      done: ctx.query.done === 'added' ? 'Rule set added' : undefined,
    },
  });
  const newPage = (values: Values = { kind: 'at-least' }, errors?: FieldError[]): RouteResult => ({
    view: `${V}new.njk`,
    data: { pageTitle: 'Add a rule set', ...formData(values, errors) },
  });
  const ruleSetPage = async (ctx: RouteContext, typed?: Values, errors?: FieldError[]): Promise<RouteResult> => {
    // A stale version shows the rule set as it now is, with the message; other errors keep what was typed.
    const stale = errors?.length === 1 && errors[0]!.href === '#main-content';
    const values = stale ? undefined : typed;
    const found = await eligibility.getRuleSet(ctx.db, ctx.params.id);
    const { row, ruleSet, versions, latestVersion } = found;
    const latest = row.version === latestVersion;
    return {
      view: `${V}rule-set.njk`,
      data: {
        pageTitle: `${row.name} (version ${row.version})`,
        row,
        rule: kindLabel(row),
        conditions: ruleSet.conditions,
        versions: versions.map((v) => ({ ...v, current: v.id === row.id })),
        latest,
        latestId: versions[0]!.id,
        saved: ctx.query.done === 'saved',
        ...formData(
          values ?? {
            name: row.name,
            kind: row.kind,
            threshold: row.threshold === null ? '' : String(row.threshold),
            conditions: conditionsText(ruleSet.conditions),
            outcomeMet: row.outcome_met ?? '',
            outcomeNotMet: row.outcome_not_met ?? '',
          },
          errors,
        ),
      },
    };
  };

  return [
    { method: 'GET', url: paths.eligibility.ruleSets, access: ACCESS, audit: 'eligibility.rule-sets.view', handler: listPage },
    ...formRoutes({
      url: paths.eligibility.newRuleSet,
      access: ACCESS,
      audit: { show: 'eligibility.rule-set.new', send: 'eligibility.rule-set.create' },
      page: (_ctx, values, errors) => newPage(values, errors),
      read: (ctx) => parseRuleSetForm(ctx.body),
      send: async (ctx, input) => {
        const row = await eligibility.createRuleSet(ctx.db, input, ctx.user.id);
        Object.assign(ctx.audit, {
          subjectType: 'eligibility-rule-set',
          subjectId: row.id,
          details: { version: row.version, conditions: input.conditions.length },
        });
        return { redirect: `${paths.eligibility.ruleSets}?done=added` };
      },
    }),
    ...formRoutes({
      url: paths.eligibility.ruleSet(),
      access: ACCESS,
      audit: { show: 'eligibility.rule-set.view', send: 'eligibility.rule-set.new-version' },
      page: ruleSetPage,
      read: (ctx) => {
        const basedOn = Number(ctx.body.basedOnVersion);
        return { basedOn, input: parseRuleSetForm(ctx.body, Number.isInteger(basedOn) ? basedOn + 1 : 1) };
      },
      send: async (ctx, { basedOn, input }) => {
        const row = await eligibility.saveNewVersion(ctx.db, ctx.param('id'), basedOn, input, ctx.user.id);
        Object.assign(ctx.audit, {
          subjectType: 'eligibility-rule-set',
          subjectId: row.id,
          details: { basedOn: ctx.params.id, version: row.version, conditions: input.conditions.length },
        });
        return { redirect: `${paths.eligibility.ruleSet(row.id)}?done=saved` };
      },
    }),
  ];
}
