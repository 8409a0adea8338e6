-- How families reach the area when the online form is not for them (issue 14): the public pages
-- say "contact us another way", so they must say how. One row, kept by the partnership
-- administrator in area settings; versioned so two administrators' edits cannot overwrite each other.
create table area_contact (
  id boolean primary key default true check (id),
  team text not null,
  telephone text not null,
  email text not null,
  address text not null,
  opening_hours text not null default '',
  version integer not null default 1,
  updated_by uuid references users(id),
  updated_at timestamptz not null default now()
);
