-- One referral route, eligibility rule sets, multi-agency panels, their meetings and decisions,
-- outcome sheets and disputes (issue 6; docs/adr/0011). JSON is held as text, as elsewhere.

-- Eligibility rule sets, versioned: a change is a new row with the next version; a referral keeps
-- the version it was assessed against.
create table eligibility_rule_sets (
  id uuid primary key default gen_random_uuid(),
  key text not null check (key ~ '^[a-z0-9-]{2,60}$'),
  version integer not null check (version >= 1),
  name text not null check (length(name) between 1 and 200),
  kind text not null check (kind in ('at-least', 'all', 'any')),
  threshold integer,
  -- [{ "code": "...", "text": "..." }]
  conditions text not null,
  outcome_met text,
  outcome_not_met text,
  active boolean not null default true,
  created_by uuid references users(id),
  created_at timestamptz not null default now(),
  unique (key, version)
);

create sequence referral_numbers;

create table referrals (
  id uuid primary key default gen_random_uuid(),
  reference text not null unique default ('REF-' || lpad(nextval('referral_numbers')::text, 6, '0')),
  route text not null check (route in ('partner', 'family')),
  -- Null until triage attaches a family's referral to a record on the register.
  child_id uuid references children(id),
  -- What the referrer told us about the child ({ givenName, familyName, dateOfBirth, postcode, ... }).
  child_details text not null default '{}',
  referrer_user_id uuid references users(id),
  referrer_organisation_id uuid references organisations(id),
  referrer_name text not null check (length(referrer_name) between 1 and 200),
  -- 'parent', 'carer', 'young-person', 'professional'
  referrer_relationship text not null check (referrer_relationship in ('parent', 'carer', 'young-person', 'professional')),
  referrer_email text,
  referrer_phone text,
  contact_method text not null default 'email' check (contact_method in ('email', 'sms', 'post', 'phone')),
  help_needed text not null check (length(help_needed) between 1 and 4000),
  reason text not null check (length(reason) between 1 and 4000),
  -- Sharing: the family's consent (who gave it) or a recorded lawful basis.
  sharing_basis text not null check (sharing_basis in ('consent', 'lawful-basis')),
  consent_given_by text,
  lawful_basis text,
  check ((sharing_basis = 'consent' and consent_given_by is not null) or (sharing_basis = 'lawful-basis' and lawful_basis is not null)),
  status text not null default 'received' check (status in ('received', 'more-information', 'accepted', 'signposted', 'to-panel', 'decided', 'closed')),
  triage_reason text,
  triaged_by uuid references users(id),
  triaged_at timestamptz,
  received_on date not null,
  received_at timestamptz not null default now(),
  version integer not null default 1
);
create index referrals_status on referrals (status, received_at);
create index referrals_child on referrals (child_id);

-- What happened to a referral, in order (received, acknowledged, triaged, notified, ...).
create table referral_events (
  id uuid primary key default gen_random_uuid(),
  referral_id uuid not null references referrals(id),
  kind text not null check (length(kind) between 1 and 60),
  note text,
  notification_id uuid references notifications(id),
  by_user_id uuid references users(id),
  at timestamptz not null default now()
);
create index referral_events_referral on referral_events (referral_id, at);

-- A referral's assessment against a rule set version: which conditions were met, on what evidence.
create table referral_eligibility (
  id uuid primary key default gen_random_uuid(),
  referral_id uuid not null references referrals(id),
  rule_set_id uuid not null references eligibility_rule_sets(id),
  -- [{ "code": "...", "met": true, "evidence": "..." }]
  answers text not null,
  met boolean not null,
  met_count integer not null,
  required integer not null,
  summary text not null,
  assessed_by uuid references users(id),
  assessed_at timestamptz not null default now()
);
create index referral_eligibility_referral on referral_eligibility (referral_id, assessed_at);

-- Panels and their terms of reference.
create table panels (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (length(name) between 1 and 200),
  purpose text not null check (length(purpose) between 1 and 4000),
  frequency text not null check (length(frequency) between 1 and 200),
  administrator_id uuid references users(id),
  -- Agenda and papers go to members at least this many days before the meeting.
  papers_days integer not null default 7 check (papers_days between 0 and 60),
  -- Cases are added up to this many days before the meeting.
  cut_off_days integer not null default 10 check (cut_off_days between 0 and 90),
  -- Quorum: at least this many members present ...
  quorum_members integer not null default 3 check (quorum_members >= 1),
  -- ... and, for a joint funding decision, someone present from each of these organisation types (JSON array).
  joint_funding_agencies text not null default '[]',
  active boolean not null default true,
  created_at timestamptz not null default now(),
  version integer not null default 1
);

