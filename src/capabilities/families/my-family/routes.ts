// A family's own pages (issue 15, ADR 0015), and the page where staff invite the family.
//
// Family pages are open only to family accounts ('family:view'), and each child's page only to
// an account tied to a parent with parental responsibility for them (requireFamilyChild). Every
// read of a child's page is audited against the child, so the family's own looks are in "who
// has looked" too. Words are short and plain: the family reads them on a phone.
import type { RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { formText } from '../../../platform/http/form-values.js';
import { ageOn, longDate, todayInLondon } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import {
  childFormRoutes,
  dateTime,
  LAWFUL_BASES,
  listConsents,
  listLawfulBases,
  organisationsConsentCovers,
  organisationTypeName,
  requireChild,
  SECTION_SHORT,
  whoCanSee,
  whoHasLooked,
  withdrawConsent,
  type Section,
} from '../../record/sharing/index.js';
import { aboutMeForm, addAboutMeVersion, childName, latestAboutMe, navChild, recordChronologyEvent } from '../../record/tell-it-once/index.js';
import { parseForm } from '../../../platform/http/forms.js';
import { NEED_CODES } from '../../record/children/index.js';
import { referralsOfChild, STATUS_NAMES } from '../../referral-and-panel/referrals/index.js';
import { OUTCOMES } from '../../referral-and-panel/panel-decisions/index.js';
import { listPartners, packagesOfChild, splitLines, unitsText } from '../../money/budgets/index.js';
import {
  accountsOfFamily,
  familyRecord,
  familyWork,
  inviteFamilyMember,
  inviteYoungPerson,
  approveFamilyAccount,
  linkedChildren,
  requireFamilyChild,
  youngPersonAccount,
} from './service.js';

const V = 'families/my-family/views/';
type Values = Record<string, unknown>;
const sectionList = (sections: readonly string[]) => sections.map((s) => SECTION_SHORT[s as Section] ?? s).join(', ');

export function myFamilyRoutes(deps: CapabilityDeps): RouteSpec[] {
  const inviteDeps = { notifier: deps.notifier, baseUrl: deps.config.baseUrl };

  // Staff: inviting the family ------------------------------------------------------------------

  type Asked = {
    invited_at: Date | null;
    invited_by: string | null;
    approved_at: Date | null;
    user_id: string | null;
    active: boolean | null;
    password_hash: string | null;
  };
  const accountStatus = (a: Asked) =>
    !a.invited_at
      ? 'No account'
      : !a.approved_at
        ? `Asked for ${dateTime(a.invited_at)}: waiting for a second person to check the address and approve`
        : a.active === false
          ? 'Account closed'
          : a.password_hash
            ? 'Uses Jointly'
            : `Invited ${dateTime(a.approved_at)}`;
  /** Whether this person may approve an account someone else asked for (never their own asking). */
  const approvalFor = (ctx: SignedInContext) => (a: Asked) => ({
    waiting: !!a.invited_at && !a.approved_at,
    userId: a.user_id,
    mayApprove: !!a.invited_at && !a.approved_at && a.invited_by !== ctx.user.id,
  });
  const accountsPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const approval = approvalFor(ctx);
    // The page names the family and their e-mail addresses: the family section, by the sharing rule.
    await requireChild(ctx, ctx.params.id, 'family');
    const id = ctx.param('id');
    const [members, child, yp] = await Promise.all([
      accountsOfFamily(ctx.db, id),
      ctx.db.selectFrom('children').select(['id', 'given_name', 'family_name', 'preferred_name']).where('id', '=', id).executeTakeFirstOrThrow(),
      youngPersonAccount(ctx.db, id),
    ]);
    return {
      view: `${V}family-accounts.njk`,
      data: {
        pageTitle: `Family accounts: ${childName(child)}`,
        child: navChild(child),
        childName: childName(child),
        current: 'family',
        invited: ctx.query.invited,
        approved: ctx.query.approved,
        values,
        errors,
        members: members.map((m) => ({
          id: m.id,
          name: `${m.full_name} (${m.relationship})`,
          email: m.email,
          status: accountStatus(m),
          canInvite: !m.invited_at && !!m.email,
          ...approval(m),
        })),
        youngPerson: {
          invited: !!yp.invited_at,
          email: yp.email,
          status: yp.invited_at ? accountStatus(yp) : '',
          ...approval(yp),
          mayHaveAccount: yp.mayHaveAccount,
          from: longDate(yp.ownAccountFrom),
        },
      },
    };
  };

  // The family's pages ------------------------------------------------------------------------

  const childPage = async (ctx: SignedInContext): Promise<RouteResult> => {
    const child = await requireFamilyChild(ctx, ctx.params.id);
    const id = child.id;
    const today = todayInLondon();
    const [record, seeing, consents, bases, referrals, packages, partners] = await Promise.all([
      familyRecord(ctx.db, id, today),
      whoCanSee(ctx.db, id),
      listConsents(ctx.db, id),
      listLawfulBases(ctx.db, id),
      referralsOfChild(ctx.db, id),
      packagesOfChild(ctx.db, id),
      listPartners(ctx.db),
    ]);
    const partnerName = new Map(partners.map((p) => [p.id, p.organisation_name]));
    const name = childName(child);
    const current = consents.filter((c) => c.withdrawn_at === null && c.approval === 'approved');
    return {
      view: `${V}child.njk`,
      data: {
        pageTitle: name,
        childId: id,
        name,
        done: ctx.query.done,
        details: [
          { key: { text: 'Name' }, value: { text: `${record.child.given_name} ${record.child.family_name}` } },
          ...(record.child.preferred_name ? [{ key: { text: 'Likes to be called' }, value: { text: record.child.preferred_name } }] : []),
          { key: { text: 'Date of birth' }, value: { text: `${longDate(record.child.date_of_birth)} (age ${ageOn(record.child.date_of_birth, today)})` } },
          {
            key: { text: 'Main need' },
            value: {
              text: record.child.primary_need
                ? (NEED_CODES[record.child.primary_need as keyof typeof NEED_CODES] ?? record.child.primary_need)
                : 'Not recorded',
            },
          },
        ],
        aboutMe: record.about_me,
        referrals: referrals.map((r) => ({
          reference: r.reference,
          received: longDate(r.received_on),
          status: STATUS_NAMES[r.status] ?? r.status,
          decision: r.decision ? `${OUTCOMES[r.decision.outcome] ?? r.decision.outcome} on ${longDate(r.decision.decided_on)}` : null,
        })),
        packages: packages.map((k) => ({
          what: k.category_name,
          provider: k.provider_name ?? 'Not named yet',
          how: unitsText(k.units_x100, k.frequency, k.unit_cost_pence),
          dates: k.ends_on ? `${longDate(k.starts_on)} to ${longDate(k.ends_on)}` : `From ${longDate(k.starts_on)}`,
          review: k.review_on ? longDate(k.review_on) : null,
          whoPays: splitLines(k.split, (pid) => partnerName.get(pid) ?? 'A partner'),
        })),
        keyWorker: record.key_worker,
        working: record.working.map((w) => ({ ...w, since: longDate(w.started_on) })),
        seeing: seeing.map((o) => ({ name: o.name, sees: o.sections.length ? sectionList(o.sections) : 'Nothing' })),
        consents: current.map((c) => ({
          id: c.id,
          givenOn: longDate(c.given_on),
          shares: [
            ...c.namedScopes.reduce((acc, s) => acc.set(s.organisationName, [...(acc.get(s.organisationName) ?? []), s.section]), new Map<string, string[]>()),
          ]
            .map(([org, sections]) => `${org}: ${sectionList(sections)}`)
            .concat(
              [
                ...c.scopes.reduce((acc, s) => acc.set(s.organisationType, [...(acc.get(s.organisationType) ?? []), s.section]), new Map<string, string[]>()),
              ].map(([type, sections]) => `Any ${organisationTypeName(type)}: ${sectionList(sections)}`),
            ),
          withdrawnFor: c.withdrawals.map((w) => `${w.organisationName} (since ${dateTime(w.at)})`),
        })),
        bases: bases
          .filter((b) => b.approval === 'approved' && b.ended_at === null && (b.ends_on === null || b.ends_on >= today) && b.decided_on <= today)
          .map((b) => ({ organisation: b.organisation_name, basis: LAWFUL_BASES[b.basis] ?? b.basis, sections: sectionList(b.sections), why: b.explanation })),
      },
    };
  };

  const withdrawPage = async (ctx: SignedInContext, values: Values = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const child = await requireFamilyChild(ctx, ctx.params.id);
    const covered = await organisationsConsentCovers(ctx.db, child.id, ctx.param('consentId'));
    return {
      view: `${V}withdraw.njk`,
      data: {
        pageTitle: `Stop sharing: ${childName(child)}`,
        childId: child.id,
        consentId: ctx.param('consentId'),
        name: childName(child),
        values,
        errors,
        organisationItems: [
          ...covered.map((o) => ({ value: o.id, text: o.name, checked: o.id === values.organisationId })),
          { divider: 'or' },
          {
            value: 'everyone',
            text: 'All of them',
            hint: { text: 'Nobody can see the record because of this consent any more' },
            checked: values.organisationId === 'everyone',
          },
        ],
      },
    };
  };

  const aboutMePage = async (ctx: SignedInContext, values?: Values, errors?: FieldError[]): Promise<RouteResult> => {
    const child = await requireFamilyChild(ctx, ctx.params.id);
    const latest = await latestAboutMe(ctx.db, child.id);
    // First shown with what is recorded now; again with what they typed.
    const shown = values ?? {
      whatMatters: latest?.what_matters ?? '',
      whatWorks: latest?.what_works ?? '',
      whatDoesNotWork: latest?.what_does_not_work ?? '',
      communication: latest?.communication ?? '',
      aspirations: latest?.aspirations ?? '',
      writtenWith: ctx.user.displayName,
      basedOn: String(latest?.version ?? 0),
    };
    return {
      view: `${V}about-me.njk`,
      data: {
        pageTitle: `About ${childName(child)}`,
        childId: child.id,
        name: childName(child),
        values: shown,
        errors,
        lastChanged: latest
          ? `${latest.recorded_by_name ?? 'Someone'}${latest.recorded_by_organisation ? `, ${latest.recorded_by_organisation}` : ''}, ${dateTime(latest.recorded_at)}`
          : null,
      },
    };
  };

  return [
    ...formRoutes({
      url: paths.myFamily.aboutMe(),
      access: 'family:view',
      audit: { show: 'family.about-me.edit', send: 'family.about-me.update' },
      auditReads: true,
      page: aboutMePage,
      read: async (ctx) => ({ child: await requireFamilyChild(ctx, ctx.params.id), form: parseForm(aboutMeForm, ctx.body) }),
      send: async (ctx, { child, form }) => {
        // A stale form (someone saved since it was opened) is refused with an explanation, nothing written.
        const version = await addAboutMeVersion(ctx.db, child.id, form, { id: ctx.user.id, organisationId: ctx.user.organisationId });
        await recordChronologyEvent(ctx.db, {
          childId: child.id,
          organisationId: ctx.user.organisationId,
          occurredOn: todayInLondon(),
          section: 'about-me',
          title: `About me updated by the family (version ${version})`,
          detail: `Written with ${form.writtenWith}`,
          recordedBy: ctx.user.id,
        });
        ctx.audit.details = { ...ctx.audit.details, version };
        return { redirect: `${paths.myFamily.child(child.id)}?done=about-me` };
      },
    }),
    ...childFormRoutes({
      url: paths.children.familyAccounts(),
      section: 'family',
      audit: { show: 'child.family-accounts.view', send: 'child.family-accounts.invite' },
      page: accountsPage,
      read: (ctx) => ({
        approve: formText(ctx.body.approve),
        memberId: formText(ctx.body.memberId),
        youngPerson: ctx.body.who === 'young-person',
        youngPersonEmail: formText(ctx.body.youngPersonEmail),
      }),
      send: async (ctx, form) => {
        const id = ctx.param('id');
        if (form.approve) {
          // The second person: checks the address with the family, then the invitation is sent.
          const { name } = await approveFamilyAccount(ctx.db, inviteDeps, id, form.approve, ctx.user.id);
          ctx.audit.details = { ...ctx.audit.details, approved: form.approve, name };
          return { redirect: `${paths.children.familyAccounts(id)}?approved=1` };
        }
        if (form.youngPerson) {
          // The young person's own account, from 16: refused before their birthday, whatever the form says.
          const { userId } = await inviteYoungPerson(ctx.db, id, form.youngPersonEmail, ctx.user.id);
          // The address is in the entry: whoever approves, and anyone reviewing later, sees where it went.
          ctx.audit.details = { ...ctx.audit.details, youngPerson: true, userId, email: form.youngPersonEmail };
          return { redirect: `${paths.children.familyAccounts(id)}?invited=1` };
        }
        const { memberId } = form;
        const { userId } = await inviteFamilyMember(ctx.db, id, memberId, ctx.user.id);
        ctx.audit.details = { ...ctx.audit.details, familyMemberId: memberId, userId };
        return { redirect: `${paths.children.familyAccounts(id)}?invited=1` };
      },
    }),
    {
      method: 'GET',
      url: paths.myFamily.home,
      access: 'family:view',
      audit: 'family.home.view',
      auditReads: true,
      handler: async (ctx) => {
        const today = todayInLondon();
        const [children, work] = await Promise.all([linkedChildren(ctx.db, ctx.user.id, today), familyWork(ctx.db, ctx.user.id, today)]);
        // The list names each child: each one's "who has looked" shows it.
        ctx.audit.children = children.map((c) => c.id);
        return {
          view: `${V}home.njk`,
          data: {
            // A young person's own account sees themselves: "your record", not "your children".
            ownOnly: children.length > 0 && children.every((c) => c.ownAccount),
            pageTitle: 'Your family',
            work: work.map((w) => ({ ...w, due: w.dueOn ? `${w.dueLabel ?? 'Due'} ${longDate(w.dueOn)}` : null })),
            children: children.map((c) => ({ href: paths.myFamily.child(c.id), name: childName(c), born: longDate(c.date_of_birth) })),
          },
        };
      },
    },
    { method: 'GET', url: paths.myFamily.child(), access: 'family:view', audit: 'family.child.view', auditReads: true, handler: childPage },
    {
      method: 'GET',
      url: paths.myFamily.whoLooked(),
      access: 'family:view',
      audit: 'family.who-looked.view',
      auditReads: true,
      handler: async (ctx) => {
        const child = await requireFamilyChild(ctx, ctx.params.id);
        const page = Math.max(1, Number(ctx.query.page) || 1);
        const looked = await whoHasLooked(ctx.db, child.id, page);
        return {
          view: `${V}who-looked.njk`,
          data: {
            pageTitle: `Who has looked: ${childName(child)}`,
            childId: child.id,
            name: childName(child),
            total: looked.total,
            page: looked.page,
            pages: looked.pages,
            entries: looked.entries.map((e) => ({ ...e, when: dateTime(e.at) })),
          },
        };
      },
    },
    ...formRoutes({
      url: paths.myFamily.withdraw(),
      access: 'family:view',
      audit: { show: 'family.consent.withdraw-form', send: 'family.consent.withdraw' },
      auditReads: true,
      page: withdrawPage,
      read: async (ctx) => {
        const child = await requireFamilyChild(ctx, ctx.params.id);
        const covered = await organisationsConsentCovers(ctx.db, child.id, ctx.param('consentId'));
        const chosen = formText(ctx.body.organisationId);
        if (chosen !== 'everyone' && !covered.some((o) => o.id === chosen)) {
          throw new ValidationError([{ text: 'Choose who should stop seeing the record', href: '#organisationId' }]);
        }
        const reason = formText(ctx.body.reason);
        if (reason.length > 1000) throw new ValidationError([{ text: 'What you tell us must be 1,000 characters or fewer', href: '#reason' }]);
        return { child, organisationId: chosen === 'everyone' ? null : chosen, name: covered.find((o) => o.id === chosen)?.name ?? null, reason };
      },
      send: async (ctx, form) => {
        const reason = form.reason || 'The family stopped sharing on Jointly';
        const outcome = await withdrawConsent(ctx.db, form.child.id, ctx.param('consentId'), { reason, organisationId: form.organisationId, by: ctx.user.id });
        if (outcome !== 'withdrawn') throw new ValidationError([{ text: 'This has already been stopped', href: '#organisationId' }]);
        const whom = form.name ?? 'everyone this consent covered';
        await recordChronologyEvent(ctx.db, {
          childId: form.child.id,
          organisationId: ctx.user.organisationId,
          occurredOn: todayInLondon(),
          section: 'core',
          title: `The family withdrew consent to share with ${whom}`,
          recordedBy: ctx.user.id,
        });
        ctx.audit.details = {
          ...ctx.audit.details,
          consentId: ctx.param('consentId'),
          ...(form.organisationId ? { forOrganisationId: form.organisationId } : {}),
        };
        // Confirmed in writing, to the person who did it.
        await deps.notifier.send(ctx.db, {
          channel: 'email',
          to: ctx.user.email,
          subject: 'You stopped sharing a record',
          body: `You stopped sharing ${childName(form.child)}'s record with ${whom} on ${longDate(todayInLondon())}. This started straight away.\n\nSee who can see the record now:\n${new URL(paths.myFamily.child(form.child.id), deps.config.baseUrl).toString()}`,
        });
        return { redirect: `${paths.myFamily.child(form.child.id)}?done=withdrawn` };
      },
    }),
  ];
}
