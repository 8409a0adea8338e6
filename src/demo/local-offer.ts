// Demoshire's Local Offer: a few hundred clearly fictional services from fictional providers, made
// by a seeded generator (the same seed gives the same directory), and fictional coordinates for
// every fictional "DM" postcode. "DM" is not a UK postcode area, and the coordinates place
// Demoshire in the North Sea, so no entry can be mistaken for a real place or service.
import type { Db } from '../platform/db/database.js';
import { Random } from '../synthetic-extracts/random.js';
import { loadPostcodes, saveEntries, SCHEDULE_2_ITEMS, SUPPORT_TYPES, type DirectoryEntry } from '../capabilities/planning/local-offer/index.js';
import { NEED_CODES } from '../capabilities/record/children/index.js';

/** The districts' centres (fictional: open sea east of England). */
const DISTRICT_CENTRES: Record<string, [number, number]> = {
  DM1: [54.45, 2.3],
  DM2: [54.42, 2.55],
  DM3: [54.5, 2.45],
  DM4: [54.3, 2.4],
  DM5: [54.15, 2.3],
  DM6: [54.12, 2.55],
  DM7: [54.05, 2.42],
  DM8: [54.6, 2.2],
  DM9: [53.95, 2.6],
};
const UNIT_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const TOWNS: Record<string, string> = {
  DM1: 'Northby',
  DM2: 'Eastwick Demoshire',
  DM3: 'Upper Fellham',
  DM4: 'Demoshire Town',
  DM5: 'Southmoor',
  DM6: 'Lower Brookton',
  DM7: 'Saltmarsh Cross',
  DM8: 'Farhill',
  DM9: 'Wyvern Sands',
};

/** Where a Demoshire postcode is: its district's centre, moved by its sector and unit (all invented). */
export function demoPostcodePosition(postcode: string): { latitude: number; longitude: number } | null {
  const m = /^(DM[1-9]) ([0-9])([A-Z])([A-Z])$/.exec(postcode);
  if (!m) return null;
  const centre = DISTRICT_CENTRES[m[1]!]!;
  const sector = Number(m[2]);
  const i = UNIT_LETTERS.indexOf(m[3]!);
  const j = UNIT_LETTERS.indexOf(m[4]!);
  if (i < 0 || j < 0) return null;
  const latitude = centre[0] + ((sector % 3) - 1) * 0.02 + (i / 20 - 0.5) * 0.012;
  const longitude = centre[1] + (Math.floor(sector / 3) - 1.5) * 0.025 + (j / 20 - 0.5) * 0.018;
  return { latitude: Math.round(latitude * 1e6) / 1e6, longitude: Math.round(longitude * 1e6) / 1e6 };
}

/** Every Demoshire postcode with its fictional position (9 districts x 10 sectors x 400 units). */
export function demoPostcodes(): { postcode: string; latitude: number; longitude: number }[] {
  const out: { postcode: string; latitude: number; longitude: number }[] = [];
  for (const district of Object.keys(DISTRICT_CENTRES)) {
    for (let sector = 0; sector < 10; sector++) {
      for (const a of UNIT_LETTERS) {
        for (const b of UNIT_LETTERS) {
          const postcode = `${district} ${sector}${a}${b}`;
          out.push({ postcode, ...demoPostcodePosition(postcode)! });
        }
      }
    }
  }
  return out;
}

const PROVIDER_WORDS = [
  'Bright',
  'Willow',
  'Harbour',
  'Kestrel',
  'Meadow',
  'Lantern',
  'Compass',
  'Oakleaf',
  'Riverside',
  'Skylark',
  'Heron',
  'Beacon',
  'Fernbank',
  'Puffin',
  'Juniper',
];
const PROVIDER_KINDS = ['Trust', 'Community Interest Company', 'Charity', 'Families Network', 'Partnership', 'Collective'];

interface Template {
  support: keyof typeof SUPPORT_TYPES;
  schedule2: (keyof typeof SCHEDULE_2_ITEMS)[];
  names: string[];
  ages: [number, number];
  needs: (keyof typeof NEED_CODES)[] | 'all';
  costs: 'free' | 'paid' | 'either';
  access: ('SELF-REFERRAL' | 'PROFESSIONAL-REFERRAL' | 'JOINTLY-REFERRAL' | 'EHC-PLAN')[];
  what: string;
}

