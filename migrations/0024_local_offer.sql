-- The Local Offer (issue 16): a directory of services for children and young people with SEND,
-- stored in our own tables that map one to one onto Open Referral UK 3.0 (HSDS 3.0 UK profile),
-- so the read API at /oruk is a projection of these rows, never a second copy. Every id that
-- ORUK publishes is a UUID kept here, so a consumer sees the same id on every read.
-- Classification (need, type of support, Schedule 2 item, how to get it) is ORUK's own way:
-- attributes linking a service to taxonomy terms. The live tables hold only approved entries;
-- a provider's change waits in offer_changes until a Local Offer officer (someone else) approves it.

-- Two new roles: a provider keeps its own organisation's entries; an officer moderates them.
alter table user_roles drop constraint user_roles_role_check;
alter table user_roles add constraint user_roles_role_check check (role in ('partnership-administrator', 'caseworker',
  'key-worker', 'practitioner', 'panel-member', 'commissioner', 'finance-officer', 'participation-lead',
  'information-governance-lead', 'local-offer-provider', 'local-offer-officer'));

-- ORUK taxonomy and taxonomy_term.
create table offer_taxonomies (
  id uuid primary key default gen_random_uuid(),
  code text not null unique,
  name text not null,
  description text not null,
  uri text,
  version text
);
create table offer_taxonomy_terms (
  id uuid primary key default gen_random_uuid(),
  taxonomy_id uuid not null references offer_taxonomies(id),
  code text not null,
  name text not null,
  description text not null,
  parent_id uuid references offer_taxonomy_terms(id),
  term_uri text,
  position integer not null default 0,
  unique (taxonomy_id, code)
);

