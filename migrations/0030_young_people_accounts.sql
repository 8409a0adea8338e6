-- Young people use Jointly themselves (issue 15, ADR 0022). From 16 a young person may have their
-- own family account; it names the child (the young person) rather than a family member. Every
-- family account names exactly one of the two, so no account can be tied to both or to nobody.
-- Only staff create the link, and only for a child aged 16 or over (checked by the writer and
-- again on every request).
alter table family_accounts alter column family_member_id drop not null;
alter table family_accounts add column child_id uuid references children(id);
alter table family_accounts add constraint family_accounts_one_link check (num_nonnulls(family_member_id, child_id) = 1);
-- One account a young person.
create unique index family_accounts_child on family_accounts (child_id) where child_id is not null;