const TEMPLATES: Template[] = [
  {
    support: 'SHORT-BREAKS',
    schedule2: ['SOCIAL-CARE', 'LEISURE'],
    names: ['Saturday club', 'holiday play scheme', 'after-school short breaks', 'overnight short breaks'],
    ages: [5, 18],
    needs: ['ASD', 'SLD', 'PMLD', 'PD', 'DS', 'MSI'],
    costs: 'either',
    access: ['JOINTLY-REFERRAL', 'SELF-REFERRAL'],
    what: 'Short breaks give disabled children time to have fun with friends, and give their families a rest.',
  },
  {
    support: 'THERAPY',
    schedule2: ['HEALTH'],
    names: ['speech and language therapy', 'occupational therapy', 'children’s physiotherapy', 'sensory integration sessions'],
    ages: [0, 18],
    needs: ['SLCN', 'ASD', 'PD', 'DS', 'SPLD'],
    costs: 'free',
    access: ['PROFESSIONAL-REFERRAL'],
    what: 'Therapists assess children, agree goals with the family and school, and show everyone how to help day to day.',
  },
  {
    support: 'SCHOOL-SUPPORT',
    schedule2: ['EDUCATION-SCHOOLS'],
    names: ['autism outreach team', 'inclusion support service', 'sensory support service', 'learning support team'],
    ages: [4, 16],
    needs: ['ASD', 'MLD', 'SPLD', 'HI', 'VI', 'SEMH'],
    costs: 'free',
    access: ['PROFESSIONAL-REFERRAL'],
    what: 'Specialist teachers advise schools on SEN support, train staff and work with pupils.',
  },
  {
    support: 'SCHOOL-SUPPORT',
    schedule2: ['EDUCATION-EARLY-YEARS', 'CHILDCARE'],
    names: ['early years inclusion team', 'Portage home visiting', 'inclusive nursery places'],
    ages: [0, 5],
    needs: 'all',
    costs: 'free',
    access: ['SELF-REFERRAL', 'PROFESSIONAL-REFERRAL'],
    what: 'Help for young children at home and in nurseries, so they can learn and play alongside others.',
  },
  {
    support: 'ADVICE',
    schedule2: ['INFORMATION-ADVICE', 'EHC-ASSESSMENT', 'COMPLAINTS'],
    names: ['SEND information, advice and support', 'independent parent advice line', 'EHC plan help desk'],
    ages: [0, 25],
    needs: 'all',
    costs: 'free',
    access: ['SELF-REFERRAL'],
    what: 'Free, confidential, impartial advice about SEND, EHC needs assessments, plans, reviews and how to disagree or complain.',
  },
  {
    support: 'ACTIVITIES',
    schedule2: ['LEISURE'],
    names: ['inclusive swimming', 'sensory soft play', 'youth club', 'adapted cycling', 'drama group', 'football for all'],
    ages: [3, 19],
    needs: 'all',
    costs: 'paid',
    access: ['SELF-REFERRAL'],
    what: 'A relaxed, welcoming activity with trained staff, quieter sessions and extra helpers.',
  },
  {
    support: 'FAMILY-SUPPORT',
    schedule2: ['SUPPORT-GROUPS'],
    names: ['parent carer support group', 'siblings group', 'parenting course for autism', 'dads’ group'],
    ages: [0, 25],
    needs: 'all',
    costs: 'free',
    access: ['SELF-REFERRAL'],
    what: 'Meet other families, share what works and hear from visiting speakers.',
  },
  {
    support: 'TRAVEL',
    schedule2: ['TRAVEL'],
    names: ['home to school travel assistance', 'independent travel training'],
    ages: [4, 25],
    needs: 'all',
    costs: 'free',
    access: ['JOINTLY-REFERRAL', 'EHC-PLAN'],
    what: 'Help to get to school or college, and training to travel on your own when you are ready.',
  },
  {
    support: 'EMPLOYMENT',
    schedule2: ['PREPARING-FOR-ADULTHOOD', 'EMPLOYMENT', 'EDUCATION-POST-16'],
    names: ['supported internships', 'preparing for adulthood team', 'work skills course', 'independent living skills'],
    ages: [14, 25],
    needs: ['MLD', 'SLD', 'ASD', 'DS', 'SEMH'],
    costs: 'free',
    access: ['SELF-REFERRAL', 'PROFESSIONAL-REFERRAL'],
    what: 'Support for young people moving towards work, further learning and living more independently.',
  },
  {
    support: 'MENTAL-HEALTH',
    schedule2: ['HEALTH'],
    names: ['emotional wellbeing service', 'children’s mental health team', 'anxiety support sessions'],
    ages: [5, 18],
    needs: ['SEMH', 'ASD'],
    costs: 'free',
    access: ['PROFESSIONAL-REFERRAL', 'SELF-REFERRAL'],
    what: 'Help for children and young people who feel anxious, low or overwhelmed, and for their families.',
  },
  {
    support: 'SOCIAL-CARE',
    schedule2: ['SOCIAL-CARE'],
    names: ['children with disabilities social work', 'personal assistants scheme', 'direct payments support'],
    ages: [0, 18],
    needs: ['PMLD', 'SLD', 'PD', 'MSI', 'DS', 'ASD'],
    costs: 'free',
    access: ['JOINTLY-REFERRAL', 'PROFESSIONAL-REFERRAL'],
    what: 'Assessment and support for disabled children and their families at home and in the community.',
  },
  {
    support: 'HEALTH',
    schedule2: ['HEALTH'],
    names: ['community paediatrics', 'continence service', 'specialist nursing for complex needs', 'audiology clinic', 'eye clinic'],
    ages: [0, 19],
    needs: ['PD', 'PMLD', 'HI', 'VI', 'MSI', 'DS', 'OTH'],
    costs: 'free',
    access: ['PROFESSIONAL-REFERRAL'],
    what: 'Health services for children with disabilities and long-term conditions, close to home.',
  },
];

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const ACCESSIBILITY = [
  'Step-free entrance and lift to all floors',
  'Accessible toilet with changing bench and hoist (Changing Places)',
  'Quiet room available',
  'Hearing loop at reception',
  'Blue badge parking next to the entrance',
];

