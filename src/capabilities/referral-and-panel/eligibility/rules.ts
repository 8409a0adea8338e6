// Eligibility rule sets: an area's criteria (for example "three or more of these eight conditions"
// for joint funding) held as data with a version, so a referral can show which conditions were met,
// on what evidence, under which version of the rules. Pure: no database, no I/O.

export type RuleSetKind = 'at-least' | 'all' | 'any';

export interface Condition {
  readonly code: string;
  readonly text: string;
}

export interface RuleSet {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly kind: RuleSetKind;
  /** Only for 'at-least': how many conditions must be met. */
  readonly threshold?: number;
  readonly conditions: readonly Condition[];
  /** What the result means, for the summary, e.g. "eligible for joint funding". */
  readonly outcome?: { readonly met: string; readonly notMet: string };
}

export interface Answer {
  readonly code: string;
  readonly met: boolean;
  readonly evidence?: string;
}

export interface ConditionResult {
  readonly code: string;
  readonly text: string;
  readonly met: boolean;
  readonly evidence: string | null;
}

export interface Evaluation {
  readonly met: boolean;
  readonly metCount: number;
  readonly required: number;
  readonly conditions: readonly ConditionResult[];
  readonly summary: string;
  readonly ruleSetId: string;
  readonly ruleSetVersion: number;
}

/** Thrown when a rule set or a set of answers cannot be evaluated; each message is plain English. */
export class EligibilityError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join(' '));
    this.name = 'EligibilityError';
  }
}

/** Problems with a rule set, in plain English; empty when it is usable. */
export function validateRuleSet(ruleSet: RuleSet): string[] {
  const problems: string[] = [];
  const label = ruleSet.name.trim() === '' ? 'The rule set' : `Rule set "${ruleSet.name}"`;
  if (ruleSet.id.trim() === '') problems.push('The rule set has no identifier.');
  if (ruleSet.name.trim() === '') problems.push('The rule set has no name.');
  if (!Number.isInteger(ruleSet.version) || ruleSet.version < 1) {
    problems.push(`${label} has version ${ruleSet.version}; the version must be a whole number of 1 or more.`);
  }
  const count = ruleSet.conditions.length;
  if (count === 0) problems.push(`${label} has no conditions; add at least one.`);

  const seen = new Set<string>();
  ruleSet.conditions.forEach((c, i) => {
    const position = `Condition ${i + 1}`;
    if (c.code.trim() === '') problems.push(`${position} of ${label.toLowerCase()} has no code.`);
    else if (seen.has(c.code)) problems.push(`${position} uses the code "${c.code}", which an earlier condition already uses; each code must be different.`);
    seen.add(c.code);
    if (c.text.trim() === '') problems.push(`${position} ("${c.code}") has no wording; say what the condition is.`);
  });

  if (ruleSet.kind === 'at-least') {
    const t = ruleSet.threshold;
    if (t === undefined) {
      problems.push(`${label} needs "at least" some number of conditions, but the number is missing.`);
    } else if (!Number.isInteger(t) || t < 1 || t > count) {
      problems.push(`${label} needs at least ${t} conditions, but the number must be a whole number from 1 to ${count} (the number of conditions).`);
    }
  } else if (ruleSet.threshold !== undefined) {
    problems.push(`${label} is an "${ruleSet.kind}" rule set, so it takes no number of conditions; remove the threshold of ${ruleSet.threshold}.`);
  }
  return problems;
}

/** Problems with answers for a rule set: unknown, repeated and missing conditions. */
export function validateAnswers(ruleSet: RuleSet, answers: readonly Answer[]): string[] {
  const problems: string[] = [];
  const known = new Map(ruleSet.conditions.map((c) => [c.code, c]));
  const answered = new Set<string>();
  answers.forEach((a, i) => {
    if (!known.has(a.code)) {
      problems.push(`Answer ${i + 1} is for condition "${a.code}", which is not in "${ruleSet.name}" (version ${ruleSet.version}).`);
    } else if (answered.has(a.code)) {
      problems.push(`Condition "${a.code}" is answered more than once (again in answer ${i + 1}); give one answer for each condition.`);
    }
    answered.add(a.code);
  });
  for (const c of ruleSet.conditions) {
    if (!answered.has(c.code)) {
      problems.push(`Condition "${c.code}" ("${shorten(c.text)}") has no answer; say whether it is met.`);
    }
  }
  return problems;
}

/** How many conditions must be met for the rule set to be met. */
export function requiredCount(ruleSet: RuleSet): number {
  switch (ruleSet.kind) {
    case 'all':
      return ruleSet.conditions.length;
    case 'any':
      return 1;
    case 'at-least':
      return ruleSet.threshold ?? ruleSet.conditions.length;
  }
}

