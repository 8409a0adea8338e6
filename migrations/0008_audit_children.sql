-- One audit entry can disclose many children (an export of a list): each child it disclosed is
-- linked to the entry here, so the child's "who has looked" lists the export. Append-only like
-- the log itself; the entry's details carry a digest of the linked ids, which the chain covers
-- (no foreign key, so that truncating audit_log meets its own append-only trigger).
create table audit_children (
  audit_id bigint not null,
  child_id uuid not null,
  primary key (child_id, audit_id)
);

create trigger audit_children_no_update before update or delete on audit_children
  for each row execute function audit_log_is_append_only();
create trigger audit_children_no_truncate before truncate on audit_children
  for each statement execute function audit_log_is_append_only();
