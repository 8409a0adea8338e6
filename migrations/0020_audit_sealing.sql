-- Audit without a global lock (docs/adr/0013-audit-without-a-global-lock.md): a transaction
-- writes its audit entries unsealed (no position, no hash), without waiting for any other; the
-- sealer (src/platform/audit/sealer.ts) later gives committed entries their position (seq) and
-- extends the hash chain in that order. The chain's order is seq, not id: ids are handed out at
-- insert and commit out of order.
alter table audit_log add column seq bigint, add column sealed_at timestamptz;

-- Entries written before this were chained in id order under the old lock: their positions follow
-- their ids. The row trigger would refuse this update, so it is replaced first.
drop trigger audit_log_no_update on audit_log;
update audit_log a set seq = n.seq, sealed_at = a.at
from (select id, row_number() over (order by id) as seq from audit_log) n
where a.id = n.id;

alter table audit_log
  alter column prev_hash drop not null,
  alter column hash drop not null,
  add constraint audit_log_seq_unique unique (seq),
  add constraint audit_log_seq_positive check (seq > 0),
  -- Sealed all at once, or not at all.
  add constraint audit_log_sealed_whole check (
    (seq is null) = (prev_hash is null) and (seq is null) = (hash is null) and (seq is null) = (sealed_at is null));
-- What the sealer reads: committed entries not yet sealed, in id order.
create index audit_log_unsealed on audit_log (id) where seq is null;

-- Still append-only: the one change allowed is sealing an unsealed entry, once, leaving what it
-- records untouched. DELETE is refused (TRUNCATE too, by 0002's statement trigger).
create function audit_log_only_sealing() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE'
     and old.seq is null and old.prev_hash is null and old.hash is null and old.sealed_at is null
     and new.seq is not null and new.prev_hash is not null and new.hash is not null and new.sealed_at is not null
     and (new.id, new.at, new.user_id, new.organisation_id, new.roles, new.action, new.subject_type, new.subject_id,
          new.purpose, new.result, new.request_id, new.details)
         is not distinct from
         (old.id, old.at, old.user_id, old.organisation_id, old.roles, old.action, old.subject_type, old.subject_id,
          old.purpose, old.result, old.request_id, old.details)
  then
    return new;
  end if;
  raise exception 'audit_log is append-only: an entry can only be sealed, once';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_only_sealing();

-- Signed checkpoints of the chain's head (seq, hash, time; Ed25519), also written to the checkpoint
-- file and the log: the copies outside the database are what expose a rewritten table.
create table audit_checkpoints (
  seq bigint primary key check (seq > 0),
  hash text not null,
  at timestamptz not null,
  key_id text not null,
  signature text not null
);
create function audit_checkpoints_are_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_checkpoints is append-only';
end $$;
create trigger audit_checkpoints_no_update before update or delete on audit_checkpoints
  for each row execute function audit_checkpoints_are_append_only();
create trigger audit_checkpoints_no_truncate before truncate on audit_checkpoints
  for each statement execute function audit_checkpoints_are_append_only();

-- Recurring jobs (the sealer): one row per kind, queued again after each run, every_seconds apart.
alter table jobs add column every_seconds integer check (every_seconds > 0);
