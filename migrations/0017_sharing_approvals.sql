-- Separation of duties in sharing (ADR 0012): a consent or lawful basis that would widen the
-- recording person's own organisation's access is held as pending until someone else (an
-- information governance lead) approves it. Only approved ones count in the sharing rule.
-- Everything recorded before this is approved, as it was in force.
alter table consents add column approval text not null default 'approved' check (approval in ('pending', 'approved', 'refused'));
alter table consents add column approval_by uuid references users(id);
alter table consents add column approval_at timestamptz;
alter table consents add column approval_note text check (approval_note is null or length(approval_note) between 1 and 2000);
-- Who approved is never who recorded.
alter table consents add constraint consents_second_person check (approval_by is null or approval_by is distinct from recorded_by);

alter table lawful_bases add column approval text not null default 'approved' check (approval in ('pending', 'approved', 'refused'));
alter table lawful_bases add column approval_by uuid references users(id);
alter table lawful_bases add column approval_at timestamptz;
alter table lawful_bases add column approval_note text check (approval_note is null or length(approval_note) between 1 and 2000);
alter table lawful_bases add constraint lawful_bases_second_person check (approval_by is null or approval_by is distinct from decided_by_user_id);

-- The approvals worklist reads only what is waiting.
create index consents_pending on consents (recorded_at) where approval = 'pending';
create index lawful_bases_pending on lawful_bases (recorded_at) where approval = 'pending';
