// Reading the contracts register's forms and its CSV import. Every problem is named at once; an
// import names each bad row and its column, and nothing is stored unless every row is good.
import { parse } from 'csv-parse/sync';
import { isIsoDate } from '../../../platform/dates.js';
import { ValidationError } from '../../../platform/http/errors.js';
import { formText } from '../../../platform/http/form-values.js';
import { isUuid } from '../../../platform/ids.js';
import { formatPence, parseMoney, parsePositiveMoney } from '../../../platform/money.js';
import { FormReader } from '../commissioning-plans/index.js';
import { sharesProblem, type ContractShare } from './rules.js';
import type { NewContract } from './service.js';

type Body = Record<string, unknown>;

export interface Lookups {
  partners: { id: string; short_name: string }[];
  pools: { id: string; code: string; name: string }[];
  providers: { id: string; code: string; name: string }[];
}

/** The share fields of the form: one amount per partner and pool. */
export const shareField = (partnerId: string, agreementId: string) => `share-${partnerId}-${agreementId}`;

export function readContractForm(body: Body, l: Lookups): NewContract {
  const r = new FormReader(body);
  const title = r.text('title', 'the contract’s title', 200);
  const providerId = r.id('providerId', 'the provider');
  const serviceId = r.id('serviceId', 'the Local Offer service', false);
  const startsOn = r.date('startsOn', 'the date the contract starts');
  const endsOn = r.date('endsOn', 'the date the contract ends');
  if (startsOn && endsOn && endsOn < startsOn) r.problem('endsOn-day', 'The date the contract ends must be on or after the date it starts');
  const value = parsePositiveMoney(formText(body.annualValue), 'the value a year');
  if (!value.ok) r.problem('annualValue', value.message);
  const shares: ContractShare[] = [];
  for (const p of l.partners)
    for (const a of l.pools) {
      const field = shareField(p.id, a.id);
      const text = formText(body[field]).trim();
      if (!text) continue;
      const m = parseMoney(text);
      if (!m.ok) r.problem(field, `The share for ${p.short_name} from ${a.name} must be an amount, like 12,500.00`);
      else if (m.pence > 0) shares.push({ partnerId: p.id, agreementId: a.id, pence: m.pence });
    }
  const intentionId = r.id('intentionId', 'the intention', false);
  r.done();
  return { title, providerId: providerId!, serviceId, startsOn: startsOn!, endsOn: endsOn!, annualValuePence: value.ok ? value.pence : 0, shares, intentionId };
}

export function readKpiForm(body: Body) {
  const r = new FormReader(body);
  const name = r.text('name', 'what is measured', 200);
  const unit = r.text('unit', 'the unit, like "per cent" or "families"', 40);
  const targetText = formText(body.target).trim();
  const target = Number(targetText);
  if (!targetText) r.problem('target', 'Enter the target');
  else if (!/^-?\d+(\.\d+)?$/.test(targetText) || !Number.isFinite(target)) r.problem('target', 'The target must be a number, like 85 or 12.5');
  const direction = formText(body.direction);
  if (direction !== 'higher' && direction !== 'lower') r.problem('direction', 'Select whether higher or lower is better');
  r.done();
  return { name, unit, target, higherIsBetter: direction === 'higher' };
}

export function readReturnForm(body: Body) {
  const r = new FormReader(body);
  const periodEnding = r.date('periodEnding', 'the last day of the period the return is for');
  const valueText = formText(body.value).trim();
  const value = Number(valueText);
  if (!valueText) r.problem('value', 'Enter the figure the provider returned');
  else if (!/^-?\d+(\.\d+)?$/.test(valueText)) r.problem('value', 'The figure must be a number, like 85 or 12.5');
  const note = r.text('note', 'a note', 1000, false);
  r.done();
  return { periodEnding: periodEnding!, value, note: note || null };
}

// The CSV import and export --------------------------------------------------------------------

/** The columns an import needs (the export has these and more; extra columns are ignored). */
export const IMPORT_COLUMNS = ['Title', 'Provider code', 'Service id', 'Starts', 'Ends', 'Value a year', 'Shares'] as const;

/** "Health from DEMO-S75: £30,000.00; Education from DEMO-S75: £20,000.00" */
export const sharesText = (shares: { partner: string; pool_code: string; pence: number }[]) =>
  shares.map((s) => `${s.partner} from ${s.pool_code}: ${formatPence(s.pence)}`).join('; ');

