// Panel decisions (issue 6 points 5 and 6): the decision form on a case, the decision page, the
// outcome sheet (HTML page and tagged PDF) and its issue, the late sheets dashboard, and the
// area's split templates. An approval sets up a new package or changes one of the child's current
// packages: choosing one (a plain GET, ?package=ID, so it works without JavaScript) fills the
// form with its current terms and the version they are from.
//
// Access: recording a decision and issuing its sheet need 'panels:attend' AND being the panel's
// administrator (panels.administrator_id). A decision and its sheet may be read by the panel's
// administrator and active members, the referrer and triage ('signed-in' routes checked against
// the data: these people hold different roles). Every read is audited with the child linked.
import { disputesOfDecision } from '../disputes/index.js';
import type { RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { ForbiddenError, type FieldError } from '../../../platform/http/errors.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { todayInLondon, longDate } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import {
  listAgreements,
  packageFormItems,
  packageProviders,
  serviceCategories,
  money,
  unitsText,
  formatShare,
  currentTerms,
} from '../../money/budgets/index.js';
import { fieldItems, selectItems } from '../../../platform/views/items.js';
import { ORGANISATION_TYPES } from '../../../platform/access/roles.js';
import { describeTemplate, MAX_TEMPLATE_PARTS, OUTCOMES, quorumProblems } from './rules.js';
import { countingMembers } from '../panels/index.js';
import * as decisions from './service.js';
import { parseDecisionForm, parseTemplateForm, termsAsFormValues } from './schema.js';
import { packageHeadline, sheetPdf } from './sheet.js';
import { contentOf, issueSheet, storedPdf, type Recipient } from './sheets.js';

const V = 'referral-and-panel/panel-decisions/views/';
type Values = Record<string, unknown>;

const DONE: Record<string, string> = {
  recorded: 'Decision recorded',
  'recorded-package': 'Decision recorded. The package is set up and its commitment is posted to the joint budgets',
  'recorded-change': 'Decision recorded. The package is changed and the difference in its commitment is posted to the joint budgets',
  issued: 'Outcome sheet issued',
  'template-added': 'Split template added',
  'template-deactivated': 'Split template no longer offered',
};
const done = (ctx: SignedInContext) => (ctx.query.done ? DONE[ctx.query.done] : undefined);
const me = (ctx: SignedInContext) => ({ id: ctx.user.id });
const items = selectItems;
const typeName = (t: string) => (ORGANISATION_TYPES as Record<string, string>)[t] ?? t;

