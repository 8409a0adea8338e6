-- Bringing agency records together (issue 4): agency sources with their saved column mappings,
-- uploaded extracts with a row-by-row dry run, the source records each child on the register is
-- known by, which source supplied which value and when (provenance), the clerical review queue,
-- people's linkage decisions, and merges that can be undone. See docs/adr/0010.

-- An agency that sends extracts, with how its columns map to the register's fields.
create table import_sources (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (length(name) between 1 and 100),
  organisation_id uuid references organisations(id),
  kind text not null check (kind in ('education', 'health', 'social-care', 'provider')),
  -- The column holding the agency's own record id, and how its birth dates are written.
  record_id_column text not null,
  birth_date_format text not null default 'YYYY-MM-DD' check (birth_date_format in ('YYYY-MM-DD', 'YYYYMMDD', 'DD/MM/YYYY', 'DD-MM-YYYY', 'MM/DD/YYYY')),
  -- JSON object: register field -> column name (address_line1 etc.), e.g. {"given_name":"Forename"}.
  mapping text not null,
  -- The linker's thresholds for this agency's extracts: pairs at or above match_threshold link;
  -- pairs from review_lower up to it go to clerical review.
  match_threshold double precision not null default 0.9 check (match_threshold > 0 and match_threshold <= 1),
  review_lower double precision not null default 0.5 check (review_lower >= 0 and review_lower <= match_threshold),
  created_by uuid references users(id),
  created_at timestamptz not null default now(),
  version integer not null default 1
);

-- One uploaded extract. The file is kept (for the background dry run and apply) until applied.
create table imports (
  id uuid primary key default gen_random_uuid(),
  source_id uuid not null references import_sources(id),
  file_name text not null,
  file_type text not null check (file_type in ('csv', 'xlsx')),
  content_hash text not null check (content_hash ~ '^[0-9a-f]{64}$'),
  size_bytes integer not null,
  content bytea,
  status text not null default 'checking' check (status in ('checking', 'checked', 'applying', 'applied', 'failed', 'already-applied')),
  dry_run_job_id bigint,
  apply_job_id bigint,
  -- JSON: how many rows of each outcome, and the thresholds used.
  summary text,
  error text,
  leave_out_invalid boolean not null default false,
  uploaded_by uuid references users(id),
  uploaded_at timestamptz not null default now(),
  checked_at timestamptz,
  applied_by uuid references users(id),
  applied_at timestamptz
);
create index imports_source on imports (source_id, uploaded_at);
-- The same file from the same source is applied at most once.
create unique index imports_applied_once on imports (source_id, content_hash) where status = 'applied';

-- The dry run's verdict on every row (row_number counts data rows from 1; the header is row 1 of
-- the file, so a spreadsheet's row is row_number + 1).
create table import_rows (
  import_id uuid not null references imports(id),
  row_number integer not null,
  record_id text,
  outcome text not null check (outcome in ('create', 'update', 'link', 'review', 'invalid', 'unchanged')),
  -- The register child the row links to or updates (null for create and invalid).
  child_id uuid,
  probability double precision,
  reason text not null,
  -- JSON: [{column, message}] for invalid rows; the normalised values for the others.
  problems text not null default '[]',
  field_values text not null default '{}',
  primary key (import_id, row_number)
);

-- A record of an agency, as last supplied, and the child on the register it belongs to.
create table source_records (
  id uuid primary key default gen_random_uuid(),
  source_id uuid not null references import_sources(id),
  record_id text not null,
  child_id uuid not null references children(id),
  field_values text not null,
  first_import_id uuid references imports(id),
  last_import_id uuid references imports(id),
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  unique (source_id, record_id)
);
create index source_records_child on source_records (child_id);

-- Provenance: every value a source supplied for a field of a child, and when. Never updated or
-- deleted by a merge: conflicting values are all kept; the children row holds the current one.
create table child_field_values (
  id bigint generated always as identity primary key,
  child_id uuid not null references children(id),
  field text not null,
  value text not null,
  source_record_id uuid references source_records(id),
  -- Values a merge carried over from the merged record's own fields (no source).
  merge_id uuid,
  import_id uuid references imports(id),
  supplied_at timestamptz not null default now()
);
create index child_field_values_child on child_field_values (child_id, field);

-- Two register records a person should look at: the pairs the linker was unsure about.
create table match_reviews (
  id uuid primary key default gen_random_uuid(),
  import_id uuid references imports(id),
  -- The two children (no foreign key: a merge removes one of them; the review keeps its ids).
  child_a uuid not null,
  child_b uuid not null,
  -- The linker's records behind the pair (source, record id), for feeding the decision back.
  ref_a_source text not null,
  ref_a_id text not null,
  ref_b_source text not null,
  ref_b_id text not null,
  probability double precision not null,
  -- JSON: the linker's per-field explanation [{field, level, levelIndex, weight}].
  explanation text not null,
  status text not null default 'pending' check (status in ('pending', 'same', 'different', 'not-sure', 'closed')),
  decided_by uuid references users(id),
  decided_at timestamptz,
  note text,
  merge_id uuid,
  created_at timestamptz not null default now(),
  check (child_a <> child_b)
);
create index match_reviews_status on match_reviews (status, created_at);
create index match_reviews_children on match_reviews (child_a, child_b);

-- People's decisions about pairs of linker records, given back to the linker as must-link and
-- cannot-link so the same pair is never asked twice. Stored with the lower ref first.
create table link_decisions (
  id uuid primary key default gen_random_uuid(),
  source_a text not null,
  record_a text not null,
  source_b text not null,
  record_b text not null,
  decision text not null check (decision in ('same', 'different')),
  review_id uuid references match_reviews(id),
  decided_by uuid references users(id),
  decided_at timestamptz not null default now(),
  unique (source_a, record_a, source_b, record_b)
);

-- A merge of two register records into the older one, with everything needed to undo it exactly.
create table child_merges (
  id uuid primary key default gen_random_uuid(),
  kept_child_id uuid not null references children(id),
  -- The record merged away (removed from children; restored by an unmerge).
  merged_child_id uuid not null,
  review_id uuid references match_reviews(id),
  -- JSON: both children rows as they were, and the ids of every row moved or added.
  snapshot text not null,
  kept_version_after integer not null,
  merged_by uuid references users(id),
  merged_at timestamptz not null default now(),
  unmerged_by uuid references users(id),
  unmerged_at timestamptz
);
create index child_merges_kept on child_merges (kept_child_id);
create index child_merges_merged on child_merges (merged_child_id);
