// Providers keep their own entries; a change goes live only when a Local Offer officer approves it,
// and nobody approves their own change (checked here and by the table's constraint). The officer's
// worklist: changes waiting, entries past their review date, and completeness scores.
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { Notifier } from '../../../platform/notify/notify.js';
import { paths } from '../../../paths.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../platform/http/errors.js';
import {
  aYearOn,
  completenessChecks,
  completenessScore,
  factsOfEntry,
  outOfDate,
  SCHEDULE_2_ITEMS,
  TAXONOMIES,
  type CompletenessFacts,
  type DirectoryEntry,
} from './rules.js';
import type { EntryForm } from './schema.js';
import { saveEntries } from './service.js';
import { readService } from './read-model.js';

export const ALREADY_WAITING = 'A change to this entry is already waiting for approval. You can send another once it has been decided';
export const OWN_CHANGE = 'You sent this change, so someone else must decide it';
export const ENTRY_CHANGED =
  'The entry was changed after this change was sent, so it cannot be approved over it. Refuse it and ask the provider to send it again';

/** The directory organisation that stands for a partner organisation's entries (made when first needed). */
async function directoryOrganisationOf(db: Db, partnerOrganisationId: string) {
  const found = await db
    .selectFrom('offer_organisations')
    .select(['id', 'name', 'description'])
    .where('partner_organisation_id', '=', partnerOrganisationId)
    .executeTakeFirst();
  if (found) return { ...found, partnerOrganisationId };
  const partner = await db.selectFrom('organisations').select('name').where('id', '=', partnerOrganisationId).executeTakeFirstOrThrow();
  return { name: partner.name, description: `Services provided by ${partner.name}.`, partnerOrganisationId };
}

/** A provider's form as a whole directory entry. */
export async function entryFromForm(db: Db, f: EntryForm, ownerOrganisationId: string, serviceId: string | null, today: string): Promise<DirectoryEntry> {
  const current = serviceId ? await readService(db, serviceId) : null;
  return {
    ...(serviceId ? { id: serviceId } : {}),
    organisation: await directoryOrganisationOf(db, ownerOrganisationId),
    name: f.name,
    description: f.description,
    url: f.url,
    email: f.email,
    minimumAge: f.minimumAge,
    maximumAge: f.maximumAge,
    howToAccess: f.howToAccess,
    ownerOrganisationId,
    reviewDue: current?.review_due ?? aYearOn(today),
    needs: f.needs,
    supportTypes: f.supportTypes,
    schedule2: f.schedule2,
    access: f.access,
    locations: f.postcode
      ? [
          {
            id: current?.locations[0]?.id,
            addressLine: f.addressLine,
            city: f.city,
            county: null,
            postcode: f.postcode,
            accessibility: f.accessibility ? [f.accessibility] : [],
          },
        ]
      : [{ type: 'virtual', name: 'By phone and online', accessibility: [] }],
    contacts: f.phone || f.email ? [{ title: 'Enquiries', phone: f.phone, email: f.email }] : [],
    schedules: f.when ? [{ description: f.when }] : [],
    costs: [{ amountPence: f.costPence, description: f.costDescription }],
    languages: current?.languages.map((l) => ({ name: l.name, code: l.code })) ?? [{ name: 'English', code: 'en' }],
  };
}

