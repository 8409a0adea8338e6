// The budget reports for the partnership board and finance, and the trail from any figure down
// to the ledger entries, the transaction, the package and its decisions, or the invoice.
// A child's name is shown only to people the sharing rule lets see the child; everyone else sees
// the child's finance reference (C-XXXX-XXXX-XXXX). Per-child figures are audited like the record.
import type { RouteContext, RouteSpec } from '../../../platform/http/route.js';
import type { Permission } from '../../../platform/access/roles.js';
import { NotFoundError, ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { parseForm } from '../../../platform/http/forms.js';
import { todayInLondon } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { requireChild, viewerOf } from '../../record/sharing/index.js';
import { formatPence } from '../../../platform/money.js';
import { ACCOUNT_NAMES, formatShare, childReference, REVERSIBLE_KINDS } from '../budgets/index.js';
import { financialYearLabel, financialYearOf } from '../../../platform/financial-year.js';
import { entriesForm, exportForm, yearForm } from './schema.js';
import {
  ENTRIES_PAGE_SIZE,
  SPEND_PAGE_SIZE,
  agreedShares,
  boardRows,
  childIfVisible,
  childMoney,
  entriesFor,
  invoiceTrail,
  packageTrail,
  packagesInYear,
  referenceData,
  spendBy,
  spendPerVisibleChild,
  transactionTrail,
  yearsInUse,
} from './service.js';
import {
  BOARD_MEASURES,
  FORECAST_DEFINITION,
  MEASURE_LABELS,
  boardSections,
  entriesHref,
  kindLabel,
  protectedLines,
  shareSections,
  spendChartSvg,
} from './presenters.js';
import { MEASURE_ACCOUNTS, averagePence, protectGroups, SHOWN_TEXT, weeklyCostPence, yearChoices } from './rules.js';
import { tablesDownload, type Table } from '../../../platform/export.js';

/** The aggregate reports: counts and sums, small groups suppressed (commissioners, finance, the administrator). */
export const REPORTS_PERMISSION: Permission = 'budgets:view';
/** The drill-downs to entries, transactions, packages and invoices: row-level, finance only (docs/adr/0009). */
export const ENTRIES_PERMISSION: Permission = 'budgets:entries';
const canDrill = (ctx: RouteContext) => ctx.user?.permissions.has(ENTRIES_PERMISSION) ?? false;

const V = (name: string) => `money/budget-reports/views/${name}.njk`;

/** A drill-down link or download asked for something that is not there: say what, in plain words. */
const invalid = (_ctx: RouteContext, errors: FieldError[]) => ({
  view: V('invalid'),
  data: { pageTitle: 'There is a problem with the report you asked for', errors },
});

async function chosenYear(ctx: RouteContext, year: number | undefined) {
  const current = financialYearOf(todayInLondon());
  const years = yearChoices(await yearsInUse(ctx.readDb), current);
  const fy = year ?? current;
  if (!years.includes(fy))
    throw new ValidationError([{ text: `There is no money recorded for ${financialYearLabel(fy)}. Choose a financial year from the list`, href: '#year' }]);
  return { fy, yearItems: years.map((y) => ({ value: String(y), text: financialYearLabel(y), selected: y === fy })) };
}

/** The child as this person may see them: a name and a link when the sharing rule allows it, otherwise the finance reference. */
async function childShown(ctx: RouteContext, childId: string | null) {
  if (!childId) return null;
  const visible = ctx.user ? await childIfVisible(ctx.readDb, viewerOf(ctx.user), childId) : null;
  if (visible) {
    ctx.audit.children = [...(ctx.audit.children ?? []), childId];
    return { reference: childReference(childId), name: `${visible.given_name} ${visible.family_name}`, href: paths.budgetReports.child(childId) };
  }
  return { reference: childReference(childId), name: null, href: null };
}

const accountLabel = (a: string) => ACCOUNT_NAMES[a] ?? a;

// Tables for downloads ---------------------------------------------------------------------------

function boardTables(sections: ReturnType<typeof boardSections>, fy: number): Table[] {
  return sections.map((s) => ({
    sheet: `${s.heading} ${fy}`,
    columns: [s.groupHeading, ...BOARD_MEASURES.map((m) => `${MEASURE_LABELS[m]} (£)`)],
    rows: [...s.lines, s.total].map((l) => [l.label, ...l.cells.map((c) => ({ pence: c.pence }))]),
  }));
}

function shareTables(sections: ReturnType<typeof shareSections>, fy: number): Table[] {
  return [
    {
      sheet: `Shares of spend ${fy}`,
      columns: ['Pool', 'Partner', 'Actual spend (£)', 'Share of spend', 'Agreed share', 'Difference', 'Against agreed share'],
      rows: sections.flatMap((s) =>
        s.lines.map((l) => [s.agreementName, l.partner, l.actualText.replace(/[£,]/g, ''), l.spent, l.agreed, l.difference, l.owed]),
      ),
    },
  ];
}

export function budgetReportsRoutes(_deps: CapabilityDeps): RouteSpec[] {
  async function board(ctx: RouteContext, year: number | undefined) {
    const { fy, yearItems } = await chosenYear(ctx, year);
    const [ref, rows, agreed] = await Promise.all([referenceData(ctx.readDb), boardRows(ctx.readDb, fy), agreedShares(ctx.readDb, fy)]);
    return { fy, yearItems, ref, sections: boardSections(rows, ref, fy), shares: shareSections(rows, agreed, ref, fy), rows };
  }

  async function spend(ctx: RouteContext, fy: number) {
    const drill = canDrill(ctx);
    const [needs, localities, services, packages] = await Promise.all([
      spendBy(ctx.readDb, fy, 'need'),
      spendBy(ctx.readDb, fy, 'locality'),
      spendBy(ctx.readDb, fy, 'service'),
      packagesInYear(ctx.readDb, fy),
    ]);
    // Unit costs by service: children counted for protection, like the other breakdowns.
    const byService = new Map<string, { label: string; children: Set<string>; unitCosts: number[]; weekly: number[] }>();
    for (const p of packages) {
      const k = `${p.category_name}: ${p.service}`;
      const g = byService.get(k) ?? { label: k, children: new Set<string>(), unitCosts: [], weekly: [] };
      g.children.add(p.child_id);
      g.unitCosts.push(p.unit_cost_pence);
      g.weekly.push(weeklyCostPence(p.unit_cost_pence, p.units_x100, p.frequency));
      byService.set(k, g);
    }
    const unitCosts = protectGroups(
      [...byService.values()]
        .sort((a, b) => a.label.localeCompare(b.label))
        .map((g) => ({
          label: g.label,
          children: g.children.size,
          packages: g.unitCosts.length,
          unit: averagePence(g.unitCosts)!,
          weekly: averagePence(g.weekly)!,
        })),
    ).map((g) => {
      const hidden = g.shown === 'shown' ? null : SHOWN_TEXT[g.shown].page;
      return {
        label: g.label,
        children: g.shown === 'fewer-than-5' ? 'fewer than 5' : g.children.toLocaleString('en-GB'),
        unit: hidden ?? formatPence(g.unit),
        weekly: hidden ?? formatPence(g.weekly),
        unitPence: hidden ? null : g.unit,
        weeklyPence: hidden ? null : g.weekly,
        shown: g.shown,
      };
    });
    const breakdown = (key: string, heading: string, groupHeading: string, groups: typeof needs) => {
      const protectedRows = protectGroups(groups);
      // Only the service breakdown links to its entries: a list of entries by need or locality
      // would tie each child's finance reference to their need or where they live.
      const lines = protectedLines(groups).map((l, i) => {
        const g = protectedRows[i]!;
        const linked = drill && key === 'service' && g.shown === 'shown' && g.key !== null;
        return {
          ...l,
          actualHref: linked ? entriesHref(fy, 'actual', { service: g.key! }) : null,
          commitmentHref: linked ? entriesHref(fy, 'commitment', { service: g.key! }) : null,
        };
      });
      return {
        key,
        heading,
        groupHeading,
        lines,
        raw: protectedRows,
        chart: spendChartSvg({
          id: `chart-${key}`,
          title: `Actual spend ${heading.toLowerCase()}, ${financialYearLabel(fy)}`,
          lines: protectedRows.map((g) => ({ label: g.label, pence: g.shown === 'shown' ? g.actual : null })),
        }),
      };
    };
    return {
      breakdowns: [
        breakdown('need', 'By primary need', 'Primary need', needs),
        breakdown('locality', 'By locality', 'Locality', localities),
        breakdown('service', 'By service', 'Service', services),
      ],
      unitCosts,
      canDrill: drill,
    };
  }

  return [
    {
      method: 'GET',
      url: paths.budgetReports.board,
      access: REPORTS_PERMISSION,
      audit: 'budgets.reports.board',
      auditReads: true,
      handler: async (ctx) => {
        const form = parseForm(yearForm, ctx.query);
        const b = await board(ctx, form.year);
        ctx.audit.details = { financialYear: b.fy };
        return {
          view: V('board'),
          data: {
            pageTitle: `Budget report ${financialYearLabel(b.fy)}`,
            yearLabel: financialYearLabel(b.fy),
            year: b.fy,
            yearItems: b.yearItems,
            sections: b.sections,
            shares: b.shares,
            measures: BOARD_MEASURES.map((m) => MEASURE_LABELS[m]),
            forecastDefinition: FORECAST_DEFINITION,
            canDrill: canDrill(ctx),
            downloads: ['board', 'shares'].flatMap((report) =>
              ['csv', 'xlsx'].map((format) => ({ report, format, href: `${paths.budgetReports.export}?report=${report}&format=${format}&year=${b.fy}` })),
            ),
          },
        };
      },
      onInvalid: (ctx, errors) => ({
        view: V('board'),
        data: { pageTitle: 'Budget report', errors, sections: [], shares: [], yearItems: [], forecastDefinition: FORECAST_DEFINITION, downloads: [] },
      }),
    },
    {
      method: 'GET',
      url: paths.budgetReports.spend,
      access: REPORTS_PERMISSION,
      audit: 'budgets.reports.spend',
      auditReads: true,
      onInvalid: invalid,
      handler: async (ctx) => {
        const form = parseForm(yearForm, ctx.query);
        const { fy, yearItems } = await chosenYear(ctx, form.year);
        const page = form.page ?? 1;
        const s = await spend(ctx, fy);
        const perChild = ctx.user ? await spendPerVisibleChild(ctx.readDb, viewerOf(ctx.user), fy, page) : { total: 0, rows: [] };
        // The children whose figures this page shows: each one's "who has looked" lists this view.
        ctx.audit.children = perChild.rows.map((r) => r.id);
        ctx.audit.details = { financialYear: fy, childrenShown: perChild.rows.length, page };
        const pages = Math.max(1, Math.ceil(perChild.total / SPEND_PAGE_SIZE));
        return {
          view: V('spend'),
          data: {
            pageTitle: `Spend by child, need, locality and service ${financialYearLabel(fy)}`,
            yearLabel: financialYearLabel(fy),
            year: fy,
            yearItems,
            ...s,
            perChild: perChild.rows.map((r) => ({
              ...r,
              href: paths.budgetReports.child(r.id),
              commitmentText: formatPence(r.commitment),
              actualText: formatPence(r.actual),
            })),
            perChildTotal: perChild.total,
            page,
            pages,
            previous: page > 1 ? `${paths.budgetReports.spend}?year=${fy}&page=${page - 1}` : null,
            next: page < pages ? `${paths.budgetReports.spend}?year=${fy}&page=${page + 1}` : null,
            downloads: ['csv', 'xlsx'].map((format) => ({ format, href: `${paths.budgetReports.export}?report=spend&format=${format}&year=${fy}` })),
          },
        };
      },
    },
    {
      method: 'GET',
      url: paths.budgetReports.export,
      access: REPORTS_PERMISSION,
      audit: 'budgets.reports.export',
      auditReads: true,
      onInvalid: invalid,
      handler: async (ctx) => {
        const form = parseForm(exportForm, ctx.query);
        let tables: Table[];
        let fy: number;
        if (form.report === 'spend') {
          fy = (await chosenYear(ctx, form.year)).fy;
          const s = await spend(ctx, fy);
          // The download carries the protected breakdowns only: no child's own figures leave in a file.
          tables = [
            ...s.breakdowns.map((b) => ({
              sheet: `${b.heading} ${fy}`,
              columns: [b.groupHeading, 'Children', 'Actual spend (£)', 'Commitment (£)', 'Actual spend per child (£)'],
              rows: b.raw.map((g) =>
                g.shown === 'shown'
                  ? [g.label, g.children, { pence: g.actual }, { pence: g.commitment }, g.children ? { pence: Math.round(g.actual / g.children) } : null]
                  : [
                      g.label,
                      g.shown === 'fewer-than-5' ? 'fewer than 5' : SHOWN_TEXT.hidden.csv,
                      SHOWN_TEXT[g.shown].csv,
                      SHOWN_TEXT[g.shown].csv,
                      SHOWN_TEXT[g.shown].csv,
                    ],
              ),
            })),
            {
              sheet: `Unit costs ${fy}`,
              columns: ['Service', 'Children', 'Average unit cost (£)', 'Average cost a week (£)'],
              rows: s.unitCosts.map((u) => [
                u.label,
                u.children,
                u.unitPence === null ? u.unit : { pence: u.unitPence },
                u.weeklyPence === null ? u.weekly : { pence: u.weeklyPence },
              ]),
            },
          ];
        } else {
          const b = await board(ctx, form.year);
          fy = b.fy;
          tables = form.report === 'board' ? boardTables(b.sections, fy) : shareTables(b.shares, fy);
        }
        ctx.audit.details = { report: form.report, format: form.format, financialYear: fy };
        const name = `budget-${form.report}-${fy}-${fy + 1}`;
        return tablesDownload(name, tables, form.format);
      },
    },
    {
      method: 'GET',
      url: paths.budgetReports.entries,
      access: ENTRIES_PERMISSION,
      audit: 'budgets.reports.entries',
      auditReads: true,
      onInvalid: invalid,
      handler: async (ctx) => {
        const form = parseForm(entriesForm, ctx.query);
        const { fy } = await chosenYear(ctx, form.year);
        const page = form.page ?? 1;
        const ref = await referenceData(ctx.readDb);
        const filter = {
          financialYear: fy,
          measure: form.measure,
          agreementId: form.agreement,
          partnerId: form.partner,
          category: form.category,
          packageId: form.package,
          service: form.service,
        };
        if (form.agreement && !ref.agreements.some((a) => a.id === form.agreement)) throw new NotFoundError('agreement');
        if (form.partner && form.partner !== 'none' && !ref.partners.some((p) => p.id === form.partner)) throw new NotFoundError('partner');
        if (form.category && form.category !== 'none' && !ref.categories.some((c) => c.id === form.category)) throw new NotFoundError('category');
        // A service the spend page hides (fewer than 5 children, or hidden to protect one) has no
        // drill-down either: its entries would name the few children's references the page protects.
        if (form.service) {
          const shown = protectGroups(await spendBy(ctx.readDb, fy, 'service')).find((g) => g.key === form.service);
          if (!shown || shown.shown !== 'shown') throw new NotFoundError('service');
        }
        const found = await entriesFor(ctx.readDb, filter, page);
        const children = new Map<string, Awaited<ReturnType<typeof childShown>>>();
        for (const e of found.entries) if (e.childId && !children.has(e.childId)) children.set(e.childId, await childShown(ctx, e.childId));
        const accounts = MEASURE_ACCOUNTS[filter.measure];
        // What the figure on the report is, worked out from these entries' sums.
        const sums = accounts.map((a) => ({ account: accountLabel(a), pence: found.byAccount.get(a) ?? 0, text: formatPence(found.byAccount.get(a) ?? 0) }));
        ctx.audit.details = {
          financialYear: fy,
          measure: filter.measure,
          agreement: form.agreement ?? null,
          partner: form.partner ?? null,
          category: form.category ?? null,
          package: form.package ?? null,
          service: form.service ?? null,
          page,
        };
        const describe = [
          form.agreement ? `pool: ${ref.agreements.find((a) => a.id === form.agreement)!.name}` : 'all pools',
          form.partner === 'none' ? 'no partner yet' : form.partner ? `partner: ${ref.partners.find((p) => p.id === form.partner)!.name}` : 'all partners',
          form.category === 'none'
            ? 'no service category yet'
            : form.category
              ? `service: ${ref.categories.find((c) => c.id === form.category)!.name}`
              : 'all services',
          ...(form.service ? [`the service ${form.service.split('|').slice(1).join('|')}`] : []),
        ];
        const pages = Math.max(1, Math.ceil(found.count / ENTRIES_PAGE_SIZE));
        const base = entriesHref(fy, filter.measure, {
          agreement: form.agreement,
          partner: form.partner,
          category: form.category,
          package: form.package,
          service: form.service,
        });
        return {
          view: V('entries'),
          data: {
            pageTitle: `${MEASURE_LABELS[filter.measure]}: ledger entries, ${financialYearLabel(fy)}`,
            measureLabel: MEASURE_LABELS[filter.measure],
            measure: filter.measure,
            yearLabel: financialYearLabel(fy),
            describe: describe.join('; '),
            sums,
            count: found.count.toLocaleString('en-GB'),
            forecastDefinition: filter.measure === 'forecast' || filter.measure === 'variance' ? FORECAST_DEFINITION : null,
            backHref: `${paths.budgetReports.board}?year=${fy}`,
            entries: found.entries.map((e) => ({
              ...e,
              accountName: accountLabel(e.account),
              kindLabel: kindLabel(e.kind),
              amountText: formatPence(e.amountPence),
              href: paths.budgetReports.transaction(e.transactionId),
              packageHref: e.packageId ? paths.budgetReports.package(e.packageId) : null,
              child: e.childId ? children.get(e.childId) : null,
            })),
            page,
            pages,
            previous: page > 1 ? `${base}&page=${page - 1}` : null,
            next: page < pages ? `${base}&page=${page + 1}` : null,
          },
        };
      },
    },
    {
      method: 'GET',
      url: paths.budgetReports.transaction(),
      access: ENTRIES_PERMISSION,
      audit: 'budgets.reports.transaction',
      auditReads: true,
      handler: async (ctx) => {
        const id = /^[0-9]{1,15}$/.test(ctx.params.transactionId ?? '') ? Number(ctx.params.transactionId) : NaN;
        const trail = await transactionTrail(ctx.readDb, id);
        const t = trail.transaction;
        const children = new Map<string, Awaited<ReturnType<typeof childShown>>>();
        for (const e of trail.entries) if (e.child_id && !children.has(e.child_id)) children.set(e.child_id, await childShown(ctx, e.child_id));
        ctx.audit.subjectType = 'ledger-transaction';
        ctx.audit.subjectId = String(t.id);
        ctx.audit.details = { transactionId: t.id };
        const debits = trail.entries.filter((e) => e.amount_pence > 0).reduce((a, e) => a + e.amount_pence, 0);
        const credits = trail.entries.filter((e) => e.amount_pence < 0).reduce((a, e) => a - e.amount_pence, 0);
        return {
          view: V('transaction'),
          data: {
            pageTitle: `Ledger transaction ${t.id}`,
            t,
            kindLabel: kindLabel(t.kind),
            entries: trail.entries.map((e) => ({
              ...e,
              accountName: e.account_name,
              debit: e.amount_pence > 0 ? formatPence(e.amount_pence) : '',
              credit: e.amount_pence < 0 ? formatPence(-e.amount_pence) : '',
              yearLabel: financialYearLabel(e.financial_year),
              packageHref: e.package_id ? paths.budgetReports.package(e.package_id) : null,
              child: e.child_id ? children.get(e.child_id) : null,
            })),
            debits: formatPence(debits),
            credits: formatPence(credits),
            balances: debits === credits,
            packageHref: t.change_package_id ? paths.budgetReports.package(t.change_package_id) : null,
            invoiceHref: t.invoice_id ? paths.budgetReports.invoice(t.invoice_id) : null,
            reversesHref: t.reverses_transaction_id ? paths.budgetReports.transaction(t.reverses_transaction_id) : null,
            reversedByHref: trail.reversedBy ? paths.budgetReports.transaction(trail.reversedBy.id) : null,
            reversedBy: trail.reversedBy,
            // Commitments follow their package and reversals are final: no link (the form would refuse).
            reverseHref:
              ctx.user?.permissions.has('budgets:manage') && !trail.reversedBy && REVERSIBLE_KINDS.has(t.kind) ? paths.budgets.reverseTransaction(t.id) : null,
          },
        };
      },
    },
    {
      method: 'GET',
      url: paths.budgetReports.package(),
      access: ENTRIES_PERMISSION,
      audit: 'budgets.reports.package',
      auditReads: true,
      handler: async (ctx) => {
        const trail = await packageTrail(ctx.readDb, ctx.params.packageId);
        const child = await childShown(ctx, trail.pkg.child_id);
        ctx.audit.subjectType = 'package';
        ctx.audit.subjectId = trail.pkg.id;
        ctx.audit.details = { package: trail.pkg.reference };
        return {
          view: V('package'),
          data: {
            pageTitle: `Package ${trail.pkg.reference}`,
            pkg: { ...trail.pkg, unitCostText: formatPence(trail.pkg.unit_cost_pence), units: trail.pkg.units_x100 / 100 },
            child,
            changes: trail.changes.map((c) => ({
              ...c,
              unitCostText: formatPence(c.unit_cost_pence),
              units: c.units_x100 / 100,
              split: c.split.map((s) => ({ ...s, share: formatShare(s.share_bp) })),
            })),
            transactions: trail.transactions.map((t) => ({
              ...t,
              kindLabel: kindLabel(t.kind),
              href: paths.budgetReports.transaction(t.id),
              amountText: formatPence(t.pence),
            })),
            invoices: trail.invoices.map((i) => ({ ...i, href: paths.budgetReports.invoice(i.id), amountText: formatPence(i.amount_pence) })),
          },
        };
      },
    },
    {
      method: 'GET',
      url: paths.budgetReports.invoice(),
      access: ENTRIES_PERMISSION,
      audit: 'budgets.reports.invoice',
      auditReads: true,
      handler: async (ctx) => {
        const trail = await invoiceTrail(ctx.readDb, ctx.params.invoiceId);
        ctx.audit.subjectType = 'invoice';
        ctx.audit.subjectId = trail.invoice.id;
        ctx.audit.details = { invoice: trail.invoice.supplier_reference };
        return {
          view: V('invoice'),
          data: {
            pageTitle: `Invoice ${trail.invoice.supplier_reference}`,
            invoice: { ...trail.invoice, amountText: formatPence(trail.invoice.amount_pence) },
            packageHref: trail.invoice.package_id ? paths.budgetReports.package(trail.invoice.package_id) : null,
            payments: trail.payments.map((p) => ({ ...p, amountText: formatPence(p.amount_pence) })),
            transactions: trail.transactions.map((t) => ({ ...t, kindLabel: kindLabel(t.kind), href: paths.budgetReports.transaction(t.id) })),
          },
        };
      },
    },
    {
      // A child's money: a page of the child's record in effect, so the sharing rule decides and it is audited like one.
      method: 'GET',
      url: paths.budgetReports.child(),
      access: 'children:view',
      audit: 'budgets.reports.child',
      auditReads: true,
      onInvalid: invalid,
      handler: async (ctx) => {
        await requireChild(ctx, ctx.params.childId, 'core', 'budget');
        const form = parseForm(yearForm, ctx.query);
        const fy = form.year ?? financialYearOf(todayInLondon());
        const childId = ctx.param('childId');
        const money = await childMoney(ctx.readDb, childId, fy);
        const child = money.child;
        ctx.audit.details = { ...ctx.audit.details, financialYear: fy };
        return {
          view: V('child'),
          data: {
            pageTitle: `Money for ${child.given_name} ${child.family_name}`,
            childName: `${child.given_name} ${child.family_name}`,
            recordHref: paths.children.record(childId),
            reference: childReference(childId),
            yearLabel: financialYearLabel(fy),
            packages: money.packages.map((p) => ({
              ...p,
              href: paths.budgetReports.package(p.id),
              unitCostText: formatPence(p.unit_cost_pence),
              units: p.units_x100 / 100,
            })),
            byYear: money.byYear.map((y) => ({
              ...y,
              label: financialYearLabel(y.financialYear),
              commitmentText: formatPence(y.commitment),
              actualText: formatPence(y.actual),
              href: `${paths.budgetReports.child(childId)}?year=${y.financialYear}`,
            })),
            entries: money.entries.map((e) => ({
              ...e,
              accountName: accountLabel(e.account),
              kindLabel: kindLabel(e.kind),
              amountText: formatPence(e.amount_pence),
              href: paths.budgetReports.transaction(e.transaction_id),
            })),
          },
        };
      },
    },
  ];
}
