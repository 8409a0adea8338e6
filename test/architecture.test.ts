// The rules docs/architecture.md states, checked against the code's own imports, so they stay
// the rules the code keeps:
//   - no import circles anywhere in src/ (type-only imports count: they tie modules together too);
//   - imports point down: platform/ uses neither capabilities/, config.ts nor app.ts, and app.ts is
//     imported by nothing in src/ but main.ts;
//   - a capability uses another only through its one public module: its index.ts if it has one
//     (naming what it exports, no `export *`), otherwise its service.ts;
//   - a capability writes (insertInto, updateTable, deleteFrom) only the tables it owns: to change
//     another capability's table it calls that capability's public module.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
const CAPABILITIES = join(SRC, 'capabilities');
/** Folders of src/capabilities that group capabilities by the partnership's areas. */
const AREAS = new Set(
  readdirSync(CAPABILITIES).filter((d) => statSync(join(CAPABILITIES, d)).isDirectory() && !readdirSync(join(CAPABILITIES, d)).some((f) => f.endsWith('.ts'))),
);
/** A capability's one public module: index.ts where there is one, otherwise service.ts. */
const publicModule = (root: string) => {
  const dir = join(SRC, root);
  return readdirSync(dir).includes('index.ts') ? 'index.ts' : 'service.ts';
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Each source file with the files it imports (relative imports only), as paths under src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      targets.push(relative(SRC, normalize(join(dirname(file), spec.replace(/\.js$/, '.ts')))));
    }
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

/** The capability a file belongs to (`record/sharing`, `home`), or null outside src/capabilities. */
function capabilityOf(file: string): { name: string; root: string } | null {
  const parts = file.split(sep);
  if (parts[0] !== 'capabilities' || parts.length < 3) return null;
  const depth = AREAS.has(parts[1]!) ? 3 : 2;
  if (parts.length <= depth) return null;
  const name = parts.slice(1, depth).join('/');
  return { name, root: parts.slice(0, depth).join(sep) };
}

function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (!graph.has(m)) continue;
      if (state.get(m) === 'open') found.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return found;
}