export function panelDecisionsRoutes(deps: CapabilityDeps): RouteSpec[] {
  const categories = (ctx: SignedInContext) => serviceCategories(ctx.db);
  const providers = (ctx: SignedInContext) => packageProviders(ctx.db);

  /** The case, for its administrator only; the read is audited against the child. */
  const adminCase = async (ctx: SignedInContext) => {
    const c = await decisions.getCase(ctx.db, ctx.params.caseId);
    decisions.requireAdministrator(ctx.user, c);
    Object.assign(ctx.audit, {
      subjectType: 'referral',
      subjectId: c.referral_id,
      details: { ...ctx.audit.details, caseId: c.case_id, meetingId: c.meeting_id },
    });
    if (c.child_id) ctx.audit.children = [c.child_id];
    return c;
  };

  /**
   * The package an approval would change: on the form shown again, the one the form named; else the
   * one chosen with ?package=ID (an empty choice is a new package). Only ever one of the case's
   * child's packages: any other id is not found.
   */
  const chosenPackage = async (ctx: SignedInContext, childId: string | null, values: Values) => {
    const id = Object.keys(values).length ? values.packageId : ctx.query.package;
    return typeof id === 'string' && id.trim() ? decisions.packageOfChild(ctx.db, childId, id.trim()) : null;
  };

  // The decision form -------------------------------------------------------------------------------
  const decidePage = async (ctx: SignedInContext, given: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const c = await adminCase(ctx);
    const today = todayInLondon();
    const chosen = await chosenPackage(ctx, c.child_id, given);
    if (chosen) ctx.audit.details = { ...ctx.audit.details, packageId: chosen.id };
    // Chosen with ?package=ID: the form starts from the package's current terms.
    const values = chosen && !Object.keys(given).length ? termsAsFormValues(chosen, (await currentTerms(ctx.db, chosen.id)).split) : given;
    const current = await decisions.changeablePackages(ctx.db, c.child_id, today);
    const [present, names, pools, templates, cats, provs] = await Promise.all([
      decisions.presentAtMeeting(ctx.db, c.meeting_id),
      decisions.partnerNames(ctx.db),
      listAgreements(ctx.db),
      decisions.listTemplates(ctx.db, { activeOnly: true }),
      categories(ctx),
      providers(ctx),
    ]);
    const existing = await ctx.db.selectFrom('panel_decisions').select('id').where('case_id', '=', c.case_id).executeTakeFirst();
    const agencies = JSON.parse(c.joint_funding_agencies) as string[];
    const counting = new Set(countingMembers(present).map((m) => m.userId));
    return {
      view: `${V}decide.njk`,
      data: {
        pageTitle: `Decision on ${c.referral_reference}`,
        values,
        errors,
        c,
        meetsOn: longDate(c.meets_on),
        existingId: existing?.id,
        changing: chosen && { id: chosen.id, reference: chosen.reference, agreementName: chosen.agreement_name, version: values.packageVersion },
        packageChoiceItems: current.length
          ? [
              { value: '', text: 'Set up a new package', checked: !chosen },
              ...current.map((p) => ({
                value: p.id,
                text: `Change ${p.reference}: ${p.service}`,
                hint: {
                  text: `${unitsText(p.units_x100, p.frequency, p.unit_cost_pence)}, from ${longDate(p.starts_on)}${p.ends_on ? ` to ${longDate(p.ends_on)}` : ' until it is reviewed'}. Paid from ${p.agreement_name}.`,
                },
                checked: chosen?.id === p.id,
              })),
            ]
          : null,
        canDecide: c.meeting_status === 'published' || c.meeting_status === 'held',
        attendance: present.map((m) => ({
          name: m.name,
          organisation: typeName(m.organisationType),
          partner: m.partnerId ? names.name(m.partnerId) : 'None',
          authority: m.partnerId ? money(m.authorityPence) : '',
          interests: m.interests ?? 'None',
          counts: counting.has(m.userId),
        })),
        quorumNote: quorumProblems({ quorumMembers: c.quorum_members, jointFundingAgencies: agencies }, present, []),
        quorumMembers: c.quorum_members,
        jointAgencies: agencies.map(typeName),
        outcomeItems: Object.entries(OUTCOMES).map(([value, text]) => ({ value, text, checked: values.outcome === value })),
        agreementItems: fieldItems(pools, 'id', 'name', values.agreementId, 'Choose the pooling agreement'),
        templateItems: items(
          templates,
          (t) => t.id,
          (t) => `${t.name}: ${describeTemplate(t.segments, names.name)}`,
          values.templateId,
          'Choose a template',
        ),
        splitModeItems: [
          { value: 'template', text: 'Use one of the area’s split templates', checked: values.splitMode === 'template' },
          { value: 'custom', text: 'Enter the split', checked: values.splitMode === 'custom' },
        ],
        ...packageFormItems(values, errors, { partners: names.list, categories: cats, providers: provs }),
      },
    };
  };

  /** The decision form read: the case first (its administrator only), so a refusal is audited against the child. */
  const readDecision = async (ctx: SignedInContext) => {
    const c = await adminCase(ctx);
    // Never trust the posted id: another child's package is not found, before anything is read from the form.
    await chosenPackage(ctx, c.child_id, ctx.body);
    const [names, pools, templates] = await Promise.all([
      decisions.partnerNames(ctx.db),
      listAgreements(ctx.db),
      decisions.listTemplates(ctx.db, { activeOnly: true }),
    ]);
    const input = parseDecisionForm(ctx.body, {
      partnerIds: names.list.map((p) => p.id),
      agreementIds: pools.map((p) => p.id),
      templates,
      // Shown on the ledger to finance: names the panel and referral, never the child.
      ledgerReason: `Agreed by ${c.panel_name} on ${longDate(c.meets_on)} (referral ${c.referral_reference})`,
    });
    return { c, input };
  };

  const recordDecision = async (ctx: SignedInContext, { c, input }: Awaited<ReturnType<typeof readDecision>>): Promise<RouteResult> => {
    const r = await decisions.recordDecision(ctx.db, c.case_id, input, me(ctx), todayInLondon());
    ctx.audit.details = {
      ...ctx.audit.details,
      decisionId: r.decisionId,
      outcome: input.outcome,
      packageId: r.package?.id ?? null,
      packageChanged: r.package?.changed ?? null,
      transactionId: r.package?.transactionId ?? null,
    };
    return {
      redirect: `${paths.decisions.decision(r.decisionId)}?done=${!r.package ? 'recorded' : r.package.changed ? 'recorded-change' : 'recorded-package'}`,
    };
  };

  // Reading a decision ------------------------------------------------------------------------------
  const readable = async (ctx: SignedInContext) => {
    const d = await decisions.getDecision(ctx.db, ctx.params.decisionId);
    await decisions.requireDecisionReader(ctx.db, ctx.user, d);
    Object.assign(ctx.audit, { subjectType: 'panel-decision', subjectId: d.id, details: { ...ctx.audit.details, referralId: d.referral_id } });
    if (d.child_id) ctx.audit.children = [d.child_id];
    return d;
  };

  const recipientsOf = (json: string | null) =>
    (json ? (JSON.parse(json) as Recipient[]) : []).map((r) => ({
      ...r,
      whoText: r.who === 'referrer' ? 'Referrer' : r.who === 'family' ? 'Family' : 'Funding partner',
      how: r.channel === 'email' ? 'E-mail with a link' : r.channel === 'sms' ? 'Text message' : (r.note ?? 'By post'),
    }));

  const decisionPage = async (ctx: SignedInContext, errors?: FieldError[]): Promise<RouteResult> => {
    const d = await readable(ctx);
    const [k, names] = await Promise.all([decisions.decisionPackage(ctx.db, d.id), decisions.partnerNames(ctx.db)]);
    const today = todayInLondon();
    return {
      view: `${V}decision.njk`,
      data: {
        pageTitle: `Decision on ${d.referral_reference}`,
        errors,
        d,
        done: done(ctx),
        outcome: OUTCOMES[d.outcome],
        decidedOn: longDate(d.decided_on),
        meetsOn: longDate(d.meets_on),
        dueOn: longDate(d.sheet_due_on),
        late: !d.sheet_id && d.sheet_due_on < today,
        issuedOn: d.issued_on ? longDate(d.issued_on) : null,
        recipients: recipientsOf(d.recipients),
        isAdministrator: d.administrator_id === ctx.user.id,
        pkg: k && {
          ...k,
          headline: packageHeadline(k),
          cost: unitsText(k.units_x100, k.frequency, k.unit_cost_pence),
          starts: longDate(k.starts_on),
          ends: k.ends_on ? longDate(k.ends_on) : 'Until it is reviewed',
          review: k.review_on ? longDate(k.review_on) : 'Not set',
          splitRows: k.split.flatMap((s) =>
            s.shares.map((sh) => ({
              when: s.to ? `${longDate(s.from)} to ${longDate(s.to)}` : `From ${longDate(s.from)}`,
              who: names.name(sh.partnerId),
              share: formatShare(sh.bp),
            })),
          ),
        },
        canSeeBudgets: ctx.user.permissions.has('budgets:entries'),
        ...(await disputesOf(ctx, d.id, k?.split.flatMap((s) => s.shares.map((sh) => sh.partnerId)) ?? [], names.list)),
      },
    };
  };

  // Disputes about this decision's shares (capabilities/disputes), and whether this person's organisation pays a share it may dispute.
  const disputesOf = async (
    ctx: SignedInContext,
    decisionId: string,
    payingPartnerIds: string[],
    partners: { id: string; short_name: string; organisation_id: string }[],
  ) => {
    const rows = await disputesOfDecision(ctx.db, decisionId);
    const own = partners.find((p) => p.organisation_id === ctx.user.organisationId && payingPartnerIds.includes(p.id));
    return {
      disputes: rows.map((r) => ({ ...r, raised: longDate(r.raised_on) })),
      canDispute: own && ctx.user.permissions.has('disputes:raise') ? { partner: own.short_name, href: paths.disputes.raise(decisionId) } : null,
    };
  };

  const sheetPage = async (ctx: SignedInContext): Promise<RouteResult> => {
    const d = await readable(ctx);
    const content = await contentOf(ctx.db, d);
    return {
      view: `${V}sheet.njk`,
      data: { pageTitle: content.title, d, content, issuedOn: d.issued_on ? longDate(d.issued_on) : null, isAdministrator: d.administrator_id === ctx.user.id },
    };
  };

  const sheetPdfFile = async (ctx: SignedInContext): Promise<RouteResult> => {
    const d = await readable(ctx);
    // The issued sheet is served exactly as it was sent; before issue, a draft is drawn fresh.
    const stored = await storedPdf(ctx.db, d.id);
    const body = stored ? Buffer.from(stored.pdf) : await sheetPdf(await contentOf(ctx.db, d), { createdOn: todayInLondon() });
    ctx.audit.details = { ...ctx.audit.details, issued: !!stored };
    return {
      contentType: 'application/pdf',
      body,
      headers: { 'content-disposition': `inline; filename="outcome-sheet-${d.referral_reference}${stored ? '' : '-draft'}.pdf"`, 'cache-control': 'no-store' },
    };
  };

  const issue = async (ctx: SignedInContext): Promise<RouteResult> => {
    const d = await decisions.getDecision(ctx.db, ctx.params.decisionId);
    if (d.administrator_id !== ctx.user.id) throw new ForbiddenError('Only the panel’s administrator issues outcome sheets');
    Object.assign(ctx.audit, { subjectType: 'panel-decision', subjectId: d.id });
    if (d.child_id) ctx.audit.children = [d.child_id];
    const r = await issueSheet(ctx.db, d, { notifier: deps.notifier, baseUrl: deps.config.baseUrl, today: todayInLondon(), by: me(ctx) });
    ctx.audit.details = { ...ctx.audit.details, sheetId: r.sheetId, recipients: r.recipients.length };
    return { redirect: `${paths.decisions.decision(d.id)}?done=issued` };
  };

  // Late sheets ---------------------------------------------------------------------------------------
  const latePage = async (ctx: SignedInContext): Promise<RouteResult> => {
    const p = ctx.user.permissions;
    if (!p.has('panels:configure') && !p.has('panels:attend'))
      throw new ForbiddenError('Only panel administrators and the partnership administrator see late outcome sheets');
    // Configurers see every panel's; a panel's administrator sees their own panels'.
    const rows = await decisions.lateSheets(ctx.db, todayInLondon(), p.has('panels:configure') ? undefined : ctx.user.id);
    return {
      view: `${V}late.njk`,
      data: {
        pageTitle: 'Late outcome sheets',
        rows: rows.map((r) => ({
          ...r,
          outcomeText: OUTCOMES[r.outcome],
          decided: longDate(r.decided_on),
          due: longDate(r.sheet_due_on),
          lateText: r.daysLate === 0 ? 'Due today' : `${r.daysLate} ${r.daysLate === 1 ? 'day' : 'days'} late`,
        })),
      },
    };
  };

  // Split templates -----------------------------------------------------------------------------------
  const templatesPage = async (ctx: SignedInContext): Promise<RouteResult> => {
    const [list, names] = await Promise.all([decisions.listTemplates(ctx.db), decisions.partnerNames(ctx.db)]);
    return {
      view: `${V}templates.njk`,
      data: { pageTitle: 'Split templates', done: done(ctx), templates: list.map((t) => ({ ...t, text: describeTemplate(t.segments, names.name) })) },
    };
  };
  const newTemplatePage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const names = await decisions.partnerNames(ctx.db);
    return {
      view: `${V}template-new.njk`,
      data: {
        pageTitle: 'Add a split template',
        values,
        errors,
        parts: Array.from({ length: MAX_TEMPLATE_PARTS }, (_, i) => ({
          n: i + 1,
          partners: names.list.map((p) => ({ id: `part${i + 1}-${p.id}`, name: p.short_name, value: values[`part${i + 1}-${p.id}`] })),
        })),
      },
    };
  };

  return [
    ...formRoutes({
      url: paths.decisions.decide(),
      access: 'panels:attend',
      audit: { show: 'decisions.form', send: 'decisions.record' },
      auditReads: true,
      page: decidePage,
      read: readDecision,
      send: recordDecision,
    }),
    { method: 'GET', url: paths.decisions.late, access: 'signed-in', audit: 'decisions.late-sheets', auditReads: true, handler: latePage },
    { method: 'GET', url: paths.decisions.decision(), access: 'signed-in', audit: 'decisions.view', auditReads: true, handler: (ctx) => decisionPage(ctx) },
    { method: 'GET', url: paths.decisions.sheet(), access: 'signed-in', audit: 'decisions.sheet.view', auditReads: true, handler: sheetPage },
    { method: 'GET', url: paths.decisions.sheetPdf(), access: 'signed-in', audit: 'decisions.sheet.pdf', auditReads: true, handler: sheetPdfFile },
    {
      method: 'POST',
      url: paths.decisions.issueSheet(),
      access: 'panels:attend',
      audit: 'decisions.sheet.issue',
      handler: issue,
      onInvalid: (ctx, errors) => decisionPage(ctx, errors),
    },
    { method: 'GET', url: paths.decisions.templates, access: 'panels:configure', audit: 'decisions.templates', handler: templatesPage },
    ...formRoutes({
      url: paths.decisions.newTemplate,
      access: 'panels:configure',
      audit: { show: 'decisions.templates.new', send: 'decisions.templates.add' },
      page: newTemplatePage,
      read: async (ctx) =>
        parseTemplateForm(
          ctx.body,
          (await decisions.partnerNames(ctx.db)).list.map((p) => p.id),
        ),
      send: async (ctx, form) => {
        const t = await decisions.addTemplate(ctx.db, form);
        Object.assign(ctx.audit, { subjectType: 'split-template', subjectId: t.id });
        return { redirect: `${paths.decisions.templates}?done=template-added` };
      },
    }),
    {
      method: 'POST',
      url: paths.decisions.deactivateTemplate(),
      access: 'panels:configure',
      audit: 'decisions.templates.deactivate',
      handler: async (ctx) => {
        const t = await decisions.deactivateTemplate(ctx.db, ctx.param('templateId'));
        Object.assign(ctx.audit, { subjectType: 'split-template', subjectId: t.id });
        return { redirect: `${paths.decisions.templates}?done=template-deactivated` };
      },
    },
  ];
}
