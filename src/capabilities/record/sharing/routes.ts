// Consent and lawful bases for sharing a child's record, emergency access, and "who has looked".
//
// Every page that shows or changes a child's data calls requireChild() first: a child the person
// may not see is "not found". Emergency access is the one way in for someone who cannot see a
// child; it starts from a number they already hold (NHS number, UPN or council reference), needs a
// written reason, is time-limited, audited, and listed for the information governance lead.
import type { RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { ORGANISATION_TYPES } from '../../../platform/access/roles.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { childFormRoutes } from './child-forms.js';
import { ageOn, todayInLondon, longDate } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { recordChronologyEvent, childName, navChild } from '../tell-it-once/index.js';
import { SECTION_KEYS, SECTIONS, hasCaseworkRole, type Access, type Section } from './rules.js';
import * as service from './service.js';
import { childAccess, requireChild, viewerOf } from './service.js';
import {
  dateValues,
  identifierCandidates,
  parseConsentForm,
  parseEmergencyForm,
  parseEmergencyStartForm,
  parseLawfulBasisForm,
  parseApprovalForm,
  parseReviewForm,
  parseWithdrawForm,
  type EmergencyForm,
} from './schema.js';
import {
  CONSENT_GIVERS,
  CONSENT_METHODS,
  CONSENT_METHOD_SHORT,
  EMERGENCY_HOURS,
  LAWFUL_BASES,
  SECTION_SHORT,
  dateTime,
  describeAction,
  organisationTypeName,
  scopeTable,
} from './presenters.js';
import { formList, formText } from '../../../platform/http/form-values.js';
import { isUuid } from '../../../platform/ids.js';

const V = 'record/sharing/views/';
type Values = Record<string, unknown>;
const pageNumber = (q: string | undefined) => {
  const n = Number(q);
  return Number.isInteger(n) && n > 0 ? n : 1;
};

export function sharingRoutes(deps: CapabilityDeps): RouteSpec[] {
  const link = (path: string) => new URL(path, deps.config.baseUrl).toString();

  /** Tells every information governance lead that a grant waits for them (a link, nothing about the child). */
  const askForApproval = async (ctx: SignedInContext) => {
    for (const approver of await service.sharingApprovers(ctx.db)) {
      if (approver.id === ctx.user.id) continue;
      await deps.notifier.send(ctx.db, {
        channel: 'email',
        to: approver.email,
        subject: 'Sharing waiting for your approval',
        body: `Someone has recorded a consent or lawful basis that covers their own organisation's access to a child's record. It does not count until someone else approves it.\n\nSee what is waiting:\n${link(paths.register.sharingApprovals)}`,
      });
    }
  };

  /** Heading, sub-navigation and, when reached through emergency access, the warning banner. */
  const header = async (ctx: SignedInContext, access: Access, current: string) => {
    const child = await service.childHeader(ctx.db, ctx.param('id'));
    const banner = access.visible && access.via === 'emergency-access' ? await service.emergencyAccessBanner(ctx.db, ctx.user.id, child.id) : null;
    return {
      child: navChild(child),
      childName: childName(child),
      current,
      emergencyAccess: banner && { until: dateTime(banner.expiresAt), reason: banner.reason },
      raw: child,
    };
  };

  // The sharing page ---------------------------------------------------------------------------

  const sharingPage = async (ctx: SignedInContext): Promise<RouteResult> => {
    const access = await requireChild(ctx, ctx.params.id, 'core');
    const id = ctx.param('id');
    const today = todayInLondon();
    const [h, consents, bases, emergencies, seeing] = await Promise.all([
      header(ctx, access, 'sharing'),
      service.listConsents(ctx.db, id),
      service.listLawfulBases(ctx.db, id),
      service.listEmergencyAccessForChild(ctx.db, id),
      service.whoCanSee(ctx.db, id),
    ]);
    const now = new Date();
    const { raw: _raw, ...heading } = h;
    // Who gave consent is family data: named only to those who may see the family section.
    const seesFamily = access.visible && access.sections.has('family');
    return {
      view: `${V}sharing.njk`,
      data: {
        ...heading,
        pageTitle: `Consent and sharing: ${h.childName}`,
        // Emergency access is read-only: no buttons that lead to a refusal.
        canEdit: ctx.user.permissions.has('children:edit') && access.visible && access.via === 'sharing',
        done: ctx.query.done,
        sectionHeads: SECTION_KEYS.map((s) => SECTION_SHORT[s]),
        seeing: seeing.map((o) => ({ name: o.name, sees: o.sections.length ? o.sections.map((s) => SECTION_SHORT[s]).join(', ') : 'Cannot see the record' })),
        consents: consents.map((c) => {
          const withdrawn = c.withdrawn_at !== null;
          const reviewDue = !withdrawn && c.review_on !== null && c.review_on <= today;
          const givenBy =
            c.given_by === 'parent'
              ? seesFamily
                ? `${c.member_name ?? 'A parent or carer'}${c.member_relationship ? ` (${c.member_relationship})` : ''}, with parental responsibility`
                : 'A parent or carer with parental responsibility'
              : c.given_by === 'young-person'
                ? 'The young person'
                : 'A decision-maker for the young person';
          const rows = [
            { key: { text: 'Given by' }, value: { text: givenBy } },
            ...(c.capacity_note ? [{ key: { text: 'Capacity note' }, value: { text: c.capacity_note } }] : []),
            { key: { text: 'Date given' }, value: { text: longDate(c.given_on) } },
            { key: { text: 'How it was given' }, value: { text: CONSENT_METHOD_SHORT[c.method] ?? c.method } },
            { key: { text: 'Evidence' }, value: { text: c.evidence ?? 'None recorded' } },
            {
              key: { text: 'Review date' },
              value: { text: c.review_on ? `${longDate(c.review_on)}${reviewDue ? ' (review due)' : ''}` : 'Not set' },
            },
            { key: { text: 'Recorded by' }, value: { text: `${c.recorded_by_name ?? 'Not known'}, ${dateTime(c.recorded_at)}` } },
            { key: { text: 'Approval' }, value: { text: approvalText(c) } },
            ...(withdrawn
              ? [{ key: { text: 'Withdrawn' }, value: { text: `${dateTime(c.withdrawn_at)}: ${c.withdrawn_reason ?? 'no reason recorded'}` } }]
              : []),
            ...c.withdrawals.map((w) => ({
              key: { text: `Withdrawn for ${w.organisationName}` },
              value: { text: `${dateTime(w.at)}${w.by ? ` (recorded by ${w.by})` : ''}: ${w.reason}` },
            })),
          ];
          return {
            id: c.id,
            givenOn: longDate(c.given_on),
            approval: c.approval,
            withdrawn,
            reviewDue,
            rows,
            scope: scopeTable(c.scopes, c.namedScopes),
          };
        }),
        bases: bases.map((b) => {
          const status =
            b.ended_at !== null || (b.ends_on !== null && b.ends_on < today)
              ? 'Ended'
              : b.approval === 'pending'
                ? 'Waiting for approval'
                : b.approval === 'refused'
                  ? 'Not approved'
                  : b.decided_on > today
                    ? 'Not started yet'
                    : 'Current';
          return {
            basis: LAWFUL_BASES[b.basis] ?? b.basis,
            organisation: b.organisation_name,
            sections: b.sections.map((s) => SECTION_SHORT[s as Section] ?? s).join(', '),
            explanation: b.explanation,
            decidedBy: b.decided_by_name ?? 'Not known',
            decidedOn: longDate(b.decided_on),
            ends: b.ended_at ? `Ended ${dateTime(b.ended_at)}` : b.ends_on ? longDate(b.ends_on) : 'No end date',
            approvalText: approvalText(b),
            status,
          };
        }),
        emergencies: emergencies.map((g) => ({
          who: g.user_name,
          organisation: g.organisation_name,
          reason: g.reason,
          from: dateTime(g.started_at),
          to: dateTime(g.expires_at),
          active: new Date(g.expires_at) > now,
          reviewed: g.reviewed_at ? `Reviewed by ${g.reviewed_by_name ?? 'the information governance lead'} on ${dateTime(g.reviewed_at)}` : 'Not yet reviewed',
        })),
      },
    };
  };

  // Consent -------------------------------------------------------------------------------------

  const consentPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const access = await requireChild(ctx, ctx.params.id, 'core');
    const h = await header(ctx, access, 'sharing');
    const [parents, working] = await Promise.all([
      service.parentsWithResponsibility(ctx.db, h.raw.family_id),
      service.organisationsWorkingWith(ctx.db, h.raw.id),
    ]);
    const today = todayInLondon();
    const age = ageOn(h.raw.date_of_birth, today);
    const checked = new Set([...formList(values.scope), ...formList(values.organisationScope)]);
    const gridRow = (key: string, name: string) => ({
      name,
      cells: SECTION_KEYS.map((section) => ({
        id: `scope-${key}-${section}`,
        value: `${key}.${section}`,
        label: `${name}: ${SECTION_SHORT[section]}`,
        checked: checked.has(`${key}.${section}`),
      })),
    });
    const { raw: _raw, ...heading } = h;
    return {
      view: `${V}consent-new.njk`,
      data: {
        ...heading,
        pageTitle: `Record consent: ${h.childName}`,
        values,
        errors,
        age,
        parents: parents.length > 0,
        memberItems: [
          { value: '', text: 'Choose a parent or carer' },
          // Their names are family data: someone who may not see the family section chooses by number.
          ...parents.map((p, i) => ({
            value: p.id,
            text: access.visible && access.sections.has('family') ? `${p.full_name} (${p.relationship})` : `Parent or carer ${i + 1}`,
            selected: p.id === values.memberId,
          })),
        ],
        givenByValue: values.givenBy,
        methodItems: Object.entries(CONSENT_METHODS).map(([value, text]) => ({ value, text, checked: value === values.method })),
        givenOnValues: dateValues(values, 'givenOn'),
        reviewOnValues: dateValues(values, 'reviewOn'),
        sectionHeads: SECTION_KEYS.map((s) => ({ key: s, short: SECTION_SHORT[s], long: SECTIONS[s] })),
        namedRows: working.map((o) => gridRow(o.id, o.name)),
        scopeRows: Object.keys(ORGANISATION_TYPES).map((type) => gridRow(type, organisationTypeName(type))),
      },
    };
  };

  const withdrawPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const access = await requireChild(ctx, ctx.params.id, 'core');
    const h = await header(ctx, access, 'sharing');
    const [c, covered] = await Promise.all([
      service.getConsent(ctx.db, ctx.param('id'), ctx.param('consentId')),
      service.organisationsConsentCovers(ctx.db, ctx.param('id'), ctx.param('consentId')),
    ]);
    const { raw: _raw, ...heading } = h;
    return {
      view: `${V}consent-withdraw.njk`,
      data: {
        ...heading,
        pageTitle: `Withdraw consent: ${h.childName}`,
        consent: {
          id: c.id,
          givenOn: longDate(c.given_on),
          givenBy:
            c.given_by === 'parent' ? (access.visible && access.sections.has('family') && c.member_name) || 'A parent or carer' : CONSENT_GIVERS[c.given_by],
          withdrawn: c.withdrawn_at ? dateTime(c.withdrawn_at) : null,
          scope: scopeTable(c.scopes, c.namedScopes).filter((r) => r.cells.some((x) => x.shared)),
          withdrawals: c.withdrawals.map((w) => `${w.organisationName}: withdrawn ${dateTime(w.at)}`),
        },
        sectionHeads: SECTION_KEYS.map((s) => SECTION_SHORT[s]),
        withdrawForValue: values.withdrawFor,
        organisationItems: [
          { value: '', text: 'Choose an organisation' },
          ...covered.map((o) => ({ value: o.id, text: o.name, selected: o.id === values.organisationId })),
        ],
        values,
        errors,
      },
    };
  };

  // Lawful basis --------------------------------------------------------------------------------

  const lawfulBasisPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const access = await requireChild(ctx, ctx.params.id, 'core');
    const h = await header(ctx, access, 'sharing');
    const [orgs, involved] = await Promise.all([service.activeOrganisations(ctx.db), service.loadSharingFacts(ctx.db, ctx.param('id'))]);
    const working = new Set(involved.involvedOrganisationIds);
    const chosen = new Set(formList(values.sections));
    const { raw: _raw, ...heading } = h;
    return {
      view: `${V}lawful-basis-new.njk`,
      data: {
        ...heading,
        pageTitle: `Record a lawful basis: ${h.childName}`,
        values,
        errors,
        decidedBy: ctx.user.displayName,
        basisItems: Object.entries(LAWFUL_BASES).map(([value, text]) => ({ value, text, checked: value === values.basis })),
        orgItems: [
          { value: '', text: 'Choose an organisation' },
          ...orgs.map((o) => ({ value: o.id, text: working.has(o.id) ? `${o.name} (works with them now)` : o.name, selected: o.id === values.organisationId })),
        ],
        sectionItems: SECTION_KEYS.map((s) => ({ value: s, text: SECTION_SHORT[s], hint: { text: SECTIONS[s] }, checked: chosen.has(s) })),
        decidedOnValues: dateValues(values, 'decidedOn'),
        endsOnValues: dateValues(values, 'endsOn'),
      },
    };
  };

  // Emergency access ----------------------------------------------------------------------------

  const hourItems = (selected: unknown) =>
    EMERGENCY_HOURS.map((h) => ({ value: String(h), text: h === 1 ? '1 hour' : `${h} hours`, checked: String(h) === selected }));

  const startPage = (values: Values = {}, errors?: FieldError[], status?: number): RouteResult => ({
    view: `${V}emergency-access-start.njk`,
    data: { pageTitle: 'Emergency access to a child’s record', values, errors, hourItems: hourItems(values.hours) },
    ...(status ? { status } : {}),
  });

  const emergencyPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[], status?: number): Promise<RouteResult> => {
    const childId = ctx.param('id');
    if (!/^[0-9a-f-]{36}$/.test(childId)) throw new NotFoundError('child');
    // The same page whether or not the child exists, until the person has emergency access.
    const banner = await service.emergencyAccessBanner(ctx.db, ctx.user.id, childId);
    return {
      view: `${V}emergency-access.njk`,
      data: {
        pageTitle: 'Emergency access to a child’s record',
        childId,
        active: banner && { from: dateTime(banner.startedAt), until: dateTime(banner.expiresAt), reason: banner.reason },
        values,
        errors,
        hourItems: hourItems(values.hours),
      },
      ...(status ? { status } : {}),
    };
  };

  /** Grants emergency access to a child the person cannot otherwise see, and sends them to the record. */
  const grant = async (
    ctx: SignedInContext,
    childId: string,
    form: Omit<EmergencyForm, 'identifier'>,
    details: Record<string, unknown>,
  ): Promise<RouteResult> => {
    const user = ctx.user;
    if (!hasCaseworkRole(user)) throw new ForbiddenError('emergency access needs a casework role');
    Object.assign(ctx.audit, { subjectType: 'child', subjectId: childId, purpose: form.reason });
    const before = await childAccess(ctx.db, viewerOf(user), childId);
    if (before.visible && before.via === 'sharing') {
      ctx.audit.details = { ...details, alreadyVisible: true };
      return { redirect: paths.children.record(childId) };
    }
    const g = await service.grantEmergencyAccess(ctx.db, {
      childId,
      userId: user.id,
      organisationId: user.organisationId,
      reason: form.reason,
      hours: form.hours,
    });
    ctx.audit.details = { ...details, breakGlassId: g.id, hours: form.hours, expiresAt: g.expiresAt.toISOString() };
    return { redirect: paths.children.record(childId) };
  };

  // Information governance review ---------------------------------------------------------------

  const reviewPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const [list, unmatched, refusals] = await Promise.all([
      service.listEmergencyAccessForReview(ctx.db, pageNumber(ctx.query.page)),
      service.listUnmatchedEmergencyRequests(ctx.db),
      service.listSharingRefusals(ctx.db),
    ]);
    const activity = await service.emergencyAccessActivity(
      ctx.db,
      list.rows.map((g) => g.id),
    );
    const now = new Date();
    return {
      view: `${V}emergency-access-review.njk`,
      data: {
        pageTitle: 'Emergency access to review',
        errors,
        values,
        done: ctx.query.done,
        total: list.total,
        unreviewed: list.rows.filter((g) => !g.reviewed_at).length,
        accesses: list.rows.map((g) => ({
          id: g.id,
          title: `${g.user_name}, ${dateTime(g.started_at)}`,
          who: g.user_name,
          activity: (activity.get(g.id) ?? []).map((a) => ({ when: dateTime(a.at), what: a.what, allowed: a.allowed })),
          reviewed: g.reviewed_at !== null,
          active: new Date(g.expires_at) > now,
          rows: [
            { key: { text: 'Who' }, value: { text: g.user_name } },
            { key: { text: 'Organisation' }, value: { text: g.organisation_name } },
            { key: { text: 'Child' }, value: { text: `${childName(g)} (reference ${g.child_id})` } },
            {
              key: { text: 'Everything done with the record' },
              // One's own emergency access is another lead's to review (service.underEmergencyAccessReview).
              value:
                g.user_id === ctx.user.id
                  ? { text: 'Your own emergency access: another information governance lead reviews it' }
                  : { html: `<a class="govuk-link" href="${paths.children.whoHasLooked(g.child_id)}">Who has looked at this record</a>` },
            },
            { key: { text: 'Reason given' }, value: { text: g.reason } },
            { key: { text: 'From' }, value: { text: dateTime(g.started_at) } },
            { key: { text: 'Until' }, value: { text: `${dateTime(g.expires_at)}${new Date(g.expires_at) > now ? ' (still active)' : ''}` } },
            {
              key: { text: 'Reviewed' },
              value: { text: g.reviewed_at ? `Yes, by ${g.reviewed_by_name ?? 'not known'} on ${dateTime(g.reviewed_at)}: ${g.review_note ?? ''}` : 'Not yet' },
            },
          ],
        })),
        unmatched: unmatched.map((u) => {
          let identifier = '';
          try {
            identifier = formText((JSON.parse(u.details) as { identifier?: unknown }).identifier);
          } catch {
            /* left blank */
          }
          return { at: dateTime(u.at), who: u.user_name ?? 'Not known', organisation: u.organisation_name ?? '', identifier, reason: u.purpose ?? '' };
        }),
        // Who asked for a record the sharing rule does not let them see: what, and the child's reference only.
        refusals: refusals.map((r) => ({
          at: dateTime(r.at),
          who: r.user_name ?? 'Not known',
          organisation: r.organisation_name ?? '',
          what: describeAction(r.action),
          child: r.subject_id ?? '',
        })),
        pagination: pagination(paths.register.emergencyAccessReview, list.page, list.pages),
      },
    };
  };

  // Approving sharing that widens the recorder's own organisation's access (ADR 0012) ------------

  const approvalsPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const { consents, bases } = await service.listSharingToApprove(ctx.db);
    const recorded = (g: { recorded_by_name: string | null; organisation_name: string | null; recorded_at: Date | string }) =>
      `${g.recorded_by_name ?? 'Not known'}${g.organisation_name ? ` (${g.organisation_name})` : ''}, ${dateTime(g.recorded_at)}`;
    const items = [
      ...consents.map((c) => ({
        kind: 'consent',
        id: c.id,
        childId: c.child_id,
        at: new Date(c.recorded_at),
        title: `Consent for ${childName(c)}`,
        rows: [
          { key: { text: 'Child' }, value: { text: `${childName(c)} (reference ${c.child_id})` } },
          { key: { text: 'Recorded by' }, value: { text: recorded(c) } },
          { key: { text: 'Given by' }, value: { text: CONSENT_GIVERS[c.given_by] } },
          { key: { text: 'Date given' }, value: { text: longDate(c.given_on) } },
          { key: { text: 'How it was given' }, value: { text: CONSENT_METHOD_SHORT[c.method] ?? c.method } },
          { key: { text: 'Evidence' }, value: { text: c.evidence ?? 'None recorded' } },
          {
            key: { text: 'What it shares' },
            value: {
              text: Object.entries(
                c.scopes.reduce<Record<string, string[]>>((acc, x) => {
                  (acc[x.organisationType] ??= []).push(SECTION_SHORT[x.section as Section] ?? x.section);
                  return acc;
                }, {}),
              )
                .map(([type, sections]) => `${organisationTypeName(type)}: ${sections.join(', ')}`)
                .join('; '),
            },
          },
        ],
      })),
      ...bases.map((b) => ({
        kind: 'lawful-basis',
        id: b.id,
        childId: b.child_id,
        at: new Date(b.recorded_at),
        title: `Lawful basis for ${childName(b)}`,
        rows: [
          { key: { text: 'Child' }, value: { text: `${childName(b)} (reference ${b.child_id})` } },
          { key: { text: 'Recorded by' }, value: { text: recorded(b) } },
          { key: { text: 'Basis' }, value: { text: LAWFUL_BASES[b.basis] ?? b.basis } },
          { key: { text: 'For' }, value: { text: b.for_organisation } },
          { key: { text: 'Parts of the record' }, value: { text: b.sections.map((x) => SECTION_SHORT[x as Section] ?? x).join(', ') } },
          { key: { text: 'Why' }, value: { text: b.explanation } },
          { key: { text: 'From' }, value: { text: `${longDate(b.decided_on)}${b.ends_on ? ` to ${longDate(b.ends_on)}` : ', no end date'}` } },
        ],
      })),
    ].sort((a, b) => a.at.getTime() - b.at.getTime());
    // The page names children: each one's "who has looked" lists this view.
    ctx.audit.children = items.map((i) => i.childId);
    return { view: `${V}sharing-approvals.njk`, data: { pageTitle: 'Sharing to approve', items, errors, values, done: ctx.query.done } };
  };

  return [
    ...formRoutes({
      url: paths.register.sharingApprovals,
      access: 'sharing:approve',
      audit: { show: 'register.sharing-approvals.view', send: 'register.sharing-approvals.decide' },
      auditReads: true,
      page: approvalsPage,
      read: (ctx) => parseApprovalForm(ctx.body),
      send: async (ctx, form) => {
        const outcome = await service.decideSharing(ctx.db, {
          kind: form.kind,
          id: form.id,
          decider: viewerOf(ctx.user),
          approve: form.approve,
          note: form.note,
        });
        if (!outcome.ok) {
          const text = {
            'own-record': 'You recorded this yourself, so someone else must approve it',
            'own-organisation': 'It would widen what you can see yourself, as you work cases in an organisation it covers, so someone else must approve it',
            'already-decided': 'Someone has already decided this one, or it was withdrawn or ended',
          }[outcome.problem];
          throw new ValidationError([{ text, href: `#note-${form.id}` }]);
        }
        // The note is kept with the grant, not copied into the audit log.
        Object.assign(ctx.audit, { subjectType: 'child', subjectId: outcome.childId, details: { kind: form.kind, id: form.id, approved: form.approve } });
        const recorder = outcome.recordedBy ? await service.emailOf(ctx.db, outcome.recordedBy) : null;
        if (recorder?.active) {
          const what = form.kind === 'consent' ? 'consent' : 'lawful basis';
          await deps.notifier.send(ctx.db, {
            channel: 'email',
            to: recorder.email,
            subject: form.approve ? `The ${what} you recorded has been approved` : `The ${what} you recorded was not approved`,
            body: `${form.approve ? `The ${what} you recorded has been approved and counts from now.` : `The ${what} you recorded was not approved, so it does not count.`}\n\nSee the child's sharing page for the note:\n${link(paths.children.sharing(outcome.childId))}`,
          });
        }
        return { redirect: `${paths.register.sharingApprovals}?done=${form.approve ? 'approved' : 'refused'}` };
      },
    }),
    {
      method: 'GET',
      url: paths.children.sharing(),
      access: 'children:view',
      audit: 'child.sharing.view',
      auditReads: true,
      handler: sharingPage,
    },
    ...childFormRoutes({
      url: paths.children.addConsent(),
      section: 'core',
      audit: { show: 'child.consent.new', send: 'child.consent.add' },
      // A young person under 16, a missing capacity note, no scope: the page says which and keeps what was typed.
      page: consentPage,
      read: async (ctx) => {
        const child = await service.childHeader(ctx.db, ctx.param('id'));
        const [parents, working] = await Promise.all([
          service.parentsWithResponsibility(ctx.db, child.family_id),
          service.organisationsWorkingWith(ctx.db, child.id),
        ]);
        const form = parseConsentForm(ctx.body, {
          today: todayInLondon(),
          dateOfBirth: child.date_of_birth,
          parentIds: new Set(parents.map((p) => p.id)),
          organisationIds: new Set(working.map((o) => o.id)),
        });
        return { form };
      },
      send: async (ctx, { form }) => {
        const id = ctx.param('id');
        const { id: consentId, opens } = await service.addConsent(ctx.db, id, form, viewerOf(ctx.user));
        if (opens.length) await askForApproval(ctx);
        await recordChronologyEvent(ctx.db, {
          childId: id,
          organisationId: ctx.user.organisationId,
          occurredOn: form.givenOn,
          section: 'core',
          title: opens.length ? 'Consent to share recorded, waiting for approval' : 'Consent to share recorded',
          detail: `Given by ${form.givenBy === 'parent' ? 'a parent or carer' : form.givenBy === 'young-person' ? 'the young person' : 'a decision-maker'}`,
          recordedBy: ctx.user.id,
        });
        ctx.audit.details = {
          ...ctx.audit.details,
          consentId,
          givenBy: form.givenBy,
          scope: [...form.scopes.map((s) => `${s.organisationType}.${s.section}`), ...form.organisationScopes.map((s) => `${s.organisationId}.${s.section}`)],
          ...(opens.length ? { pendingApproval: true, wouldOpenToOwnOrganisation: opens } : {}),
        };
        return { redirect: `${paths.children.sharing(id)}?done=${opens.length ? 'consent-pending' : 'consent'}` };
      },
    }),
    ...childFormRoutes({
      url: paths.children.withdrawConsent(),
      section: 'core',
      audit: { show: 'child.consent.withdraw-form', send: 'child.consent.withdraw' },
      page: withdrawPage,
      read: async (ctx) => {
        const covered = await service.organisationsConsentCovers(ctx.db, ctx.param('id'), ctx.param('consentId'));
        return { form: parseWithdrawForm(ctx.body, { coveredOrganisationIds: new Set(covered.map((o) => o.id)) }), covered };
      },
      send: async (ctx, { form, covered }) => {
        const id = ctx.param('id');
        const outcome = await service.withdrawConsent(ctx.db, id, ctx.param('consentId'), { ...form, by: ctx.user.id });
        if (outcome === 'already-withdrawn') {
          const text = form.organisationId ? 'This consent has already been withdrawn for that organisation' : 'This consent has already been withdrawn';
          throw new ValidationError([{ text, href: form.organisationId ? '#organisationId' : '#main-content' }]);
        }
        if (outcome === 'not-covered') throw new ValidationError([{ text: 'Select an organisation this consent still covers', href: '#organisationId' }]);
        const forName = form.organisationId ? covered.find((o) => o.id === form.organisationId)?.name : undefined;
        await recordChronologyEvent(ctx.db, {
          childId: id,
          organisationId: ctx.user.organisationId,
          occurredOn: todayInLondon(),
          section: 'core',
          title: forName ? `Consent to share withdrawn for ${forName}` : 'Consent to share withdrawn',
          recordedBy: ctx.user.id,
        });
        // The reason is kept with the consent, not copied into the audit log (read by people who may not see the record).
        ctx.audit.details = {
          ...ctx.audit.details,
          consentId: ctx.params.consentId,
          ...(form.organisationId ? { forOrganisationId: form.organisationId } : {}),
        };
        // It takes effect at once: the person who withdrew it may have lost access themselves.
        const after = await childAccess(ctx.db, viewerOf(ctx.user), id);
        if (after.visible) return { redirect: `${paths.children.sharing(id)}?done=withdrawn` };
        return { view: `${V}consent-withdrawn.njk`, data: { pageTitle: 'Consent withdrawn' } };
      },
    }),
    ...childFormRoutes({
      url: paths.children.addLawfulBasis(),
      section: 'core',
      audit: { show: 'child.lawful-basis.new', send: 'child.lawful-basis.add' },
      page: lawfulBasisPage,
      read: async (ctx) => {
        const orgs = await service.activeOrganisations(ctx.db);
        return { form: parseLawfulBasisForm(ctx.body, { today: todayInLondon(), organisationIds: new Set(orgs.map((o) => o.id)) }) };
      },
      send: async (ctx, { form }) => {
        const id = ctx.param('id');
        const { id: lawfulBasisId, opens } = await service.addLawfulBasis(ctx.db, id, form, viewerOf(ctx.user));
        if (opens.length) await askForApproval(ctx);
        ctx.audit.details = {
          ...ctx.audit.details,
          lawfulBasisId,
          basis: form.basis,
          organisationId: form.organisationId,
          sections: form.sections,
          decidedOn: form.decidedOn,
          endsOn: form.endsOn,
          ...(opens.length ? { pendingApproval: true, wouldOpenToOwnOrganisation: opens } : {}),
        };
        return { redirect: `${paths.children.sharing(id)}?done=${opens.length ? 'lawful-basis-pending' : 'lawful-basis'}` };
      },
    }),
    ...formRoutes({
      url: paths.register.emergencyAccessStart,
      access: 'children:view',
      audit: { show: 'child.emergency-access.start-form', send: 'child.emergency-access.start' },
      rateLimit: 30,
      page: (_ctx, values, errors) => startPage(values, errors),
      read: (ctx) => parseEmergencyStartForm(ctx.body),
      send: async (ctx, form) => {
        ctx.audit.purpose = form.reason;
        const found = await service.findChildByIdentifier(ctx.db, identifierCandidates(form.identifier));
        if (!found) {
          // Said only once a reason is given, and audited like a success.
          ctx.audit.result = 'denied';
          ctx.audit.details = { identifier: form.identifier, hours: form.hours, outcome: 'no child has that number' };
          return startPage(ctx.body, [{ text: 'No child on the register has that number', href: '#identifier' }], 400);
        }
        return grant(ctx, found.id, form, { identifier: form.identifier, matchedOn: found.matchedOn });
      },
    }),
    ...formRoutes({
      url: paths.children.emergencyAccess(),
      access: 'children:view',
      audit: { show: 'child.emergency-access.view', send: 'child.emergency-access.grant' },
      auditReads: true,
      rateLimit: 30,
      page: async (ctx, values, errors) => {
        // Shown again after a mistake: the form as typed. As it starts: to the record for those who may see it.
        if (values !== undefined) return emergencyPage(ctx, values, errors);
        const childId = ctx.param('id');
        const access = /^[0-9a-f-]{36}$/.test(childId) ? await childAccess(ctx.db, viewerOf(ctx.user), childId) : { visible: false as const };
        if (access.visible && access.via === 'sharing') return { redirect: paths.children.record(childId) };
        if (access.visible) Object.assign(ctx.audit, { subjectType: 'child', subjectId: childId });
        else ctx.audit.details = { requestedChild: childId };
        return emergencyPage(ctx);
      },
      read: (ctx) => parseEmergencyForm(ctx.body),
      send: async (ctx, form) => {
        const childId = ctx.param('id');
        ctx.audit.purpose = form.reason;
        const exists = /^[0-9a-f-]{36}$/.test(childId)
          ? await ctx.db.selectFrom('children').select('id').where('id', '=', childId).executeTakeFirst()
          : undefined;
        if (!exists) {
          ctx.audit.result = 'denied';
          ctx.audit.details = { requestedChild: childId, hours: form.hours, outcome: 'no child has that reference' };
          return emergencyPage(ctx, ctx.body, [{ text: 'No child on the register has that reference', href: '#reason' }], 404);
        }
        return grant(ctx, childId, form, { hours: form.hours });
      },
    }),
    ...formRoutes({
      url: paths.register.emergencyAccessReview,
      access: 'emergency-access:review',
      audit: { show: 'register.emergency-access.review-list', send: 'register.emergency-access.review' },
      auditReads: true,
      page: reviewPage,
      read: (ctx) => parseReviewForm(ctx.body),
      send: async (ctx, form) => {
        const outcome = await service.markEmergencyAccessReviewed(ctx.db, form.breakGlassId, ctx.user.id, form.note);
        if (!outcome.ok) {
          const text =
            outcome.problem === 'own-access'
              ? 'You cannot review your own emergency access: ask another information governance lead'
              : 'Someone has already reviewed this emergency access';
          throw new ValidationError([{ text, href: `#note-${form.breakGlassId}` }]);
        }
        Object.assign(ctx.audit, { subjectType: 'child', subjectId: outcome.childId, details: { breakGlassId: form.breakGlassId, note: form.note } });
        return { redirect: `${paths.register.emergencyAccessReview}?done=reviewed` };
      },
    }),
    {
      // Those who may see the record; and the information governance lead, for a record someone
      // reached through emergency access (the review page sends them here), audited as a review.
      method: 'GET',
      url: paths.children.whoHasLooked(),
      access: 'signed-in',
      audit: 'child.who-has-looked.view',
      auditReads: true,
      handler: async (ctx) => {
        const id = ctx.params.id;
        let access: Access;
        if (ctx.user.permissions.has('emergency-access:review') && (await service.underEmergencyAccessReview(ctx.db, id, ctx.user.id))) {
          access = { visible: false };
          Object.assign(ctx.audit, { subjectType: 'child', subjectId: id, purpose: 'Reviewing emergency access', details: { via: 'emergency access review' } });
          ctx.req.recordSections = [];
        } else if (ctx.user.permissions.has('children:view')) {
          access = await requireChild(ctx, id, 'core');
        } else {
          throw new ForbiddenError('lacks children:view', undefined, isUuid(id) ? { type: 'child', id } : undefined);
        }
        const h = await header(ctx, access, 'who-has-looked');
        // This view is written first, so the list includes it.
        await ctx.auditNow!();
        const list = await service.whoHasLooked(ctx.db, ctx.param('id'), pageNumber(ctx.query.page));
        const { raw: _raw, ...heading } = h;
        return {
          view: `${V}who-has-looked.njk`,
          data: {
            ...heading,
            pageTitle: `Who has looked at this record: ${h.childName}`,
            total: list.total,
            page: list.page,
            pages: list.pages,
            entries: list.entries.map((e) => ({
              ...e,
              when: dateTime(e.at),
              roles: e.roles.join(', '),
              why: e.why ?? (e.emergency ? 'Emergency access' : 'Not given'),
            })),
            pagination: pagination(paths.children.whoHasLooked(ctx.params.id), list.page, list.pages),
          },
        };
      },
    },
  ];
}

