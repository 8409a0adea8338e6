// Shaping rows for the pages of a child's record: names and labels in plain English.
import { SECTIONS, SECTION_SHORT as SHARING_SECTION_SHORT, type Section } from '../sharing/index.js';

export const childName = (c: { given_name: string; family_name: string; preferred_name: string | null }) =>
  `${c.preferred_name?.trim() || c.given_name} ${c.family_name}`;

/** What the sub-navigation partial needs, and nothing more. */
export const navChild = (c: { id: string; given_name: string; family_name: string; preferred_name: string | null }) => ({
  id: c.id,
  given_name: c.given_name,
  family_name: c.family_name,
  preferred_name: c.preferred_name,
});

/**
 * Short names for the sections, for the chronology's "part of the record" column and select:
 * sharing's, but an event filed under "about me" is not itself the chronology.
 */
export const SECTION_SHORT: Record<Section, string> = { ...SHARING_SECTION_SHORT, 'about-me': 'About me' };

export const sectionItems = (sections: ReadonlySet<Section>, selected?: unknown) =>
  (Object.keys(SECTIONS) as Section[])
    .filter((s) => sections.has(s))
    .map((s) => ({ value: s, text: SECTION_SHORT[s], selected: s === selected, hint: { text: SECTIONS[s] } }));