/** Sends an entry for approval. One open change per entry. */
export async function submitChange(db: Db, by: { userId: string; organisationId: string }, entry: DirectoryEntry, basedOnVersion: number | null) {
  if (entry.id) {
    const waiting = await db.selectFrom('offer_changes').select('id').where('service_id', '=', entry.id).where('decision', 'is', null).executeTakeFirst();
    if (waiting) throw new ValidationError([{ text: ALREADY_WAITING, href: '#name' }]);
  }
  return db
    .insertInto('offer_changes')
    .values({
      service_id: entry.id ?? null,
      owner_organisation_id: by.organisationId,
      entry: JSON.stringify(entry),
      submitted_by: by.userId,
      based_on_version: basedOnVersion,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
}

/** The entries a provider's organisation keeps, with any change waiting. */
export async function providerEntries(db: Db, organisationId: string) {
  const [entries, changes] = await Promise.all([
    db
      .selectFrom('offer_services as s')
      .leftJoin('offer_changes as c', (j) => j.onRef('c.service_id', '=', 's.id').on('c.decision', 'is', null))
      .select(['s.id', 's.name', 's.review_due', 's.status', 'c.id as waiting'])
      .where('s.owner_organisation_id', '=', organisationId)
      .orderBy('s.name')
      .execute(),
    db
      .selectFrom('offer_changes as c')
      .select(['c.id', 'c.service_id', 'c.entry', 'c.submitted_at', 'c.decision', 'c.decided_at', 'c.reason'])
      .where('c.owner_organisation_id', '=', organisationId)
      .orderBy('c.submitted_at', 'desc')
      .limit(20)
      .execute(),
  ]);
  return { entries, changes: changes.map((c) => ({ ...c, name: (JSON.parse(c.entry) as DirectoryEntry).name })) };
}

export async function getChange(db: Db, id: string) {
  const c = await db
    .selectFrom('offer_changes as c')
    .innerJoin('users as u', 'u.id', 'c.submitted_by')
    .innerJoin('organisations as o', 'o.id', 'c.owner_organisation_id')
    .select([
      'c.id',
      'c.service_id',
      'c.entry',
      'c.submitted_by',
      'c.submitted_at',
      'c.based_on_version',
      'c.decision',
      'c.decided_at',
      'c.reason',
      'u.display_name as submitted_by_name',
      'o.name as organisation_name',
    ])
    .where('c.id', '=', id)
    .executeTakeFirst();
  if (!c) throw new NotFoundError('change');
  return { ...c, proposed: JSON.parse(c.entry) as DirectoryEntry };
}

/** Approves a change: the entry goes live through saveEntries, due for review a year on. */
export async function approveChange(db: Db, id: string, by: string, today: string): Promise<string> {
  const c = await db.selectFrom('offer_changes').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!c) throw new NotFoundError('change');
  if (c.decision) throw new ValidationError([{ text: `This change was already ${c.decision}`, href: '#decision' }]);
  if (c.submitted_by === by) throw new ForbiddenError(OWN_CHANGE, { title: 'You cannot decide your own change', paragraphs: [`${OWN_CHANGE}.`] });
  if (c.service_id) {
    const live = await db.selectFrom('offer_services').select('version').where('id', '=', c.service_id).forUpdate().executeTakeFirst();
    if (live && live.version !== c.based_on_version) throw new ValidationError([{ text: ENTRY_CHANGED, href: '#decision' }]);
  }
  const entry = { ...(JSON.parse(c.entry) as DirectoryEntry), reviewDue: aYearOn(today) };
  const [serviceId] = await saveEntries(db, [entry]);
  await db
    .updateTable('offer_changes')
    .set({ decision: 'approved', decided_by: by, decided_at: new Date(), service_id: serviceId! })
    .where('id', '=', id)
    .execute();
  return serviceId!;
}

export async function refuseChange(db: Db, id: string, by: string, reason: string): Promise<void> {
  const c = await db.selectFrom('offer_changes').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!c) throw new NotFoundError('change');
  if (c.decision) throw new ValidationError([{ text: `This change was already ${c.decision}`, href: '#decision' }]);
  if (c.submitted_by === by) throw new ForbiddenError(OWN_CHANGE, { title: 'You cannot decide your own change', paragraphs: [`${OWN_CHANGE}.`] });
  if (!reason) throw new ValidationError([{ text: 'Say why the change is refused, so the provider can put it right', href: '#reason' }]);
  await db.updateTable('offer_changes').set({ decision: 'refused', decided_by: by, decided_at: new Date(), reason }).where('id', '=', id).execute();
}

