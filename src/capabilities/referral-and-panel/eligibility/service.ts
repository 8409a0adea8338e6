// Eligibility rule sets in the database (versioned: a change is a new row, the old one is kept)
// and referrals' assessments against them. The rules themselves are pure (rules.ts).
import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import { NotFoundError, StaleVersionError } from '../../../platform/http/errors.js';
import type { EligibilityRuleSetsTable } from '../../../platform/db/schema.js';
import type { Selectable } from 'kysely';
import { evaluate, type Answer, type Condition, type ConditionResult, type RuleSet, type RuleSetKind } from './rules.js';

type Row = Selectable<EligibilityRuleSetsTable>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A stored version as the pure RuleSet (its id is the row's id, so an evaluation names the version). */
export function ruleSetOf(row: Row): RuleSet {
  return {
    id: row.id,
    version: row.version,
    name: row.name,
    kind: row.kind,
    ...(row.threshold !== null ? { threshold: row.threshold } : {}),
    conditions: JSON.parse(row.conditions) as Condition[],
    ...(row.outcome_met && row.outcome_not_met ? { outcome: { met: row.outcome_met, notMet: row.outcome_not_met } } : {}),
  };
}

/** Inserts a rule set held in code (e.g. TOWER_HAMLETS_JOINT_FUNDING) as version 1 of its key, unless that key exists. */
export async function ensureRuleSet(db: Db, ruleSet: RuleSet): Promise<string> {
  const key = ruleSet.id;
  const found = await db.selectFrom('eligibility_rule_sets').select('id').where('key', '=', key).orderBy('version').executeTakeFirst();
  if (found) return found.id;
  const row = await db
    .insertInto('eligibility_rule_sets')
    .values({
      key,
      version: 1,
      name: ruleSet.name,
      kind: ruleSet.kind,
      threshold: ruleSet.kind === 'at-least' ? (ruleSet.threshold ?? null) : null,
      conditions: JSON.stringify(ruleSet.conditions.map((c) => ({ code: c.code, text: c.text }))),
      outcome_met: ruleSet.outcome?.met ?? null,
      outcome_not_met: ruleSet.outcome?.notMet ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Every rule set (by key), newest version first within each, for the configuration list. */
export async function listRuleSets(db: Db) {
  const rows = await db.selectFrom('eligibility_rule_sets').selectAll().orderBy('name').orderBy('key').orderBy('version', 'desc').execute();
  const byKey = new Map<string, Row[]>();
  for (const r of rows) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
  return [...byKey.values()].map((versions) => ({ latest: versions[0]!, versions }));
}

export async function getRuleSet(db: Db, id: string | undefined) {
  if (!id || !UUID.test(id)) throw new NotFoundError('rule set');
  const row = await db.selectFrom('eligibility_rule_sets').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new NotFoundError('rule set');
  const versions = await db
    .selectFrom('eligibility_rule_sets as r')
    .leftJoin('users as u', 'u.id', 'r.created_by')
    .select(['r.id', 'r.version', 'r.name', 'r.created_at', 'u.display_name as created_by_name'])
    .where('r.key', '=', row.key)
    .orderBy('r.version', 'desc')
    .execute();
  return { row, ruleSet: ruleSetOf(row), versions, latestVersion: versions[0]!.version };
}

/** The versions a referral can be assessed against: the newest version of each key, if in use. */
export async function assessableRuleSets(db: Db) {
  return (await listRuleSets(db)).map((k) => k.latest).filter((r) => r.active);
}

export interface RuleSetInput {
  name: string;
  kind: RuleSetKind;
  threshold: number | null;
  conditions: Condition[];
  outcomeMet: string | null;
  outcomeNotMet: string | null;
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50) || 'rule-set';

/** A new rule set (version 1), keyed by its name. */
export async function createRuleSet(db: Db, input: RuleSetInput, userId: string) {
  const base = slug(input.name).padEnd(2, '-');
  let key = base;
  for (let i = 2; await db.selectFrom('eligibility_rule_sets').select('id').where('key', '=', key).executeTakeFirst(); i++) key = `${base}-${i}`;
  return insertVersion(db, key, 1, input, userId);
}

/**
 * Saves a change as the next version of the rule set the form was opened on; the old version is
 * kept (assessments made under it still show it). Refused when someone saved a newer version since.
 */
export async function saveNewVersion(db: Db, basedOnId: string, basedOnVersion: number, input: RuleSetInput, userId: string) {
  const { row, latestVersion } = await getRuleSet(db, basedOnId);
  if (latestVersion !== basedOnVersion) throw new StaleVersionError();
  try {
    return await insertVersion(db, row.key, latestVersion + 1, input, userId);
  } catch (e) {
    // Two people saving at once: the second meets the unique (key, version).
    if ((e as { code?: string }).code === '23505') throw new StaleVersionError();
    throw e;
  }
}

async function insertVersion(db: Db, key: string, version: number, input: RuleSetInput, userId: string) {
  return db
    .insertInto('eligibility_rule_sets')
    .values({
      key,
      version,
      name: input.name,
      kind: input.kind,
      threshold: input.kind === 'at-least' ? input.threshold : null,
      conditions: JSON.stringify(input.conditions),
      outcome_met: input.outcomeMet,
      outcome_not_met: input.outcomeNotMet,
      created_by: userId,
    })
    .returning(['id', 'version'])
    .executeTakeFirstOrThrow();
}

/** Assesses a referral against one version of a rule set and stores the result. */
export async function assessReferral(db: Db, referralId: string, ruleSetId: string, answers: readonly Answer[], userId: string) {
  const { ruleSet } = await getRuleSet(db, ruleSetId);
  const result = evaluate(ruleSet, answers);
  const row = await db
    .insertInto('referral_eligibility')
    .values({
      referral_id: referralId,
      rule_set_id: ruleSetId,
      answers: JSON.stringify(result.conditions.map((c) => ({ code: c.code, met: c.met, evidence: c.evidence }))),
      met: result.met,
      met_count: result.metCount,
      required: result.required,
      summary: result.summary,
      assessed_by: userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, result };
}

export interface EligibilityAssessment {
  id: string;
  ruleSetId: string;
  ruleSetKey: string;
  ruleSetName: string;
  ruleSetVersion: number;
  met: boolean;
  metCount: number;
  required: number;
  summary: string;
  conditions: ConditionResult[];
  assessedAt: Date;
  assessedBy: string | null;
}

/**
 * A referral's eligibility assessments, newest first, each with the rule set's name and version
 * it was made under and every condition's wording (of that version), whether met, and the evidence.
 * For the referral page and the panel's papers.
 */
export async function eligibilityOfReferral(db: Db, referralId: string): Promise<EligibilityAssessment[]> {
  if (!UUID.test(referralId)) return [];
  const rows = await db
    .selectFrom('referral_eligibility as e')
    .innerJoin('eligibility_rule_sets as r', 'r.id', 'e.rule_set_id')
    .leftJoin('users as u', 'u.id', 'e.assessed_by')
    .select([
      'e.id',
      'e.answers',
      'e.met',
      'e.met_count',
      'e.required',
      'e.summary',
      'e.assessed_at',
      'r.id as rule_set_id',
      'r.key',
      'r.name',
      'r.version',
      'r.conditions',
      'u.display_name',
    ])
    .where('e.referral_id', '=', referralId)
    .orderBy('e.assessed_at', 'desc')
    .orderBy(sql`e.id`)
    .execute();
  return rows.map((r) => {
    const answers = new Map((JSON.parse(r.answers) as { code: string; met: boolean; evidence: string | null }[]).map((a) => [a.code, a]));
    return {
      id: r.id,
      ruleSetId: r.rule_set_id,
      ruleSetKey: r.key,
      ruleSetName: r.name,
      ruleSetVersion: r.version,
      met: r.met,
      metCount: r.met_count,
      required: r.required,
      summary: r.summary,
      conditions: (JSON.parse(r.conditions) as Condition[]).map((c) => {
        const a = answers.get(c.code);
        return { code: c.code, text: c.text, met: a?.met === true, evidence: a?.evidence ?? null };
      }),
      assessedAt: r.assessed_at,
      assessedBy: r.display_name,
    };
  });
}
