-- The key worker moves from a column of children to a table of its own, owned by involvements
-- (who works with the child), beside its history in key_worker_changes. Changing the key worker
-- no longer changes the core record, so a form open on the record is not made stale by it, and
-- the key worker form has a version of its own.
create table key_workers (
  child_id uuid primary key references children(id) on delete cascade,
  user_id uuid not null references users(id),
  version integer not null default 1,
  updated_at timestamptz not null default now()
);
create index key_workers_user on key_workers (user_id);

insert into key_workers (child_id, user_id, updated_at)
select id, key_worker_user_id, updated_at from children where key_worker_user_id is not null;

alter table children drop column key_worker_user_id;
