// From the panels' data to the govuk macros' parameters.
import { ORGANISATION_TYPES } from '../../../platform/access/roles.js';
import { longDate } from '../../../platform/dates.js';

type Person = { id: string; display_name: string; organisation_name: string };
type Partner = { id: string; short_name: string; organisation_name: string };

export const personItems = (people: Person[], selected: unknown, placeholder: string) => [
  { value: '', text: placeholder },
  ...people.map((p) => ({ value: p.id, text: `${p.display_name} (${p.organisation_name})`, selected: p.id === selected })),
];

export const partnerItems = (partners: Partner[], selected: unknown) => [
  { value: '', text: 'None: they do not commit money' },
  ...partners.map((p) => ({ value: p.id, text: `${p.short_name} (${p.organisation_name})`, selected: p.id === selected })),
];

export const agencyItems = (chosen: readonly string[]) =>
  Object.entries(ORGANISATION_TYPES).map(([value, text]) => ({ value, text, checked: chosen.includes(value) }));

export const ROLE_NAMES = { chair: 'Chair', member: 'Member', adviser: 'Adviser' } as const;
export const roleItems = (selected: unknown) => Object.entries(ROLE_NAMES).map(([value, text]) => ({ value, text, checked: value === selected }));

export const STATUS_NAMES = { planned: 'Planned', published: 'Papers published', held: 'Held', cancelled: 'Cancelled' } as const;
export const STATUS_TAGS = { planned: 'govuk-tag--grey', published: 'govuk-tag--blue', held: 'govuk-tag--green', cancelled: 'govuk-tag--red' } as const;

export const agencyNames = (types: readonly string[]) => types.map((t) => ORGANISATION_TYPES[t as keyof typeof ORGANISATION_TYPES] ?? t);

export const day = (iso: string | null | undefined) => (iso ? longDate(iso) : '');