function addMonths(iso: string, months: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

/** The Demoshire directory: `count` fictional services from about one provider per eight services. */
export function demoDirectory(count: number, today: string, seed = 16): DirectoryEntry[] {
  const r = new Random(seed);
  const providers = Array.from({ length: Math.max(3, Math.round(count / 8)) }, (_, i) => {
    const word = PROVIDER_WORDS[i % PROVIDER_WORDS.length]!;
    const kind = PROVIDER_KINDS[Math.floor(i / PROVIDER_WORDS.length) % PROVIDER_KINDS.length]!;
    const name = `${word} ${kind}${i >= PROVIDER_WORDS.length * PROVIDER_KINDS.length ? ` ${i}` : ''} (fictional)`;
    const slug = `${word}-${kind}`.toLowerCase().replace(/[^a-z]+/g, '-');
    return {
      id: r.uuid(),
      name,
      description: `${word} ${kind} is a made-up Demoshire organisation for the demonstration directory.`,
      email: `hello@${slug}.example.org`,
      website: `https://${slug}.example.org`,
    };
  });
  const entries: DirectoryEntry[] = [];
  for (let n = 0; n < count; n++) {
    const t = r.pick(TEMPLATES);
    const provider = r.pick(providers);
    const district = r.weighted({ DM1: 16, DM2: 14, DM3: 12, DM4: 18, DM5: 12, DM6: 10, DM7: 14, DM8: 2, DM9: 2 });
    const postcode = `${district} ${r.int(0, 9)}${r.pick([...UNIT_LETTERS])}${r.pick([...UNIT_LETTERS])}`;
    const town = TOWNS[district]!;
    const label = r.pick(t.names);
    const name = `${town} ${label}`;
    const minAge = Math.max(0, t.ages[0] + r.int(0, 2) - 1);
    const maxAge = Math.max(minAge, Math.min(25, t.ages[1] - r.int(0, 2)));
    const needs = t.needs === 'all' ? Object.keys(NEED_CODES) : t.needs.filter(() => r.chance(0.7));
    const paid = t.costs === 'paid' || (t.costs === 'either' && r.chance(0.5));
    const virtual = t.support === 'ADVICE' && r.chance(0.3);
    const reviewDue = addMonths(today, r.int(-4, 11)); // about a quarter already out of date
    entries.push({
      id: r.uuid(),
      organisation: provider,
      name: entries.some((e) => e.name === name) ? `${name} ${n}` : name,
      description: `${t.what} ${name} is a fictional service in the Demoshire demonstration directory.`,
      url: `${provider.website}/services/${n}`,
      email: r.chance(0.8) ? provider.email : null,
      minimumAge: minAge,
      maximumAge: maxAge,
      howToAccess: t.access.includes('SELF-REFERRAL')
        ? 'Phone or email the service to book a place or ask a question.'
        : t.access.includes('JOINTLY-REFERRAL')
          ? 'Ask for help using the partnership’s referral form; we will pass it on.'
          : 'Ask your GP, health visitor, school SENCo or social worker to refer you.',
      reviewDue,
      needs: needs.length ? needs : ['OTH'],
      supportTypes: [t.support],
      schedule2: t.schedule2,
      access: t.access,
      locations: virtual
        ? [{ type: 'virtual', name: 'By phone and online', accessibility: [] }]
        : [
            {
              id: r.uuid(),
              name: `${town} centre`,
              addressLine: `${r.int(1, 120)} ${r.pick(['Harbour', 'Mill', 'Station', 'Chapel', 'Orchard', 'Market'])} ${r.pick(['Road', 'Street', 'Lane', 'Way'])}`,
              city: town,
              county: 'Demoshire',
              postcode,
              ...demoPostcodePosition(postcode)!,
              accessibility: r.chance(0.8) ? ACCESSIBILITY.filter(() => r.chance(0.5)).slice(0, 3) : [],
            },
          ],
      contacts: [{ name: r.chance(0.5) ? 'Duty team' : null, title: 'Enquiries', email: provider.email, phone: `01632 ${String(r.int(100000, 999999))}` }],
      schedules: r.chance(0.85)
        ? [
            {
              freq: 'WEEKLY',
              byday: DAYS.filter(() => r.chance(0.5)).join(',') || 'MO',
              opensAt: r.pick(['09:00', '10:00', '15:30']),
              closesAt: r.pick(['12:00', '16:00', '18:00']),
              description: null,
            },
          ]
        : [],
      costs: paid
        ? [{ option: 'Per session', amountPence: r.pick([250, 400, 500, 800, 1200]), description: 'A carer comes free' }]
        : r.chance(0.9)
          ? [{ option: null, amountPence: 0, description: 'Free' }]
          : [],
      languages: [{ name: 'English', code: 'en' }, ...(r.chance(0.2) ? [{ name: 'British Sign Language', code: 'bfi' }] : [])],
    });
  }
  return entries;
}

export const DEMO_SERVICES = 320;

/** Seeds Demoshire's postcodes and directory through the Local Offer's own writers (inside the caller's transaction). */
export async function seedDemoLocalOffer(db: Db, today: string, count = DEMO_SERVICES): Promise<void> {
  await loadPostcodes(db, demoPostcodes());
  const owners = new Map(
    (await db.selectFrom('organisations').select(['id', 'code']).where('code', 'in', ['DEMO-PROV', 'DEMO-EDU']).execute()).map((o) => [o.code, o.id]),
  );
  const entries = demoDirectory(count, today);
  // The demo provider organisation keeps the first provider's entries, so its account has something
  // to edit; the council's SEND team keeps the rest.
  const first = entries[0]!.organisation;
  for (const e of entries) {
    if (e.organisation.id === first.id) e.organisation = { ...e.organisation, partnerOrganisationId: owners.get('DEMO-PROV') ?? null };
    e.ownerOrganisationId = (e.organisation.id === first.id ? owners.get('DEMO-PROV') : owners.get('DEMO-EDU')) ?? null;
  }
  await saveEntries(db, entries);
}
