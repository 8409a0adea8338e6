-- Families use Jointly themselves (issue 15, ADR 0015). A family member's account is a user of
-- the area's "Families" organisation (type 'families'), so sign-in, second factor, sessions,
-- lock-out and audit are the staff's own; it holds only the 'family-member' role, and is tied to
-- a person already on a record: a family member with parental responsibility (or, later, the
-- young person). Nobody can attach themselves to a child: only staff create this link.
alter table organisations drop constraint organisations_type_check;
alter table organisations add constraint organisations_type_check check (type in ('council-education', 'council-social-care',
  'nhs-commissioner', 'nhs-trust', 'school', 'provider', 'parent-carer-forum', 'families'));

alter table user_roles drop constraint user_roles_role_check;
alter table user_roles add constraint user_roles_role_check check (role in ('partnership-administrator', 'caseworker', 'key-worker',
  'practitioner', 'panel-member', 'commissioner', 'finance-officer', 'participation-lead', 'information-governance-lead',
  'local-offer-provider', 'local-offer-officer', 'family-member'));

create table family_accounts (
  user_id uuid primary key references users(id),
  family_member_id uuid not null references family_members(id),
  invited_by uuid not null references users(id),
  invited_at timestamptz not null default now()
);
-- One account a family member.
create unique index family_accounts_member on family_accounts (family_member_id);
