// The disputes' forms. Dates and percentages are read the way the budgets read them, so a bad
// share or date is worded the same on every form.
import { z } from 'zod';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { FIRST_LEDGER_DAY, LAST_LEDGER_DAY, readDate, parsePercent, type Share } from '../../money/budgets/index.js';
import { DEFAULT_INTERIM, MAX_LADDER_STEPS, validateLadder, type LadderStep } from './rules.js';
import { formText } from '../../../platform/http/form-values.js';

type Body = Record<string, unknown>;

const text = (what: string, max: number, name: string) =>
  z
    .string({ message: `Enter ${what}` })
    .trim()
    .min(1, `Enter ${what}`)
    .max(max, `${name} must be ${max} characters or fewer`);
const version = z.coerce.number({ message: 'The form is out of date. Reload the page and try again' }).int().min(1);

/** The ladder's rows: a row left wholly blank is ignored; rows are numbered as they are on the form. */
export function parseLadderForm(body: Body): { steps: LadderStep[]; previous: string } {
  const errors: FieldError[] = [];
  const steps: LadderStep[] = [];
  const rows: { n: number; name: string; days: string }[] = [];
  for (let n = 1; n <= MAX_LADDER_STEPS; n++) rows.push({ n, name: formText(body[`step${n}Name`]), days: formText(body[`step${n}Days`]) });
  const filled = rows.filter((r) => r.name || r.days);
  for (const [i, r] of filled.entries()) {
    if (r.n !== i + 1) {
      errors.push({
        text: `Step ${i + 1} is blank but step ${r.n} is filled in: fill the steps in order, with no blank rows between them`,
        href: `#step${i + 1}Name`,
      });
      break;
    }
    if (r.days && !/^\d{1,3}$/.test(r.days))
      errors.push({ text: `Step ${r.n} must allow a whole number of days from 1 to 365, like 10`, href: `#step${r.n}Days` });
    else if (!r.days) errors.push({ text: `Enter how many days step ${r.n} allows`, href: `#step${r.n}Days` });
    steps.push({ name: r.name, days: r.days && /^\d{1,3}$/.test(r.days) ? Number(r.days) : 1 });
  }
  if (errors.length === 0) errors.push(...validateLadder(steps));
  const seen = new Set<string>();
  const unique = errors.filter((e) => (seen.has(e.href) ? false : (seen.add(e.href), true)));
  if (unique.length) throw new ValidationError(unique);
  return { steps, previous: typeof body.previous === 'string' ? body.previous : '' };
}

export const raiseForm = z
  .object({
    reason: text('why your partner disputes its share', 4000, 'The reason'),
    interimChoice: z.enum(['as-decided', 'other'], { message: 'Choose who pays while the dispute is open' }),
    interimOther: z
      .string()
      .optional()
      .transform((v) => (v ?? '').trim()),
  })
  .superRefine((v, ctx) => {
    if (v.interimChoice === 'other' && !v.interimOther)
      ctx.addIssue({ code: 'custom', path: ['interimOther'], message: 'Enter who pays while the dispute is open' });
    if (v.interimOther.length > 1000)
      ctx.addIssue({ code: 'custom', path: ['interimOther'], message: 'Who pays while the dispute is open must be 1000 characters or fewer' });
  })
  .transform((v) => ({ reason: v.reason, interim: v.interimChoice === 'as-decided' ? DEFAULT_INTERIM : v.interimOther }));

export const escalateForm = z.object({
  note: text('why the dispute is being escalated', 4000, 'The note'),
  version,
});

export const withdrawForm = z.object({
  note: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(4000, 'The note must be 4000 characters or fewer'))
    .transform((v) => v || 'Withdrawn by the partner that raised it: the split as decided stands'),
  version,
});

/**
 * The resolution: the agreed split (a percentage for each partner) from a date (and, if given, until
 * a date), a note, and the version of the package the resolver saw (a hidden field), so the split
 * is applied to those terms or refused as out of date.
 */
export function parseResolveForm(
  body: Body,
  paying: readonly { id: string; name: string }[],
): { from: string; until: string | null; shares: Share[]; note: string; version: number; packageVersion: number } {
  const errors: FieldError[] = [];
  const partnerIds = paying.map((p) => p.id);
  // A share for a partner that pays nothing now (typed into a crafted form) is refused, not ignored.
  for (const [key, value] of Object.entries(body)) {
    const id = key.startsWith('share-') ? key.slice(6) : null;
    if (id === null || partnerIds.includes(id) || !formText(value) || formText(value) === '0') continue;
    errors.push({
      text: `Only the partners paying a share of the package now (${paying.map((p) => p.name).join(' and ') || 'none'}) can take a share of the agreed split: leave out any other partner`,
      href: '#shares', // that partner has no box on the form: point at the shares as a whole
    });
    break;
  }
  const from = inLedgerRange(readDate(body, 'from', 'the date the agreed split starts', true), 'from', 'The date the agreed split starts');
  if (!from.ok) errors.push(from.error);
  const until = inLedgerRange(readDate(body, 'until', 'the last day the agreed split applies', false), 'until', 'The last day the agreed split applies');
  if (!until.ok) errors.push(until.error);
  else if (from.ok && from.value !== null && until.value !== null && until.value < from.value)
    errors.push({ text: 'The last day the agreed split applies must be on or after the day it starts', href: '#until-day' });
  const shares: Share[] = [];
  for (const id of partnerIds) {
    const raw = formText(body[`share-${id}`]);
    if (!raw || raw === '0') continue;
    const bp = parsePercent(raw);
    if (bp === null) errors.push({ text: 'Enter each share as a percentage from 0 to 100, with no more than 2 decimal places', href: `#share-${id}` });
    else shares.push({ partnerId: id, bp });
  }
  if (shares.length === 0 && !errors.some((e) => e.href.startsWith('#share-')))
    errors.push({ text: 'Enter at least one partner’s share of the agreed split', href: `#share-${partnerIds[0] ?? 'none'}` });
  const rest = z.object({ note: text('what was agreed and by whom', 4000, 'The resolution note'), version, packageVersion: version }).safeParse(body);
  if (!rest.success)
    for (const i of rest.error.issues) errors.push({ text: i.message, href: i.path[0] === 'packageVersion' ? '#main-content' : `#${String(i.path[0])}` });
  if (errors.length) throw new ValidationError(errors);
  return {
    from: (from as { value: string }).value,
    until: (until as { value: string | null }).value,
    shares,
    note: rest.data!.note,
    version: rest.data!.version,
    packageVersion: rest.data!.packageVersion,
  };
}

type DateRead = ReturnType<typeof readDate>;
/** The ledger holds money from 1 April 2000 to 31 March 2200: a date outside cannot be posted (and 31/12/9999 would overflow the date arithmetic). */
function inLedgerRange(r: DateRead, field: string, The: string): DateRead {
  if (!r.ok || r.value === null || (r.value >= FIRST_LEDGER_DAY && r.value <= LAST_LEDGER_DAY)) return r;
  return { ok: false, error: { text: `${The} must be between 1 April 2000 and 31 March 2200`, href: `#${field}-day` } };
}
