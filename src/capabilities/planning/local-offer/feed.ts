// Importing another directory's ORUK 3.0 feed (a file of full services: a paged /services answer,
// a list, or one service). A dry run says what would change; applying is all or nothing and only
// when nothing is wrong; the same feed again changes nothing (each entry's fingerprint is kept);
// an entry changed here since (a provider's approved change) is never overwritten, but reported.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../../platform/db/database.js';
import { isNeedCode } from '../../record/children/index.js';
import { aYearOn, ageRangeProblem, TAXONOMIES, type DirectoryEntry, type Facet } from './rules.js';
import { saveEntries } from './service.js';

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');
const text = z.string().nullish();
const num = z.number().nullish();

const serviceSchema = z.object({
  id: uuid,
  name: z.string().min(1, 'must not be empty'),
  description: text,
  url: text,
  email: text,
  status: z.enum(['active', 'inactive', 'defunct', 'temporarily closed']),
  minimum_age: num,
  maximum_age: num,
  how_to_access: text,
  organization: z.object(
    { id: uuid, name: z.string().min(1), description: z.string().nullish(), email: text, website: text },
    { message: 'is missing (every service needs its organization)' },
  ),
  service_at_locations: z
    .array(
      z.object({
        location: z
          .object({
            id: uuid,
            location_type: z.enum(['physical', 'postal', 'virtual']),
            name: text,
            latitude: num,
            longitude: num,
            addresses: z.array(z.object({ address_1: text, city: text, state_province: text, postal_code: text })).nullish(),
            accessibility: z.array(z.object({ description: text })).nullish(),
          })
          .nullish(),
      }),
    )
    .nullish(),
  contacts: z.array(z.object({ name: text, title: text, email: text, phones: z.array(z.object({ number: text })).nullish() })).nullish(),
  schedules: z.array(z.object({ freq: z.enum(['WEEKLY', 'MONTHLY']).nullish(), byday: text, opens_at: text, closes_at: text, description: text })).nullish(),
  cost_options: z.array(z.object({ option: text, amount: num, amount_description: text })).nullish(),
  languages: z.array(z.object({ name: text, code: text })).nullish(),
  attributes: z.array(z.object({ taxonomy_term_id: z.string().nullish(), taxonomy_term: z.object({ taxonomy_id: text, term: text }).nullish() })).nullish(),
});
type FeedService = z.infer<typeof serviceSchema>;

export interface FeedReport {
  /** Problems that stop the import: the feed is refused whole. */
  errors: string[];
  /** Said but not stopping it: a service with no location, a classification we do not use. */
  warnings: string[];
  created: string[];
  updated: string[];
  unchanged: string[];
  /** Changed here since it was imported (or made here): the feed's version is not taken. */
  conflicts: string[];
  applied: boolean;
}

/** The feed's services, whichever shape it comes in. */
function servicesOf(json: unknown): unknown[] | null {
  if (Array.isArray(json)) return json as unknown[];
  if (json && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    if (Array.isArray(o.contents)) return o.contents as unknown[];
    if (typeof o.id === 'string') return [o];
  }
  return null;
}

function entryOf(s: FeedService, terms: Map<string, { facet: Facet; code: string }>, today: string, warnings: string[]): DirectoryEntry {
  const codes: Record<Facet, string[]> = { need: [], support: [], schedule2: [], access: [] };
  let unknown = 0;
  for (const a of s.attributes ?? []) {
    const byId = a.taxonomy_term_id ? terms.get(a.taxonomy_term_id) : undefined;
    const facet = (Object.keys(TAXONOMIES) as Facet[]).find((f) => TAXONOMIES[f].id === a.taxonomy_term?.taxonomy_id);
    const hit = byId ?? (facet && a.taxonomy_term?.term ? { facet, code: a.taxonomy_term.term } : undefined);
    if (hit && (hit.facet !== 'need' || isNeedCode(hit.code))) codes[hit.facet].push(hit.code);
    else unknown++;
  }
  if (unknown) warnings.push(`${s.name} (${s.id}): ${unknown} classification${unknown === 1 ? '' : 's'} from taxonomies this directory does not use, left out`);
  const locations = (s.service_at_locations ?? []).flatMap((sal) => (sal.location ? [sal.location] : []));
  if (locations.length === 0) warnings.push(`${s.name} (${s.id}): has no location, so a search by distance will not find it`);
  return {
    id: s.id,
    organisation: {
      id: s.organization.id,
      name: s.organization.name,
      description: s.organization.description ?? '',
      email: s.organization.email ?? null,
      website: s.organization.website ?? null,
    },
    name: s.name,
    description: s.description ?? '',
    url: s.url ?? null,
    email: s.email ?? null,
    status: s.status,
    minimumAge: s.minimum_age ?? null,
    maximumAge: s.maximum_age ?? null,
    howToAccess: s.how_to_access ?? '',
    reviewDue: aYearOn(today),
    needs: codes.need,
    supportTypes: codes.support,
    schedule2: codes.schedule2,
    access: codes.access,
    locations: locations.map((l) => {
      const address = l.addresses?.[0];
      return {
        id: l.id,
        type: l.location_type === 'virtual' ? 'virtual' : 'physical',
        name: l.name ?? null,
        addressLine: address?.address_1 ?? null,
        city: address?.city ?? null,
        county: address?.state_province ?? null,
        postcode: address?.postal_code ?? null,
        latitude: l.latitude ?? null,
        longitude: l.longitude ?? null,
        accessibility: (l.accessibility ?? []).flatMap((a) => (a.description ? [a.description] : [])),
      };
    }),
    contacts: (s.contacts ?? []).map((c) => ({ name: c.name ?? null, title: c.title ?? null, email: c.email ?? null, phone: c.phones?.[0]?.number ?? null })),
    schedules: (s.schedules ?? []).map((x) => ({
      freq: x.freq ?? null,
      byday: x.byday ?? null,
      opensAt: x.opens_at ?? null,
      closesAt: x.closes_at ?? null,
      description: x.description ?? null,
    })),
    costs: (s.cost_options ?? []).map((c) => ({
      option: c.option ?? null,
      amountPence: c.amount == null ? null : Math.round(c.amount * 100),
      description: c.amount_description ?? null,
    })),
    languages: (s.languages ?? []).flatMap((l) => (l.name && l.code ? [{ name: l.name, code: l.code }] : [])),
  };
}

