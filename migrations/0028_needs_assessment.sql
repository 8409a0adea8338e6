-- The needs assessment (issue 17 part 1, ADR 0020): the area's 0 to 25 population, the DfE EHC plan
-- statistics it is compared with, and the statistical neighbours the area compares itself with.
-- All three tables belong to planning/needs-assessment and are replaced whole by their loaders
-- (all or nothing): `jointly import-population` and `jointly import-dfe-ehcp`.

-- Residents aged 0 to 25 by single year of age, for the whole area (locality_code null) or one
-- locality (its code in `localities`, kept as text so a population can be loaded before or after
-- the localities are set up).
create table needs_population (
  age int not null check (age between 0 and 25),
  locality_code text,
  people int not null check (people >= 0),
  loaded_at timestamptz not null default now()
);
create unique index needs_population_key on needs_population (age, coalesce(locality_code, ''));

-- DfE "Education, health and care plans" figures: England (la_code null) and each local authority.
-- A figure DfE did not publish is value null with its marker (x, z, c, ...), never a zero.
create table needs_dfe_figures (
  file text not null,
  time_period int not null,
  la_code text,
  la_name text,
  breakdown_topic text not null,
  breakdown text not null,
  measure text not null,
  value double precision,
  marker text,
  check ((value is null) <> (marker is null))
);
create unique index needs_dfe_figures_key on needs_dfe_figures (file, time_period, coalesce(la_code, ''), breakdown_topic, breakdown, measure);
create index needs_dfe_figures_la on needs_dfe_figures (la_code, file, measure);

-- The local authorities (3-digit DfE codes) the area compares itself with, in order.
create table needs_statistical_neighbours (
  la_code text primary key check (la_code ~ '^[0-9]{3}$'),
  position int not null
);