function parseShares(text: string, l: Lookups): { shares: ContractShare[]; problem: string | null } {
  const shares: ContractShare[] = [];
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(.+?) from ([A-Za-z0-9-]+):\s*(.+)$/.exec(part);
    if (!m) return { shares, problem: `“${part}” is not a share: write it like “Health from S75-SB: £30,000.00”` };
    const partner = l.partners.find((p) => p.short_name.toLowerCase() === m[1]!.trim().toLowerCase());
    if (!partner) return { shares, problem: `There is no partner called “${m[1]!.trim()}”` };
    const pool = l.pools.find((p) => p.code === m[2]!.toUpperCase());
    if (!pool) return { shares, problem: `There is no pool with the code ${m[2]}` };
    const money = parsePositiveMoney(m[3], `the share for ${partner.short_name} from ${pool.code}`);
    if (!money.ok) return { shares, problem: money.message };
    shares.push({ partnerId: partner.id, agreementId: pool.id, pence: money.pence });
  }
  if (shares.length === 0) return { shares, problem: 'Enter the shares, like “Health from S75-SB: £30,000.00”' };
  return { shares, problem: null };
}

/**
 * The contracts in a CSV file, or every problem, each naming its row (the header is row 1) and
 * column. Throws ValidationError (pointing at the text box) when anything is wrong.
 */
export function parseContractsCsv(csv: string, l: Lookups): { line: number; contract: NewContract }[] {
  const fail = (texts: string[]): never => {
    throw new ValidationError(texts.map((text) => ({ text, href: '#csv' })));
  };
  if (!csv.trim()) fail(['Paste the contents of the CSV file']);
  let records: string[][] = [];
  try {
    records = parse(csv.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true, trim: true });
  } catch (e) {
    fail([`The file is not valid CSV: ${(e as Error).message}`]);
  }
  const header = (records[0] ?? []).map((h) => h.trim().toLowerCase());
  const missing = IMPORT_COLUMNS.filter((c) => !header.includes(c.toLowerCase()));
  if (missing.length) fail([`The first row must name the columns. Missing: ${missing.join(', ')}`]);
  if (records.length < 2) fail(['The file has no contracts after its first row']);
  const col = (row: string[], name: string) => (row[header.indexOf(name.toLowerCase())] ?? '').trim();
  const problems: string[] = [];
  const out: { line: number; contract: NewContract }[] = [];
  records.slice(1).forEach((row, i) => {
    const line = i + 2;
    const mine: string[] = [];
    const title = col(row, 'Title');
    if (!title) mine.push('Title is empty');
    else if (title.length > 200) mine.push('Title is longer than 200 characters');
    const providerCode = col(row, 'Provider code');
    const provider = l.providers.find((p) => p.code.toLowerCase() === providerCode.toLowerCase());
    if (!provider) mine.push(providerCode ? `Provider code: there is no organisation with the code ${providerCode}` : 'Provider code is empty');
    const serviceId = col(row, 'Service id');
    if (serviceId && !isUuid(serviceId)) mine.push(`Service id: ${String(serviceId)} is not a Local Offer service’s id`);
    const startsOn = col(row, 'Starts');
    const endsOn = col(row, 'Ends');
    if (!isIsoDate(startsOn)) mine.push(`Starts: “${String(startsOn)}” is not a date like 2027-04-01`);
    if (!isIsoDate(endsOn)) mine.push(`Ends: “${String(endsOn)}” is not a date like 2028-03-31`);
    const value = parsePositiveMoney(col(row, 'Value a year'), 'the value a year');
    if (!value.ok) mine.push(`Value a year: ${value.message}`);
    const shares = parseShares(col(row, 'Shares'), l);
    if (shares.problem) mine.push(`Shares: ${shares.problem}`);
    else if (value.ok) {
      const sum = sharesProblem(value.pence, shares.shares);
      if (sum) mine.push(sum);
    }
    if (isIsoDate(startsOn) && isIsoDate(endsOn) && endsOn < startsOn) mine.push('Ends: the contract cannot end before it starts');
    if (mine.length) problems.push(...mine.map((m) => `Row ${line}: ${m}`));
    else
      out.push({
        line,
        contract: {
          title,
          providerId: provider!.id,
          serviceId: serviceId || null,
          startsOn,
          endsOn,
          annualValuePence: value.ok ? value.pence : 0,
          shares: shares.shares,
          intentionId: null,
        },
      });
  });
  if (problems.length) fail(problems);
  return out;
}