/** The fingerprint of what the feed said, without what this directory adds (the review date). */
const fingerprint = (e: DirectoryEntry) =>
  createHash('sha256')
    .update(JSON.stringify({ ...e, reviewDue: null }))
    .digest('hex');

/** Reads a feed and works out what it would do; with `apply`, does it in the caller's transaction when nothing is wrong. */
export async function importFeed(db: Db, json: string, opts: { apply: boolean; today: string; leaveOutConflicts?: boolean }): Promise<FeedReport> {
  const report: FeedReport = { errors: [], warnings: [], created: [], updated: [], unchanged: [], conflicts: [], applied: false };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    report.errors.push(`The feed is not valid JSON: ${(e as Error).message}`);
    return report;
  }
  const raw = servicesOf(parsed);
  if (!raw) {
    report.errors.push('The feed holds no services: give a page of /services (with "contents"), a list of services, or one service');
    return report;
  }
  const termRows = await db.selectFrom('offer_taxonomy_terms').select(['id', 'taxonomy_id', 'code']).execute();
  const terms = new Map(
    termRows.flatMap((t) => {
      const facet = (Object.keys(TAXONOMIES) as Facet[]).find((f) => TAXONOMIES[f].id === t.taxonomy_id);
      return facet ? [[t.id, { facet, code: t.code }] as const] : [];
    }),
  );
  const entries: (DirectoryEntry & { importFingerprint: string })[] = [];
  const seen = new Set<string>();
  raw.forEach((item, i) => {
    const r = serviceSchema.safeParse(item);
    const label = `Service ${i + 1}${item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string' ? ` (${(item as { name: string }).name})` : ''}`;
    if (!r.success) {
      for (const issue of r.error.issues.slice(0, 3)) report.errors.push(`${label}: ${issue.path.join('.') || 'the service'} ${issue.message}`);
      return;
    }
    if (seen.has(r.data.id)) {
      report.errors.push(`${label}: the id ${r.data.id} appears twice in the feed`);
      return;
    }
    seen.add(r.data.id);
    const ages = ageRangeProblem(r.data.minimum_age, r.data.maximum_age);
    if (ages) {
      report.errors.push(`${label}: ${ages === 'Ages must be whole years from 0 to 25' ? ages : 'minimum_age is greater than maximum_age'}`);
      return;
    }
    const entry = entryOf(r.data, terms, opts.today, report.warnings);
    entries.push({ ...entry, importFingerprint: fingerprint(entry) });
  });

  const existing = new Map<string, { import_fingerprint: string | null; review_due: string }>();
  if (entries.length) {
    const rows = await db
      .selectFrom('offer_services')
      .select(['id', 'import_fingerprint', 'review_due'])
      .where(
        'id',
        'in',
        entries.map((e) => e.id!),
      )
      .execute();
    for (const r of rows) existing.set(r.id, r);
  }
  const toWrite: typeof entries = [];
  for (const e of entries) {
    const was = existing.get(e.id!);
    const label = `${e.name} (${e.id})`;
    if (!was) {
      report.created.push(label);
      toWrite.push(e);
    } else if (was.import_fingerprint === null)
      report.conflicts.push(`${label}: changed here since (made here, or a provider's change approved); the feed's version was not taken`);
    else if (was.import_fingerprint === e.importFingerprint) report.unchanged.push(label);
    else {
      report.updated.push(label);
      toWrite.push({ ...e, reviewDue: was.review_due });
    }
  }
  if (opts.apply && report.errors.length === 0 && (report.conflicts.length === 0 || opts.leaveOutConflicts) && toWrite.length) {
    await saveEntries(db, toWrite);
    report.applied = true;
  }
  return report;
}