/** Evaluates answers against a rule set; throws EligibilityError listing every problem if either is invalid. */
export function evaluate(ruleSet: RuleSet, answers: readonly Answer[]): Evaluation {
  const problems = validateRuleSet(ruleSet);
  if (problems.length > 0) throw new EligibilityError(problems);
  const answerProblems = validateAnswers(ruleSet, answers);
  if (answerProblems.length > 0) throw new EligibilityError(answerProblems);

  const byCode = new Map(answers.map((a) => [a.code, a]));
  const conditions: ConditionResult[] = ruleSet.conditions.map((c) => {
    const a = byCode.get(c.code);
    const evidence = a?.evidence?.trim();
    return { code: c.code, text: c.text, met: a?.met === true, evidence: evidence ? evidence : null };
  });
  const metCount = conditions.filter((c) => c.met).length;
  const required = requiredCount(ruleSet);
  const met = metCount >= required;
  return {
    met,
    metCount,
    required,
    conditions,
    summary: summarise(ruleSet, metCount, required, met),
    ruleSetId: ruleSet.id,
    ruleSetVersion: ruleSet.version,
  };
}

function summarise(ruleSet: RuleSet, metCount: number, required: number, met: boolean): string {
  const total = ruleSet.conditions.length;
  const counted = `${metCount} of the ${total} ${total === 1 ? 'condition' : 'conditions'} ${metCount === 1 ? 'is' : 'are'} met`;
  const needed =
    ruleSet.kind === 'all' ? (total === 1 ? 'it is needed' : `all ${total} are needed`) : `at least ${required} ${required === 1 ? 'is' : 'are'} needed`;
  const outcome = ruleSet.outcome
    ? met
      ? ruleSet.outcome.met
      : ruleSet.outcome.notMet
    : met
      ? `the conditions of "${ruleSet.name}" are met`
      : `the conditions of "${ruleSet.name}" are not met`;
  return `${counted}; ${needed}: ${outcome}`;
}

function shorten(text: string): string {
  if (text.length <= 60) return text;
  // Cut at a word boundary so the condition stays readable in the message.
  const cut = text.slice(0, 58);
  const space = cut.lastIndexOf(' ');
  return `${(space > 20 ? cut.slice(0, space) : cut).trimEnd()}...`;
}

/**
 * The area's example: Tower Hamlets' joint-funding rule from its Joint Commissioning Protocol
 * (seed 001): "The Panel will consider a joint funded placement when three or more of the
 * following conditions exist". Wording is quoted from the seed; two conditions are cut off
 * mid-sentence there (a page break lost the rest), marked "[…]" rather than guessed.
 */
export const TOWER_HAMLETS_JOINT_FUNDING: RuleSet = Object.freeze({
  id: 'tower-hamlets-joint-funding',
  version: 1,
  name: 'Tower Hamlets joint funding (three or more of eight conditions)',
  kind: 'at-least',
  threshold: 3,
  outcome: { met: 'eligible for joint funding', notMet: 'not eligible for joint funding' },
  conditions: Object.freeze([
    { code: 'statement', text: 'a child has a statement of special educational needs' },
    {
      code: 'accommodated',
      text: 'a child needs to be formally accommodated to have his or her social needs met',
    },
    {
      code: 'specialist-health',
      text:
        'a child suffers from severe mental health, addictive behaviour or other complex medical conditions ' +
        'which require specialist intervention, treatment or care. These needs have been clearly identified by a senior […]',
    },
    {
      code: 'non-day-school',
      text: 'a child requires specialist educational provision which is not available in a day school',
    },
    {
      code: 'twenty-four-hour',
      text: 'a child requires a consistent, structured and predictable provision for 24 hours a day',
    },
    {
      code: 'risk-at-home',
      text: 'a child is at risk of neglect or abuse or their development would be impaired if they remained at home',
    },
    {
      code: 'family-emotional-factors',
      text: 'emotional factors within a family interfere significantly with the child’s […]',
    },
    {
      code: 'home-unacceptable',
      text: 'a child’s needs could only be met at home with unacceptable consequences for family life or the well being of others',
    },
  ]),
});

/**
 * The demo area's own rule, adapted from Tower Hamlets' (above, quoted as written): statements of
 * special educational needs were replaced by education, health and care (EHC) plans under the
 * Children and Families Act 2014, so the first condition asks about an EHC plan, and the rule
 * covers young people to 25 as the Act does. The other conditions are Tower Hamlets' wording.
 */
export const DEMOSHIRE_JOINT_FUNDING: RuleSet = Object.freeze({
  ...TOWER_HAMLETS_JOINT_FUNDING,
  id: 'demoshire-joint-funding',
  name: 'Demoshire joint funding (three or more of eight conditions; adapted from Tower Hamlets)',
  conditions: Object.freeze([
    { code: 'ehc-plan', text: 'a child or young person has an education, health and care (EHC) plan' },
    ...TOWER_HAMLETS_JOINT_FUNDING.conditions.slice(1),
  ]),
});
