// How the core record reads on a page: plain-English names for codes, dates as "27 March 2015",
// and the items for the GOV.UK form components. User text always goes out as `text`.
import { radioItems, yesNoItems } from '../../../platform/views/items.js';
import type { FieldError } from '../../../platform/http/errors.js';
import { ORGANISATION_TYPES } from '../../../platform/access/roles.js';
import { dateInput, withDate } from '../../../platform/date-input.js';
import { longDate } from '../../../platform/dates.js';
import { SECTIONS, type Section } from '../sharing/index.js';
import {
  CONSENT_GIVERS,
  CONSENT_METHODS,
  CONTACT_METHODS,
  ETHNICITY_CODES,
  NEED_CODES,
  RELATIONSHIPS,
  SEVERITY_BANDS,
  SEXES,
  STATUSES,
  ageText,
  displayName,
  formatNhsNumber,
} from './rules.js';
import { scopeValue } from './schema.js';
import type { ChildRow, FieldChange } from './service.js';
import { formList } from '../../../platform/http/form-values.js';

type Values = Record<string, unknown>;
const name = <T extends Record<string, string>>(table: T, code: string | null | undefined) => (code ? (table[code as keyof T] ?? code) : null);

export const needName = (code: string | null | undefined) => (code ? `${name(NEED_CODES, code)} (${code})` : null);

// ---------------------------------------------------------------------------------------------
// Form components

export const selectItems = (table: Record<string, string>, selected: unknown, placeholder: string) => [
  { value: '', text: placeholder, selected: !selected },
  ...Object.entries(table).map(([value, text]) => ({ value, text, selected: value === selected })),
];

export const needItems = (selected: unknown) =>
  Object.entries(NEED_CODES).map(([value, text]) => ({ value, text, checked: formList(selected).includes(value) }));

/** One set of checkboxes per organisation type: which parts of the record it may see. */
export function scopeFieldsets(values: Values, errors: FieldError[] | undefined, ownType: string) {
  const ticked = formList(values.scope);
  return Object.entries(ORGANISATION_TYPES).map(([type, label]) => {
    const error = errors?.find((e) => e.href === `#scope-${type}`);
    return {
      idPrefix: `scope-${type}`,
      name: 'scope',
      classes: 'govuk-checkboxes--small',
      fieldset: { legend: { text: type === ownType ? `${label} (your organisation)` : label, classes: 'govuk-fieldset__legend--s' } },
      ...(error ? { errorMessage: { text: error.text } } : {}),
      items: (Object.entries(SECTIONS) as [Section, string][]).map(([section, text]) => ({
        value: scopeValue(type, section),
        text,
        checked: ticked.includes(scopeValue(type, section)),
      })),
    };
  });
}

export const formTables = {
  need: NEED_CODES,
  sex: SEXES,
  ethnicity: ETHNICITY_CODES,
  severity: SEVERITY_BANDS,
  relationship: RELATIONSHIPS,
  contact: CONTACT_METHODS,
  consentGiver: CONSENT_GIVERS,
  consentMethod: CONSENT_METHODS,
  status: STATUSES,
};

/** The form's values from a stored child, for the edit page. */
export function valuesFromChild(c: ChildRow, criteriaIds: string[], today: string): Values {
  let v: Values = {
    givenName: c.given_name,
    familyName: c.family_name,
    preferredName: c.preferred_name ?? '',
    otherNames: c.other_names ?? '',
    sex: c.sex,
    ethnicity: c.ethnicity,
    addressLine1: c.address_line1 ?? '',
    addressLine2: c.address_line2 ?? '',
    town: c.town ?? '',
    postcode: c.postcode ?? '',
    nhsNumber: c.nhs_number ? formatNhsNumber(c.nhs_number) : '',
    upn: c.upn ?? '',
    councilId: c.council_id ?? '',
    primaryNeed: c.primary_need ?? '',
    secondaryNeeds: c.secondary_needs,
    hasEhcPlan: c.has_ehc_plan ? 'yes' : 'no',
    severity: c.severity ?? '',
    communicationNeeds: c.communication_needs ?? '',
    actsForSelf: c.acts_for_self ? 'yes' : 'no',
    status: c.status,
    criteria: criteriaIds,
    version: String(c.version),
  };
  v = withDate(v, 'dateOfBirth', c.date_of_birth);
  v = withDate(v, 'joinedOn', c.joined_on);
  v = withDate(v, 'statusOn', c.status_on);
  v = withDate(v, 'criteriaAssessedOn', today);
  return v;
}

