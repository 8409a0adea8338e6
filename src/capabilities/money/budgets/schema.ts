// The budgets' forms. Money goes through money.ts and percentages through split.ts, so every
// form words a bad amount or share the same way. Date inputs are GOV.UK day/month/year boxes.
import { z } from 'zod';
import { isIsoDate } from '../../../platform/dates.js';
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { toFieldErrors } from '../../../platform/http/forms.js';
import { datePartsToIso } from '../../../platform/date-input.js';
import { parsePositiveMoney } from '../../../platform/money.js';
import { addDays } from '../../../platform/financial-year.js';
import { parsePercent, type Split } from './split.js';
import { LEGAL_BASES } from './agreements.js';
import { formText } from '../../../platform/http/form-values.js';
import { STALE_FORM } from '../../../platform/http/form-fields.js';

type Body = Record<string, unknown>;

/** A date from the three boxes: null when empty and optional; else an error message. */
export function readDate(body: Body, field: string, what: string, required: boolean): { ok: true; value: string | null } | { ok: false; error: FieldError } {
  const v = datePartsToIso(body, field);
  const The = what.charAt(0).toUpperCase() + what.slice(1);
  const fail = (text: string) => ({ ok: false as const, error: { text, href: `#${field}-day` } });
  if (v === undefined) return required ? fail(`Enter ${what}`) : { ok: true, value: null };
  if (v === 'incomplete') return fail(`${The} must include a day, month and year`);
  if (v === 'not-a-date' || !isIsoDate(v)) return fail(`${The} must be a real date, like 27 3 2025`);
  if (v < FIRST_LEDGER_DAY || v > LAST_LEDGER_DAY) return fail(`${The} must be between 1 April 2000 and 31 March 2200`);
  return { ok: true, value: v };
}

/** The ledger holds financial years 2000 to 2199 (a check in migrations/0007): money dates stay inside them. */
export const FIRST_LEDGER_DAY = '2000-04-01';
export const LAST_LEDGER_DAY = '2200-03-31';

/** Collects field errors; throws them all at once. */
class Collector {
  errors: FieldError[] = [];
  add(e: FieldError) {
    if (!this.errors.some((x) => x.href === e.href)) this.errors.push(e);
  }
  date(body: Body, field: string, what: string, required: true): string;
  date(body: Body, field: string, what: string, required: false): string | null;
  date(body: Body, field: string, what: string, required: boolean): string | null {
    const r = readDate(body, field, what, required);
    if (!r.ok) {
      this.add(r.error);
      return required ? '' : null;
    }
    return r.value;
  }
  money(body: Body, field: string, what: string): number {
    const r = parsePositiveMoney(formText(body[field]), what);
    if (!r.ok) {
      this.add({ text: r.message, href: `#${field}` });
      return 0;
    }
    return r.pence;
  }
  zod<S extends z.ZodType>(schema: S, body: Body): z.infer<S> | undefined {
    const r = schema.safeParse(body);
    if (!r.success) for (const e of toFieldErrors(r.error)) this.add(e);
    return r.success ? r.data : undefined;
  }
  done() {
    if (this.errors.length) throw new ValidationError(this.errors);
  }
}

const text = (what: string, max: number, field?: string) =>
  z
    .string({ message: `Enter ${what}` })
    .trim()
    .min(1, `Enter ${what}`)
    .max(max, `${(field ?? what).charAt(0).toUpperCase() + (field ?? what).slice(1)} must be ${max} characters or fewer`);
const optionalText = (max: number, name: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(max, `${name} must be ${max} characters or fewer`))
    .transform((v) => v || null);
/** A choice that must be made from a select or radios: `message` when none is. */
const choice = (message: string) => z.string({ message }).min(1, message);
/** A choice that may be left unmade: null when none is. */
const optionalChoice = z
  .string()
  .optional()
  .transform((v) => v || null);
/** The one-time token that makes sending a money form twice record it once. */
const formToken = z.string({ message: STALE_FORM }).uuid(STALE_FORM);

export const partnerForm = z.object({
  organisationId: choice('Select the organisation'),
  shortName: text('a short name, like Health or Social care', 60, 'the short name'),
});

const poolFields = z.object({
  name: text('the name of the agreement', 200, 'the name'),
  code: z
    .string({ message: 'Enter a code for the agreement' })
    .trim()
    .toUpperCase()
    .pipe(
      z
        .string()
        .min(1, 'Enter a code for the agreement')
        .regex(/^[A-Z0-9-]{2,20}$/, 'Code must be 2 to 20 capital letters, digits or hyphens, like SHORT-BREAKS'),
    ),
  arrangement: z.enum(['pooled', 'aligned'], { message: 'Select whether the money is pooled or aligned' }),
  legalBasis: z.enum(Object.keys(LEGAL_BASES) as [keyof typeof LEGAL_BASES], { message: 'Select the legal basis of the agreement' }),
  legalBasisNote: optionalText(1000, 'The explanation of the legal basis'),
  hostPartnerId: optionalChoice,
});

