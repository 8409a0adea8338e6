// The forecast of demand and cost for commissioners: the baseline and up to three saved scenarios
// side by side, each with its 80% interval and cost, breakdowns by setting, need and age band, and
// downloads. Aggregates only (no child is named), read through ctx.readDb. Saving a scenario checks
// it against the forecast first: one that would make a count negative is refused, in plain words.
import type { RouteContext, RouteSpec } from '../../../platform/http/route.js';
import { formRoutes, type FormValues } from '../../../platform/http/form-routes.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { formList, formText } from '../../../platform/http/form-values.js';
import { radioItems } from '../../../platform/views/items.js';
import { todayInLondon, longDate } from '../../../platform/dates.js';
import { formatPence } from '../../../platform/money.js';
import { tablesDownload, type Table } from '../../../platform/export.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { areaForecast, listScenarios, saveScenario, type AreaForecast, type SavedScenario } from './service.js';
import { describeAdjustment, KINDS, readScenarioForm, type ScenarioForm } from './schema.js';
import { AGE_BANDS, ScenarioProblem, SETTINGS, type Scenario } from './rules.js';
import { forecastChartSvg } from './presenters.js';

const V = (name: string) => `planning/forecast/views/${name}.njk`;
const MAX_COMPARED = 3;
const BASELINE = 'Baseline (the trend continues)';

const whole = (n: number) => Math.round(n).toLocaleString('en-GB');

/** The saved scenarios chosen to compare (by id), or the latest three when none are chosen. */
function chosen(ctx: RouteContext, saved: SavedScenario[]): SavedScenario[] {
  const ids = formList((ctx.query as Record<string, unknown>).compare);
  if (ids.length > MAX_COMPARED) throw new ValidationError([{ text: `Choose up to ${MAX_COMPARED} scenarios to compare with the baseline`, href: '#compare' }]);
  if (ids.length === 0) return saved.slice(0, MAX_COMPARED);
  const unknown = ids.filter((id) => !saved.some((s) => s.id === id));
  if (unknown.length) throw new ValidationError([{ text: 'One of the scenarios you chose is not saved. Choose from the list', href: '#compare' }]);
  return saved.filter((s) => ids.includes(s.id));
}

async function forecastFor(ctx: RouteContext) {
  const saved = await listScenarios(ctx.readDb);
  const compared = chosen(ctx, saved);
  const scenarios: Scenario[] = [{ name: BASELINE, adjustments: [] }, ...compared.map((s) => ({ name: s.name, adjustments: [s.adjustment] }))];
  const f = await areaForecast(ctx.readDb, todayInLondon(), scenarios);
  return { saved, compared, f };
}

/** Every figure as tables: the comparison, then each scenario's breakdowns (the same tables as the page and the downloads). */
function tables(f: AreaForecast): Table[] {
  const comparison: Table = {
    sheet: 'Comparison',
    columns: ['Scenario', 'Year', 'Children and young people', 'Low (80% interval)', 'High (80% interval)', 'Cost', 'Cost low', 'Cost high'],
    rows: f.scenarios.flatMap((s) =>
      s.years.map((y) => [
        s.name,
        y.label,
        Math.round(y.children),
        Math.round(y.low),
        Math.round(y.high),
        { pence: y.costPence },
        { pence: y.costLowPence },
        { pence: y.costHighPence },
      ]),
    ),
  };
  const breakdown = (sheet: string, heading: string, key: 'bySetting' | 'byNeed' | 'byAgeBand', label: (k: string) => string): Table => {
    const groups = [...new Set(f.scenarios.flatMap((s) => s.years.flatMap((y) => Object.keys(y[key]))))].sort();
    return {
      sheet,
      columns: ['Scenario', heading, ...f.scenarios[0]!.years.map((y) => y.label)],
      rows: f.scenarios.flatMap((s) => groups.map((g) => [s.name, label(g), ...s.years.map((y) => Math.round(y[key][g] ?? 0))])),
    };
  };
  return [
    comparison,
    breakdown('By setting', 'Setting', 'bySetting', (k) => SETTINGS[k as keyof typeof SETTINGS] ?? k),
    breakdown('By need', 'Primary need', 'byNeed', (k) => k),
    breakdown('By age', 'Age', 'byAgeBand', (k) => AGE_BANDS.find((b) => b.code === k)?.label ?? k),
    {
      sheet: 'Unit costs',
      columns: ['Package type', 'Children with spend', 'Actual spend per child'],
      rows: f.unitCosts.map((u) => [u.serviceCategory, u.children, { pence: u.pence }]),
    },
  ];
}

const invalid = (_ctx: RouteContext, errors: FieldError[]) => ({
  view: V('invalid'),
  data: { pageTitle: 'There is a problem with the forecast you asked for', errors },
});

