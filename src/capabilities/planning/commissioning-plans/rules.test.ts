import { describe, expect, it } from 'vitest';
import { contractProblem, decisionProblem, neighbours, stageMoveProblem, STAGE_ORDER, submitProblem, type PlanForDecision } from './rules.js';

const plan = (over: Partial<PlanForDecision> = {}): PlanForDecision => ({
  status: 'submitted',
  createdBy: 'author',
  submittedBy: 'author',
  editors: ['author'],
  ...over,
});

describe('the cycle’s stages', () => {
  it('moves one stage forward or back, and from review round to understand', () => {
    expect(stageMoveProblem('understand', 'plan')).toBeNull();
    expect(stageMoveProblem('plan', 'do')).toBeNull();
    expect(stageMoveProblem('do', 'review')).toBeNull();
    expect(stageMoveProblem('do', 'plan')).toBeNull();
    expect(stageMoveProblem('review', 'understand')).toBeNull();
  });
  it('refuses staying put and skipping a stage, naming where it can go', () => {
    expect(stageMoveProblem('plan', 'plan')).toBe('The intention is already at “Plan”');
    expect(stageMoveProblem('understand', 'do')).toBe('An intention moves one stage at a time: from “Understand needs” it can go to “Plan”');
    expect(stageMoveProblem('understand', 'review')).toMatch(/one stage at a time/);
    expect(stageMoveProblem('review', 'plan')).toMatch(/“Do: commission and contract” or “Understand needs”/);
  });
  it('offers exactly the moves it allows', () => {
    for (const from of STAGE_ORDER) for (const to of STAGE_ORDER) expect(neighbours(from).includes(to)).toBe(stageMoveProblem(from, to) === null);
  });
});

describe('who records the board’s decision (separation of duties)', () => {
  it('lets someone who never touched the plan decide', () => {
    expect(decisionProblem(plan(), 'clerk')).toBeNull();
  });
  it('refuses the author, the sender and anyone who changed any part of it', () => {
    expect(decisionProblem(plan(), 'author')).toMatch(/You wrote this plan/);
    expect(decisionProblem(plan({ submittedBy: 'sender', editors: ['author', 'sender'] }), 'sender')).toMatch(/You sent this plan/);
    expect(decisionProblem(plan({ editors: ['author', 'helper'] }), 'helper')).toMatch(/You changed this plan/);
  });
  it('only decides on a plan waiting for the board', () => {
    for (const status of ['draft', 'approved', 'not-approved'] as const)
      expect(decisionProblem(plan({ status }), 'clerk')).toBe('Only a plan sent to the partnership board can be approved or not approved');
  });
});

describe('sending to the board', () => {
  it('needs a draft (or a plan not approved) with at least one intention', () => {
    expect(submitProblem('draft', 1)).toBeNull();
    expect(submitProblem('not-approved', 1)).toBeNull();
    expect(submitProblem('draft', 0)).toMatch(/at least one commissioning intention/);
    expect(submitProblem('submitted', 1)).toMatch(/already waiting/);
    expect(submitProblem('approved', 1)).toMatch(/already approved/);
  });
});

describe('the procurement pipeline', () => {
  it('turns an intention into a contract only at "do", in an approved plan, once', () => {
    expect(contractProblem({ stage: 'do', planStatus: 'approved', hasContract: false })).toBeNull();
    expect(contractProblem({ stage: 'plan', planStatus: 'approved', hasContract: false })).toMatch(/Only an intention at the “Do/);
    expect(contractProblem({ stage: 'review', planStatus: 'approved', hasContract: false })).toMatch(/Only an intention at the “Do/);
    expect(contractProblem({ stage: 'do', planStatus: 'submitted', hasContract: false })).toMatch(/must be approved/);
    expect(contractProblem({ stage: 'do', planStatus: 'draft', hasContract: false })).toMatch(/must be approved/);
    expect(contractProblem({ stage: 'do', planStatus: 'approved', hasContract: true })).toBe('This intention already has a contract');
  });
});
