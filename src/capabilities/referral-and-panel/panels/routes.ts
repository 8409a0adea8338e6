// Multi-agency panels: terms of reference and members ('panels:configure'), the schedule, and
// each meeting's agenda, papers and attendance ('panels:attend', checked against the panel's own
// administrator and members). The list and a panel's page serve both permissions, so they are
// open to signed-in people and refuse anyone who has neither, or is not on that panel.
import { OUTCOMES } from '../panel-decisions/index.js';
import type { RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { ForbiddenError, type FieldError } from '../../../platform/http/errors.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { parseForm } from '../../../platform/http/forms.js';
import { todayInLondon } from '../../../platform/dates.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { dateInputValues } from '../../../platform/date-input.js';
import {
  caseActionForm,
  generateForm,
  parseAttendanceForm,
  parseCancelForm,
  parseCaseForm,
  parseMeetingForm,
  parseMemberForm,
  parsePanelForm,
  parseSummaryForm,
  parseVersion,
  type PanelInput,
} from './schema.js';
import * as panels from './service.js';
import { agencyItems, agencyNames, day, partnerItems, personItems, roleItems, ROLE_NAMES, STATUS_NAMES, STATUS_TAGS } from './presenters.js';
import { isLate, ORDINALS, WEEKDAYS } from './rules.js';
import { formList, formText } from '../../../platform/http/form-values.js';

const V = 'referral-and-panel/panels/views/';
const CONFIGURE = 'panels:configure' as const;
const ATTEND = 'panels:attend' as const;

const DONE: Record<string, string> = {
  'panel-added': 'Panel set up. Add its members and meetings next',
  'panel-saved': 'Terms of reference saved',
  'member-added': 'Member added',
  'member-removed': 'Member removed',
  'meeting-added': 'Meeting added to the schedule',
  'meetings-generated': 'Meetings added to the schedule',
  'case-added': 'Case added to the agenda',
  'case-added-late': 'Case added to the agenda, marked late',
  'case-moved': 'Agenda order changed',
  'case-removed': 'Case removed from the agenda',
  published: 'Agenda and papers published. Members have been sent an email',
  'published-late': 'Agenda and papers published late. Members have been sent an email',
  'attendance-saved': 'Attendance and declarations of interest saved',
  held: 'Meeting marked as held',
  'meeting-changed': 'Meeting changed. Its cut-off and papers dates have been worked out again',
  'meeting-cancelled': 'Meeting cancelled. The cases on its agenda can be added to another meeting',
  'meeting-cancelled-notified': 'Meeting cancelled. Members have been sent an email. The cases on its agenda can be added to another meeting',
  'summary-changed': 'Case summary changed',
};
/** What a panel form set, for the audit log: ids, numbers and codes, never the typed name, purpose or frequency. */
const panelAuditDetails = (input: PanelInput) => ({
  administratorId: input.administratorId,
  papersDays: input.papersDays,
  cutOffDays: input.cutOffDays,
  quorumMembers: input.quorumMembers,
  jointFundingAgencies: input.jointFundingAgencies,
  fieldsGiven: (['name', 'purpose', 'frequency'] as const).filter((f) => input[f] !== ''),
});
const doneMessage = (ctx: SignedInContext) => (ctx.query.done ? DONE[ctx.query.done] : undefined);

const viewer = (ctx: SignedInContext) => panels.viewerOf(ctx.user);
const requirePanelsPerson = (ctx: SignedInContext) => {
  const p = ctx.user?.permissions;
  if (!p?.has(CONFIGURE) && !p?.has(ATTEND)) throw new ForbiddenError('lacks panels:configure and panels:attend');
};

export function panelsRoutes(deps: CapabilityDeps): RouteSpec[] {
  const panelForm = async (ctx: SignedInContext, values: Record<string, unknown>, errors?: FieldError[], panel?: panels.Panel): Promise<RouteResult> => {
    const people = await panels.eligiblePeople(ctx.db);
    const chosen = formList(values.jointFundingAgencies);
    return {
      view: `${V}panel-form.njk`,
      data: {
        pageTitle: panel ? `Edit ${panel.name}` : 'Set up a panel',
        panel,
        values,
        errors,
        administratorItems: personItems(people, values.administratorId, 'Choose the administrator'),
        agencyItems: agencyItems(chosen),
      },
    };
  };
  const panelValues = (p: panels.Panel) => ({
    name: p.name,
    purpose: p.purpose,
    frequency: p.frequency,
    administratorId: p.administrator_id,
    papersDays: String(p.papers_days),
    cutOffDays: String(p.cut_off_days),
    quorumMembers: String(p.quorum_members),
    jointFundingAgencies: p.agencies,
    version: String(p.version),
  });

  const panelPage = async (ctx: SignedInContext, errors?: FieldError[], values: Record<string, unknown> = {}): Promise<RouteResult> => {
    const { panel, role } = await panels.panelForViewer(ctx.db, ctx.params.id, viewer(ctx));
    const canSchedule = role.configurer || role.administrator;
    const today = todayInLondon();
    return {
      view: `${V}panel.njk`,
      data: {
        pageTitle: panel.name,
        panel,
        role,
        canSchedule,
        agencies: agencyNames(panel.agencies),
        members: await panels.listMembers(ctx.db, panel.id),
        meetings: (await panels.listMeetings(ctx.db, panel.id)).map((m) => ({
          ...m,
          statusName: STATUS_NAMES[m.status],
          statusTag: STATUS_TAGS[m.status],
          past: m.meets_on < today,
        })),
        people: role.configurer ? personItems(await panels.eligiblePeople(ctx.db), values.userId, 'Choose a person') : [],
        partners: role.configurer ? partnerItems(await panels.listPartners(ctx.db), values.partnerId) : [],
        roleItems: roleItems(values.role ?? 'member'),
        meetsOnItems: dateInputValues(values, 'meetsOn'),
        weekdayItems: [1, 2, 3, 4, 5].map((w) => ({ value: String(w), text: WEEKDAYS[w], selected: String(w) === (formText(values.weekday) || '3') })),
        nthItems: Object.entries(ORDINALS).map(([value, text]) => ({ value, text: `The ${text}`, selected: value === (formText(values.nth) || '2') })),
        ROLE_NAMES,
        day,
        values,
        errors,
        done:
          ctx.query.done === 'meetings-generated' && ctx.query.skipped ? `${DONE['meetings-generated']}. Not added: ${ctx.query.skipped}` : doneMessage(ctx),
      },
    };
  };

  const meetingPage = async (ctx: SignedInContext, errors?: FieldError[], values: Record<string, unknown> = {}): Promise<RouteResult> => {
    const v = viewer(ctx);
    const { meeting, panel, administrator, papersOpen } = await panels.meetingForViewer(ctx.db, ctx.params.meetingId, v);
    const today = todayInLondon();
    const cases = papersOpen ? await panels.agenda(ctx.db, meeting.id) : [];
    const draft = meeting.status === 'planned';
    const candidates = administrator && draft ? await panels.candidates(ctx.db) : [];
    const attendance = administrator && (meeting.status === 'published' || meeting.status === 'held') ? await panels.attendance(ctx.db, meeting) : [];
    // The page names the children on the agenda (and, for the administrator, those that could go on it).
    const children = [...cases.map((c) => c.childId), ...candidates.map((c) => c.childId)].filter((x): x is string => !!x);
    Object.assign(ctx.audit, {
      subjectType: 'panel-meeting',
      subjectId: meeting.id,
      details: { ...ctx.audit.details, panelId: panel.id },
      children: [...new Set(children)],
    });
    const cutOffPassed = isLate(today, meeting.cut_off_on);
    const papersLate = draft && isLate(today, meeting.papers_due_on);
    return {
      view: `${V}meeting.njk`,
      data: {
        pageTitle: `${panel.name}: ${day(meeting.meets_on)}`,
        meeting,
        panel,
        administrator,
        papersOpen,
        draft,
        cases,
        outcomeNames: OUTCOMES,
        candidateItems: [
          { value: '', text: 'Choose a referral' },
          ...candidates.map((c) => ({ value: c.id, text: `${c.reference}: ${c.childName}`, selected: c.id === values.referralId })),
        ],
        candidatesCount: candidates.length,
        attendance: attendance.map((a) => ({ ...a, roleName: ROLE_NAMES[a.role] })),
        attendanceValues: values,
        cutOffPassed,
        papersLate,
        lateWarning: panels.lateWarning(meeting, panel.papers_days),
        statusName: STATUS_NAMES[meeting.status],
        statusTag: STATUS_TAGS[meeting.status],
        canMarkHeld: meeting.status === 'published' && today >= meeting.meets_on,
        day,
        values,
        errors,
        done: doneMessage(ctx),
      },
    };
  };

  /** A meeting the viewer may move or cancel: the panel's administrator or a configurer. */
  const schedulersMeeting = async (ctx: SignedInContext) => {
    requirePanelsPerson(ctx);
    const { meeting, panel } = await panels.getMeeting(ctx.db, ctx.params.meetingId);
    panels.requireScheduler(panel, viewer(ctx));
    return { meeting, panel, administrator: panel.administrator_id === ctx.user.id };
  };

  /** A scheduler's form on a meeting: who may first (a refusal is a 403, before the form is read), then the version it was on. */
  const schedulersVersion = async (ctx: SignedInContext) => {
    await schedulersMeeting(ctx);
    return parseVersion(ctx.body);
  };

  const changePage = async (ctx: SignedInContext, values?: Record<string, unknown>, errors?: FieldError[]): Promise<RouteResult> => {
    const { meeting, panel, administrator } = await schedulersMeeting(ctx);
    const [y, m, d] = meeting.meets_on.split('-');
    const v = values ?? {
      'meetsOn-day': String(Number(d)),
      'meetsOn-month': String(Number(m)),
      'meetsOn-year': y,
      place: meeting.place ?? '',
      version: String(meeting.version),
    };
    return {
      view: `${V}meeting-change.njk`,
      data: {
        pageTitle: `Change the meeting on ${day(meeting.meets_on)}`,
        meeting,
        panel,
        administrator,
        canChange: meeting.status === 'planned',
        statusName: STATUS_NAMES[meeting.status],
        meetsOnItems: dateInputValues(v, 'meetsOn'),
        values: v,
        errors,
        day,
      },
    };
  };

  const cancelPage = async (ctx: SignedInContext, values: Record<string, unknown> = {}, errors?: FieldError[]): Promise<RouteResult> => {
    const { meeting, panel, administrator } = await schedulersMeeting(ctx);
    const cases = await panels.listMeetings(ctx.db, panel.id).then((ms) => ms.find((x) => x.id === meeting.id)?.cases ?? 0);
    return {
      view: `${V}meeting-cancel.njk`,
      data: {
        pageTitle: `Cancel the meeting on ${day(meeting.meets_on)}`,
        meeting,
        panel,
        administrator,
        cases,
        canCancel: meeting.status === 'planned' || meeting.status === 'published',
        statusName: STATUS_NAMES[meeting.status],
        values: { version: String(meeting.version), ...values },
        errors,
        day,
      },
    };
  };

  const summaryPage = async (ctx: SignedInContext, values?: Record<string, unknown>, errors?: FieldError[]): Promise<RouteResult> => {
    const { meeting, panel } = await panels.getMeeting(ctx.db, ctx.params.meetingId);
    panels.requireAdministrator(panel, viewer(ctx));
    const c = await panels.caseForEditing(ctx.db, meeting.id, ctx.params.caseId);
    // The page names the child and shows what was written about them.
    Object.assign(ctx.audit, {
      subjectType: 'panel-meeting',
      subjectId: meeting.id,
      details: { ...ctx.audit.details, caseId: c.id },
      children: c.childId ? [c.childId] : [],
    });
    return {
      view: `${V}case-summary.njk`,
      data: {
        pageTitle: `Case summary: ${c.reference}`,
        meeting,
        panel,
        c,
        draft: meeting.status === 'planned',
        values: values ?? { summary: c.summary, version: String(meeting.version) },
        errors,
        day,
      },
    };
  };

  /** A panel whose schedule the viewer may change: its administrator or a configurer. */
  const schedulersPanel = async (ctx: SignedInContext) => {
    const panel = await panels.getPanel(ctx.db, ctx.params.id);
    panels.requireScheduler(panel, viewer(ctx));
    return panel;
  };

  /** A form on a panel's page (its members, its schedule): refused, the panel's page again, with what was typed unless `keepTyped` is false. */
  const panelPageAction = (
    url: string,
    access: typeof CONFIGURE | 'signed-in',
    audit: string,
    handler: (ctx: SignedInContext) => Promise<RouteResult>,
    keepTyped = true,
  ): RouteSpec => ({
    method: 'POST',
    url,
    access,
    audit,
    handler,
    onInvalid: (ctx, errors) => panelPage(ctx, errors, keepTyped ? ctx.body : undefined),
  });

  /** An agenda change: the administrator only, on the meeting's current version. */
  const agendaAction = (
    url: string,
    audit: string,
    act: (ctx: SignedInContext, version: number) => Promise<{ done: string; details: Record<string, unknown>; children?: string[] }>,
  ): RouteSpec => ({
    method: 'POST',
    url,
    access: ATTEND,
    audit,
    handler: async (ctx) => {
      const { panel } = await panels.getMeeting(ctx.db, ctx.params.meetingId);
      panels.requireAdministrator(panel, viewer(ctx));
      Object.assign(ctx.audit, { subjectType: 'panel-meeting', subjectId: ctx.params.meetingId });
      const r = await act(ctx, parseVersion(ctx.body));
      Object.assign(ctx.audit, { details: r.details, children: r.children ?? [] });
      return { redirect: `${paths.panels.meeting(ctx.params.meetingId)}?done=${r.done}` };
    },
    onInvalid: (ctx, errors) => meetingPage(ctx, errors, ctx.body),
  });

  return [
    {
      method: 'GET',
      url: paths.panels.home,
      access: 'signed-in',
      audit: 'panels.list',
      handler: async (ctx) => {
        requirePanelsPerson(ctx);
        const v = viewer(ctx);
        const rows = await panels.listPanels(ctx.db, v, todayInLondon());
        return {
          view: `${V}home.njk`,
          data: {
            pageTitle: 'Panels',
            canConfigure: v.canConfigure,
            panels: rows.map((p) => ({
              ...p,
              yourPart: p.administrator_id === v.id ? 'Administrator' : p.my_role ? ROLE_NAMES[p.my_role as keyof typeof ROLE_NAMES] : '',
            })),
            day,
          },
        };
      },
    },
    ...formRoutes({
      url: paths.panels.newPanel,
      access: CONFIGURE,
      audit: { show: 'panels.panel.new', send: 'panels.panel.create' },
      page: (ctx, values, errors) => panelForm(ctx, values ?? { papersDays: '7', cutOffDays: '10', quorumMembers: '3' }, errors),
      read: (ctx) => parsePanelForm(ctx.body),
      send: async (ctx, input) => {
        const panel = await panels.createPanel(ctx.db, input);
        Object.assign(ctx.audit, { subjectType: 'panel', subjectId: panel.id, details: panelAuditDetails(input) });
        return { redirect: `${paths.panels.panel(panel.id)}?done=panel-added` };
      },
    }),
    { method: 'GET', url: paths.panels.panel(), access: 'signed-in', audit: 'panels.panel.view', handler: (ctx) => (requirePanelsPerson(ctx), panelPage(ctx)) },
    ...formRoutes({
      url: paths.panels.edit(),
      access: CONFIGURE,
      audit: { show: 'panels.panel.edit', send: 'panels.panel.update' },
      page: async (ctx, values, errors) => {
        const panel = await panels.getPanel(ctx.db, ctx.params.id);
        return panelForm(ctx, values ?? panelValues(panel), errors, panel);
      },
      read: (ctx) => ({ input: parsePanelForm(ctx.body), version: parseVersion(ctx.body) }),
      send: async (ctx, { input, version }) => {
        await panels.updatePanel(ctx.db, ctx.param('id'), version, input);
        Object.assign(ctx.audit, { subjectType: 'panel', subjectId: ctx.params.id, details: panelAuditDetails(input) });
        return { redirect: `${paths.panels.panel(ctx.params.id)}?done=panel-saved` };
      },
    }),
    panelPageAction(paths.panels.addMember(), CONFIGURE, 'panels.member.add', async (ctx) => {
      const input = parseMemberForm(ctx.body);
      await panels.addMember(ctx.db, ctx.param('id'), parseVersion(ctx.body), input);
      Object.assign(ctx.audit, { subjectType: 'panel', subjectId: ctx.params.id, details: input });
      return { redirect: `${paths.panels.panel(ctx.params.id)}?done=member-added#members` };
    }),
    panelPageAction(
      paths.panels.removeMember(),
      CONFIGURE,
      'panels.member.remove',
      async (ctx) => {
        const memberId = formText(ctx.body.memberId);
        await panels.removeMember(ctx.db, ctx.param('id'), parseVersion(ctx.body), memberId);
        Object.assign(ctx.audit, { subjectType: 'panel', subjectId: ctx.params.id, details: { memberId } });
        return { redirect: `${paths.panels.panel(ctx.params.id)}?done=member-removed#members` };
      },
      false,
    ),
    panelPageAction(paths.panels.addMeeting(), 'signed-in', 'panels.meeting.add', async (ctx) => {
      const panel = await schedulersPanel(ctx);
      const input = parseMeetingForm(ctx.body);
      const meeting = await panels.addMeeting(ctx.db, panel, input, todayInLondon());
      Object.assign(ctx.audit, {
        subjectType: 'panel-meeting',
        subjectId: meeting.id,
        details: { panelId: panel.id, meetsOn: input.meetsOn, placeGiven: input.place !== null },
      });
      return { redirect: `${paths.panels.panel(panel.id)}?done=meeting-added#schedule` };
    }),
    panelPageAction(paths.panels.generateMeetings(), 'signed-in', 'panels.meeting.generate', async (ctx) => {
      const panel = await schedulersPanel(ctx);
      const form = parseForm(generateForm, ctx.body);
      const rule = { weekday: form.weekday, nth: form.nth };
      const r = await panels.generateMeetings(ctx.db, panel, rule, form.count, form.place, todayInLondon());
      Object.assign(ctx.audit, {
        subjectType: 'panel',
        subjectId: panel.id,
        details: { weekday: rule.weekday, nth: rule.nth, count: form.count, placeGiven: !!form.place, added: r.added, skipped: r.skipped.length },
      });
      const skipped = r.skipped.length ? `&skipped=${encodeURIComponent(r.skipped.join('; '))}` : '';
      return { redirect: `${paths.panels.panel(panel.id)}?done=meetings-generated${skipped}#schedule` };
    }),
    { method: 'GET', url: paths.panels.meeting(), access: ATTEND, audit: 'panels.meeting.view', auditReads: true, handler: (ctx) => meetingPage(ctx) },
    agendaAction(paths.panels.addCase(), 'panels.agenda.add', async (ctx, version) => {
      const input = parseCaseForm(ctx.body);
      const r = await panels.addCase(ctx.db, ctx.param('meetingId'), version, input, ctx.user.id, todayInLondon());
      return {
        done: r.late ? 'case-added-late' : 'case-added',
        details: { caseId: r.caseId, referral: r.reference, late: r.late },
        children: r.childId ? [r.childId] : [],
      };
    }),
    agendaAction(paths.panels.moveCase(), 'panels.agenda.move', async (ctx, version) => {
      const form = parseForm(caseActionForm, ctx.body);
      await panels.moveCase(ctx.db, ctx.param('meetingId'), version, form.caseId, form.direction ?? 'up');
      return { done: 'case-moved', details: form };
    }),
    agendaAction(paths.panels.removeCase(), 'panels.agenda.remove', async (ctx, version) => {
      const form = parseForm(caseActionForm, ctx.body);
      const referralId = await panels.removeCase(ctx.db, ctx.param('meetingId'), version, form.caseId);
      return { done: 'case-removed', details: { caseId: form.caseId, referralId } };
    }),
    agendaAction(paths.panels.publish(), 'panels.agenda.publish', async (ctx, version) => {
      const confirmLate = [ctx.body.confirmLate].flat().includes('yes');
      const r = await panels.publish(ctx.db, ctx.param('meetingId'), version, {
        today: todayInLondon(),
        confirmLate,
        actorId: ctx.user.id,
        notifier: deps.notifier,
        baseUrl: deps.config.baseUrl,
      });
      return { done: r.late ? 'published-late' : 'published', details: r };
    }),
    agendaAction(paths.panels.attendance(), 'panels.attendance.record', async (ctx, version) => {
      const { meeting } = await panels.getMeeting(ctx.db, ctx.params.meetingId);
      const members = (await panels.attendance(ctx.db, meeting)).map((m) => ({ userId: m.user_id, name: m.display_name }));
      const rows = parseAttendanceForm(ctx.body, members);
      await panels.recordAttendance(ctx.db, meeting.id, version, rows, ctx.user.id);
      return {
        done: 'attendance-saved',
        details: {
          present: rows.filter((r) => r.present).map((r) => r.userId),
          absent: rows.filter((r) => !r.present).map((r) => r.userId),
          interestsDeclared: rows.filter((r) => r.interests).length,
        },
      };
    }),
    agendaAction(paths.panels.held(), 'panels.meeting.held', async (ctx, version) => {
      await panels.markHeld(ctx.db, ctx.param('meetingId'), version, todayInLondon());
      return { done: 'held', details: {} };
    }),
    ...formRoutes({
      url: paths.panels.changeMeeting(),
      access: 'signed-in',
      audit: { show: 'panels.meeting.edit', send: 'panels.meeting.change' },
      page: changePage,
      read: async (ctx) => ({ version: await schedulersVersion(ctx), input: parseMeetingForm(ctx.body) }),
      send: async (ctx, { version, input }) => {
        const r = await panels.changeMeeting(ctx.db, ctx.param('meetingId'), version, input, todayInLondon());
        Object.assign(ctx.audit, { subjectType: 'panel-meeting', subjectId: ctx.params.meetingId, details: r });
        return { redirect: `${paths.panels.panel(r.panelId)}?done=meeting-changed#schedule` };
      },
    }),
    ...formRoutes({
      url: paths.panels.cancelMeeting(),
      access: 'signed-in',
      audit: { show: 'panels.meeting.cancel-confirm', send: 'panels.meeting.cancel' },
      page: cancelPage,
      read: async (ctx) => ({ version: await schedulersVersion(ctx), reason: parseCancelForm(ctx.body) }),
      send: async (ctx, { version, reason }) => {
        const r = await panels.cancelMeeting(ctx.db, ctx.param('meetingId'), version, {
          reason,
          actorId: ctx.user.id,
          notifier: deps.notifier,
          baseUrl: deps.config.baseUrl,
        });
        // The reason may name a child or a family: the audit keeps only that one was given.
        Object.assign(ctx.audit, {
          subjectType: 'panel-meeting',
          subjectId: ctx.params.meetingId,
          details: { ...r, reasonGiven: true, reasonLength: reason.length },
        });
        return { redirect: `${paths.panels.panel(r.panelId)}?done=${r.notified ? 'meeting-cancelled-notified' : 'meeting-cancelled'}#schedule` };
      },
    }),
    ...formRoutes({
      url: paths.panels.editSummary(),
      access: ATTEND,
      audit: { show: 'panels.agenda.summary.edit', send: 'panels.agenda.summary.change' },
      auditReads: true,
      page: summaryPage,
      read: async (ctx) => {
        const { panel } = await panels.getMeeting(ctx.db, ctx.params.meetingId);
        panels.requireAdministrator(panel, viewer(ctx));
        Object.assign(ctx.audit, { subjectType: 'panel-meeting', subjectId: ctx.params.meetingId });
        return { version: parseVersion(ctx.body), summary: parseSummaryForm(ctx.body) };
      },
      send: async (ctx, { version, summary }) => {
        const caseId = ctx.params.caseId ?? '';
        const r = await panels.editSummary(ctx.db, ctx.param('meetingId'), version, caseId, summary);
        const c = await panels.caseForEditing(ctx.db, ctx.param('meetingId'), caseId);
        // The summary's text stays out of the audit: only which case, and how long it now is.
        Object.assign(ctx.audit, {
          details: { caseId, referralId: r.referralId, changed: r.changed, summaryLength: summary.length },
          children: c.childId ? [c.childId] : [],
        });
        return { redirect: `${paths.panels.meeting(ctx.params.meetingId)}?done=summary-changed#agenda` };
      },
    }),
    {
      method: 'GET',
      url: paths.panels.papers(),
      access: ATTEND,
      audit: 'panels.papers.view',
      auditReads: true,
      handler: async (ctx) => {
        const { meeting, panel, administrator, papersOpen } = await panels.meetingForViewer(ctx.db, ctx.params.meetingId, viewer(ctx));
        Object.assign(ctx.audit, {
          subjectType: 'panel-meeting',
          subjectId: meeting.id,
          details: { panelId: panel.id, published: meeting.status !== 'planned' },
        });
        const cases = papersOpen ? await panels.papers(ctx.db, meeting.id) : [];
        ctx.audit.children = [...new Set(cases.map((c) => c.childId).filter((x): x is string => !!x))];
        return {
          view: `${V}papers.njk`,
          data: {
            pageTitle: `Papers: ${panel.name}, ${day(meeting.meets_on)}`,
            meeting,
            panel,
            administrator,
            papersOpen,
            cases,
            day,
            lateWarning: panels.lateWarning(meeting, panel.papers_days),
          },
        };
      },
    },
  ];
}
