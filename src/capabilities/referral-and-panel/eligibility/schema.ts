// The rule set form (conditions typed one a line as "code: wording") and the assessment form
// (each condition met yes/no, with evidence). The rule engine's own checks (validateRuleSet)
// become field errors, so the administrator sees every problem beside its field.
import { ValidationError, type FieldError } from '../../../platform/http/errors.js';
import { validateRuleSet, type Answer, type Condition, type RuleSet, type RuleSetKind } from './rules.js';
import type { RuleSetInput } from './service.js';

type Body = Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' ? v.trim() : Array.isArray(v) ? String(v[0] ?? '').trim() : '');

export const KINDS: Record<RuleSetKind, string> = {
  'at-least': 'At least a number of the conditions',
  all: 'All of the conditions',
  any: 'Any one of the conditions',
};

/** Conditions as typed: one a line, "code: wording". */
export function conditionsText(conditions: readonly Condition[]): string {
  return conditions.map((c) => `${c.code}: ${c.text}`).join('\n');
}

function parseConditions(raw: string, errors: FieldError[]): Condition[] {
  const out: Condition[] = [];
  raw.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const at = line.indexOf(':');
    const code = at < 0 ? '' : line.slice(0, at).trim().toLowerCase();
    if (at < 0 || !/^[a-z0-9-]{1,40}$/.test(code)) {
      if (!errors.some((e) => e.href === '#conditions')) {
        errors.push({
          text: `Line ${i + 1} of the conditions needs a short code before a colon, like "ehc-plan: a child or young person has an education, health and care (EHC) plan" (codes use letters, digits and hyphens)`,
          href: '#conditions',
        });
      }
      return;
    }
    out.push({ code, text: line.slice(at + 1).trim() });
  });
  return out;
}

/** Which field a problem from validateRuleSet belongs to. */
function fieldOf(problem: string): string {
  if (/has no name/.test(problem)) return 'name';
  if (/threshold|number of conditions|at least \S+ conditions|"at least" some number/.test(problem)) return 'threshold';
  return 'conditions';
}

export function parseRuleSetForm(body: Body, version = 1): RuleSetInput {
  const errors: FieldError[] = [];
  const name = text(body.name);
  if (!name) errors.push({ text: 'Enter the rule set’s name, like "Joint funding: three or more of eight conditions"', href: '#name' });
  else if (name.length > 200) errors.push({ text: 'Name must be 200 characters or fewer', href: '#name' });
  const kind = text(body.kind);
  if (!Object.hasOwn(KINDS, kind)) errors.push({ text: 'Select how many conditions must be met', href: '#kind' });
  const rawThreshold = text(body.threshold);
  let threshold: number | null = null;
  if (kind === 'at-least') {
    if (!/^[0-9]{1,3}$/.test(rawThreshold)) errors.push({ text: 'Enter how many conditions must be met, as a whole number like 3', href: '#threshold' });
    else threshold = Number(rawThreshold);
  }
  const conditions = parseConditions(text(body.conditions), errors);
  const outcomeMet = text(body.outcomeMet) || null;
  const outcomeNotMet = text(body.outcomeNotMet) || null;
  if (outcomeMet && !outcomeNotMet)
    errors.push({ text: 'Enter what it means when the conditions are not met, or leave both outcomes blank', href: '#outcomeNotMet' });
  if (!outcomeMet && outcomeNotMet) errors.push({ text: 'Enter what it means when the conditions are met, or leave both outcomes blank', href: '#outcomeMet' });
  for (const [f, v] of [
    ['outcomeMet', outcomeMet],
    ['outcomeNotMet', outcomeNotMet],
  ] as const) {
    if (v && v.length > 200) errors.push({ text: 'Outcome wording must be 200 characters or fewer', href: `#${f}` });
  }

  if (!errors.some((e) => ['#kind', '#threshold', '#conditions', '#name'].includes(e.href))) {
    const candidate: RuleSet = {
      id: 'new',
      version,
      name,
      kind: kind as RuleSetKind,
      ...(threshold !== null ? { threshold } : {}),
      conditions,
    };
    for (const p of validateRuleSet(candidate)) {
      const href = `#${fieldOf(p)}`;
      if (!errors.some((e) => e.href === href)) errors.push({ text: p, href });
    }
  }
  if (errors.length) throw new ValidationError(errors);
  return { name, kind: kind as RuleSetKind, threshold, conditions, outcomeMet, outcomeNotMet };
}

/** The assessment form: `met-<code>` yes/no and `evidence-<code>` for each condition. */
export function parseAssessmentForm(body: Body, ruleSet: RuleSet): Answer[] {
  const errors: FieldError[] = [];
  const answers: Answer[] = [];
  ruleSet.conditions.forEach((c, i) => {
    const met = text(body[`met-${c.code}`]);
    const evidence = text(body[`evidence-${c.code}`]);
    if (met !== 'yes' && met !== 'no') {
      errors.push({ text: `Select whether condition ${i + 1} is met`, href: `#met-${c.code}` });
      return;
    }
    if (met === 'yes' && !evidence)
      errors.push({ text: `Say what shows that condition ${i + 1} is met, like a report and its date`, href: `#evidence-${c.code}` });
    if (evidence.length > 1000) errors.push({ text: `The evidence for condition ${i + 1} must be 1,000 characters or fewer`, href: `#evidence-${c.code}` });
    answers.push({ code: c.code, met: met === 'yes', ...(evidence ? { evidence } : {}) });
  });
  if (errors.length) throw new ValidationError(errors);
  return answers;
}
