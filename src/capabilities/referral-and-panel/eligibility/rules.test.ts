// The eligibility rule engine, using the area's example (Tower Hamlets: three or more of eight
// conditions) and small hand-made rule sets for 'all' and 'any'.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEMOSHIRE_JOINT_FUNDING,
  EligibilityError,
  TOWER_HAMLETS_JOINT_FUNDING as TH,
  evaluate,
  validateAnswers,
  validateRuleSet,
  type Answer,
  type RuleSet,
} from './rules.js';

const codes = TH.conditions.map((c) => c.code);
const answersMeeting = (metCodes: readonly string[]): Answer[] =>
  codes.map((code) => ({ code, met: metCodes.includes(code), evidence: metCodes.includes(code) ? `Report for ${code}` : undefined }));

describe('Tower Hamlets joint funding rule set', () => {
  it('is valid, has eight conditions and needs three', () => {
    expect(validateRuleSet(TH)).toEqual([]);
    expect(TH.conditions).toHaveLength(8);
    expect(TH.threshold).toBe(3);
  });
  it('2 of 8 is not met', () => {
    const r = evaluate(TH, answersMeeting(['statement', 'accommodated']));
    expect(r.met).toBe(false);
    expect(r.metCount).toBe(2);
    expect(r.required).toBe(3);
    expect(r.summary).toBe('2 of the 8 conditions are met; at least 3 are needed: not eligible for joint funding');
  });
  it('3 of 8 is met, with evidence and the version recorded', () => {
    const r = evaluate(TH, answersMeeting(['statement', 'accommodated', 'twenty-four-hour']));
    expect(r.met).toBe(true);
    expect(r.summary).toBe('3 of the 8 conditions are met; at least 3 are needed: eligible for joint funding');
    expect(r.ruleSetVersion).toBe(1);
    expect(r.conditions.find((c) => c.code === 'twenty-four-hour')).toMatchObject({ met: true, evidence: 'Report for twenty-four-hour' });
    expect(r.conditions.find((c) => c.code === 'risk-at-home')).toMatchObject({ met: false, evidence: null });
    expect(r.conditions.map((c) => c.code)).toEqual(codes);
  });
  it('met exactly when at least three conditions hold, whichever they are', () => {
    fc.assert(
      fc.property(fc.subarray(codes), (chosen) => {
        const r = evaluate(TH, answersMeeting(chosen));
        expect(r.metCount).toBe(chosen.length);
        expect(r.met).toBe(chosen.length >= 3);
      }),
    );
  });
});

describe('other kinds', () => {
  const base = {
    id: 'x',
    version: 2,
    name: 'Example rule',
    conditions: [
      { code: 'a', text: 'Condition A' },
      { code: 'b', text: 'Condition B' },
    ],
  };
  it("'all' needs every condition", () => {
    const all: RuleSet = { ...base, kind: 'all' };
    expect(
      evaluate(all, [
        { code: 'a', met: true },
        { code: 'b', met: false },
      ]).met,
    ).toBe(false);
    const r = evaluate(all, [
      { code: 'a', met: true },
      { code: 'b', met: true },
    ]);
    expect(r.met).toBe(true);
    expect(r.summary).toBe('2 of the 2 conditions are met; all 2 are needed: the conditions of "Example rule" are met');
  });
  it("'any' needs one", () => {
    const any: RuleSet = { ...base, kind: 'any' };
    expect(
      evaluate(any, [
        { code: 'a', met: false },
        { code: 'b', met: false },
      ]).met,
    ).toBe(false);
    const r = evaluate(any, [
      { code: 'a', met: false },
      { code: 'b', met: true },
    ]);
    expect(r.met).toBe(true);
    expect(r.summary).toBe('1 of the 2 conditions is met; at least 1 is needed: the conditions of "Example rule" are met');
  });
});

describe('validation', () => {
  it('rule set: threshold out of range, repeated codes, empty wording', () => {
    const bad: RuleSet = {
      id: 'bad',
      version: 1,
      name: 'Bad rule',
      kind: 'at-least',
      threshold: 4,
      conditions: [
        { code: 'a', text: 'A' },
        { code: 'a', text: 'Again' },
        { code: 'c', text: '  ' },
      ],
    };
    const problems = validateRuleSet(bad);
    expect(problems).toEqual([
      'Condition 2 uses the code "a", which an earlier condition already uses; each code must be different.',
      'Condition 3 ("c") has no wording; say what the condition is.',
      'Rule set "Bad rule" needs at least 4 conditions, but the number must be a whole number from 1 to 3 (the number of conditions).',
    ]);
    expect(() => evaluate(bad, [])).toThrow(EligibilityError);
    expect(validateRuleSet({ ...bad, threshold: 0, conditions: [{ code: 'a', text: 'A' }] })).toEqual([
      'Rule set "Bad rule" needs at least 0 conditions, but the number must be a whole number from 1 to 1 (the number of conditions).',
    ]);
    expect(validateRuleSet({ ...bad, threshold: undefined, conditions: [{ code: 'a', text: 'A' }] })[0]).toMatch(/number is missing/);
    expect(validateRuleSet({ ...bad, kind: 'all', threshold: 1, conditions: [{ code: 'a', text: 'A' }] })[0]).toMatch(/remove the threshold/);
  });
  it('answers: unknown, repeated and missing codes', () => {
    const answers: Answer[] = [
      ...answersMeeting(['statement']).filter((a) => a.code !== 'home-unacceptable'),
      { code: 'statement', met: false },
      { code: 'wheelchair', met: true },
    ];
    expect(validateAnswers(TH, answers)).toEqual([
      'Condition "statement" is answered more than once (again in answer 8); give one answer for each condition.',
      `Answer 9 is for condition "wheelchair", which is not in "${TH.name}" (version 1).`,
      'Condition "home-unacceptable" ("a child’s needs could only be met at home with...") has no answer; say whether it is met.',
    ]);
    try {
      evaluate(TH, answers);
      expect.unreachable('evaluate should refuse invalid answers');
    } catch (e) {
      expect(e).toBeInstanceOf(EligibilityError);
      expect((e as EligibilityError).problems).toHaveLength(3);
    }
  });
});

describe('the demo area’s rule set', () => {
  it('asks about an EHC plan, not a statement (replaced in 2014), and keeps the other seven conditions and the threshold', () => {
    expect(DEMOSHIRE_JOINT_FUNDING.conditions[0]).toEqual({ code: 'ehc-plan', text: 'a child or young person has an education, health and care (EHC) plan' });
    expect(DEMOSHIRE_JOINT_FUNDING.conditions.slice(1)).toEqual(TH.conditions.slice(1));
    expect(JSON.stringify(DEMOSHIRE_JOINT_FUNDING.conditions)).not.toMatch(/statement/i);
    expect(validateRuleSet(DEMOSHIRE_JOINT_FUNDING)).toEqual([]);
    expect(
      evaluate(
        DEMOSHIRE_JOINT_FUNDING,
        DEMOSHIRE_JOINT_FUNDING.conditions.map((c, i) => ({ code: c.code, met: i < 3, evidence: 'Report (demo)' })),
      ).met,
    ).toBe(true);
  });
});
