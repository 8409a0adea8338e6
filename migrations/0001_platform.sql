-- The platform: organisations, people, roles, sign-in, sessions, audit, jobs, notifications.

create table organisations (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[A-Z0-9-]{2,20}$'),
  name text not null check (length(name) between 1 and 200),
  type text not null check (type in ('council-education', 'council-social-care', 'nhs-commissioner',
    'nhs-trust', 'school', 'provider', 'parent-carer-forum')),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  version integer not null default 1
);

create table users (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references organisations(id),
  display_name text not null check (length(display_name) between 1 and 200),
  email text not null,
  active boolean not null default true,
  deactivated_at timestamptz,
  password_hash text,
  totp_secret text,
  totp_enabled_at timestamptz,
  failed_sign_ins integer not null default 0,
  locked_until timestamptz,
  created_at timestamptz not null default now(),
  version integer not null default 1
);
create unique index users_email_unique on users (lower(email));

create table user_roles (
  user_id uuid not null references users(id),
  role text not null check (role in ('partnership-administrator', 'caseworker', 'key-worker',
    'practitioner', 'panel-member', 'commissioner', 'finance-officer', 'participation-lead',
    'information-governance-lead')),
  primary key (user_id, role)
);

-- People signing in through an organisation's identity provider are known by issuer + subject,
-- never by e-mail address (addresses are reused and changed).
create table user_identities (
  issuer text not null,
  subject text not null,
  user_id uuid not null references users(id),
  created_at timestamptz not null default now(),
  primary key (issuer, subject)
);

create table invitations (
  token_hash text primary key,
  user_id uuid not null references users(id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);

create table sessions (
  id_hash text primary key,
  user_id uuid not null references users(id),
  stage text not null check (stage in ('signed-in', 'awaiting-totp', 'awaiting-totp-setup')),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ended_at timestamptz,
  ended_reason text
);
create index sessions_user on sessions (user_id) where ended_at is null;

-- Append-only: each row carries the hash of the one before it (see src/platform/audit).
create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null,
  user_id uuid,
  organisation_id uuid,
  roles text not null default '',
  action text not null,
  subject_type text,
  subject_id text,
  purpose text,
  result text not null check (result in ('allowed', 'denied')),
  request_id text,
  details text not null default '{}',
  prev_hash text not null,
  hash text not null
);
create index audit_log_subject on audit_log (subject_type, subject_id);

create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_is_append_only();

create table jobs (
  id bigint generated always as identity primary key,
  kind text not null,
  payload text not null default '{}',
  status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
  run_at timestamptz not null default now(),
  attempts integer not null default 0,
  max_attempts integer not null default 3,
  progress integer not null default 0 check (progress between 0 and 100),
  progress_message text,
  result text,
  error text,
  created_by uuid references users(id),
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  locked_until timestamptz
);
create index jobs_ready on jobs (run_at) where status in ('queued', 'running');

create table notifications (
  id uuid primary key default gen_random_uuid(),
  channel text not null check (channel in ('email', 'sms')),
  recipient text not null,
  subject text,
  body text not null,
  status text not null check (status in ('recorded', 'sent', 'failed')),
  provider text not null,
  provider_reference text,
  error text,
  created_at timestamptz not null default now()
);