export function parsePoolForm(body: Body) {
  const c = new Collector();
  const fields = c.zod(poolFields, body);
  const startsOn = c.date(body, 'startsOn', 'the date the agreement starts', true);
  c.done();
  return { ...fields!, startsOn };
}

export function parseYearForm(body: Body, partnerIds: string[]) {
  const c = new Collector();
  const fy = Number(formText(body.financialYear));
  if (!Number.isInteger(fy) || fy < 2000 || fy > 2200) c.add({ text: 'Select the financial year', href: '#financialYear' });
  const shares: { partnerId: string; bp: number }[] = [];
  for (const id of partnerIds) {
    const raw = formText(body[`share-${id}`]);
    if (!raw) continue;
    const bp = parsePercent(raw);
    if (bp === null) c.add({ text: 'Enter each share as a percentage from 0 to 100, with no more than 2 decimal places, like 33.33', href: `#share-${id}` });
    else shares.push({ partnerId: id, bp });
  }
  c.done();
  return { financialYear: fy, shares };
}

export function parseContributionForm(body: Body) {
  const c = new Collector();
  const fields = c.zod(
    z.object({
      financialYear: z.coerce.number({ message: 'Select the financial year' }).int('Select the financial year').min(2000, 'Select the financial year'),
      partnerId: choice('Select the partner'),
      serviceCategory: choice('Select the kind of service'),
      reason: text('what the contribution is for', 500, 'the description'),
      token: formToken,
    }),
    body,
  );
  const amountPence = c.money(body, 'amount', 'the amount');
  const postedOn = c.date(body, 'postedOn', 'the date of the contribution', true);
  c.done();
  return { ...fields!, amountPence, postedOn };
}

export const MAX_SPLIT_PARTS = 3;

/** '2.5' units → 250 hundredths, or null. */
export function parseUnits(raw: string): number | null {
  const m = /^(\d{1,4})(?:\.(\d{1,2}))?$/.exec(raw.trim());
  if (!m) return null;
  const n = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return n > 0 ? n : null;
}

/**
 * A package form: its terms and its funding split in up to three parts. Part 1 starts when the
 * package starts; each later part starts on the date given and the part before it ends the day
 * before. Each part gives each partner's share as a percentage.
 */
export function parsePackageForm(body: Body, partnerIds: string[], opts: { needsChild: boolean }) {
  const c = new Collector();
  const fields = c.zod(
    z.object({
      serviceCategory: choice('Select the kind of service'),
      service: text('what the package provides', 200, 'the description of the service'),
      providerId: optionalChoice,
      frequency: z.enum(['week', 'month'], { message: 'Select whether the units are a week or a month' }),
      reason: text('why the package is being set up or changed', 500, 'the reason'),
    }),
    body,
  );
  const childReference = formText(body.childReference);
  if (opts.needsChild && !childReference) c.add({ text: 'Enter the child’s reference, like C-1A2B-3C4D-5E6F', href: '#childReference' });
  const unitCostPence = c.money(body, 'unitCost', 'the cost of one unit');
  const unitsRaw = formText(body.units);
  const unitsX100 = parseUnits(unitsRaw);
  if (!unitsRaw) c.add({ text: 'Enter how many units', href: '#units' });
  else if (unitsX100 === null) c.add({ text: 'Units must be a number more than 0 with no more than 2 decimal places, like 2.5', href: '#units' });
  const startsOn = c.date(body, 'startsOn', 'the date the package starts', true);
  const endsOn = c.date(body, 'endsOn', 'the date the package ends', false);
  const reviewOn = c.date(body, 'reviewOn', 'the review date', false);
  if (startsOn && endsOn && endsOn < startsOn) c.add({ text: 'The package cannot end before it starts', href: '#endsOn-day' });

  const parts: { from: string; shares: { partnerId: string; bp: number }[] }[] = [];
  for (let n = 1; n <= MAX_SPLIT_PARTS; n++) {
    const from = n === 1 ? startsOn : c.date(body, `split${n}From`, `the date part ${n} of the split starts`, false);
    const shares: { partnerId: string; bp: number }[] = [];
    let bad = false;
    for (const id of partnerIds) {
      const raw = formText(body[`split${n}-${id}`]);
      if (!raw || raw === '0') continue;
      const bp = parsePercent(raw);
      if (bp === null) {
        bad = true;
        c.add({ text: `Enter each share in part ${n} as a percentage from 0 to 100, with no more than 2 decimal places`, href: `#split${n}-${id}` });
      } else shares.push({ partnerId: id, bp });
    }
    if (n > 1 && !from && shares.length === 0) continue;
    if (n > 1 && !from) {
      c.add({ text: `Enter the date part ${n} of the split starts`, href: `#split${n}From-day` });
      continue;
    }
    if (!bad && shares.length === 0) {
      c.add({
        text: n === 1 ? 'Enter at least one partner’s share of the cost' : `Enter at least one partner’s share in part ${n}`,
        href: n === 1 ? '#split-1' : `#split-${n}`,
      });
      continue;
    }
    if (from) parts.push({ from, shares });
  }
  for (let i = 1; i < parts.length; i++) {
    if (parts[i]!.from <= parts[i - 1]!.from) {
      c.add({ text: `Part ${i + 1} of the split must start after part ${i} starts`, href: `#split${i + 1}From-day` });
    }
  }
  if (endsOn) {
    const late = parts.findIndex((p) => p.from > endsOn);
    if (late > 0) c.add({ text: `Part ${late + 1} of the split starts after the package ends`, href: `#split${late + 1}From-day` });
  }
  c.done();
  const split: Split = parts.map((p, i) => ({ from: p.from, to: i < parts.length - 1 ? addDays(parts[i + 1]!.from, -1) : endsOn, shares: p.shares }));
  return {
    ...fields!,
    childReference,
    unitCostPence,
    unitsX100: unitsX100!,
    startsOn,
    endsOn,
    reviewOn,
    split,
  };
}

