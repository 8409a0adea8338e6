// The common page context (who is signed in, navigation, CSRF token, CSP nonce) and error pages.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Render } from '../views/views.js';
import type { Permission } from '../access/roles.js';
import { paths } from '../../paths.js';
import { csrfUserInfo } from './csrf.js';
import { scrollableTables } from '../views/tables.js';

const NAVIGATION: { text: string; href: string; permission: Permission }[] = [
  { text: 'Home', href: paths.home, permission: 'home:view' },
  { text: 'Your family', href: paths.myFamily.home, permission: 'family:view' },
  { text: 'Children', href: paths.children.list, permission: 'children:view' },
  { text: 'Register overview', href: paths.register.overview, permission: 'register:overview' },
  { text: 'Emergency access', href: paths.register.emergencyAccessReview, permission: 'emergency-access:review' },
  { text: 'Sharing to approve', href: paths.register.sharingApprovals, permission: 'sharing:approve' },
  { text: 'Joint budgets', href: paths.budgets.home, permission: 'budgets:entries' },
  { text: 'Budget reports', href: paths.budgetReports.board, permission: 'budgets:view' },
  { text: 'Disputes', href: paths.disputes.list, permission: 'panel-reports:view' },
  // Panel administrators are caseworkers, e-mailed at each step of a dispute about their panels' decisions.
  { text: 'Disputes', href: paths.disputes.list, permission: 'panels:attend' },
  { text: 'Panel reports', href: paths.panelReports.home, permission: 'panel-reports:view' },
  { text: 'Imports', href: paths.imports.home, permission: 'records:import' },
  { text: 'Matches to review', href: paths.matching.queue, permission: 'records:import' },
  { text: 'Referrals', href: paths.referrals.queue, permission: 'referrals:triage' },
  { text: 'Refer a child', href: paths.referrals.newReferral, permission: 'referrals:make' },
  // Panels serve two permissions; navigationFor shows one item to someone holding both.
  { text: 'Panels', href: paths.panels.home, permission: 'panels:attend' },
  { text: 'Panels', href: paths.panels.home, permission: 'panels:configure' },
  { text: 'Late outcome sheets', href: paths.decisions.late, permission: 'panels:attend' },
  { text: 'Late outcome sheets', href: paths.decisions.late, permission: 'panels:configure' },
  { text: 'Split templates', href: paths.decisions.templates, permission: 'panels:configure' },
  { text: 'Need and supply', href: paths.localOffer.needAndSupply, permission: 'register:overview' },
  { text: 'Needs assessment', href: paths.commissioning.needs, permission: 'needs-assessment:view' },
  { text: 'Forecast', href: paths.commissioning.forecast, permission: 'forecast:view' },
  { text: 'Commissioning plans', href: paths.commissioning.plans, permission: 'commissioning:view' },
  { text: 'Contracts', href: paths.commissioning.contracts, permission: 'commissioning:view' },
  { text: 'Local Offer entries', href: paths.localOffer.provider, permission: 'local-offer:provide' },
  { text: 'Local Offer worklist', href: paths.localOffer.moderation, permission: 'local-offer:moderate' },
  { text: 'Area settings', href: paths.areaSettings.home, permission: 'register:configure' },
  { text: 'Eligibility rules', href: paths.eligibility.ruleSets, permission: 'panels:configure' },
  { text: 'Organisations', href: paths.admin.organisations, permission: 'organisations:manage' },
  { text: 'People', href: paths.admin.users, permission: 'users:manage' },
  { text: 'Audit log', href: paths.admin.audit, permission: 'audit:view' },
  { text: 'Outbox', href: paths.admin.outbox, permission: 'outbox:view' },
  { text: 'Background jobs', href: paths.jobs.list, permission: 'jobs:view' },
];

const ERROR_PAGES: Record<number, { title: string; paragraphs: string[] }> = {
  400: { title: 'There is a problem with your request', paragraphs: ['Go back, check what you entered and try again.'] },
  403: {
    title: 'You do not have access to this page',
    paragraphs: ['Your role does not allow you to see or do this. If you need access, ask your partnership administrator.'],
  },
  404: {
    title: 'Page not found',
    paragraphs: ['If you typed the web address, check it is correct.', 'If you pasted the web address, check you copied the entire address.'],
  },
  429: { title: 'Too many attempts', paragraphs: ['You have tried too many times in a short period. Wait one minute, then try again.'] },
  500: {
    title: 'Sorry, there is a problem with the service',
    paragraphs: [
      'Try again later. Nothing you entered in this step has been saved.',
      'If the problem continues, contact your partnership administrator and give them the reference below.',
    ],
  },
  503: { title: 'Sorry, the service is unavailable', paragraphs: ['Try again later.'] },
};

export const FORM_EXPIRED = {
  title: 'Your form could not be sent',
  paragraphs: ['The form was out of date or did not come from Jointly, so nothing has been saved.', 'Go back, reload the page and try again.'],
};

/**
 * The menu items a person may use, with the section they are in marked: the item whose address
 * is the longest start of the page's (so /budgets/reports marks "Budget reports", not "Joint budgets").
 */
export function navigationFor(permissions: ReadonlySet<Permission>, url: string) {
  const path = url.split('?')[0]!;
  const items = NAVIGATION.filter((n) => permissions.has(n.permission)).filter((n, i, all) => all.findIndex((m) => m.href === n.href) === i);
  const within = (href: string) => (href === paths.home ? path === paths.home : path === href || path.startsWith(`${href}/`));
  const current = items.filter((n) => within(n.href)).sort((a, b) => b.href.length - a.href.length)[0];
  return items.map((n) => ({ ...n, active: n === current }));
}

export function createPages(render: Render, opts: { demo: boolean }) {
  function baseContext(req: FastifyRequest, reply: FastifyReply) {
    const user = req.user;
    return {
      demo: opts.demo,
      cspNonce: (reply as unknown as { cspNonce?: { script?: string } }).cspNonce?.script,
      currentUser: user,
      emergencyAccess: req.emergencyAccess,
      recordSections: req.recordSections ?? [],
      csrfToken: reply.generateCsrf({ userInfo: csrfUserInfo(req) }),
      navigation: user ? navigationFor(user.permissions, req.url) : [],
    };
  }
  return {
    renderPage: (req: FastifyRequest, reply: FastifyReply, view: string, data: Record<string, unknown> = {}) => {
      return scrollableTables(render(view, { ...baseContext(req, reply), ...data }));
    },
    renderError: (req: FastifyRequest, reply: FastifyReply, status: number, override?: { title: string; paragraphs: string[] }) => {
      const page = override ?? ERROR_PAGES[status] ?? ERROR_PAGES[500]!;
      return render('error.njk', {
        ...baseContext(req, reply),
        pageTitle: page.title,
        heading: page.title,
        paragraphs: page.paragraphs,
        requestId: status >= 500 ? req.id : undefined,
        link: status === 403 || status === 404 ? { href: paths.home, text: 'Go to the Jointly home page' } : undefined,
      });
    },
  };
}