describe('the architecture the docs describe', () => {
  const graph = importGraph();

  it('reads the whole of src/', () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(AREAS.size).toBeGreaterThanOrEqual(5);
  });

  it('has no import circles', () => {
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('points imports down: platform uses no capability, no config and no app; only main.ts imports app.ts', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      for (const t of targets) {
        if (file.startsWith(`platform${sep}`) && (t.startsWith(`capabilities${sep}`) || t === 'config.ts' || t === 'app.ts' || t === 'main.ts'))
          wrong.push(`${file} -> ${t}`);
        if (t === 'app.ts' && file !== 'main.ts') wrong.push(`${file} -> ${t}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lets a capability use another only through its public module (index.ts, or service.ts where there is no index.ts)', () => {
    const crossing: string[] = [];
    for (const [file, targets] of graph) {
      const from = capabilityOf(file);
      if (!from) continue;
      for (const t of targets) {
        const to = capabilityOf(t);
        if (!to || to.name === from.name) continue;
        if (t !== join(to.root, publicModule(to.root))) crossing.push(`${file} -> ${t}`);
      }
    }
    expect(crossing).toEqual([]);
  });

  it('has public modules that name what they export (no export *)', () => {
    const starred = [...graph.keys()].filter((f) => capabilityOf(f) && f.endsWith(`${sep}index.ts`) && /export\s*\*/.test(readFileSync(join(SRC, f), 'utf8')));
    expect(starred).toEqual([]);
  });

  it('lets a capability write only its own tables', () => {
    const crossing: string[] = [];
    const unowned: string[] = [];
    for (const file of graph.keys()) {
      const from = capabilityOf(file);
      if (!from) continue;
      const text = readFileSync(join(SRC, file), 'utf8');
      for (const m of text.matchAll(/\b(?:insertInto|updateTable|deleteFrom)\(\s*['"]([a-z_]+)/g)) {
        const table = m[1]!;
        const owner = TABLE_OWNERS[table];
        if (!owner) unowned.push(`${file} writes ${table}`);
        else if (owner !== from.name) crossing.push(`${file} -> ${table}`);
      }
    }
    expect(unowned).toEqual([]);
    expect([...new Set(crossing)].sort()).toEqual([]);
  });
});

/**
 * Which capability owns each table: the one whose part of the migrations made it for it and whose
 * service writes it (where two write it, the one that mainly does). 'platform' tables are written
 * only by src/platform (sessions, audit, jobs, the notify outbox).
 */
const TABLE_OWNERS: Record<string, string> = {
  // 0001_platform.sql
  organisations: 'administration/partnership',
  user_roles: 'administration/partnership',
  role_requests: 'administration/partnership',
  users: 'administration/sign-in',
  user_identities: 'administration/sign-in',
  invitations: 'administration/sign-in',
  sessions: 'platform',
  audit_log: 'platform',
  audit_children: 'platform',
  jobs: 'platform',
  notifications: 'platform',
  // 0005_register.sql
  localities: 'record/area-settings',
  area_contact: 'record/area-settings',
  locality_postcodes: 'record/area-settings',
  disability_criteria: 'record/area-settings',
  children: 'record/children',
  child_history: 'record/children',
  child_criteria: 'record/children',
  families: 'record/family',
  family_members: 'record/family',
  involvements: 'record/involvements',
  key_workers: 'record/involvements',
  key_worker_changes: 'record/involvements',
  about_me_versions: 'record/tell-it-once',
  chronology_events: 'record/tell-it-once',
  consents: 'record/sharing',
  consent_scopes: 'record/sharing',
  lawful_bases: 'record/sharing',
  break_glass: 'record/sharing',
  // 0007_budgets.sql
  budget_partners: 'money/budgets',
  service_categories: 'money/budgets',
  pooling_agreements: 'money/budgets',
  agreement_years: 'money/budgets',
  agreement_shares: 'money/budgets',
  ledger_accounts: 'money/budgets',
  ledger_periods: 'money/budgets',
  ledger_transactions: 'money/budgets',
  ledger_entries: 'money/budgets',
  packages: 'money/budgets',
  package_changes: 'money/budgets',
  package_split_shares: 'money/budgets',
  invoices: 'money/budgets',
  payments: 'money/budgets',
  // 0009_imports.sql
  import_sources: 'linkage/imports',
  imports: 'linkage/imports',
  import_rows: 'linkage/imports',
  source_records: 'linkage/imports',
  child_field_values: 'linkage/imports',
  match_reviews: 'linkage/matching-review',
  link_decisions: 'linkage/matching-review',
  child_merges: 'linkage/matching-review',
  // 0012_referrals_and_panels.sql
  referrals: 'referral-and-panel/referrals',
  referral_events: 'referral-and-panel/referrals',
  eligibility_rule_sets: 'referral-and-panel/eligibility',
  referral_eligibility: 'referral-and-panel/eligibility',
  panels: 'referral-and-panel/panels',
  panel_members: 'referral-and-panel/panels',
  panel_meetings: 'referral-and-panel/panels',
  panel_cases: 'referral-and-panel/panels',
  meeting_attendance: 'referral-and-panel/panels',
  split_templates: 'referral-and-panel/panel-decisions',
  panel_decisions: 'referral-and-panel/panel-decisions',
  outcome_sheets: 'referral-and-panel/panel-decisions',
  escalation_steps: 'referral-and-panel/disputes',
  disputes: 'referral-and-panel/disputes',
  dispute_events: 'referral-and-panel/disputes',
  // 0020_audit_sealing.sql
  audit_checkpoints: 'platform',
  // 0021_rate_limits.sql
  rate_limits: 'platform',
  // 0022_consent_per_organisation.sql
  consent_organisation_scopes: 'record/sharing',
  consent_withdrawals: 'record/sharing',
  // 0026_family_accounts.sql
  family_accounts: 'families/my-family',
  // 0031_commissioning_plans_and_contracts.sql
  commissioning_plans: 'planning/commissioning-plans',
  commissioning_plan_editors: 'planning/commissioning-plans',
  commissioning_priorities: 'planning/commissioning-plans',
  commissioning_evidence: 'planning/commissioning-plans',
  commissioning_intentions: 'planning/commissioning-plans',
  commissioning_intention_partners: 'planning/commissioning-plans',
  commissioning_stage_changes: 'planning/commissioning-plans',
  contracts: 'planning/contracts',
  contract_shares: 'planning/contracts',
  contract_packages: 'planning/contracts',
  contract_kpis: 'planning/contracts',
  contract_kpi_returns: 'planning/contracts',
  market_position_statements: 'planning/commissioning-plans',
  // 0024_local_offer.sql
  offer_taxonomies: 'planning/local-offer',
  offer_taxonomy_terms: 'planning/local-offer',
  offer_organisations: 'planning/local-offer',
  offer_services: 'planning/local-offer',
  offer_locations: 'planning/local-offer',
  offer_accessibility: 'planning/local-offer',
  offer_service_at_locations: 'planning/local-offer',
  offer_contacts: 'planning/local-offer',
  offer_schedules: 'planning/local-offer',
  offer_cost_options: 'planning/local-offer',
  offer_languages: 'planning/local-offer',
  offer_attributes: 'planning/local-offer',
  offer_changes: 'planning/local-offer',
  postcodes: 'planning/local-offer',
  // 0028_needs_assessment.sql
  needs_population: 'planning/needs-assessment',
  needs_dfe_figures: 'planning/needs-assessment',
  needs_statistical_neighbours: 'planning/needs-assessment',
  // 0027_forecast.sql
  forecast_scenarios: 'planning/forecast',
};
