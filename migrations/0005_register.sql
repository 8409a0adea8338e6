-- The joint agency record: children and young people (0 to 25) on the area's register, their
-- families, who works with them, what they told us once, and what they have agreed to share.

-- Localities are configured per area; a postcode falls in the locality of its longest
-- matching prefix (district "DM1" or sector "DM1 4").
create table localities (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  name text not null
);
create table locality_postcodes (
  prefix text primary key check (prefix = upper(prefix)),
  locality_id uuid not null references localities(id)
);

-- The area's common definition of disability (e.g. Tower Hamlets' criteria), as a set of criteria.
create table disability_criteria (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  description text not null,
  position integer not null default 0,
  active boolean not null default true
);

create table families (
  id uuid primary key default gen_random_uuid(),
  created_at timestamptz not null default now()
);

create table children (
  id uuid primary key default gen_random_uuid(),
  family_id uuid not null references families(id),
  given_name text not null check (length(given_name) between 1 and 100),
  family_name text not null check (length(family_name) between 1 and 100),
  preferred_name text,
  other_names text,
  date_of_birth date not null,
  sex text not null check (sex in ('M', 'F', 'U')),
  ethnicity text not null check (ethnicity in ('WBRI', 'WIRI', 'WIRT', 'WOTH', 'WROM', 'MWBC', 'MWBA',
    'MWAS', 'MOTH', 'AIND', 'APKN', 'ABAN', 'AOTH', 'BCRB', 'BAFR', 'BOTH', 'CHNE', 'OOTH', 'REFU', 'NOBT')),
  address_line1 text,
  address_line2 text,
  town text,
  postcode text,
  locality_id uuid references localities(id),
  nhs_number text unique check (nhs_number ~ '^[0-9]{10}$'),
  upn text unique check (upn ~ '^[A-Z][0-9]{11}[0-9A-Z]$'),
  council_id text unique,
  primary_need text check (primary_need in ('SPLD', 'MLD', 'SLD', 'PMLD', 'SEMH', 'SLCN', 'HI', 'VI',
    'MSI', 'PD', 'ASD', 'OTH', 'DS')),
  secondary_needs text[] not null default '{}',
  has_ehc_plan boolean not null default false,
  severity text check (severity in ('moderate', 'severe', 'profound')),
  communication_needs text,
  joined_on date not null,
  status text not null default 'active' check (status in ('active', 'moved-away', 'over-25', 'died', 'left')),
  status_on date,
  acts_for_self boolean not null default false,
  key_worker_user_id uuid references users(id),
  -- Lower-cased, accent-free names for tolerant search (kept by the application).
  search_names text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  check (joined_on >= date_of_birth)
);
create index children_dob on children (date_of_birth);
create index children_postcode on children (postcode);
create index children_family on children (family_id);
create index children_status on children (status);

-- Every change to a child's core record, with the values before and after.
create table child_history (
  id bigint generated always as identity primary key,
  child_id uuid not null references children(id),
  at timestamptz not null default now(),
  user_id uuid references users(id),
  changes text not null
);
create index child_history_child on child_history (child_id, id);

create table child_criteria (
  child_id uuid not null references children(id),
  criterion_id uuid not null references disability_criteria(id),
  assessed_by_user_id uuid references users(id),
  assessed_by_organisation_id uuid references organisations(id),
  assessed_on date not null,
  primary key (child_id, criterion_id)
);

create table family_members (
  id uuid primary key default gen_random_uuid(),
  family_id uuid not null references families(id),
  full_name text not null check (length(full_name) between 1 and 200),
  relationship text not null,
  parental_responsibility boolean not null default false,
  phone text,
  email text,
  address text,
  preferred_contact text check (preferred_contact in ('email', 'sms', 'phone', 'letter')),
  language text,
  needs_interpreter boolean not null default false,
  consents_to_email boolean not null default false,
  consents_to_sms boolean not null default false,
  version integer not null default 1
);
create index family_members_family on family_members (family_id);