export function forecastRoutes(_deps: CapabilityDeps): RouteSpec[] {
  const scenarioPage = (_ctx: RouteContext, values: FormValues = {}, errors?: FieldError[]) => {
    const settingItems = (name: string) => [
      { value: '', text: 'Choose a setting' },
      ...Object.entries(SETTINGS).map(([value, text]) => ({ value, text, selected: values[name] === value })),
    ];
    const thisYear = Number(todayInLondon().slice(0, 4));
    return {
      view: V('scenario-new'),
      data: {
        pageTitle: 'Add a forecast scenario',
        values,
        errors,
        kindItems: radioItems(KINDS, values.kind),
        fromItems: settingItems('from'),
        toItems: settingItems('to'),
        thisYear,
      },
    };
  };
  return [
    {
      method: 'GET',
      url: paths.commissioning.forecast,
      access: 'forecast:view',
      audit: 'forecast.view',
      onInvalid: invalid,
      handler: async (ctx) => {
        const { saved, compared, f } = await forecastFor(ctx);
        const t = tables(f);
        const compareIds = compared.map((s) => s.id);
        const query = compareIds.map((id) => `&compare=${id}`).join('');
        return {
          view: V('forecast'),
          data: {
            pageTitle: 'Forecast of demand and cost',
            f,
            startLabel: `${f.startYear - 1}/${String(f.startYear).slice(2)}`,
            spendYearLabel: f.spendYear === null ? null : `${f.spendYear}/${String(f.spendYear + 1).slice(2)}`,
            chart: forecastChartSvg(f.scenarios),
            comparison: f.scenarios.map((s) => ({
              name: s.name,
              years: s.years.map((y) => ({
                label: y.label,
                children: whole(y.children),
                interval: `${whole(y.low)} to ${whole(y.high)}`,
                cost: formatPence(y.costPence),
                costInterval: `${formatPence(y.costLowPence)} to ${formatPence(y.costHighPence)}`,
              })),
            })),
            breakdowns: t.slice(1, 4).map((table) => ({
              heading: table.sheet,
              columns: table.columns,
              rows: table.rows.map((r) => r.map((c) => (typeof c === 'number' ? whole(c) : typeof c === 'string' ? c : ''))),
            })),
            unitCosts: f.unitCosts.map((u) => ({ category: u.serviceCategory, children: u.children, cost: formatPence(u.pence) })),
            perChild: Object.entries(f.perChild).map(([s, p]) => ({ setting: SETTINGS[s as keyof typeof SETTINGS] ?? s, cost: formatPence(p ?? 0) })),
            saved: saved.map((s) => ({
              id: s.id,
              name: s.name,
              change: describeAdjustment(s.adjustment),
              by: s.createdBy,
              on: longDate(s.createdAt.toISOString().slice(0, 10)),
              checked: compareIds.includes(s.id),
            })),
            canManage: ctx.user?.permissions.has('forecast:manage') ?? false,
            downloads: (['csv', 'xlsx'] as const).map((format) => ({ format, href: `${paths.commissioning.forecastExport}?format=${format}${query}` })),
          },
        };
      },
    },
    {
      method: 'GET',
      url: paths.commissioning.forecastExport,
      access: 'forecast:view',
      audit: 'forecast.export',
      onInvalid: invalid,
      handler: async (ctx) => {
        const format = formText(ctx.query.format);
        if (format !== 'csv' && format !== 'xlsx') throw new ValidationError([{ text: 'Choose a download as CSV or XLSX', href: '#format' }]);
        const { f } = await forecastFor(ctx);
        return tablesDownload(`forecast-${f.startYear}`, tables(f), format);
      },
    },
    ...formRoutes<ScenarioForm>({
      url: paths.commissioning.newScenario,
      access: 'forecast:manage',
      audit: { show: 'forecast.scenario.new', send: 'forecast.scenario.create' },
      page: scenarioPage,
      read: (ctx) => readScenarioForm(ctx.body, Number(todayInLondon().slice(0, 4))),
      send: async (ctx, form) => {
        // Run it once before saving: a scenario that would make a count negative is refused, with the figures.
        try {
          await areaForecast(ctx.db, todayInLondon(), [{ name: form.name, adjustments: [form.adjustment] }], 0);
        } catch (e) {
          if (e instanceof ScenarioProblem) throw new ValidationError([{ text: e.message, href: `#${fieldOf(form, e.field)}` }]);
          throw e;
        }
        const id = await saveScenario(ctx.db, ctx.user.id, form.name, form.adjustment);
        ctx.audit.details = { scenario: id, kind: form.adjustment.kind };
        return { redirect: `${paths.commissioning.forecast}?compare=${id}` };
      },
    }),
  ];
}

const fieldOf = (form: ScenarioForm, field: string) => (field === 'percent' ? (form.adjustment.kind === 'joiners' ? 'joinersPercent' : 'shiftPercent') : field);