-- ORUK organization: who provides a service. `partner_organisation_id` is the partnership's own
-- organisation (a provider's account) that keeps the entries, when it has one.
create table offer_organisations (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  description text not null,
  email text,
  website text,
  partner_organisation_id uuid references organisations(id),
  created_at timestamptz not null default now()
);
create index offer_organisations_partner on offer_organisations (partner_organisation_id);

-- ORUK service, with the owner and review date every entry has (issue 16, item 2).
create table offer_services (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null references offer_organisations(id),
  name text not null,
  description text not null default '',
  url text,
  email text,
  status text not null default 'active' check (status in ('active', 'inactive', 'defunct', 'temporarily closed')),
  accreditations text,
  minimum_age integer check (minimum_age between 0 and 25),
  maximum_age integer check (maximum_age between 0 and 25),
  assured_date date,
  assurer_email text,
  alert text,
  -- What a family does to get it, in plain words. ORUK 3.0 UK dropped application_process, so the
  -- API publishes this as an extra field (extra fields are allowed) beside the access attributes.
  how_to_access text not null default '',
  owner_organisation_id uuid references organisations(id),
  review_due date not null,
  -- SHA-256 of the entry as last imported from another directory's ORUK feed; null once it is
  -- written here (made here, or a provider's change approved), so a feed never overwrites that.
  import_fingerprint text,
  -- When the owner was last reminded that the entry is past its review date (weekly at most).
  reminded_on date,
  last_modified timestamptz not null default now(),
  created_at timestamptz not null default now(),
  version integer not null default 1,
  search_text tsvector generated always as (to_tsvector('english', name || ' ' || description)) stored,
  constraint offer_services_ages check (minimum_age is null or maximum_age is null or minimum_age <= maximum_age)
);
create index offer_services_search on offer_services using gin (search_text);
create index offer_services_owner on offer_services (owner_organisation_id);
create index offer_services_organisation on offer_services (organisation_id);
create index offer_services_review on offer_services (review_due);

-- ORUK location with its one address (ORUK's address object; `address_id` is its published id).
create table offer_locations (
  id uuid primary key default gen_random_uuid(),
  location_type text not null default 'physical' check (location_type in ('physical', 'postal', 'virtual')),
  name text,
  description text,
  latitude double precision,
  longitude double precision,
  address_id uuid not null default gen_random_uuid() unique,
  address_1 text,
  city text,
  state_province text,
  postal_code text,
  country text not null default 'GB'
);
create index offer_locations_position on offer_locations (latitude, longitude);

-- ORUK accessibility (of a location).
create table offer_accessibility (
  id uuid primary key default gen_random_uuid(),
  location_id uuid not null references offer_locations(id) on delete cascade,
  description text not null,
  details text,
  url text
);
create index offer_accessibility_location on offer_accessibility (location_id);

create table offer_service_at_locations (
  id uuid primary key default gen_random_uuid(),
  service_id uuid not null references offer_services(id) on delete cascade,
  location_id uuid not null references offer_locations(id),
  unique (service_id, location_id)
);
create index offer_service_at_locations_location on offer_service_at_locations (location_id);

-- ORUK contact (its phone is published as the contact's phone).
create table offer_contacts (
  id uuid primary key default gen_random_uuid(),
  service_id uuid not null references offer_services(id) on delete cascade,
  name text,
  title text,
  email text,
  phone text,
  phone_id uuid not null default gen_random_uuid()
);
create index offer_contacts_service on offer_contacts (service_id);

-- ORUK schedule: when the service runs (iCalendar-style).
create table offer_schedules (
  id uuid primary key default gen_random_uuid(),
  service_id uuid not null references offer_services(id) on delete cascade,
  freq text check (freq in ('WEEKLY', 'MONTHLY')),
  byday text,
  opens_at time,
  closes_at time,
  description text
);
create index offer_schedules_service on offer_schedules (service_id);

-- ORUK cost_option: amount in pence here (money is integer pence everywhere), pounds in the API.
create table offer_cost_options (
  id uuid primary key default gen_random_uuid(),
  service_id uuid not null references offer_services(id) on delete cascade,
  option text,
  amount_pence integer check (amount_pence >= 0),
  amount_description text
);
create index offer_cost_options_service on offer_cost_options (service_id);

-- ORUK language (the spoken languages a service offers, ISO 639-1 code and name).
create table offer_languages (
  id uuid primary key default gen_random_uuid(),
  service_id uuid not null references offer_services(id) on delete cascade,
  name text not null,
  code text not null
);
create index offer_languages_service on offer_languages (service_id);

-- ORUK attribute: a service classified by a taxonomy term (need, type of support, Schedule 2, access).
create table offer_attributes (
  id uuid primary key default gen_random_uuid(),
  service_id uuid not null references offer_services(id) on delete cascade,
  taxonomy_term_id uuid not null references offer_taxonomy_terms(id),
  unique (service_id, taxonomy_term_id)
);
create index offer_attributes_term on offer_attributes (taxonomy_term_id, service_id);

-- A provider's new entry or change, waiting for a Local Offer officer. `entry` is the whole
-- proposed entry as JSON text; nobody decides their own change.
create table offer_changes (
  id uuid primary key default gen_random_uuid(),
  service_id uuid references offer_services(id),
  owner_organisation_id uuid not null references organisations(id),
  entry text not null,
  submitted_by uuid not null references users(id),
  submitted_at timestamptz not null default now(),
  based_on_version integer,
  decision text check (decision in ('approved', 'refused')),
  decided_by uuid references users(id),
  decided_at timestamptz,
  reason text,
  constraint offer_changes_decided check ((decision is null) = (decided_by is null) and (decision is null) = (decided_at is null)),
  constraint offer_changes_second_person check (decided_by is null or decided_by <> submitted_by)
);
create index offer_changes_open on offer_changes (submitted_at) where decision is null;
create unique index offer_changes_one_open on offer_changes (service_id) where decision is null and service_id is not null;

-- Postcode centroids for "distance from a postcode" (`jointly import-postcodes`, e.g. from the ONS
-- Postcode Directory; Demoshire ships fictional ones). Stored upper case, one space before the last three characters.
create table postcodes (
  postcode text primary key,
  latitude double precision not null,
  longitude double precision not null
);

-- The taxonomies and terms (fixed ids, so every installation publishes the same term ids).
insert into offer_taxonomies (id, code, name, description, uri, version) values ('0ffe0000-0000-4000-8000-000000000001', 'sen2-need', 'SEN2 primary need', 'The primary need codes of the DfE SEN2 return and school census, used to say which needs a service is for.', null, '2026');
insert into offer_taxonomy_terms (id, taxonomy_id, code, name, description, position) values
  ('0ffe0001-0000-4000-8000-000000000001', '0ffe0000-0000-4000-8000-000000000001', 'SPLD', 'Specific learning difficulty', 'Specific learning difficulty', 1),
  ('0ffe0001-0000-4000-8000-000000000002', '0ffe0000-0000-4000-8000-000000000001', 'MLD', 'Moderate learning difficulty', 'Moderate learning difficulty', 2),
  ('0ffe0001-0000-4000-8000-000000000003', '0ffe0000-0000-4000-8000-000000000001', 'SLD', 'Severe learning difficulty', 'Severe learning difficulty', 3),
  ('0ffe0001-0000-4000-8000-000000000004', '0ffe0000-0000-4000-8000-000000000001', 'PMLD', 'Profound and multiple learning difficulty', 'Profound and multiple learning difficulty', 4),
  ('0ffe0001-0000-4000-8000-000000000005', '0ffe0000-0000-4000-8000-000000000001', 'SEMH', 'Social, emotional and mental health', 'Social, emotional and mental health', 5),
  ('0ffe0001-0000-4000-8000-000000000006', '0ffe0000-0000-4000-8000-000000000001', 'SLCN', 'Speech, language and communication needs', 'Speech, language and communication needs', 6),
  ('0ffe0001-0000-4000-8000-000000000007', '0ffe0000-0000-4000-8000-000000000001', 'HI', 'Hearing impairment', 'Hearing impairment', 7),
  ('0ffe0001-0000-4000-8000-000000000008', '0ffe0000-0000-4000-8000-000000000001', 'VI', 'Vision impairment', 'Vision impairment', 8),
  ('0ffe0001-0000-4000-8000-000000000009', '0ffe0000-0000-4000-8000-000000000001', 'MSI', 'Multi-sensory impairment', 'Multi-sensory impairment', 9),
  ('0ffe0001-0000-4000-8000-000000000010', '0ffe0000-0000-4000-8000-000000000001', 'PD', 'Physical disability', 'Physical disability', 10),
  ('0ffe0001-0000-4000-8000-000000000011', '0ffe0000-0000-4000-8000-000000000001', 'ASD', 'Autism', 'Autism', 11),
  ('0ffe0001-0000-4000-8000-000000000012', '0ffe0000-0000-4000-8000-000000000001', 'DS', 'Down syndrome', 'Down syndrome', 12),
  ('0ffe0001-0000-4000-8000-000000000013', '0ffe0000-0000-4000-8000-000000000001', 'OTH', 'Other difficulty or disability', 'Other difficulty or disability', 13);
insert into offer_taxonomies (id, code, name, description, uri, version) values ('0ffe0000-0000-4000-8000-000000000002', 'support-type', 'Local Offer type of support', 'The kind of help a service gives, as families look for it.', null, '2026');
insert into offer_taxonomy_terms (id, taxonomy_id, code, name, description, position) values
  ('0ffe0002-0000-4000-8000-000000000001', '0ffe0000-0000-4000-8000-000000000002', 'SHORT-BREAKS', 'Short breaks', 'Short breaks', 1),
  ('0ffe0002-0000-4000-8000-000000000002', '0ffe0000-0000-4000-8000-000000000002', 'THERAPY', 'Therapy', 'Therapy', 2),
  ('0ffe0002-0000-4000-8000-000000000003', '0ffe0000-0000-4000-8000-000000000002', 'SCHOOL-SUPPORT', 'Support in education', 'Support in education', 3),
  ('0ffe0002-0000-4000-8000-000000000004', '0ffe0000-0000-4000-8000-000000000002', 'HEALTH', 'Health services', 'Health services', 4),
  ('0ffe0002-0000-4000-8000-000000000005', '0ffe0000-0000-4000-8000-000000000002', 'SOCIAL-CARE', 'Social care', 'Social care', 5),
  ('0ffe0002-0000-4000-8000-000000000006', '0ffe0000-0000-4000-8000-000000000002', 'ACTIVITIES', 'Leisure and activities', 'Leisure and activities', 6),
  ('0ffe0002-0000-4000-8000-000000000007', '0ffe0000-0000-4000-8000-000000000002', 'ADVICE', 'Information, advice and support', 'Information, advice and support', 7),
  ('0ffe0002-0000-4000-8000-000000000008', '0ffe0000-0000-4000-8000-000000000002', 'FAMILY-SUPPORT', 'Parenting and family support', 'Parenting and family support', 8),
  ('0ffe0002-0000-4000-8000-000000000009', '0ffe0000-0000-4000-8000-000000000002', 'TRAVEL', 'Travel and transport', 'Travel and transport', 9),
  ('0ffe0002-0000-4000-8000-000000000010', '0ffe0000-0000-4000-8000-000000000002', 'EMPLOYMENT', 'Training and employment', 'Training and employment', 10),
  ('0ffe0002-0000-4000-8000-000000000011', '0ffe0000-0000-4000-8000-000000000002', 'MENTAL-HEALTH', 'Emotional wellbeing and mental health', 'Emotional wellbeing and mental health', 11);
insert into offer_taxonomies (id, code, name, description, uri, version) values ('0ffe0000-0000-4000-8000-000000000003', 'schedule-2', 'SEND Regulations 2014 Schedule 2', 'The information a local authority must publish in its Local Offer (Special Educational Needs and Disability Regulations 2014, Schedule 2).', 'https://www.legislation.gov.uk/uksi/2014/1530/schedule/2', '2026');
insert into offer_taxonomy_terms (id, taxonomy_id, code, name, description, position) values
  ('0ffe0003-0000-4000-8000-000000000001', '0ffe0000-0000-4000-8000-000000000003', 'EDUCATION-EARLY-YEARS', 'Special educational provision in early years settings', 'Special educational provision in early years settings', 1),
  ('0ffe0003-0000-4000-8000-000000000002', '0ffe0000-0000-4000-8000-000000000003', 'EDUCATION-SCHOOLS', 'Special educational provision in schools', 'Special educational provision in schools', 2),
  ('0ffe0003-0000-4000-8000-000000000003', '0ffe0000-0000-4000-8000-000000000003', 'EDUCATION-POST-16', 'Special educational provision in post-16 education and training', 'Special educational provision in post-16 education and training', 3),
  ('0ffe0003-0000-4000-8000-000000000004', '0ffe0000-0000-4000-8000-000000000003', 'HEALTH', 'Health care provision', 'Health care provision', 4),
  ('0ffe0003-0000-4000-8000-000000000005', '0ffe0000-0000-4000-8000-000000000003', 'SOCIAL-CARE', 'Social care provision', 'Social care provision', 5),
  ('0ffe0003-0000-4000-8000-000000000006', '0ffe0000-0000-4000-8000-000000000003', 'TRAVEL', 'Arrangements for travel to schools, colleges and early years settings', 'Arrangements for travel to schools, colleges and early years settings', 6),
  ('0ffe0003-0000-4000-8000-000000000007', '0ffe0000-0000-4000-8000-000000000003', 'PREPARING-FOR-ADULTHOOD', 'Support in preparing for adulthood and independent living', 'Support in preparing for adulthood and independent living', 7),
  ('0ffe0003-0000-4000-8000-000000000008', '0ffe0000-0000-4000-8000-000000000003', 'EMPLOYMENT', 'Training, apprenticeships and supported employment', 'Training, apprenticeships and supported employment', 8),
  ('0ffe0003-0000-4000-8000-000000000009', '0ffe0000-0000-4000-8000-000000000003', 'LEISURE', 'Leisure activities', 'Leisure activities', 9),
  ('0ffe0003-0000-4000-8000-000000000010', '0ffe0000-0000-4000-8000-000000000003', 'SUPPORT-GROUPS', 'Support groups for children, young people and families', 'Support groups for children, young people and families', 10),
  ('0ffe0003-0000-4000-8000-000000000011', '0ffe0000-0000-4000-8000-000000000003', 'CHILDCARE', 'Childcare', 'Childcare', 11),
  ('0ffe0003-0000-4000-8000-000000000012', '0ffe0000-0000-4000-8000-000000000003', 'INFORMATION-ADVICE', 'Information, advice and support', 'Information, advice and support', 12),
  ('0ffe0003-0000-4000-8000-000000000013', '0ffe0000-0000-4000-8000-000000000003', 'EHC-ASSESSMENT', 'Requesting an EHC needs assessment', 'Requesting an EHC needs assessment', 13),
  ('0ffe0003-0000-4000-8000-000000000014', '0ffe0000-0000-4000-8000-000000000003', 'COMPLAINTS', 'How to complain, mediation and appeals', 'How to complain, mediation and appeals', 14);
insert into offer_taxonomies (id, code, name, description, uri, version) values ('0ffe0000-0000-4000-8000-000000000004', 'access', 'How to get this service', 'How a family or young person can get a service, and whether an EHC plan is needed.', null, '2026');
insert into offer_taxonomy_terms (id, taxonomy_id, code, name, description, position) values
  ('0ffe0004-0000-4000-8000-000000000001', '0ffe0000-0000-4000-8000-000000000004', 'SELF-REFERRAL', 'Families can contact the service themselves', 'Families can contact the service themselves', 1),
  ('0ffe0004-0000-4000-8000-000000000002', '0ffe0000-0000-4000-8000-000000000004', 'PROFESSIONAL-REFERRAL', 'A professional needs to refer', 'A professional needs to refer', 2),
  ('0ffe0004-0000-4000-8000-000000000003', '0ffe0000-0000-4000-8000-000000000004', 'JOINTLY-REFERRAL', 'Ask through the partnership''s referral form', 'Ask through the partnership''s referral form', 3),
  ('0ffe0004-0000-4000-8000-000000000004', '0ffe0000-0000-4000-8000-000000000004', 'EHC-PLAN', 'Only for children and young people with an EHC plan', 'Only for children and young people with an EHC plan', 4);
