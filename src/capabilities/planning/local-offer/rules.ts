// The Local Offer's pure rules: the taxonomies a service is classified by, what a directory entry
// holds, distance, whether an entry is out of date, and its completeness against Schedule 2 of
// the SEND Regulations 2014 and the ORUK 3.0 required fields. Tested in rules.test.ts.

/** The taxonomies the migration creates, by code, with their fixed ids (migrations/0024_local_offer.sql). */
export const TAXONOMIES = {
  need: { code: 'sen2-need', id: '0ffe0000-0000-4000-8000-000000000001' },
  support: { code: 'support-type', id: '0ffe0000-0000-4000-8000-000000000002' },
  schedule2: { code: 'schedule-2', id: '0ffe0000-0000-4000-8000-000000000003' },
  access: { code: 'access', id: '0ffe0000-0000-4000-8000-000000000004' },
} as const;
export type Facet = keyof typeof TAXONOMIES;

export const SUPPORT_TYPES = {
  'SHORT-BREAKS': 'Short breaks',
  THERAPY: 'Therapy',
  'SCHOOL-SUPPORT': 'Support in education',
  HEALTH: 'Health services',
  'SOCIAL-CARE': 'Social care',
  ACTIVITIES: 'Leisure and activities',
  ADVICE: 'Information, advice and support',
  'FAMILY-SUPPORT': 'Parenting and family support',
  TRAVEL: 'Travel and transport',
  EMPLOYMENT: 'Training and employment',
  'MENTAL-HEALTH': 'Emotional wellbeing and mental health',
} as const;

/** What Schedule 2 of the SEND Regulations 2014 says a Local Offer must cover, as the items families meet. */
export const SCHEDULE_2_ITEMS = {
  'EDUCATION-EARLY-YEARS': 'Special educational provision in early years settings',
  'EDUCATION-SCHOOLS': 'Special educational provision in schools',
  'EDUCATION-POST-16': 'Special educational provision in post-16 education and training',
  HEALTH: 'Health care provision',
  'SOCIAL-CARE': 'Social care provision',
  TRAVEL: 'Arrangements for travel to schools, colleges and early years settings',
  'PREPARING-FOR-ADULTHOOD': 'Support in preparing for adulthood and independent living',
  EMPLOYMENT: 'Training, apprenticeships and supported employment',
  LEISURE: 'Leisure activities',
  'SUPPORT-GROUPS': 'Support groups for children, young people and families',
  CHILDCARE: 'Childcare',
  'INFORMATION-ADVICE': 'Information, advice and support',
  'EHC-ASSESSMENT': 'Requesting an EHC needs assessment',
  COMPLAINTS: 'How to complain, mediation and appeals',
} as const;

export const ACCESS_ROUTES = {
  'SELF-REFERRAL': 'Families can contact the service themselves',
  'PROFESSIONAL-REFERRAL': 'A professional needs to refer',
  'JOINTLY-REFERRAL': "Ask through the partnership's referral form",
  'EHC-PLAN': 'Only for children and young people with an EHC plan',
} as const;

/** One directory entry as the directory's writers take it: the demo seed, a provider's change, an import. */
export interface DirectoryEntry {
  /** The ORUK id to keep (an import, a change to a live entry); a new one is made when absent. */
  id?: string;
  organisation: { id?: string; name: string; description: string; email?: string | null; website?: string | null; partnerOrganisationId?: string | null };
  name: string;
  description: string;
  url?: string | null;
  email?: string | null;
  status?: 'active' | 'inactive' | 'defunct' | 'temporarily closed';
  minimumAge?: number | null;
  maximumAge?: number | null;
  howToAccess: string;
  ownerOrganisationId?: string | null;
  reviewDue: string;
  /** Taxonomy term codes, per taxonomy. */
  needs: string[];
  supportTypes: string[];
  schedule2: string[];
  access: string[];
  locations: {
    id?: string;
    type?: 'physical' | 'virtual';
    name?: string | null;
    addressLine?: string | null;
    city?: string | null;
    county?: string | null;
    postcode?: string | null;
    latitude?: number | null;
    longitude?: number | null;
    accessibility: string[];
  }[];
  contacts: { name?: string | null; title?: string | null; email?: string | null; phone?: string | null }[];
  schedules: { freq?: 'WEEKLY' | 'MONTHLY' | null; byday?: string | null; opensAt?: string | null; closesAt?: string | null; description?: string | null }[];
  /** An amount of 0 says the service is free. */
  costs: { option?: string | null; amountPence: number | null; description?: string | null }[];
  languages: { name: string; code: string }[];
}

/** Said when an age range is the wrong way round, wherever ages are typed. */
export const AGES_WRONG_WAY = 'The youngest age must be the same as or lower than the oldest age';

/** Problems with an age range (years, 0 to 25), in plain English; empty when it is fine. */
export function ageRangeProblem(min: number | null | undefined, max: number | null | undefined): string | null {
  for (const a of [min, max]) if (a !== null && a !== undefined && (!Number.isInteger(a) || a < 0 || a > 25)) return 'Ages must be whole years from 0 to 25';
  if (min !== null && min !== undefined && max !== null && max !== undefined && min > max) return AGES_WRONG_WAY;
  return null;
}

/** Great-circle distance in miles between two points (haversine; the Earth as a sphere is close enough here). */
export function milesBetween(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_MILES * Math.asin(Math.min(1, Math.sqrt(h)));
}
export const EARTH_RADIUS_MILES = 3958.8;

/** The latitude and longitude box around a point that holds every point within `miles` (a cheap first filter). */
export function boundingBox(p: { latitude: number; longitude: number }, miles: number) {
  const dLat = miles / 69.0;
  const dLon = miles / (69.0 * Math.max(0.01, Math.cos((p.latitude * Math.PI) / 180)));
  return { minLat: p.latitude - dLat, maxLat: p.latitude + dLat, minLon: p.longitude - dLon, maxLon: p.longitude + dLon };
}