/** Completeness facts of every live entry, in one query. */
export async function liveFacts(db: Db) {
  const rows = await sql<
    Omit<CompletenessFacts, 'virtualOnly'> & {
      id: string;
      name: string;
      owner: string | null;
      reviewDue: string;
      virtual: number;
      schedule2Codes: string | null;
    }
  >`
    select s.id, s.name, ow.name as owner, s.description, o.description as "organisationDescription",
      (s.email is not null or s.url is not null or exists (select 1 from offer_contacts c where c.service_id = s.id and (c.email is not null or c.phone is not null))) as "hasContactWay",
      s.minimum_age as "minimumAge", s.maximum_age as "maximumAge",
      count(distinct a.id) filter (where t.taxonomy_id = ${TAXONOMIES.need.id}::uuid)::int as needs,
      count(distinct a.id) filter (where t.taxonomy_id = ${TAXONOMIES.support.id}::uuid)::int as "supportTypes",
      count(distinct a.id) filter (where t.taxonomy_id = ${TAXONOMIES.schedule2.id}::uuid)::int as schedule2,
      string_agg(distinct t.code, ',') filter (where t.taxonomy_id = ${TAXONOMIES.schedule2.id}::uuid) as "schedule2Codes",
      count(distinct a.id) filter (where t.taxonomy_id = ${TAXONOMIES.access.id}::uuid)::int as access,
      s.how_to_access as "howToAccess",
      (select count(*) from offer_cost_options co where co.service_id = s.id)::int as costs,
      (select count(*) from offer_service_at_locations sal join offer_locations l on l.id = sal.location_id where sal.service_id = s.id and l.location_type = 'physical')::int as "physicalLocations",
      (select count(*) from offer_service_at_locations sal join offer_locations l on l.id = sal.location_id where sal.service_id = s.id and l.location_type = 'physical' and l.latitude is not null)::int as "locationsWithPosition",
      (select count(*) from offer_service_at_locations sal join offer_locations l on l.id = sal.location_id where sal.service_id = s.id and l.location_type = 'physical'
        and exists (select 1 from offer_accessibility ac where ac.location_id = l.id))::int as "locationsWithAccessibility",
      (select count(*) from offer_service_at_locations sal join offer_locations l on l.id = sal.location_id where sal.service_id = s.id and l.location_type = 'virtual')::int as virtual,
      (select count(*) from offer_schedules sc where sc.service_id = s.id)::int as schedules,
      s.review_due as "reviewDue"
    from offer_services s
    join offer_organisations o on o.id = s.organisation_id
    left join organisations ow on ow.id = s.owner_organisation_id
    left join offer_attributes a on a.service_id = s.id
    left join offer_taxonomy_terms t on t.id = a.taxonomy_term_id
    where s.status <> 'defunct'
    group by s.id, o.description, ow.name`.execute(db);
  return rows.rows.map((r) => ({ ...r, virtualOnly: r.physicalLocations === 0 && r.virtual > 0 }));
}

