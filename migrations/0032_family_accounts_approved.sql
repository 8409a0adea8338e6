-- Nobody gives a family account alone (issue 15, attacker review of stop 23): a member of staff asks
-- for it, with the address to send the invitation to; a second person who may open the child's
-- family accounts checks the address with the family and approves, and only then is the
-- invitation sent. Without this, anyone who may change a record could invite themselves at an
-- address of their own and read the child's record as its family. Accounts made before this rule
-- are taken as approved (approved_by null).
alter table family_accounts add column approved_by uuid references users(id);
alter table family_accounts add column approved_at timestamptz;
update family_accounts set approved_at = invited_at;
alter table family_accounts add constraint family_accounts_approved_by_another check (approved_by is null or approved_by <> invited_by);
