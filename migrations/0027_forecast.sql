-- The forecast of demand and cost (issue 17, docs/adr/0019): the scenarios a commissioner saves
-- to compare with the baseline. The forecast itself is worked out when the page is read (from the
-- register and the ledger), never stored, so it cannot go stale. A scenario keeps who wrote it and
-- when; its change is one of three kinds, each with only the fields it needs.
create table forecast_scenarios (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 120),
  kind text not null check (kind in ('shift', 'places', 'joiners')),
  from_setting text check (from_setting in ('early-years', 'mainstream', 'resource-base', 'special', 'post-16')),
  to_setting text check (to_setting in ('early-years', 'mainstream', 'resource-base', 'special', 'post-16')),
  percent integer check (percent between -100 and 100),
  places integer check (places between 1 and 10000),
  opening_year integer check (opening_year between 2000 and 2100),
  created_by uuid not null references users(id),
  created_at timestamptz not null default now(),
  check (
    (kind = 'shift' and from_setting is not null and to_setting is not null and from_setting <> to_setting and percent between 0 and 100 and places is null and opening_year is null)
    or (kind = 'places' and from_setting is not null and to_setting is not null and from_setting <> to_setting and places is not null and opening_year is not null and percent is null)
    or (kind = 'joiners' and percent is not null and from_setting is null and to_setting is null and places is null and opening_year is null)
  )
);
create index forecast_scenarios_created_at on forecast_scenarios (created_at desc);
