// The one referral route: a family's own referral (public), a partner's referral of a child they
// may see, the triage queue and each referral's page (attach to the child's record, decide, assess
// eligibility), and registering a new child from a referral (the children capability's duplicate guard).
import type { RouteContext, RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { todayInLondon, longDate } from '../../../platform/dates.js';
import type { ReferralStatus } from '../../../platform/db/schema.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { requireChild, viewerOf } from '../../record/sharing/index.js';
import { areaContact } from '../../record/area-settings/service.js';
import { parseRegisterForm, findPossibleDuplicates, registerChild, displayName, hiddenFields, registerFormData } from '../../record/children/index.js';
import { radioItems, paginationItems } from '../../../platform/views/items.js';
import { dateInput, withDate } from '../../../platform/date-input.js';
import { assessableRuleSets, assessReferral, eligibilityOfReferral, getRuleSet, parseAssessmentForm } from '../eligibility/index.js';
import { SELF_REFERRERS, STATUS_NAMES, TRIAGE_DECISIONS, OPEN_STATUSES, QUEUE_STATUSES, attachProblem, type QueueFilter } from './rules.js';
import { parseChildSearch, parsePartnerReferral, parseSelfReferral, parseTriage } from './schema.js';
import * as referrals from './service.js';

const V = 'referral-and-panel/referrals/views/';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type Values = Record<string, unknown>;
const REFERENCE = /^REF-[0-9]{6,}$/;
const isStatus = (s: string | undefined): s is ReferralStatus => !!s && Object.hasOwn(STATUS_NAMES, s);
const childName = (c: { givenName?: string; familyName?: string }) => [c.givenName, c.familyName].filter(Boolean).join(' ') || 'Not given';

const EVENT_NAMES: Record<string, string> = {
  received: 'Referral received',
  acknowledged: 'Acknowledgement sent',
  attached: 'Attached to the child’s record',
  accepted: 'Accepted',
  'more-information': 'More information asked for',
  signposted: 'Signposted elsewhere',
  'sent-to-panel': 'Sent to panel',
  notified: 'Outcome sent',
  'eligibility-assessed': 'Eligibility assessed',
};

export function referralsRoutes(deps: CapabilityDeps): RouteSpec[] {
  // -------------------------------------------------------------------------------------------
  // The family's form
  const selfPage = async (ctx: RouteContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => ({
    view: `${V}self-referral.njk`,
    data: {
      pageTitle: 'Ask for help for a child or young person',
      areaContact: await areaContact(ctx.db),
      values,
      errors,
      whoItems: radioItems(SELF_REFERRERS, values.who),
      contactItems: radioItems({ email: 'Email', sms: 'Text message' }, values.contactMethod),
      dateOfBirth: dateInput('dateOfBirth', values, errors, 'Their date of birth', 'For example, 27 3 2015', 'govuk-fieldset__legend--s'),
    },
  });

  // -------------------------------------------------------------------------------------------
  // A partner's referral
  const newReferralPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const childId = (values.childId as string | undefined) ?? ctx.query.child;
    let child = null;
    if (childId) {
      await requireChild(ctx, childId, 'core', 'making a referral');
      const c = await ctx.db
        .selectFrom('children')
        .select(['id', 'given_name', 'family_name', 'preferred_name', 'date_of_birth'])
        .where('id', '=', childId)
        .executeTakeFirstOrThrow();
      child = { id: c.id, name: displayName(c), born: longDate(c.date_of_birth) };
    }
    return {
      view: `${V}new-referral.njk`,
      data: {
        pageTitle: child ? `Refer ${child.name}` : 'Refer a child or young person',
        child,
        values,
        errors,
        identifier: ctx.query.identifier ?? '',
        notFound: ctx.query.notFound === '1',
        sent: ctx.query.sent && REFERENCE.test(ctx.query.sent) ? ctx.query.sent : undefined,
        basisItems: [
          { value: 'consent', text: 'The family agreed to this referral', checked: values.basis === 'consent' },
          { value: 'lawful-basis', text: 'There is a lawful basis to refer without their agreement', checked: values.basis === 'lawful-basis' },
        ],
      },
    };
  };

  // -------------------------------------------------------------------------------------------
  // A referral's page (triage)
  /** The referral in the address, its child (if attached) named in the audit entry. */
  const auditedReferral = async (ctx: SignedInContext) => {
    const r = await referrals.getReferral(ctx.db, ctx.params.id);
    Object.assign(ctx.audit, { subjectType: 'referral', subjectId: r.id, children: r.child_id ? [r.child_id] : [] });
    return r;
  };
  const referralPage = async (ctx: SignedInContext, errors?: FieldError[], values: Values = {}): Promise<RouteResult> => {
    const r = await referrals.getReferral(ctx.db, ctx.params.id);
    ctx.audit.subjectType = 'referral';
    ctx.audit.subjectId = r.id;
    if (r.child_id) ctx.audit.children = [r.child_id];
    const [events, assessments] = await Promise.all([referrals.listEvents(ctx.db, r.id), eligibilityOfReferral(ctx.db, r.id)]);
    const search = !r.child_id ? parseChildSearch(ctx.query) : null;
    const results = search && !search.problem ? await referrals.searchVisibleChildren(ctx.db, ctx.user, search) : [];
    if (results.length) ctx.audit.children = results.map((c) => c.id);
    const open = OPEN_STATUSES.includes(r.status);
    return {
      view: `${V}referral.njk`,
      data: {
        pageTitle: `Referral ${r.reference}`,
        r,
        statusName: STATUS_NAMES[r.status],
        childName: childName(r.child),
        childBorn: r.child.dateOfBirth ? longDate(r.child.dateOfBirth) : 'Not given',
        relationship:
          r.referrer_relationship === 'young-person'
            ? 'The young person'
            : r.referrer_relationship === 'professional'
              ? `Professional${r.organisation_name ? `, ${r.organisation_name}` : ''}`
              : r.referrer_relationship === 'parent'
                ? 'Parent'
                : 'Carer',
        events: events.map((e) => ({ ...e, name: EVENT_NAMES[e.kind] ?? e.kind })),
        assessments,
        search,
        searchDob: dateInput(
          'childDob',
          ctx.query,
          search?.problem ? [{ text: search.problem, href: '#childDob-day' }] : undefined,
          'Date of birth (optional)',
          'For example, 27 3 2015',
        ),
        results: results.map((c) => ({ id: c.id, name: displayName(c), born: longDate(c.date_of_birth), href: paths.children.record(c.id) })),
        open,
        errors,
        values,
        done: ctx.query.done,
        decisionItems: Object.entries(TRIAGE_DECISIONS).map(([value, d]) => ({ value, text: d.label, checked: values.decision === value })),
        canAssess: true,
      },
    };
  };

  // -------------------------------------------------------------------------------------------
  // Registering a new child from a referral, with the children capability's duplicate guard
  // The children capability's registration form and duplicate guard, posting here so the new record is attached to the referral.
  const registrationFor = (referral: unknown) => {
    // Only a referral's id ever reaches the form's links and hidden field.
    const id = typeof referral === 'string' && UUID_PATTERN.test(referral) ? referral : null;
    const back = id ? { text: 'Back to the referral', href: paths.referrals.referral(id) } : { text: 'Back', href: paths.referrals.newReferral };
    return {
      action: paths.referrals.registerChild,
      back,
      cancel: back.href,
      heading: 'Register the child or young person',
      intro: id
        ? 'Check what the family told us, add what is missing, then register: the referral is attached to the new record. '
        : 'Once registered, you can write the referral. ',
      referral: id,
    };
  };
  const registerPage = (ctx: SignedInContext, values: Values, errors?: FieldError[]): RouteResult => {
    return {
      view: 'record/children/views/register.njk',
      data: {
        pageTitle: 'Register the child or young person',
        registration: registrationFor(values.referral),
        ...registerFormData(values, errors, ctx.user.organisationType),
      },
    };
  };
  /** The referral a registration is for, checked: only triage staff attach children to referrals. */
  const referralFor = async (ctx: SignedInContext, id: unknown) => {
    if (typeof id !== 'string' || id === '') return null;
    if (!ctx.user.permissions.has('referrals:triage')) throw new ForbiddenError('attaching a child to a referral needs triage');
    const r = await referrals.getReferral(ctx.db, id);
    return { ...r, attachProblem: attachProblem(r.status, r.child_id !== null) };
  };
  /** The registration form read, the referral it is for checked first. */
  const readRegistration = async (ctx: SignedInContext) => {
    const today = todayInLondon();
    const user = ctx.user;
    const r = await referralFor(ctx, ctx.body.referral);
    // Refused before anyone is registered: the new record would belong to no referral.
    if (r?.attachProblem) throw new ValidationError([{ text: r.attachProblem, href: '#main-content' }]);
    return { today, user, r, input: parseRegisterForm(ctx.body, today, user) };
  };

  return [
    {
      method: 'GET',
      url: paths.referrals.privacy,
      access: 'public',
      audit: 'privacy.view',
      // The controllers named are the area's councils and NHS commissioners, as set up in Jointly.
      handler: async (ctx) => ({
        view: `${V}privacy.njk`,
        data: { pageTitle: 'Privacy notice', controllers: await referrals.controllers(ctx.db), areaContact: await areaContact(ctx.db) },
      }),
    },
    ...formRoutes({
      url: paths.referrals.selfReferral,
      access: 'public',
      audit: { show: 'referrals.self.form', send: 'referrals.self.create' },
      rateLimit: 20,
      page: (ctx, values, errors) => selfPage(ctx, values, errors),
      read: (ctx) => parseSelfReferral(ctx.body, todayInLondon()),
      send: async (ctx, input) => {
        const row = await referrals.createFamilyReferral(ctx.db, deps.notifier, input, todayInLondon());
        // What was done, never what was typed.
        Object.assign(ctx.audit, {
          subjectType: 'referral',
          subjectId: row.id,
          details: { reference: row.reference, route: 'family', who: input.who, contactMethod: input.contactMethod },
        });
        return { redirect: paths.referrals.selfReferralDone(row.reference) };
      },
    }),
    {
      method: 'GET',
      url: paths.referrals.selfReferralDone(),
      access: 'public',
      audit: 'referrals.self.done',
      handler: (ctx) => {
        const reference = ctx.params.reference ?? '';
        if (!REFERENCE.test(reference)) throw new NotFoundError('referral');
        return { view: `${V}self-referral-done.njk`, data: { pageTitle: 'Referral sent', reference } };
      },
    },

    ...formRoutes({
      url: paths.referrals.newReferral,
      access: 'referrals:make',
      audit: { show: 'referrals.new.form', send: 'referrals.create' },
      auditReads: true,
      page: async (ctx, values, errors) => {
        if (!values && ctx.query.identifier !== undefined && !ctx.query.child) {
          const id = await referrals.findVisibleChildByIdentifier(ctx.db, ctx.user, ctx.query.identifier);
          ctx.audit.details = { step: 'find by identifier', found: id !== null };
          if (id) return { redirect: `${paths.referrals.newReferral}?child=${id}` };
          return { redirect: `${paths.referrals.newReferral}?notFound=1` };
        }
        return newReferralPage(ctx, values, errors);
      },
      read: async (ctx) => {
        const childId = typeof ctx.body.childId === 'string' ? ctx.body.childId : undefined;
        await requireChild(ctx, childId, 'core', 'making a referral');
        return parsePartnerReferral(ctx.body);
      },
      send: async (ctx, input) => {
        const row = await referrals.createPartnerReferral(ctx.db, deps.notifier, ctx.user, input, todayInLondon());
        Object.assign(ctx.audit, {
          subjectType: 'referral',
          subjectId: row.id,
          children: [input.childId],
          details: { reference: row.reference, route: 'partner', basis: input.basis },
        });
        return { redirect: `${paths.referrals.newReferral}?sent=${row.reference}` };
      },
    }),

    {
      method: 'GET',
      url: paths.referrals.queue,
      access: 'referrals:triage',
      audit: 'referrals.queue.view',
      auditReads: true,
      handler: async (ctx) => {
        const filter: QueueFilter = ctx.query.status === 'all' ? 'all' : isStatus(ctx.query.status) ? ctx.query.status : 'open';
        const requested = Number(ctx.query.page ?? 1);
        const list = await referrals.listQueue(ctx.db, filter, requested);
        ctx.audit.details = { status: filter, page: list.page, shown: list.rows.length };
        // The children named on this page only (at most one page's worth).
        ctx.audit.children = [...new Set(list.rows.flatMap((r) => (r.child_id ? [r.child_id] : [])))];
        const count = (s: ReferralStatus) => list.counts.get(s) ?? 0;
        const openCount = QUEUE_STATUSES.reduce((n, s) => n + count(s), 0);
        const allCount = [...list.counts.values()].reduce((n, c) => n + c, 0);
        return {
          view: `${V}queue.njk`,
          data: {
            pageTitle: list.pages > 1 ? `Referrals (page ${list.page} of ${list.pages})` : 'Referrals',
            rows: list.rows.map((r) => ({
              ...r,
              childName: childName(r.child),
              statusName: STATUS_NAMES[r.status],
              received: longDate(r.received_on),
              href: paths.referrals.referral(r.id),
            })),
            statusItems: [
              { value: '', text: `Open referrals (${openCount})`, selected: filter === 'open' },
              ...Object.entries(STATUS_NAMES).map(([value, text]) => ({
                value,
                text: `${text} (${count(value as ReferralStatus)})`,
                selected: filter === value,
              })),
              { value: 'all', text: `All statuses (${allCount})`, selected: filter === 'all' },
            ],
            filter,
            filterWords: filter === 'open' ? 'open referrals' : filter === 'all' ? 'referrals' : `referrals with the status ‘${STATUS_NAMES[filter]}’`,
            total: list.total,
            first: list.total ? list.offset + 1 : 0,
            last: list.offset + list.rows.length,
            pastTheEnd: Number.isInteger(requested) && requested > list.pages ? requested : null,
            page: list.page,
            pages: list.pages,
            pagination: queuePagination(filter, list.page, list.pages),
          },
        };
      },
    },
    {
      method: 'GET',
      url: paths.referrals.referral(),
      access: 'referrals:triage',
      audit: 'referrals.referral.view',
      auditReads: true,
      handler: (ctx) => referralPage(ctx),
    },
    {
      method: 'POST',
      url: paths.referrals.attach(),
      access: 'referrals:triage',
      audit: 'referrals.attach',
      handler: async (ctx) => {
        const childId = typeof ctx.body.childId === 'string' ? ctx.body.childId : undefined;
        await requireChild(ctx, childId, 'core', 'attaching a referral');
        const r = await referrals.getReferral(ctx.db, ctx.params.id);
        await referrals.attachChild(ctx.db, ctx.user, r.id, childId!, Number(ctx.body.version));
        Object.assign(ctx.audit, { subjectType: 'referral', subjectId: r.id, children: [childId!], details: { reference: r.reference } });
        return { redirect: `${paths.referrals.referral(r.id)}?done=attached` };
      },
      onInvalid: (ctx, errors) => referralPage(ctx, errors),
    },
    {
      method: 'POST',
      url: paths.referrals.triage(),
      access: 'referrals:triage',
      audit: 'referrals.triage',
      handler: async (ctx) => {
        const r = await auditedReferral(ctx);
        const input = parseTriage(ctx.body);
        const result = await referrals.triage(ctx.db, deps.notifier, ctx.user, r.id, input);
        ctx.audit.details = { reference: r.reference, decision: input.decision, status: result.status, notified: result.notified };
        return { redirect: `${paths.referrals.referral(r.id)}?done=decided` };
      },
      onInvalid: (ctx, errors) => referralPage(ctx, errors, ctx.body),
    },
    ...formRoutes({
      url: paths.referrals.assess(),
      access: 'referrals:triage',
      audit: { show: 'referrals.eligibility.form', send: 'referrals.eligibility.assess' },
      auditReads: true,
      // As it starts, the rule set chosen with ?ruleSet=ID; shown again, the one the form named.
      page: (ctx, values, errors) =>
        assessPage(ctx, values ? (typeof values.ruleSet === 'string' ? values.ruleSet : undefined) : ctx.query.ruleSet, values, errors),
      read: async (ctx) => {
        const r = await auditedReferral(ctx);
        const ruleSetId = typeof ctx.body.ruleSet === 'string' ? ctx.body.ruleSet : '';
        const { ruleSet } = await getRuleSet(ctx.db, ruleSetId);
        return { r, ruleSetId, ruleSet, answers: parseAssessmentForm(ctx.body, ruleSet) };
      },
      send: async (ctx, { r, ruleSetId, ruleSet, answers }) => {
        const { result } = await assessReferral(ctx.db, r.id, ruleSetId, answers, ctx.user.id);
        await ctx.db
          .insertInto('referral_events')
          .values({
            referral_id: r.id,
            kind: 'eligibility-assessed',
            note: `${ruleSet.name}, version ${ruleSet.version}: ${result.summary}`,
            by_user_id: ctx.user.id,
          })
          .execute();
        ctx.audit.details = { reference: r.reference, ruleSetId, version: ruleSet.version, met: result.met, metCount: result.metCount };
        return { redirect: `${paths.referrals.referral(r.id)}?done=assessed#eligibility` };
      },
    }),

    ...formRoutes({
      url: paths.referrals.registerChild,
      access: 'children:register',
      audit: { show: 'referrals.register-child.form', send: 'referrals.register-child' },
      auditReads: true,
      page: async (ctx, given, errors) => {
        if (given) return registerPage(ctx, given, errors);
        const today = todayInLondon();
        const r = await referralFor(ctx, ctx.query.referral);
        // Its page says why it can no longer be attached (and no longer offers this form).
        if (r?.attachProblem) return { redirect: paths.referrals.referral(r.id) };
        let values: Values = withDate(withDate({}, 'joinedOn', today), 'consentGivenOn', today);
        if (r) {
          Object.assign(ctx.audit, { subjectType: 'referral', subjectId: r.id });
          const family = r.route === 'family';
          values = {
            ...withDate(values, 'dateOfBirth', r.child.dateOfBirth ?? null),
            referral: r.id,
            givenName: r.child.givenName ?? '',
            familyName: r.child.familyName ?? '',
            postcode: r.child.postcode ?? '',
            ...(family && r.referrer_relationship !== 'young-person'
              ? {
                  parentName: r.referrer_name,
                  parentalResponsibility: 'yes',
                  parentEmail: r.referrer_email ?? '',
                  parentPhone: r.referrer_phone ?? '',
                  parentPreferredContact: r.contact_method,
                  consentGivenBy: 'parent',
                }
              : {}),
            ...(family && r.referrer_relationship === 'young-person' ? { actsForSelf: 'yes', consentGivenBy: 'young-person' } : {}),
          };
        }
        return registerPage(ctx, values);
      },
      // 'Change' on the duplicates page: the form again as it was typed (null); else the registration, checked.
      read: async (ctx) => (ctx.body._action === 'change' ? null : readRegistration(ctx)),
      send: async (ctx, registration) => {
        if (!registration) return registerPage(ctx, ctx.body);
        const { today, user, r, input } = registration;
        if (!input.confirmed) {
          const matches = await findPossibleDuplicates(ctx.db, viewerOf(user), input.child);
          if (matches.visible.length || matches.hiddenIds.length) {
            ctx.audit.details = { step: 'possible duplicates', shownChildIds: matches.visible.map((m) => m.id), otherMatchIds: matches.hiddenIds };
            return {
              view: 'record/children/views/duplicates.njk',
              data: {
                pageTitle: 'This child may already be on the register',
                registration: registrationFor(r?.id),
                matches: matches.visible.map((m) => ({ ...m, name: displayName(m), born: longDate(m.date_of_birth), href: paths.children.record(m.id) })),
                hidden: hiddenFields(ctx.body),
              },
            };
          }
        }
        const ids = await registerChild(ctx.db, user, input, today);
        Object.assign(ctx.audit, {
          subjectType: 'child',
          subjectId: ids.childId,
          purpose: r ? 'registering a child from a referral' : 'registering a child to refer them',
          details: { ...ids, referralId: r?.id ?? null, confirmedDifferentChild: input.confirmed },
        });
        if (r) {
          await referrals.attachChild(ctx.db, user, r.id, ids.childId, r.version);
          return { redirect: `${paths.referrals.referral(r.id)}?done=registered` };
        }
        return { redirect: `${paths.referrals.newReferral}?child=${ids.childId}` };
      },
    }),
  ];

  async function assessPage(ctx: SignedInContext, ruleSetId: string | undefined, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> {
    const r = await auditedReferral(ctx);
    const available = await assessableRuleSets(ctx.db);
    const chosen = ruleSetId ? await getRuleSet(ctx.db, ruleSetId) : available.length === 1 ? await getRuleSet(ctx.db, available[0]!.id) : null;
    return {
      view: `${V}assess.njk`,
      data: {
        pageTitle: `Assess eligibility: referral ${r.reference}`,
        r,
        childName: childName(r.child),
        available: available.map((a) => ({ value: a.id, text: `${a.name} (version ${a.version})`, selected: chosen?.row.id === a.id })),
        chosen: chosen && {
          id: chosen.row.id,
          name: chosen.row.name,
          version: chosen.row.version,
          conditions: chosen.ruleSet.conditions.map((c, i) => ({
            ...c,
            n: i + 1,
            items: [
              { value: 'yes', text: 'Met', checked: values[`met-${c.code}`] === 'yes' },
              { value: 'no', text: 'Not met', checked: values[`met-${c.code}`] === 'no' },
            ],
            evidence: values[`evidence-${c.code}`] ?? '',
          })),
        },
        errors,
      },
    };
  }
}

/** The form's values carried through the duplicates page as hidden fields. */

/** The GOV.UK pagination component's parameters for the queue (keeping the filter), or null for one page. */
function queuePagination(filter: QueueFilter, page: number, pages: number) {
  if (pages <= 1) return null;
  const href = (n: number) =>
    `${paths.referrals.queue}?${new URLSearchParams({ ...(filter === 'open' ? {} : { status: filter }), ...(n > 1 ? { page: String(n) } : {}) }).toString()}`.replace(
      /\?$/,
      '',
    );
  return {
    ...(page > 1 ? { previous: { href: href(page - 1) } } : {}),
    ...(page < pages ? { next: { href: href(page + 1) } } : {}),
    items: paginationItems(page, pages).map((n) => (n === null ? { ellipsis: true } : { number: n, href: href(n), current: n === page })),
    landmarkLabel: 'Pages of referrals',
  };
}