// ---------------------------------------------------------------------------------------------
// The record page

type Row = { key: { text: string }; value: { text: string } };
const row = (key: string, value: string | null | undefined): Row => ({ key: { text: key }, value: { text: value || 'Not recorded' } });

export function recordRows(c: ChildRow, today: string) {
  const address = [c.address_line1, c.address_line2, c.town, c.postcode].filter(Boolean).join(', ');
  const about: Row[] = [
    row('Name', `${c.given_name} ${c.family_name}`),
    row('Preferred name', c.preferred_name),
    row('Other names', c.other_names),
    row('Date of birth', `${longDate(c.date_of_birth)} (${ageText(c.date_of_birth, today)})`),
    row('Sex', name(SEXES, c.sex)),
    row('Ethnicity', name(ETHNICITY_CODES, c.ethnicity)),
    row('Address', address),
    row('Locality', c.locality_name ?? (c.postcode ? 'Not in a configured locality' : null)),
    row('Acts for themselves', c.acts_for_self ? 'Yes: the young person makes their own decisions about this record' : 'No'),
  ];
  const identifiers: Row[] = [
    row('NHS number', c.nhs_number ? formatNhsNumber(c.nhs_number) : null),
    row('Unique pupil number (UPN)', c.upn),
    row('Council reference', c.council_id),
  ];
  const needs: Row[] = [
    row('Primary need', needName(c.primary_need)),
    row('Secondary needs', c.secondary_needs.map(needName).join(', ')),
    row('EHC plan', c.has_ehc_plan ? 'Yes' : 'No'),
    row('Severity', name(SEVERITY_BANDS, c.severity)),
    row('Communication needs', c.communication_needs),
  ];
  const register: Row[] = [
    row('Status', c.status === 'active' || !c.status_on ? name(STATUSES, c.status) : `${name(STATUSES, c.status)} since ${longDate(c.status_on)}`),
    row('Joined the register', longDate(c.joined_on)),
    row('Key worker', c.key_worker_name ? `${c.key_worker_name}${c.key_worker_organisation ? `, ${c.key_worker_organisation}` : ''}` : 'No key worker yet'),
  ];
  return { about, identifiers, needs, register };
}

export const childForNav = (c: { id: string; given_name: string; family_name: string; preferred_name: string | null }) => ({
  id: c.id,
  given_name: c.given_name,
  family_name: c.family_name,
  preferred_name: c.preferred_name,
});

export { displayName };

// ---------------------------------------------------------------------------------------------
// History

const FIELD_LABELS: Record<FieldChange['field'], string> = {
  given_name: 'First name',
  family_name: 'Last name',
  preferred_name: 'Preferred name',
  other_names: 'Other names',
  date_of_birth: 'Date of birth',
  sex: 'Sex',
  ethnicity: 'Ethnicity',
  address_line1: 'Address line 1',
  address_line2: 'Address line 2',
  town: 'Town or city',
  postcode: 'Postcode',
  nhs_number: 'NHS number',
  upn: 'UPN',
  council_id: 'Council reference',
  primary_need: 'Primary need',
  secondary_needs: 'Secondary needs',
  has_ehc_plan: 'EHC plan',
  severity: 'Severity',
  communication_needs: 'Communication needs',
  joined_on: 'Date joined',
  acts_for_self: 'Acts for themselves',
  status: 'Status',
  status_on: 'Date of status change',
  locality: 'Locality',
  criteria: 'Common definition of disability: criteria met',
};

function showValue(field: FieldChange['field'], value: unknown): string {
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) return 'None';
  // A history entry holds text, a number, a yes/no or a list of codes.
  const v = value as string | number | boolean;
  switch (field) {
    case 'sex':
      return name(SEXES, String(v)) ?? 'None';
    case 'ethnicity':
      return name(ETHNICITY_CODES, String(v)) ?? 'None';
    case 'primary_need':
      return needName(String(v)) ?? 'None';
    case 'secondary_needs':
      return (value as string[]).map((x) => needName(x)).join(', ');
    case 'severity':
      return name(SEVERITY_BANDS, String(v)) ?? 'None';
    case 'status':
      return name(STATUSES, String(v)) ?? 'None';
    case 'has_ehc_plan':
    case 'acts_for_self':
      return v ? 'Yes' : 'No';
    case 'date_of_birth':
    case 'joined_on':
    case 'status_on':
      return longDate(String(v));
    case 'nhs_number':
      return formatNhsNumber(String(v));
    case 'criteria':
      return (value as string[]).join(', ');
    default:
      return String(v);
  }
}

