// Providers' entries and their moderation: a provider proposes a new entry or a change to one of
// its own organisation's entries; a Local Offer officer approves or refuses it (never their own).
import type { RouteResult, RouteSpec, SignedInContext } from '../../../platform/http/route.js';
import { NotFoundError, ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { formRoutes } from '../../../platform/http/form-routes.js';
import { formText } from '../../../platform/http/form-values.js';
import { longDate, todayInLondon } from '../../../platform/dates.js';
import { radioItems } from '../../../platform/views/items.js';
import { paths } from '../../../paths.js';
import type { CapabilityDeps } from '../../deps.js';
import { NEED_CODES } from '../../record/children/index.js';
import {
  ACCESS_ROUTES,
  ageText,
  completenessChecks,
  completenessScore,
  costText,
  outOfDate,
  SCHEDULE_2_ITEMS,
  SUPPORT_TYPES,
  type DirectoryEntry,
} from './rules.js';
import { parseEntryForm, unknownPostcode, type EntryForm } from './schema.js';
import { postcodePosition } from './service.js';
import { readService } from './read-model.js';
import { approveChange, entryFromForm, factsOfEntry, getChange, providerEntries, refuseChange, submitChange, worklist } from './moderation.js';

const V = 'planning/local-offer/views/';
type Values = Record<string, unknown>;

const checkboxes = (table: Record<string, string>, selected: unknown) => {
  const chosen = Array.isArray(selected) ? (selected as unknown[]) : selected === undefined ? [] : [selected];
  return Object.entries(table).map(([value, text]) => ({ value, text, checked: chosen.includes(value) }));
};

/** The live entry as the form's starting values. */
function valuesOf(s: NonNullable<Awaited<ReturnType<typeof readService>>>): Values {
  const place = s.locations.find((l) => l.location_type === 'physical');
  const cost = s.costs[0];
  const contact = s.contacts[0];
  return {
    name: s.name,
    description: s.description,
    url: s.url ?? '',
    email: s.email ?? contact?.email ?? '',
    phone: contact?.phone ?? '',
    minimumAge: s.minimum_age ?? '',
    maximumAge: s.maximum_age ?? '',
    needs: s.needs.map((n) => n.code),
    supportTypes: s.supportTypes.map((n) => n.code),
    schedule2: s.schedule2.map((n) => n.code),
    access: s.access.map((n) => n.code),
    howToAccess: s.how_to_access,
    cost: cost ? (cost.amount_pence ? 'paid' : 'free') : '',
    costAmount: cost?.amount_pence ? (cost.amount_pence / 100).toFixed(2) : '',
    costDescription: cost?.amount_description ?? '',
    addressLine: place?.address_1 ?? '',
    city: place?.city ?? '',
    postcode: place?.postal_code ?? '',
    accessibility: place?.accessibility.join('. ') ?? '',
    when: s.schedules.map((sc) => sc.description ?? [sc.byday, sc.opens_at, sc.closes_at].filter(Boolean).join(' ')).join('; '),
    version: s.version,
  };
}

/** A directory entry as rows of a summary list, for the officer. */
function entryRows(e: DirectoryEntry) {
  const names = (table: Record<string, string>, codes: string[]) => codes.map((c) => table[c] ?? c).join(', ') || 'Not stated';
  const place = e.locations[0];
  return [
    { key: { text: 'Name' }, value: { text: e.name } },
    { key: { text: 'Description' }, value: { text: e.description } },
    { key: { text: 'Provider' }, value: { text: e.organisation.name } },
    { key: { text: 'Ages' }, value: { text: ageText(e.minimumAge ?? null, e.maximumAge ?? null) } },
    { key: { text: 'Needs' }, value: { text: names(NEED_CODES, e.needs) } },
    { key: { text: 'Type of support' }, value: { text: names(SUPPORT_TYPES, e.supportTypes) } },
    { key: { text: 'Local Offer (Schedule 2)' }, value: { text: names(SCHEDULE_2_ITEMS, e.schedule2) } },
    { key: { text: 'How to get it' }, value: { text: [names(ACCESS_ROUTES, e.access), e.howToAccess].filter(Boolean).join('. ') } },
    { key: { text: 'Cost' }, value: { text: costText(e.costs) } },
    {
      key: { text: 'Where' },
      value: { text: place?.type === 'virtual' || !place ? 'By phone and online' : [place.addressLine, place.city, place.postcode].filter(Boolean).join(', ') },
    },
    { key: { text: 'Accessibility' }, value: { text: place?.accessibility.join('. ') || 'Not stated' } },
    { key: { text: 'When' }, value: { text: e.schedules.map((s) => s.description).join('; ') || 'Not stated' } },
    { key: { text: 'Contact' }, value: { text: [e.email, ...e.contacts.map((c) => c.phone)].filter(Boolean).join(', ') || 'Not stated' } },
    { key: { text: 'Website' }, value: { text: e.url ?? 'Not stated' } },
  ];
}

export function moderationRoutes(_deps: CapabilityDeps): RouteSpec[] {
  const entryPage = (ctx: SignedInContext, serviceId: string | null, values: Values = {}, errors?: FieldError[]): RouteResult => ({
    view: `${V}entry-form.njk`,
    data: {
      pageTitle: serviceId ? `Change ${formText(values.name) || 'the entry'}` : 'Add a service to the Local Offer',
      action: serviceId ? paths.localOffer.editEntry(serviceId) : paths.localOffer.newEntry,
      editing: serviceId !== null,
      values,
      errors,
      needItems: checkboxes(NEED_CODES, values.needs),
      supportItems: checkboxes(SUPPORT_TYPES, values.supportTypes),
      schedule2Items: checkboxes(SCHEDULE_2_ITEMS, values.schedule2),
      accessItems: checkboxes(ACCESS_ROUTES, values.access),
      costItems: radioItems({ free: 'Free', paid: 'There is a charge' }, values.cost),
    },
  });

  /** The form read, with the postcode checked against the postcodes this directory knows. */
  const readEntry = async (ctx: SignedInContext): Promise<EntryForm> => {
    const { form, errors } = parseEntryForm(ctx.body);
    if (form.postcode && !errors.some((e) => e.href === '#postcode') && !(await postcodePosition(ctx.db, form.postcode))) {
      errors.push({ text: `${unknownPostcode(form.postcode).split('. ')[0]}. Check it is right`, href: '#postcode' });
    }
    if (errors.length) throw new ValidationError(errors);
    return form;
  };

  /** One of the provider's own organisation's live entries; anyone else's is not found. */
  const ownEntry = async (ctx: SignedInContext) => {
    const s = await readService(ctx.db, ctx.param('id'));
    if (!s || s.owner_organisation_id !== ctx.user.organisationId) throw new NotFoundError('service');
    return s;
  };

  const changePage = async (ctx: SignedInContext, errors?: FieldError[], values: Values = {}): Promise<RouteResult> => {
    const c = await getChange(ctx.db, ctx.param('id'));
    ctx.audit.subjectType = 'local-offer-change';
    ctx.audit.subjectId = c.id;
    const today = todayInLondon();
    const facts = factsOfEntry({ ...c.proposed, reviewDue: '9999-12-31' });
    const current = c.service_id ? await readService(ctx.db, c.service_id) : null;
    return {
      view: `${V}change.njk`,
      data: {
        pageTitle: `${c.service_id ? 'Change to' : 'New entry:'} ${c.proposed.name}`,
        c,
        rows: entryRows(c.proposed),
        current: current ? { name: current.name, href: paths.localOffer.service(current.id), version: current.version } : null,
        stale: current !== null && current.version !== c.based_on_version,
        submittedAt: longDate(c.submitted_at.toISOString().slice(0, 10)),
        own: c.submitted_by === ctx.user.id,
        score: completenessScore(facts, today),
        missing: completenessChecks(facts, today)
          .filter((x) => !x.met)
          .map((x) => x.check),
        errors,
        values,
      },
    };
  };

  return [
    {
      method: 'GET',
      url: paths.localOffer.provider,
      access: 'local-offer:provide',
      audit: 'local-offer.provider.view',
      handler: async (ctx) => {
        const mine = await providerEntries(ctx.db, ctx.user.organisationId);
        const today = todayInLondon();
        return {
          view: `${V}provider.njk`,
          data: {
            pageTitle: 'Your Local Offer entries',
            sent: ctx.query.sent === '1',
            entries: mine.entries.map((e) => ({
              ...e,
              href: paths.localOffer.service(e.id),
              edit: paths.localOffer.editEntry(e.id),
              due: longDate(e.review_due),
              late: outOfDate(e.review_due, today),
            })),
            changes: mine.changes.map((c) => ({
              name: c.name,
              sent: longDate(c.submitted_at.toISOString().slice(0, 10)),
              state: c.decision === 'approved' ? 'Approved' : c.decision === 'refused' ? `Refused: ${c.reason ?? ''}` : 'Waiting for approval',
            })),
          },
        };
      },
    },
    ...formRoutes({
      url: paths.localOffer.newEntry,
      access: 'local-offer:provide',
      audit: { show: 'local-offer.entry.form', send: 'local-offer.entry.submit' },
      page: (ctx, values, errors) => entryPage(ctx, null, values, errors),
      read: readEntry,
      send: async (ctx, form) => {
        const entry = await entryFromForm(ctx.db, form, ctx.user.organisationId, null, todayInLondon());
        const change = await submitChange(ctx.db, { userId: ctx.user.id, organisationId: ctx.user.organisationId }, entry, null);
        Object.assign(ctx.audit, { subjectType: 'local-offer-change', subjectId: change.id, details: { kind: 'new entry', name: entry.name } });
        return { redirect: `${paths.localOffer.provider}?sent=1` };
      },
    }),
    ...formRoutes({
      url: paths.localOffer.editEntry(),
      access: 'local-offer:provide',
      audit: { show: 'local-offer.entry.form', send: 'local-offer.entry.submit' },
      page: async (ctx, values, errors) => {
        const s = await ownEntry(ctx);
        return entryPage(ctx, s.id, values ?? valuesOf(s), errors);
      },
      read: readEntry,
      send: async (ctx, form) => {
        const s = await ownEntry(ctx);
        const version = Number(formText(ctx.body.version));
        const entry = await entryFromForm(ctx.db, form, ctx.user.organisationId, s.id, todayInLondon());
        const change = await submitChange(
          ctx.db,
          { userId: ctx.user.id, organisationId: ctx.user.organisationId },
          entry,
          Number.isInteger(version) ? version : s.version,
        );
        Object.assign(ctx.audit, { subjectType: 'local-offer-change', subjectId: change.id, details: { kind: 'change', service: s.id } });
        return { redirect: `${paths.localOffer.provider}?sent=1` };
      },
    }),
    {
      method: 'GET',
      url: paths.localOffer.moderation,
      access: 'local-offer:moderate',
      audit: 'local-offer.worklist.view',
      handler: async (ctx) => {
        const today = todayInLondon();
        const w = await worklist(ctx.readDb, today);
        const done = ctx.query.done;
        return {
          view: `${V}worklist.njk`,
          data: {
            pageTitle: 'Local Offer worklist',
            done: done === 'approved' || done === 'refused' ? done : null,
            ...w,
            waiting: w.waiting.map((x) => ({ ...x, href: paths.localOffer.change(x.id), sent: longDate(x.submitted_at.toISOString().slice(0, 10)) })),
            outOfDate: w.outOfDate.map((x) => ({ ...x, href: paths.localOffer.service(x.id), due: longDate(x.reviewDue) })),
            leastComplete: w.leastComplete.map((x) => ({ ...x, href: paths.localOffer.service(x.id) })),
          },
        };
      },
    },
    {
      method: 'GET',
      url: paths.localOffer.change(),
      access: 'local-offer:moderate',
      audit: 'local-offer.change.view',
      handler: (ctx) => changePage(ctx),
    },
    {
      method: 'POST',
      url: paths.localOffer.approve(),
      access: 'local-offer:moderate',
      audit: 'local-offer.change.approve',
      handler: async (ctx) => {
        const serviceId = await approveChange(ctx.db, ctx.param('id'), ctx.user.id, todayInLondon());
        Object.assign(ctx.audit, { subjectType: 'local-offer-change', subjectId: ctx.param('id'), details: { service: serviceId } });
        return { redirect: `${paths.localOffer.moderation}?done=approved` };
      },
      onInvalid: (ctx, errors) => changePage(ctx, errors),
    },
    {
      method: 'POST',
      url: paths.localOffer.refuse(),
      access: 'local-offer:moderate',
      audit: 'local-offer.change.refuse',
      handler: async (ctx) => {
        await refuseChange(ctx.db, ctx.param('id'), ctx.user.id, formText(ctx.body.reason).slice(0, 1000));
        Object.assign(ctx.audit, { subjectType: 'local-offer-change', subjectId: ctx.param('id'), details: {} });
        return { redirect: `${paths.localOffer.moderation}?done=refused` };
      },
      onInvalid: (ctx, errors) => changePage(ctx, errors, ctx.body),
    },
  ];
}