export function parseInvoiceForm(body: Body) {
  const c = new Collector();
  const fields = c.zod(
    z.object({
      providerId: choice('Select the provider that sent the invoice'),
      supplierReference: text('the invoice number the provider gave it', 60, 'the invoice number'),
      packageId: optionalChoice,
      description: optionalText(500, 'The description'),
    }),
    body,
  );
  const serviceFrom = c.date(body, 'serviceFrom', 'the first day the invoice is for', true);
  const serviceTo = c.date(body, 'serviceTo', 'the last day the invoice is for', true);
  const receivedOn = c.date(body, 'receivedOn', 'the date the invoice was received', true);
  const amountPence = c.money(body, 'amount', 'the amount');
  if (serviceFrom && serviceTo && serviceTo < serviceFrom) c.add({ text: 'The period the invoice is for cannot end before it starts', href: '#serviceTo-day' });
  c.done();
  return { ...fields!, serviceFrom, serviceTo, receivedOn, amountPence };
}

export function parsePaymentForm(body: Body) {
  const c = new Collector();
  const fields = c.zod(
    z.object({
      reference: optionalText(100, 'The payment reference'),
      token: formToken,
    }),
    body,
  );
  const amountPence = c.money(body, 'amount', 'the amount paid');
  const paidOn = c.date(body, 'paidOn', 'the date it was paid', true);
  c.done();
  return { ...fields!, amountPence, paidOn };
}

export const matchForm = z.object({
  packageId: choice('Select the package the invoice is for'),
});

export const importForm = z.object({
  csv: z
    .string({ message: 'Paste the rows of the CSV file' })
    .trim()
    .min(1, 'Paste the rows of the CSV file, starting with the row of column names')
    .max(900_000, 'The file is too big: import it in parts of no more than 5,000 rows'),
  action: z.enum(['check', 'import']).default('check'),
});

export const closePeriodForm = z.object({
  period: z
    .string({ message: 'Select the period to close' })
    .regex(/^\d{4}-\d{1,2}$/, 'Select the period to close')
    .transform((v) => {
      const [fy, p] = v.split('-').map(Number) as [number, number];
      return { financialYear: fy, period: p };
    })
    .refine((v) => v.period >= 1 && v.period <= 12, 'Select the period to close'),
});

/** A correction that reverses postings: why (`why` names what the reason is for), and the date it is posted on. */
function parseReasonAndDate(body: Body, why: string, dateName: string) {
  const c = new Collector();
  const fields = c.zod(z.object({ reason: text(why, 500, 'the reason'), token: formToken }), body);
  const postedOn = c.date(body, 'postedOn', dateName, true);
  c.done();
  return { ...fields!, postedOn };
}

export const parseReversalForm = (body: Body) => parseReasonAndDate(body, 'why the transaction is being reversed', 'the date of the reversal');

/** Cancelling a wrongly recorded invoice: why, and the date its postings are reversed on. */
export const parseCancelInvoiceForm = (body: Body) => parseReasonAndDate(body, 'why the invoice is being cancelled', 'the date of the cancellation');

/** A transfer within a year, or a year-end adjustment carrying budget forward to the next year. */
export function parseMovementForm(body: Body) {
  const c = new Collector();
  const fields = c.zod(
    z.object({
      kind: z.enum(['transfer', 'carry-forward'], { message: 'Select whether this is a transfer within the year or carrying money forward to the next year' }),
      financialYear: z.coerce.number({ message: 'Select the financial year' }).int('Select the financial year').min(2000, 'Select the financial year'),
      fromPartnerId: choice('Select the partner the budget moves from'),
      fromCategory: choice('Select the kind of service the budget moves from'),
      toPartnerId: choice('Select the partner the budget moves to'),
      toCategory: choice('Select the kind of service the budget moves to'),
      reason: text('why the budget is being moved', 500, 'the reason'),
      token: formToken,
    }),
    body,
  );
  const amountPence = c.money(body, 'amount', 'the amount');
  const postedOn = c.date(body, 'postedOn', 'the date of the transfer', true);
  c.done();
  return { ...fields!, amountPence, postedOn };
}
