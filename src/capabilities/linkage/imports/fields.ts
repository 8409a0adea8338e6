// The register fields an agency's columns can be mapped to, with the linker role each feeds and
// the children column it fills. One list, used by the mapping form, the row rules, the linker
// records and the provenance section.

export const FIELDS = {
  given_name: { label: 'Given name', role: 'given_name', column: 'given_name', required: true },
  middle_name: { label: 'Middle or other names', role: 'middle_name', column: 'other_names', required: false },
  family_name: { label: 'Family name', role: 'family_name', column: 'family_name', required: true },
  birth_date: { label: 'Date of birth', role: 'birth_date', column: 'date_of_birth', required: true },
  sex: { label: 'Sex', role: 'sex', column: 'sex', required: false },
  address_line1: { label: 'Address line 1', role: 'address', column: 'address_line1', required: false },
  address_line2: { label: 'Address line 2', role: 'address', column: 'address_line2', required: false },
  town: { label: 'Town or city', role: 'town', column: 'town', required: false },
  postcode: { label: 'Postcode', role: 'postcode', column: 'postcode', required: false },
  nhs_number: { label: 'NHS number', role: 'identifier:nhs_number', column: 'nhs_number', required: false },
  upn: { label: 'Unique Pupil Number (UPN)', role: 'identifier:upn', column: 'upn', required: false },
  council_id: { label: 'Council reference', role: 'identifier:council_id', column: 'council_id', required: false },
} as const;

export type Field = keyof typeof FIELDS;
export const FIELD_KEYS = Object.keys(FIELDS) as Field[];
export const isField = (s: string): s is Field => Object.hasOwn(FIELDS, s);
export type ChildColumn = (typeof FIELDS)[Field]['column'];
/** The children columns that agencies' records fill, and so the ones the linker compares. */
export const CHILD_COLUMNS: readonly ChildColumn[] = FIELD_KEYS.map((f) => FIELDS[f].column);

/** The identifiers the register holds once: a child's record may hold each only if no other child does. */
export const IDENTIFIER_FIELDS = ['nhs_number', 'upn', 'council_id'] as const satisfies readonly Field[];

export const SOURCE_KINDS = { education: 'Education', health: 'Health', 'social-care': 'Social care', provider: 'Provider' } as const;
export type SourceKind = keyof typeof SOURCE_KINDS;

export const DATE_FORMATS = {
  'YYYY-MM-DD': 'YYYY-MM-DD (2015-03-31)',
  YYYYMMDD: 'YYYYMMDD (20150331)',
  'DD/MM/YYYY': 'DD/MM/YYYY (31/03/2015)',
  'DD-MM-YYYY': 'DD-MM-YYYY (31-03-2015)',
  'MM/DD/YYYY': 'MM/DD/YYYY (03/31/2015)',
} as const;
export type DateFormat = keyof typeof DATE_FORMATS;
export const isDateFormat = (s: string): s is DateFormat => Object.hasOwn(DATE_FORMATS, s);

/** Register field -> the agency's column name. */
export type Mapping = Partial<Record<Field, string>>;

/** A row's values after the register's rules: identifiers compacted, dates ISO, postcodes formatted. */
export type RowValues = Partial<Record<Field, string>>;

export const OUTCOMES = {
  create: 'New record',
  update: 'Update',
  link: 'Link to a record',
  // A new record too: made, then put to a person in case it is someone already on the register.
  review: 'New record, sent for review',
  invalid: 'Invalid',
  unchanged: 'No change',
} as const;
export type Outcome = keyof typeof OUTCOMES;