/** An entry is out of date once its review date has passed. */
export const outOfDate = (reviewDue: string, today: string) => reviewDue < today;

/** Distances a family can choose, in miles. */
export const DISTANCES = [1, 3, 5, 10, 20] as const;

/** What the completeness score looks at: the entry as stored, summarised. */
export interface CompletenessFacts {
  description: string;
  organisationDescription: string;
  hasContactWay: boolean;
  minimumAge: number | null;
  maximumAge: number | null;
  needs: number;
  supportTypes: number;
  schedule2: number;
  access: number;
  howToAccess: string;
  costs: number;
  physicalLocations: number;
  locationsWithPosition: number;
  locationsWithAccessibility: number;
  virtualOnly: boolean;
  schedules: number;
  reviewDue: string;
}

/**
 * Each check an officer sees, in plain words. The ORUK required fields (id, name, status, and an
 * organisation's description) are always met by the schema; these are what a family needs and
 * Schedule 2 asks for (who it is for, what it offers, how to get it, what it costs, where and when).
 */
export function completenessChecks(f: CompletenessFacts, today: string): { check: string; met: boolean }[] {
  return [
    { check: 'Describes the service in at least 40 characters', met: f.description.trim().length >= 40 },
    { check: 'Describes the organisation (ORUK requires it)', met: f.organisationDescription.trim().length > 0 },
    { check: 'Gives a way to contact the service', met: f.hasContactWay },
    { check: 'Says which ages it is for', met: f.minimumAge !== null || f.maximumAge !== null },
    { check: 'Says which needs it is for', met: f.needs > 0 },
    { check: 'Says what type of support it gives', met: f.supportTypes > 0 },
    { check: 'Says which part of the Local Offer (Schedule 2) it belongs to', met: f.schedule2 > 0 },
    { check: 'Says how to get it', met: f.access > 0 && f.howToAccess.trim().length > 0 },
    { check: 'Says what it costs, or that it is free', met: f.costs > 0 },
    { check: 'Says where it is, with a known postcode', met: f.virtualOnly || (f.physicalLocations > 0 && f.locationsWithPosition === f.physicalLocations) },
    {
      check: 'Describes the accessibility of each place',
      met: f.virtualOnly || (f.physicalLocations > 0 && f.locationsWithAccessibility === f.physicalLocations),
    },
    { check: 'Says when it runs', met: f.schedules > 0 },
    { check: 'Has been reviewed on time', met: !outOfDate(f.reviewDue, today) },
  ];
}

/** The share of checks met, as a whole percentage. */
export function completenessScore(f: CompletenessFacts, today: string): number {
  const checks = completenessChecks(f, today);
  return Math.round((100 * checks.filter((c) => c.met).length) / checks.length);
}

/** Pence as the pounds ORUK publishes (cost_option.amount is a number in the currency). */
export const poundsOf = (pence: number) => Math.round(pence) / 100;

/** How a service's costs read to a family. */
export function costText(costs: readonly { amountPence: number | null; option?: string | null; description?: string | null }[]): string {
  if (costs.length === 0) return 'Not stated: ask the service';
  if (costs.every((c) => c.amountPence === 0)) return 'Free';
  return costs
    .map((c) => {
      const amount = c.amountPence === null ? '' : c.amountPence === 0 ? 'Free' : `£${(c.amountPence / 100).toFixed(2).replace(/\.00$/, '')}`;
      return [amount, c.option, c.description].filter(Boolean).join(' ');
    })
    .join('; ');
}

/** Who a service is for by age, in plain words. */
export function ageText(min: number | null, max: number | null): string {
  if (min === null && max === null) return 'Any age';
  if (min === null) return `Up to ${max} years`;
  if (max === null) return `${min} years and over`;
  return `${min} to ${max} years`;
}

/** The completeness facts of an entry not yet stored (a provider's proposed change). */
export function factsOfEntry(e: DirectoryEntry): CompletenessFacts {
  const physical = e.locations.filter((l) => (l.type ?? 'physical') === 'physical');
  return {
    description: e.description,
    organisationDescription: e.organisation.description,
    hasContactWay: !!(e.email || e.url || e.contacts.some((c) => c.email || c.phone)),
    minimumAge: e.minimumAge ?? null,
    maximumAge: e.maximumAge ?? null,
    needs: e.needs.length,
    supportTypes: e.supportTypes.length,
    schedule2: e.schedule2.length,
    access: e.access.length,
    howToAccess: e.howToAccess,
    costs: e.costs.length,
    physicalLocations: physical.length,
    // A stored entry's position comes from its postcode; a proposed one is checked against the table when sent.
    locationsWithPosition: physical.filter((l) => (l.latitude != null && l.longitude != null) || !!l.postcode).length,
    locationsWithAccessibility: physical.filter((l) => l.accessibility.length > 0).length,
    virtualOnly: e.locations.length > 0 && physical.length === 0,
    schedules: e.schedules.length,
    reviewDue: e.reviewDue,
  };
}

/** A year from a date ('YYYY-MM-DD'): when an approved entry is next due for review. */
export function aYearOn(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y + 1, m - 1, d));
  if (next.getUTCMonth() !== m - 1) next.setUTCDate(0); // 29 February: the 28th next year
  return next.toISOString().slice(0, 10);
}

/** Need against supply: children shown (5 or more) with at most this many services near them is a gap. */
export const GAP_SERVICES = 1;
export const isGap = (children: number | null, services: number) => children !== null && children >= 5 && services <= GAP_SERVICES;
