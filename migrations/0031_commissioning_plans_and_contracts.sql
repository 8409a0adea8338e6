-- Joint commissioning (issue 17, parts 3 and 4): commissioning plans (priorities with their
-- evidence, commissioning intentions moving through the cycle's stages, the partnership board's
-- decision) and the contracts register (value per year split between partners and pools, the
-- packages that run against a contract, KPIs and their returns). See docs/adr/0023.

-- A commissioning plan for a period. A change to an approved plan sends it back to draft: what
-- the board approved is what runs (docs/adr/0023).
create table commissioning_plans (
  id uuid primary key default gen_random_uuid(),
  title text not null check (length(title) between 1 and 200),
  period_from date not null,
  period_to date not null,
  status text not null default 'draft' check (status in ('draft', 'submitted', 'approved', 'not-approved')),
  created_by uuid not null references users(id),
  created_at timestamptz not null default now(),
  submitted_by uuid references users(id),
  submitted_at timestamptz,
  decided_by uuid references users(id),
  decided_at timestamptz,
  board_meeting_on date,
  decision_note text,
  version integer not null default 1,
  check (period_to >= period_from),
  -- Separation of duties: nobody decides on a plan they sent for decision (the service also
  -- refuses anyone who changed it: commissioning_plan_editors).
  check (decided_by is null or decided_by <> created_by),
  check (decided_by is null or submitted_by is null or decided_by <> submitted_by)
);

-- Everyone who has written to a plan (its priorities, evidence, intentions and stages): none of
-- them may approve it.
create table commissioning_plan_editors (
  plan_id uuid not null references commissioning_plans(id),
  user_id uuid not null references users(id),
  first_at timestamptz not null default now(),
  primary key (plan_id, user_id)
);

create table commissioning_priorities (
  id uuid primary key default gen_random_uuid(),
  plan_id uuid not null references commissioning_plans(id),
  title text not null check (length(title) between 1 and 200),
  description text not null default '',
  created_by uuid not null references users(id),
  created_at timestamptz not null default now()
);
create index commissioning_priorities_plan on commissioning_priorities (plan_id);

-- The evidence for a priority: a needs assessment view (a link), a gap from the Local Offer's
-- need against supply, or what families said (with its source and date).
create table commissioning_evidence (
  id uuid primary key default gen_random_uuid(),
  priority_id uuid not null references commissioning_priorities(id),
  kind text not null check (kind in ('needs-view', 'local-offer-gap', 'family-voice')),
  summary text not null check (length(summary) between 1 and 2000),
  link text check (link is null or link ~ '^/[A-Za-z0-9/_?=&.%-]*$'),
  source text,
  said_on date,
  recorded_by uuid not null references users(id),
  recorded_at timestamptz not null default now(),
  check (kind <> 'family-voice' or (source is not null and said_on is not null))
);
create index commissioning_evidence_priority on commissioning_evidence (priority_id);

-- What the partnership means to commission, why, by when, with which partners and expected money
-- from which pool; at one stage of the cycle, with an owner.
create table commissioning_intentions (
  id uuid primary key default gen_random_uuid(),
  plan_id uuid not null references commissioning_plans(id),
  priority_id uuid references commissioning_priorities(id),
  what text not null check (length(what) between 1 and 300),
  why text not null check (length(why) between 1 and 2000),
  due_on date not null,
  stage text not null default 'understand' check (stage in ('understand', 'plan', 'do', 'review')),
  owner_id uuid not null references users(id),
  agreement_id uuid references pooling_agreements(id),
  expected_pence bigint check (expected_pence is null or expected_pence > 0),
  created_by uuid not null references users(id),
  created_at timestamptz not null default now(),
  version integer not null default 1
);
create index commissioning_intentions_plan on commissioning_intentions (plan_id);

create table commissioning_intention_partners (
  intention_id uuid not null references commissioning_intentions(id),
  partner_id uuid not null references budget_partners(id),
  primary key (intention_id, partner_id)
);

-- Each stage an intention entered: when, who owns it there, by when it should move on.
create table commissioning_stage_changes (
  id uuid primary key default gen_random_uuid(),
  intention_id uuid not null references commissioning_intentions(id),
  stage text not null check (stage in ('understand', 'plan', 'do', 'review')),
  owner_id uuid not null references users(id),
  due_on date not null,
  note text,
  changed_by uuid not null references users(id),
  changed_at timestamptz not null default now()
);
create index commissioning_stage_changes_intention on commissioning_stage_changes (intention_id, changed_at);

-- The contracts register.
create sequence contract_reference_seq start with 101;
create table contracts (
  id uuid primary key default gen_random_uuid(),
  reference text not null unique default ('CON-' || nextval('contract_reference_seq')::text),
  title text not null check (length(title) between 1 and 200),
  provider_id uuid not null references organisations(id),
  -- The Local Offer service it buys (read through the Local Offer's public module).
  service_id uuid references offer_services(id),
  starts_on date not null,
  ends_on date not null,
  annual_value_pence bigint not null check (annual_value_pence > 0),
  -- The commissioning intention it came from (the procurement pipeline), when it did.
  intention_id uuid unique references commissioning_intentions(id),
  -- The last alert e-mailed before it ends (the daily job), so each is sent once.
  alerted text check (alerted in ('6-months', '3-months')),
  created_by uuid not null references users(id),
  created_at timestamptz not null default now(),
  version integer not null default 1,
  check (ends_on >= starts_on)
);

-- The value per year split between partners and pools; the shares add up to the value (checked
-- by src/capabilities/planning/contracts/rules.ts before anything is written).
create table contract_shares (
  contract_id uuid not null references contracts(id),
  partner_id uuid not null references budget_partners(id),
  agreement_id uuid not null references pooling_agreements(id),
  pence bigint not null check (pence > 0),
  primary key (contract_id, partner_id, agreement_id)
);

-- A package of support paid under a contract: its spend comes from the ledger.
create table contract_packages (
  contract_id uuid not null references contracts(id),
  package_id uuid not null unique references packages(id),
  linked_by uuid not null references users(id),
  linked_at timestamptz not null default now(),
  primary key (contract_id, package_id)
);

create table contract_kpis (
  id uuid primary key default gen_random_uuid(),
  contract_id uuid not null references contracts(id),
  name text not null check (length(name) between 1 and 200),
  target numeric not null,
  unit text not null check (length(unit) between 1 and 40),
  higher_is_better boolean not null default true,
  created_by uuid not null references users(id),
  created_at timestamptz not null default now()
);
create index contract_kpis_contract on contract_kpis (contract_id);

create table contract_kpi_returns (
  id uuid primary key default gen_random_uuid(),
  kpi_id uuid not null references contract_kpis(id),
  period_ending date not null,
  value numeric not null,
  note text,
  recorded_by uuid not null references users(id),
  recorded_at timestamptz not null default now(),
  unique (kpi_id, period_ending)
);

-- The market position statement (issue 17 part 5): what the commissioner writes to providers,
-- around what is generated from the approved plans' intentions. One a partnership; plain text,
-- shown as paragraphs (never stored as HTML).
create table market_position_statements (
  id uuid primary key default gen_random_uuid(),
  introduction text not null default '',
  to_providers text not null default '',
  updated_by uuid references users(id),
  updated_at timestamptz not null default now(),
  version integer not null default 1
);
