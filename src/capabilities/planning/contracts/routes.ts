// The contracts register's pages: the register (with the procurement pipeline and the CSV and
// Excel downloads), a contract with its shares, packages and spend from the ledger and KPIs, and
// the forms: a new contract (from an intention or not), the import, linking a package, a KPI and
// its returns. The daily job e-mails alerts 6 and 3 months before a contract ends.
import type { RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { formText } from '../../../platform/http/form-values.js';
import { dateInput, withDate } from '../../../platform/date-input.js';
import { longDate, todayInLondon } from '../../../platform/dates.js';
import { formatPence, penceToInput } from '../../../platform/money.js';
import { tablesDownload, type Table } from '../../../platform/export.js';
import { fieldItems, radioItems } from '../../../platform/views/items.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { listAgreements, listPartners } from '../../money/budgets/index.js';
import { serviceChoices } from '../local-offer/index.js';
import { intentionForContract, intentionsReadyToContract } from '../commissioning-plans/index.js';
import { EXPIRY_TEXT, expiry, meetsTarget } from './rules.js';
import { IMPORT_COLUMNS, parseContractsCsv, readContractForm, readKpiForm, readReturnForm, shareField, sharesText, type Lookups } from './schema.js';
import {
  addKpi,
  alertExpiring,
  createContract,
  importContracts,
  kpiRow,
  linkPackage,
  listContracts,
  pipeline,
  providerChoices,
  readContract,
  recordReturn,
} from './service.js';

const V = 'planning/contracts/views/';
type Values = Record<string, unknown>;

export const ALERT_JOB = 'contracts.alert-expiring';

async function lookups(ctx: SignedInContext): Promise<Lookups> {
  const [partners, pools, providers] = await Promise.all([listPartners(ctx.db), listAgreements(ctx.db), providerChoices(ctx.db)]);
  return { partners: partners.filter((p) => p.active), pools, providers };
}

export function contractRoutes(deps: CapabilityDeps): RouteSpec[] {
  deps.jobs.register(ALERT_JOB, async (payload, job) => {
    const at = (payload as { scheduledFor?: string } | null)?.scheduledFor;
    return job.db
      .transaction()
      .execute((tx) => alertExpiring(tx, deps.notifier, deps.config.baseUrl, at && /^\d{4}-\d{2}-\d{2}$/.test(at) ? at : todayInLondon()));
  });
  deps.jobs.daily(ALERT_JOB, '07:20');

  const contractPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[], form?: string): Promise<RouteResult> => {
    const { contract: c, service, shares, packages, kpis } = await readContract(ctx.db, ctx.param('id'));
    ctx.audit.subjectType = 'contract';
    ctx.audit.subjectId = c.id;
    const today = todayInLondon();
    const alert = expiry(c.ends_on, today);
    const spent = packages.reduce((t, p) => t + p.spentPence, 0);
    const entries = ctx.user.permissions.has('budgets:entries');
    return {
      view: `${V}contract.njk`,
      status: errors ? 400 : 200,
      data: {
        pageTitle: `${c.reference}: ${c.title}`,
        c: {
          ...c,
          value: formatPence(c.annual_value_pence),
          period: `${longDate(c.starts_on)} to ${longDate(c.ends_on)}`,
          alert: alert ? EXPIRY_TEXT[alert] : null,
          alertClass: alert === 'within-6-months' ? 'govuk-tag--yellow' : 'govuk-tag--red',
        },
        service: service ? { name: service.name, href: paths.localOffer.service(service.id) } : null,
        shares: shares.map((s) => ({ ...s, amount: formatPence(s.pence) })),
        // Package by package only for finance ('budgets:entries'): each row is one child's package and
        // its cost. Everyone else sees how many and the totals, figures of the contract, not a child.
        packageCount: packages.length,
        packages: (entries ? packages : []).map((p) => ({
          ...p,
          href: paths.budgets.package(p.id),
          committed: formatPence(p.committedPence),
          spent: formatPence(p.spentPence),
          period: `${longDate(p.startsOn)} to ${p.endsOn ? longDate(p.endsOn) : 'no end date'}`,
        })),
        spent: formatPence(spent),
        committed: formatPence(packages.reduce((t, p) => t + p.committedPence, 0)),
        entries,
        kpis: kpis.map((k) => ({
          ...k,
          returnHref: paths.commissioning.kpiReturn(k.id),
          direction: k.higher_is_better ? 'higher is better' : 'lower is better',
          returns: k.returns.map((r) => ({ ...r, on: longDate(r.period_ending), met: meetsTarget(r.value, k.target, k.higher_is_better) })),
        })),
        manage: ctx.user.permissions.has('commissioning:manage'),
        values,
        errors,
        form,
        directionItems: radioItems({ higher: 'Higher is better', lower: 'Lower is better' }, values.direction),
      },
    };
  };

  return [
    {
      method: 'GET',
      url: paths.commissioning.contracts,
      access: 'commissioning:view',
      audit: 'commissioning.contracts.view',
      handler: async (ctx) => {
        const today = todayInLondon();
        const all = await listContracts(ctx.db);
        const ending = ctx.query.ending === '3' || ctx.query.ending === '6' ? ctx.query.ending : null;
        const shown = all.filter((c) => {
          const e = expiry(c.ends_on, today);
          return ending === '3' ? e === 'within-3-months' : ending === '6' ? e === 'within-6-months' || e === 'within-3-months' : true;
        });
        const format = ctx.query.format;
        ctx.audit.details = { format: format ?? 'page', ending };
        if (format === 'csv' || format === 'xlsx') {
          const table: Table = {
            sheet: 'Contracts',
            columns: [
              'Reference',
              'Title',
              'Provider',
              ...IMPORT_COLUMNS.filter((c) => c !== 'Title'),
              'Local Offer service',
              'Packages',
              'Spend from the ledger',
              'Alert',
            ],
            rows: shown.map((c) => {
              const e = expiry(c.ends_on, today);
              return [
                c.reference,
                c.title,
                c.provider_name,
                c.provider_code,
                c.service_id,
                c.starts_on,
                c.ends_on,
                { pence: c.annual_value_pence },
                sharesText(c.shares),
                c.serviceName,
                c.packages,
                { pence: c.spentPence },
                e ? EXPIRY_TEXT[e] : '',
              ];
            }),
          };
          return tablesDownload('contracts', [table], format);
        }
        const ready = await intentionsReadyToContract(ctx.db);
        const taken = await pipeline(ctx.db, ready);
        const manage = ctx.user.permissions.has('commissioning:manage');
        return {
          view: `${V}contracts.njk`,
          data: {
            pageTitle: 'Contracts register',
            ending,
            manage,
            contracts: shown.map((c) => {
              const e = expiry(c.ends_on, today);
              return {
                ...c,
                href: paths.commissioning.contract(c.id),
                value: formatPence(c.annual_value_pence),
                spent: formatPence(c.spentPence),
                ends: longDate(c.ends_on),
                alert: e ? EXPIRY_TEXT[e] : null,
                alertClass: e === 'within-6-months' ? 'govuk-tag--yellow' : 'govuk-tag--red',
              };
            }),
            pipeline: ready
              .filter((r) => !taken.has(r.id))
              .map((r) => ({
                ...r,
                due: longDate(r.due_on),
                href: paths.commissioning.intention(r.id),
                contractHref: manage ? `${paths.commissioning.newContract}?intention=${r.id}` : null,
                expected: r.expected_pence === null ? 'Not yet known' : formatPence(Number(r.expected_pence)),
              })),
            csv: `${paths.commissioning.contracts}?format=csv${ending ? `&ending=${ending}` : ''}`,
            xlsx: `${paths.commissioning.contracts}?format=xlsx${ending ? `&ending=${ending}` : ''}`,
          },
        };
      },
    },
    ...formRoutes({
      url: paths.commissioning.newContract,
      access: 'commissioning:manage',
      audit: { show: 'commissioning.contract.form', send: 'commissioning.contract.create' },
      page: async (ctx, values, errors) => {
        const l = await lookups(ctx);
        const services = await serviceChoices(ctx.db);
        let v: Values = values ?? {};
        let from: { what: string; href: string } | null = null;
        const intentionId = formText(values?.intentionId ?? ctx.query.intention);
        if (intentionId) {
          const { intention } = await intentionForContract(ctx.db, intentionId, false);
          from = { what: intention.what, href: paths.commissioning.intention(intention.id) };
          if (!values) {
            v = { intentionId, title: intention.what };
            if (intention.expected_pence !== null) v.annualValue = penceToInput(intention.expected_pence);
          }
        }
        return {
          view: `${V}contract-new.njk`,
          status: errors ? 400 : 200,
          data: {
            pageTitle: 'Add a contract',
            from,
            values: v,
            errors,
            providerItems: fieldItems(l.providers, 'id', 'name', v.providerId, 'Choose the provider'),
            serviceItems: fieldItems(services, 'id', 'name', v.serviceId, 'Not a Local Offer service'),
            startsOn: dateInput('startsOn', v, errors, 'Starts'),
            endsOn: dateInput('endsOn', v, errors, 'Ends'),
            shareRows: l.partners.map((p) => ({
              partner: p.short_name,
              cells: l.pools.map((a) => ({ name: shareField(p.id, a.id), label: `${p.short_name} from ${a.name}`, value: v[shareField(p.id, a.id)] ?? '' })),
            })),
            pools: l.pools,
          },
        };
      },
      read: async (ctx) => readContractForm(ctx.body, await lookups(ctx)),
      send: async (ctx, form) => {
        const c = await createContract(ctx.db, form, ctx.user);
        ctx.audit.subjectType = 'contract';
        ctx.audit.subjectId = c.id;
        ctx.audit.details = { reference: c.reference, intentionId: form.intentionId };
        return { redirect: paths.commissioning.contract(c.id) };
      },
    }),
    ...formRoutes({
      url: paths.commissioning.importContracts,
      access: 'commissioning:manage',
      audit: { show: 'commissioning.contracts.import-form', send: 'commissioning.contracts.import' },
      page: (_ctx, values = {}, errors) => ({
        view: `${V}import.njk`,
        status: errors ? 400 : 200,
        data: { pageTitle: 'Import contracts from a CSV file', values, errors, columns: IMPORT_COLUMNS },
      }),
      read: async (ctx) => parseContractsCsv(formText(ctx.body.csv), await lookups(ctx)),
      send: async (ctx, rows) => {
        const made = await importContracts(ctx.db, rows, ctx.user);
        ctx.audit.details = { contracts: made.map((m) => m.reference) };
        return { redirect: paths.commissioning.contracts };
      },
    }),
    {
      method: 'GET',
      url: paths.commissioning.contract(),
      access: 'commissioning:view',
      audit: 'commissioning.contract.view',
      handler: (ctx) => contractPage(ctx),
    },
    ...formRoutes({
      url: paths.commissioning.linkPackage(),
      access: 'commissioning:manage',
      audit: { show: 'commissioning.contract.package-form', send: 'commissioning.contract.link-package' },
      page: (ctx, values, errors) => contractPage(ctx, values, errors, 'package'),
      read: (ctx) => {
        const reference = formText(ctx.body.reference).trim();
        if (!reference) throw new ValidationError([{ text: 'Enter the package’s reference, like PKG-1001', href: '#reference' }]);
        return { reference };
      },
      send: async (ctx, form) => {
        const { contract, packageId } = await linkPackage(ctx.db, ctx.param('id'), form.reference, ctx.user);
        ctx.audit.subjectType = 'contract';
        ctx.audit.subjectId = contract.id;
        ctx.audit.details = { packageId, reference: form.reference };
        return { redirect: `${paths.commissioning.contract(contract.id)}#packages` };
      },
    }),
    ...formRoutes({
      url: paths.commissioning.newKpi(),
      access: 'commissioning:manage',
      audit: { show: 'commissioning.kpi.form', send: 'commissioning.kpi.create' },
      page: (ctx, values, errors) => contractPage(ctx, values, errors, 'kpi'),
      read: (ctx) => readKpiForm(ctx.body),
      send: async (ctx, form) => {
        const id = ctx.param('id');
        const k = await addKpi(ctx.db, id, form, ctx.user);
        ctx.audit.subjectType = 'contract';
        ctx.audit.subjectId = id;
        ctx.audit.details = { kpiId: k.id, name: form.name };
        return { redirect: `${paths.commissioning.contract(id)}#kpis` };
      },
    }),
    ...formRoutes({
      url: paths.commissioning.kpiReturn(),
      access: 'commissioning:manage',
      audit: { show: 'commissioning.kpi.return-form', send: 'commissioning.kpi.return' },
      page: async (ctx, values = {}, errors) => {
        const k = await kpiRow(ctx.db, ctx.param('id'));
        const v = Object.keys(values).length ? values : withDate({}, 'periodEnding', null);
        return {
          view: `${V}kpi-return.njk`,
          status: errors ? 400 : 200,
          data: {
            pageTitle: `Record a return: ${k.name}`,
            k,
            back: paths.commissioning.contract(k.contract_id),
            values: v,
            errors,
            periodEnding: dateInput('periodEnding', v, errors, 'The last day of the period it covers'),
          },
        };
      },
      read: (ctx) => readReturnForm(ctx.body),
      send: async (ctx, form) => {
        const k = await recordReturn(ctx.db, ctx.param('id'), form, ctx.user);
        ctx.audit.subjectType = 'contract';
        ctx.audit.subjectId = k.contract_id;
        ctx.audit.details = { kpiId: k.id, periodEnding: form.periodEnding, value: form.value };
        return { redirect: `${paths.commissioning.contract(k.contract_id)}#kpis` };
      },
    }),
  ];
}
