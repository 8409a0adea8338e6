// The scenario form, read field by field: which fields are needed depends on the kind of change.
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { formText } from '../../../platform/http/form-values.js';
import { isSetting, SETTINGS, type Adjustment } from './rules.js';

export const KINDS = {
  shift: 'A share of children in one setting are in another instead',
  places: 'New places open in a setting, filled from another',
  joiners: 'More or fewer new children each year',
} as const;

export interface ScenarioForm {
  name: string;
  adjustment: Adjustment;
}

const wholeNumber = (raw: string) => (/^-?\d{1,6}$/.test(raw) ? Number(raw) : null);

export function readScenarioForm(body: Record<string, unknown> | undefined, thisYear: number): ScenarioForm {
  const f = (k: string) => formText(body?.[k]);
  const errors: FieldError[] = [];
  const name = f('name');
  if (!name) errors.push({ text: 'Enter a name for the scenario', href: '#name' });
  else if (name.length > 120) errors.push({ text: 'The name must be 120 characters or fewer', href: '#name' });
  const kind = f('kind');
  if (!(kind in KINDS)) {
    errors.push({ text: 'Choose what changes in this scenario', href: '#kind' });
    throw new ValidationError(errors);
  }
  const setting = (k: 'from' | 'to', what: string) => {
    const v = f(k);
    if (isSetting(v)) return v;
    errors.push({ text: `Choose the setting ${what}`, href: `#${k}` });
    return 'mainstream' as const;
  };
  let adjustment: Adjustment;
  if (kind === 'joiners') {
    const percent = wholeNumber(f('joinersPercent'));
    if (percent === null)
      errors.push({ text: 'Enter the change in new children each year as a whole number of per cent, like 10 or -10', href: '#joinersPercent' });
    else if (percent < -100)
      errors.push({
        text: `New children cannot fall by ${-percent}%: that would make fewer than none. Enter a change of -100% or more`,
        href: '#joinersPercent',
      });
    else if (percent > 100) errors.push({ text: 'Enter a change of 100% or less', href: '#joinersPercent' });
    adjustment = { kind: 'joiners', percent: percent ?? 0 };
  } else {
    const from = setting('from', 'children come from');
    const to = setting('to', 'children go to');
    if (isSetting(f('from')) && from === to) errors.push({ text: 'Choose a different setting for children to go to', href: '#to' });
    if (kind === 'shift') {
      const percent = wholeNumber(f('shiftPercent'));
      if (percent === null || percent < 0 || percent > 100)
        errors.push({ text: 'Enter the share that moves as a whole number of per cent from 0 to 100', href: '#shiftPercent' });
      adjustment = { kind: 'shift', from, to, percent: percent ?? 0 };
    } else {
      const places = wholeNumber(f('places'));
      if (places === null || places < 1 || places > 10000)
        errors.push({ text: 'Enter the number of places as a whole number from 1 to 10,000', href: '#places' });
      const year = wholeNumber(f('openingYear'));
      if (year === null || year < thisYear || year > thisYear + 5)
        errors.push({ text: `Enter the year it opens, from ${thisYear} to ${thisYear + 5}`, href: '#openingYear' });
      adjustment = { kind: 'places', from, to, places: places ?? 1, openingYear: year ?? thisYear };
    }
  }
  if (errors.length) throw new ValidationError(errors);
  return { name, adjustment };
}

/** A scenario's change in plain words. */
export function describeAdjustment(a: Adjustment): string {
  const s = (k: keyof typeof SETTINGS) => SETTINGS[k].toLowerCase();
  if (a.kind === 'joiners') return `${a.percent >= 0 ? `${a.percent}% more` : `${-a.percent}% fewer`} new children each year than the trend`;
  if (a.kind === 'shift') return `${a.percent}% of the children who would be in ${s(a.from)} settings are in ${s(a.to)} settings instead`;
  return `${a.places} places in ${s(a.to)} settings open in September ${a.openingYear}, filled from ${s(a.from)} settings`;
}
