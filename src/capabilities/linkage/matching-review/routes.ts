// Clerical review pages, for the data officer ('records:import'): the queue of uncertain pairs,
// each pair side by side with the linker's explanation, the decision, and merges with their undo.
// A pair shows personal data of two children the data officer cannot otherwise see: each view is
// audited as a read of both children (their "who has looked" lists it), and the page shows only
// the fields the linker compares (no family, health, education or social care details).
import type { RouteContext, RouteResult, RouteSpec } from '../../../platform/http/route.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { formatNhsNumber } from '../../record/children/index.js';
import * as review from './service.js';
import { DECISIONS, explanationRows, isDecision, probabilityText } from './presenters.js';

const V = 'linkage/matching-review/views/';
const ACCESS = 'records:import' as const;

const DONE: Record<string, string> = {
  same: 'The records have been merged',
  different: 'Recorded: they are different people',
  'not-sure': 'Recorded as not sure: the pair has moved to the “not sure” list',
  unmerged: 'The merge has been undone: both records are as they were',
};

type Side = NonNullable<Awaited<ReturnType<typeof review.getReview>>['a']>;
const sideRows = (s: Side) => {
  const c = s.child;
  const row = (key: string, value: string | null | undefined) => ({ key: { text: key }, value: { text: value || 'Not recorded' } });
  return [
    row('Given name', c.given_name),
    row('Family name', c.family_name),
    row('Other names', [c.preferred_name, c.other_names].filter(Boolean).join(', ')),
    row('Date of birth', c.date_of_birth),
    row('Sex', c.sex === 'U' ? 'Not known' : c.sex === 'F' ? 'Female' : 'Male'),
    row('Address', [c.address_line1, c.address_line2, c.town].filter(Boolean).join(', ')),
    row('Postcode', c.postcode),
    row('NHS number', c.nhs_number ? formatNhsNumber(c.nhs_number) : null),
    row('UPN', c.upn),
    row('Council reference', c.council_id),
    row('Known to', s.sources.map((x) => `${x.source_name} (record ${x.record_id})`).join('; ') || 'Entered in Jointly'),
  ];
};

export function matchingReviewRoutes(_deps: CapabilityDeps): RouteSpec[] {
  const pairPage = async (ctx: RouteContext, errors?: FieldError[]): Promise<RouteResult> => {
    const r = await review.getReview(ctx.db, ctx.param('id'));
    const children = [r.a?.child.id, r.b?.child.id].filter((x): x is string => Boolean(x));
    Object.assign(ctx.audit, {
      subjectType: 'child',
      subjectId: children[0],
      children: children.slice(1),
      purpose: 'clerical review of a possible match',
      details: { review: r.id },
    });
    return {
      view: `${V}pair.njk`,
      data: {
        pageTitle: 'Are these the same person?',
        review: r,
        probability: probabilityText(r.probability),
        a: r.a ? sideRows(r.a) : null,
        b: r.b ? sideRows(r.b) : null,
        explanation: explanationRows(r.explanation),
        decisions: DECISIONS,
        open: r.status === 'pending' || r.status === 'not-sure',
        errors,
      },
    };
  };

  return [
    {
      method: 'GET',
      url: paths.matching.queue,
      access: ACCESS,
      audit: 'matching.queue',
      handler: async (ctx) => {
        const list = ctx.query.list === 'not-sure' ? 'not-sure' : 'pending';
        const pairs = await review.listQueue(ctx.db, list);
        return {
          view: `${V}queue.njk`,
          data: {
            pageTitle: 'Possible matches to review',
            list,
            pairs: pairs.map((p) => ({ ...p, probability: probabilityText(p.probability) })),
            done: ctx.query.done ? DONE[ctx.query.done] : undefined,
          },
        };
      },
    },
    ...formRoutes({
      url: paths.matching.pair(),
      access: ACCESS,
      audit: { show: 'matching.pair.view', send: 'matching.pair.decide' },
      auditReads: true,
      // Nothing typed is shown again: the pair, with what was wrong.
      page: (ctx, _values, errors) => pairPage(ctx, errors),
      read: (ctx) => {
        const decision = typeof ctx.body.decision === 'string' ? ctx.body.decision : '';
        if (!isDecision(decision)) throw new ValidationError([{ text: 'Select whether they are the same person', href: '#decision' }]);
        const note = typeof ctx.body.note === 'string' && ctx.body.note.trim() ? ctx.body.note.trim().slice(0, 1000) : null;
        return { decision, note };
      },
      send: async (ctx, { decision, note }) => {
        const done = await review.decide(ctx.db, ctx.param('id'), decision, { userId: ctx.user.id, note });
        Object.assign(ctx.audit, {
          subjectType: 'child',
          subjectId: done.children[0],
          children: done.children.slice(1),
          purpose: 'clerical review of a possible match',
          details: { review: ctx.params.id, decision, merge: done.mergeId },
        });
        return { redirect: `${paths.matching.queue}?done=${decision}` };
      },
    }),
    {
      method: 'GET',
      url: paths.matching.merges,
      access: ACCESS,
      audit: 'matching.merges',
      handler: async (ctx) => ({
        view: `${V}merges.njk`,
        data: { pageTitle: 'Merged records', merges: await review.listMerges(ctx.db), done: ctx.query.done ? DONE[ctx.query.done] : undefined },
      }),
    },
    {
      method: 'GET',
      url: paths.matching.merge(),
      access: ACCESS,
      audit: 'matching.merge.view',
      auditReads: true,
      handler: async (ctx) => {
        const m = await review.getMerge(ctx.db, ctx.param('id'));
        Object.assign(ctx.audit, { subjectType: 'child', subjectId: m.kept_child_id, children: [m.merged_child_id], details: { merge: m.id } });
        return { view: `${V}merge.njk`, data: { pageTitle: 'A merge of two records', merge: m } };
      },
    },
    {
      method: 'POST',
      url: paths.matching.unmerge(),
      access: ACCESS,
      audit: 'matching.unmerge',
      handler: async (ctx) => {
        const done = await review.undoMerge(ctx.db, ctx.param('id'), ctx.user.id);
        Object.assign(ctx.audit, { subjectType: 'child', subjectId: done.keptId, children: [done.mergedId], details: { merge: ctx.params.id } });
        return { redirect: `${paths.matching.merges}?done=unmerged` };
      },
      onInvalid: async (ctx, errors) => {
        const m = await review.getMerge(ctx.db, ctx.param('id'));
        return { view: `${V}merge.njk`, data: { pageTitle: 'A merge of two records', merge: m, errors } };
      },
    },
  ];
}
