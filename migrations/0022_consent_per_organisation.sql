-- Consent as families give it (ADR 0014): "the school and the paediatrician, not the whole NHS".
-- A consent may name organisations as well as types of organisation, and may be withdrawn for one
-- organisation while it stands for the others. Type-level scopes (consent_scopes) stay for what
-- the area shares by type.

-- Sections a consent gives one named organisation.
create table consent_organisation_scopes (
  consent_id uuid not null references consents(id),
  organisation_id uuid not null references organisations(id),
  section text not null check (section in ('core', 'family', 'education', 'health', 'social-care', 'about-me')),
  primary key (consent_id, organisation_id, section)
);
create index consent_organisation_scopes_organisation on consent_organisation_scopes (organisation_id);

-- A consent withdrawn for one organisation: it no longer covers that organisation, whether it
-- covered it by name or through its type. Withdrawing for everyone is still consents.withdrawn_at.
create table consent_withdrawals (
  consent_id uuid not null references consents(id),
  organisation_id uuid not null references organisations(id),
  withdrawn_at timestamptz not null default now(),
  withdrawn_reason text not null check (length(withdrawn_reason) between 1 and 1000),
  withdrawn_by uuid references users(id),
  primary key (consent_id, organisation_id)
);
