// The demo area's register settings: its localities (keyed on fictional "DM" postcodes) and its
// common definition of disability. Every place and postcode here is invented. The criteria are
// written for Demoshire in plain English, after the idea of an area-wide agreed definition (such
// as the one a London borough's children's trust agreed across agencies); they are not a copy of it.
import type { Db } from '../platform/db/database.js';
import { setAreaContact } from '../capabilities/record/area-settings/service.js';

export const DEMO_LOCALITIES = [
  { code: 'NORTH', name: 'North Demoshire', prefixes: ['DM1', 'DM2', 'DM3'] },
  { code: 'SOUTH', name: 'South Demoshire', prefixes: ['DM5', 'DM6', 'DM7', 'DM2 3'] },
  { code: 'TOWN', name: 'Demoshire Town', prefixes: ['DM4', 'DM1 4', 'DM1 5'] },
] as const;

export const DEMO_DISABILITY_CRITERIA = [
  {
    code: 'DEVELOPMENT',
    description:
      'Has a significant delay or impairment, present from birth or acquired later, in learning, physical development, senses, communication, or social, emotional or behavioural development',
  },
  {
    code: 'CONDITION',
    description: 'Has a diagnosed condition that is very likely to lead to developmental delay or to abilities getting worse over time',
  },
  {
    code: 'BARRIERS',
    description:
      'Faces barriers, because of their impairment or condition, that stop them doing as well as they could in health, learning, safety or everyday life',
  },
  {
    code: 'LONG-TERM',
    description: 'The impairment or condition has lasted, or is expected to last, at least a year, or can come back',
  },
  {
    code: 'DAILY-LIVING',
    description: 'Needs much more help with everyday activities (washing, eating, moving about, keeping safe) than others of the same age',
  },
  {
    code: 'TWO-AGENCIES',
    description: 'Needs support from two or more agencies (for example education, health and social care) because of their disability',
  },
] as const;

/** Inserts the demo localities and criteria (inside the caller's transaction). */
export async function seedRegisterConfig(db: Db): Promise<void> {
  for (const l of DEMO_LOCALITIES) {
    const row = await db.insertInto('localities').values({ code: l.code, name: l.name }).returning('id').executeTakeFirstOrThrow();
    await db
      .insertInto('locality_postcodes')
      .values(l.prefixes.map((prefix) => ({ prefix, locality_id: row.id })))
      .execute();
  }
  await db
    .insertInto('disability_criteria')
    .values(DEMO_DISABILITY_CRITERIA.map((c, i) => ({ code: c.code, description: c.description, position: i + 1 })))
    .execute();
  await setAreaContact(db, null, DEMO_AREA_CONTACT, 0);
}

/** Fictional: 01632 960 is Ofcom's range for drama, example.org is reserved, and Demotown does not exist. */
export const DEMO_AREA_CONTACT = {
  team: 'Demoshire SEND Information and Advice Service (fictional)',
  telephone: '01632 960 000',
  email: 'send-advice@demoshire.example.org',
  address: 'Demoshire Council\nCounty Hall\nDemotown\nDM1 1AA',
  openingHours: 'Monday to Friday, 9am to 5pm',
};

/** Council references of the demo population's children start with this, so its money and checks can find them. */
export const DEMO_COUNCIL_ID_PREFIX = 'DEMO-POP-';