-- Which organisation and service works with the child. Involvement is the first half of the
-- access rule: a staff member sees a child only when their organisation is involved.
create table involvements (
  id uuid primary key default gen_random_uuid(),
  child_id uuid not null references children(id),
  organisation_id uuid not null references organisations(id),
  service text not null,
  provides text,
  started_on date not null,
  ended_on date,
  practitioner_user_id uuid references users(id),
  practitioner_name text,
  cost_pence bigint check (cost_pence >= 0),
  cost_period text check (cost_period in ('week', 'year')),
  created_by uuid references users(id),
  created_at timestamptz not null default now(),
  version integer not null default 1,
  check (ended_on is null or ended_on >= started_on),
  check ((cost_pence is null) = (cost_period is null))
);
create index involvements_child on involvements (child_id);
create index involvements_organisation on involvements (organisation_id, child_id);

create table key_worker_changes (
  id uuid primary key default gen_random_uuid(),
  child_id uuid not null references children(id),
  from_user_id uuid references users(id),
  to_user_id uuid not null references users(id),
  changed_on date not null,
  family_agreed boolean not null,
  note text,
  recorded_by uuid references users(id),
  recorded_at timestamptz not null default now()
);

-- "About me", written with the family, kept in versions.
create table about_me_versions (
  id uuid primary key default gen_random_uuid(),
  child_id uuid not null references children(id),
  version integer not null,
  what_matters text,
  what_works text,
  what_does_not_work text,
  communication text,
  aspirations text,
  written_with text,
  recorded_by uuid references users(id),
  recorded_at timestamptz not null default now(),
  unique (child_id, version)
);

-- One chronology across agencies; each event belongs to a section for sharing.
create table chronology_events (
  id uuid primary key default gen_random_uuid(),
  child_id uuid not null references children(id),
  organisation_id uuid references organisations(id),
  occurred_on date not null,
  section text not null check (section in ('core', 'family', 'education', 'health', 'social-care', 'about-me')),
  title text not null,
  detail text,
  recorded_by uuid references users(id),
  recorded_at timestamptz not null default now()
);
create index chronology_child on chronology_events (child_id, occurred_on);

-- Consent to share: given by a parent with parental responsibility, or by the young person from
-- 16 (with a capacity note when someone else decides). Scope is per organisation type and section.
create table consents (
  id uuid primary key default gen_random_uuid(),
  child_id uuid not null references children(id),
  given_by text not null check (given_by in ('parent', 'young-person', 'decision-maker')),
  given_by_member_id uuid references family_members(id),
  capacity_note text,
  given_on date not null,
  method text not null check (method in ('written', 'verbal', 'electronic')),
  evidence text,
  review_on date,
  withdrawn_at timestamptz,
  withdrawn_reason text,
  recorded_by uuid references users(id),
  recorded_at timestamptz not null default now()
);
create index consents_child on consents (child_id);
create table consent_scopes (
  consent_id uuid not null references consents(id),
  organisation_type text not null,
  section text not null check (section in ('core', 'family', 'education', 'health', 'social-care', 'about-me')),
  primary key (consent_id, organisation_type, section)
);

-- Sharing on a lawful basis other than consent (e.g. safeguarding), for one organisation.
create table lawful_bases (
  id uuid primary key default gen_random_uuid(),
  child_id uuid not null references children(id),
  organisation_id uuid not null references organisations(id),
  basis text not null check (basis in ('safeguarding', 'legal-obligation', 'vital-interests', 'public-task')),
  sections text[] not null,
  explanation text not null,
  decided_by_user_id uuid references users(id),
  decided_on date not null,
  ends_on date,
  ended_at timestamptz,
  recorded_at timestamptz not null default now()
);
create index lawful_bases_child on lawful_bases (child_id);

-- Emergency access: a written reason, time-limited, reviewed by the information governance lead.
create table break_glass (
  id uuid primary key default gen_random_uuid(),
  child_id uuid not null references children(id),
  user_id uuid not null references users(id),
  organisation_id uuid not null references organisations(id),
  reason text not null check (length(reason) >= 20),
  started_at timestamptz not null default now(),
  expires_at timestamptz not null,
  reviewed_by uuid references users(id),
  reviewed_at timestamptz,
  review_note text
);
create index break_glass_child_user on break_glass (child_id, user_id);
