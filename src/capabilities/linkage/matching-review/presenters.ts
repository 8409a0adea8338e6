// How the linker's explanation reads to a person: each field's comparison in words and its
// match weight as a number, never colour alone.
import type { FieldExplanation } from '../../../linker/types.js';

const FIELD_NAMES: Record<string, string> = {
  given_name: 'Given name',
  middle_name: 'Middle names',
  family_name: 'Family name',
  birth_date: 'Date of birth',
  sex: 'Sex',
  location: 'Address and postcode',
  postcode: 'Postcode',
  address: 'Address',
  town: 'Town',
  email: 'E-mail',
  phone: 'Phone',
  'identifier:nhs_number': 'NHS number',
  'identifier:upn': 'UPN',
  'identifier:council_id': 'Council reference',
};

export const fieldName = (f: string) => FIELD_NAMES[f] ?? f.replace(/^(identifier|extra):/, '').replace(/_/g, ' ');

/** "Strong evidence they are the same person" … for a match weight (log2 Bayes factor). */
export function weightInWords(weight: number, level: string): string {
  if (level === 'missing') return 'No evidence: one or both records have no value';
  const a = Math.abs(weight);
  const strength = a >= 6 ? 'Strong' : a >= 2 ? 'Moderate' : a >= 0.5 ? 'Weak' : 'Hardly any';
  if (a < 0.5) return 'Hardly any evidence either way';
  return `${strength} evidence they are ${weight > 0 ? 'the same person' : 'different people'}`;
}

export interface ExplanationRow {
  field: string;
  comparison: string;
  words: string;
  weight: string;
  /** For a sign beside the number: "+" for the same person, "−" for different. */
  direction: 'for' | 'against' | 'none';
}

export function explanationRows(ex: readonly FieldExplanation[]): ExplanationRow[] {
  return ex.map((e) => ({
    field: fieldName(e.field),
    comparison: e.level === 'missing' ? 'Missing on one or both' : e.level,
    words: weightInWords(e.weight, e.level),
    weight: `${e.weight > 0 ? '+' : e.weight < 0 ? '−' : ''}${Math.abs(e.weight).toFixed(2)}`,
    direction: e.level === 'missing' || Math.abs(e.weight) < 0.5 ? 'none' : e.weight > 0 ? 'for' : 'against',
  }));
}

export const probabilityText = (p: number) => `${(p * 100).toFixed(1)}%`;

export const DECISIONS = {
  same: 'Same person: merge the records',
  different: 'Different people: keep the records apart',
  'not-sure': 'Not sure: leave it for someone else',
} as const;
export type Decision = keyof typeof DECISIONS;
export const isDecision = (s: string): s is Decision => Object.hasOwn(DECISIONS, s);
