-- The row trigger in 0001 does not fire on TRUNCATE, which would empty the log and leave a
-- chain that verifies from its new first entry. Refuse TRUNCATE too.
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_is_append_only();
