-- Changes to the partnership-administrator role wait for a second administrator (issue 11): the
-- request is kept here, shown on the person's page, and takes effect only when another
-- administrator (neither the one who asked nor the person concerned) approves it.
create table role_requests (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users(id),
  role text not null,
  change text not null check (change in ('grant', 'remove')),
  requested_by uuid not null references users(id),
  requested_at timestamptz not null default now(),
  decision text check (decision in ('approved', 'refused')),
  decided_by uuid references users(id),
  decided_at timestamptz,
  -- Decided all at once, or not at all.
  constraint role_requests_decided check ((decision is null) = (decided_by is null) and (decision is null) = (decided_at is null)),
  -- Nobody approves their own request, nor a change to their own roles.
  constraint role_requests_second_person check (decided_by is null or (decided_by <> requested_by and decided_by <> user_id)),
  constraint role_requests_not_own check (requested_by <> user_id)
);
-- At most one open request for a person and a role.
create unique index role_requests_one_open on role_requests (user_id, role) where decision is null;
create index role_requests_open on role_requests (requested_at) where decision is null;