/** The officer's worklist: changes waiting, entries out of date, the least complete entries, and completeness per Schedule 2 item. */
export async function worklist(db: Db, today: string) {
  const [waiting, facts] = await Promise.all([
    db
      .selectFrom('offer_changes as c')
      .innerJoin('users as u', 'u.id', 'c.submitted_by')
      .innerJoin('organisations as o', 'o.id', 'c.owner_organisation_id')
      .select(['c.id', 'c.service_id', 'c.entry', 'c.submitted_at', 'u.display_name', 'o.name as organisation'])
      .where('c.decision', 'is', null)
      .orderBy('c.submitted_at')
      .execute(),
    liveFacts(db),
  ]);
  const scored = facts.map((f) => ({
    ...f,
    score: completenessScore(f, today),
    missing: completenessChecks(f, today)
      .filter((c) => !c.met)
      .map((c) => c.check),
  }));
  const byItem = Object.entries(SCHEDULE_2_ITEMS).map(([code, name]) => {
    const inItem = scored.filter((s) => (s.schedule2Codes ?? '').split(',').includes(code));
    return { code, name, services: inItem.length, average: inItem.length ? Math.round(inItem.reduce((n, s) => n + s.score, 0) / inItem.length) : null };
  });
  return {
    waiting: waiting.map((w) => ({ ...w, name: (JSON.parse(w.entry) as DirectoryEntry).name, kind: w.service_id ? 'Change' : 'New entry' })),
    outOfDate: scored.filter((s) => outOfDate(s.reviewDue, today)).sort((a, b) => a.reviewDue.localeCompare(b.reviewDue)),
    leastComplete: [...scored].sort((a, b) => a.score - b.score || a.name.localeCompare(b.name)).slice(0, 20),
    byItem,
    overall: scored.length ? Math.round(scored.reduce((n, s) => n + s.score, 0) / scored.length) : null,
    total: scored.length,
  };
}

/**
 * The daily reminder: each owner organisation's providers (or, where it has none, the Local Offer
 * officers) are told by e-mail which of its entries are past their review date; an entry is
 * mentioned at most once a week. Runs in the caller's transaction; says how many were reminded.
 */
export async function remindOwners(db: Db, notifier: Notifier, baseUrl: string, today: string): Promise<{ entries: number; messages: number }> {
  const weekAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 7 * 86_400_000).toISOString().slice(0, 10);
  const due = await db
    .selectFrom('offer_services')
    .select(['id', 'name', 'review_due', 'owner_organisation_id'])
    .where('status', '<>', 'defunct')
    .where('review_due', '<', today)
    .where('owner_organisation_id', 'is not', null)
    .where((eb) => eb.or([eb('reminded_on', 'is', null), eb('reminded_on', '<=', weekAgo)]))
    .orderBy('name')
    .execute();
  if (due.length === 0) return { entries: 0, messages: 0 };
  const people = await db
    .selectFrom('users as u')
    .innerJoin('user_roles as r', 'r.user_id', 'u.id')
    .select(['u.email', 'u.organisation_id', 'r.role'])
    .where('u.active', '=', true)
    .where('r.role', 'in', ['local-offer-provider', 'local-offer-officer'])
    .execute();
  const officers = people.filter((p) => p.role === 'local-offer-officer').map((p) => p.email);
  let messages = 0;
  const byOwner = new Map<string, typeof due>();
  for (const d of due) byOwner.set(d.owner_organisation_id!, [...(byOwner.get(d.owner_organisation_id!) ?? []), d]);
  for (const [owner, entries] of byOwner) {
    const providers = people.filter((p) => p.role === 'local-offer-provider' && p.organisation_id === owner).map((p) => p.email);
    const to = [...new Set(providers.length ? providers : officers)];
    const link = `${baseUrl}${providers.length ? paths.localOffer.provider : paths.localOffer.moderation}`;
    const body = [
      `${entries.length} Local Offer ${entries.length === 1 ? 'entry is' : 'entries are'} past ${entries.length === 1 ? 'its' : 'their'} review date:`,
      '',
      ...entries.slice(0, 50).map((e) => `- ${e.name} (review was due ${e.review_due})`),
      ...(entries.length > 50 ? [`- and ${entries.length - 50} more`] : []),
      '',
      `Check ${entries.length === 1 ? 'it is' : 'they are'} still right and send any changes: ${link}`,
    ].join('\n');
    for (const email of to) {
      await notifier.send(db, { channel: 'email', to: email, subject: 'Local Offer entries to review', body });
      messages++;
    }
  }
  await db
    .updateTable('offer_services')
    .set({ reminded_on: today })
    .where(
      'id',
      'in',
      due.map((d) => d.id),
    )
    .execute();
  return { entries: due.length, messages };
}

export { factsOfEntry };