/** Where a consent or lawful basis stands with its second person (ADR 0012). */
function approvalText(g: { approval: string; approval_by_name: string | null; approval_at: Date | string | null; approval_note: string | null }) {
  if (g.approval === 'pending') return 'Waiting for the information governance lead: it covers the recorder’s own organisation, so it does not count yet';
  const by = `${g.approval_by_name ?? 'Not known'}, ${dateTime(g.approval_at)}${g.approval_note ? `: ${g.approval_note}` : ''}`;
  if (g.approval === 'refused') return `Not approved by ${by}. It does not count`;
  return g.approval_at ? `Approved by ${by}` : 'Did not need a second person';
}

/** Parameters for the GOV.UK pagination component, or null when everything fits on one page. */
function pagination(base: string, page: number, pages: number) {
  if (pages <= 1) return null;
  const href = (n: number) => `${base}?page=${n}`;
  const numbers = [...new Set([1, page - 1, page, page + 1, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = [];
  numbers.forEach((n, i) => {
    if (i > 0 && n - numbers[i - 1]! > 1) items.push({ ellipsis: true });
    items.push({ number: n, href: href(n), current: n === page });
  });
  return {
    items,
    ...(page > 1 ? { previous: { href: href(page - 1) } } : {}),
    ...(page < pages ? { next: { href: href(page + 1) } } : {}),
  };
}