create table panel_members (
  id uuid primary key default gen_random_uuid(),
  panel_id uuid not null references panels(id),
  user_id uuid not null references users(id),
  role text not null check (role in ('chair', 'member', 'adviser')),
  -- The budget partner the member may commit, and up to how much a year (pence) on their own authority.
  partner_id uuid references budget_partners(id),
  authority_pence bigint not null default 0 check (authority_pence >= 0),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  unique (panel_id, user_id)
);

create table panel_meetings (
  id uuid primary key default gen_random_uuid(),
  panel_id uuid not null references panels(id),
  meets_on date not null,
  cut_off_on date not null,
  papers_due_on date not null,
  place text,
  status text not null default 'planned' check (status in ('planned', 'published', 'held', 'cancelled')),
  published_at timestamptz,
  published_by uuid references users(id),
  published_late boolean not null default false,
  version integer not null default 1,
  unique (panel_id, meets_on)
);

create table panel_cases (
  id uuid primary key default gen_random_uuid(),
  meeting_id uuid not null references panel_meetings(id),
  referral_id uuid not null references referrals(id),
  position integer not null,
  -- The case summary in the papers.
  summary text not null default '',
  added_late boolean not null default false,
  added_by uuid references users(id),
  added_at timestamptz not null default now(),
  unique (meeting_id, referral_id)
);

create table meeting_attendance (
  meeting_id uuid not null references panel_meetings(id),
  user_id uuid not null references users(id),
  present boolean not null,
  -- A declaration of interest, in the member's words; null when none.
  interests text,
  recorded_by uuid references users(id),
  recorded_at timestamptz not null default now(),
  primary key (meeting_id, user_id)
);

-- The area's pre-agreed split templates, e.g. post-operative personal care: 50/50 for six weeks, then social care.
create table split_templates (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (length(name) between 1 and 200),
  description text not null default '',
  -- [{ "days": 42 | null, "shares": [{ "partnerId": "...", "bp": 5000 }] }]; the last segment's days is null.
  segments text not null,
  active boolean not null default true,
  created_at timestamptz not null default now()
);

create table panel_decisions (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null unique references panel_cases(id),
  referral_id uuid not null references referrals(id),
  meeting_id uuid not null references panel_meetings(id),
  outcome text not null check (outcome in ('approve', 'approve-with-changes', 'decline', 'defer', 'refer-elsewhere')),
  reasons text not null check (length(reasons) between 1 and 4000),
  package_id uuid references packages(id),
  decided_on date not null,
  sheet_due_on date not null,
  recorded_by uuid references users(id),
  recorded_at timestamptz not null default now()
);

alter table package_changes add constraint package_changes_decision foreign key (decision_id) references panel_decisions(id);
alter table ledger_transactions add constraint ledger_transactions_decision foreign key (decision_id) references panel_decisions(id);

create table outcome_sheets (
  id uuid primary key default gen_random_uuid(),
  decision_id uuid not null unique references panel_decisions(id),
  html text not null,
  pdf bytea not null,
  sha256 text not null,
  -- [{ "who": "referrer" | "family" | "partner", "name": "...", "notificationId": "..." }]
  recipients text not null,
  issued_on date not null,
  issued_by uuid references users(id),
  issued_at timestamptz not null default now()
);

-- The area's escalation ladder for disputes about shares.
create table escalation_steps (
  position integer primary key check (position >= 1),
  name text not null check (length(name) between 1 and 200),
  days integer not null check (days between 1 and 365)
);

create table disputes (
  id uuid primary key default gen_random_uuid(),
  decision_id uuid not null references panel_decisions(id),
  partner_id uuid not null references budget_partners(id),
  raised_by uuid references users(id),
  raised_on date not null,
  raised_at timestamptz not null default now(),
  reason text not null check (length(reason) between 1 and 4000),
  -- Who pays while it is open (plain English), so the family never waits.
  interim text not null,
  step integer not null default 1,
  step_due_on date not null,
  status text not null default 'open' check (status in ('open', 'resolved', 'withdrawn')),
  resolved_on date,
  resolved_by uuid references users(id),
  resolution text,
  version integer not null default 1
);
create index disputes_open on disputes (status, raised_on);

create table dispute_events (
  id uuid primary key default gen_random_uuid(),
  dispute_id uuid not null references disputes(id),
  kind text not null check (kind in ('raised', 'escalated', 'resolved', 'withdrawn')),
  step integer not null,
  note text not null,
  by_user_id uuid references users(id),
  at timestamptz not null default now()
);