/** Each kind of history entry in plain words (an entry with no kind, or one not known, is a change). */
const HISTORY_EVENTS: Record<string, (e: { source?: string }) => string> = {
  registered: () => 'Joined the register',
  edited: () => 'Record changed',
  imported: (e) => `Added to the register from ${e.source ?? 'an agency’s records'}`,
  import: (e) => `Updated from ${e.source ?? 'an agency’s records'}`,
  merged: () => 'Merged with another record',
  unmerged: () => 'Merge undone',
};

export function historyEntries(rows: { id: string; at: Date; changes: string; display_name: string | null; organisation_name: string | null }[]) {
  return rows.map((r) => {
    let parsed: { event?: string; source?: string; fields?: FieldChange[]; changes?: FieldChange[] } = {};
    try {
      parsed = JSON.parse(r.changes) as typeof parsed;
    } catch {
      /* an entry written by hand: shown as a change with no details */
    }
    return {
      at: r.at,
      who: r.display_name ? `${r.display_name}${r.organisation_name ? `, ${r.organisation_name}` : ''}` : 'The system',
      summary: (parsed.event ? HISTORY_EVENTS[parsed.event] : undefined)?.(parsed) ?? 'Record changed',
      // An edit lists its fields; an import its changes.
      changes: (parsed.fields ?? (Array.isArray(parsed.changes) ? parsed.changes : [])).map((f) => ({
        label: FIELD_LABELS[f.field] ?? f.field,
        before: showValue(f.field, f.before),
        after: showValue(f.field, f.after),
      })),
    };
  });
}

/** The fields the child's part of a form shows, for the register and edit pages alike. */
export function childFormData(values: Values, errors: FieldError[] | undefined) {
  return {
    values,
    errors,
    sexItems: radioItems(formTables.sex, values.sex),
    ethnicityItems: selectItems(formTables.ethnicity, values.ethnicity, 'Choose ethnicity'),
    primaryNeedItems: selectItems(formTables.need, values.primaryNeed, 'No primary need recorded'),
    secondaryNeedItems: needItems(values.secondaryNeeds),
    ehcItems: yesNoItems(values.hasEhcPlan),
    severityItems: [...radioItems(formTables.severity, values.severity), { value: '', text: 'Not yet assessed', checked: !values.severity }],
    actsForSelfItems: yesNoItems(values.actsForSelf),
    dateOfBirth: dateInput('dateOfBirth', values, errors, 'Date of birth', 'For example, 27 3 2015'),
    joinedOn: dateInput('joinedOn', values, errors, 'Date joined the register', 'Usually today'),
  };
}

/** Everything views/register.njk shows: the child, their first parent or carer, and consent. Referrals reuse it. */
export function registerFormData(values: Values, errors: FieldError[] | undefined, ownType: string) {
  return {
    ...childFormData(values, errors),
    relationshipItems: selectItems(formTables.relationship, values.parentRelationship, 'Choose relationship'),
    prItems: yesNoItems(values.parentalResponsibility),
    contactItems: [
      { value: '', text: 'No preference', checked: !values.parentPreferredContact },
      ...radioItems(formTables.contact, values.parentPreferredContact),
    ],
    consentGiverItems: radioItems(formTables.consentGiver, values.consentGivenBy),
    consentMethodItems: radioItems(formTables.consentMethod, values.consentMethod),
    consentGivenOn: dateInput('consentGivenOn', values, errors, 'Date consent was given'),
    consentReviewOn: dateInput('consentReviewOn', values, errors, 'Date to review consent (optional)', 'For example, a year from now'),
    scopeFieldsets: scopeFieldsets(values, errors, ownType),
    ownTypeName: ORGANISATION_TYPES[ownType as keyof typeof ORGANISATION_TYPES] ?? ownType,
  };
}

/** A form's values carried through the possible-duplicates page as hidden fields. */
export function hiddenFields(body: Values) {
  const out: { name: string; value: string }[] = [];
  for (const [name, v] of Object.entries(body)) {
    if (name === '_csrf' || name === 'confirmed' || name === '_action') continue;
    for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') out.push({ name, value: x });
  }
  return out;
}
