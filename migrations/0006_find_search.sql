-- Tolerant search of children by name (capabilities/find). Neither pg_trgm nor fuzzystrmatch can
-- be relied on (embedded PGlite does not ship them loaded), so the database narrows a name search
-- to candidates sharing a key with each word typed, and the application ranks the candidates
-- (Jaro-Winkler, in src/capabilities/find/names.ts, which has twins of these functions that a test
-- checks agree with them).
--
-- The keys of each word in children.search_names:
--   - its beginnings of 2 to 12 letters (a name typed in part);
--   - the word and the word less any one letter, marked '~' (one letter wrong, missing, added or
--     two swapped);
--   - a sound-alike code in upper case: Soundex without the cut to three digits, with a few
--     first-letter spellings folded (ph → f, kn → n, wr → r, c/q → k, z/x → s).

create function find_phonetic_key(token text) returns text
language plpgsql immutable strict parallel safe as $$
declare
  w text := regexp_replace(token, '[^abcdefghijklmnopqrstuvwxyz]', '', 'g');
  first text;
  prev text;
  c text;
  digits text := '';
begin
  if w = '' then return null; end if;
  if left(w, 2) = 'ph' then w := 'f' || substr(w, 3);
  elsif left(w, 2) = 'kn' then w := 'n' || substr(w, 3);
  elsif left(w, 2) = 'wr' then w := 'r' || substr(w, 3);
  end if;
  first := translate(left(w, 1), 'cqzx', 'kkss');
  -- b f p v → 1; c g j k q s x z → 2; d t → 3; l → 4; m n → 5; r → 6; vowels and y → 0 (they
  -- separate repeated codes); h and w → nothing (they do not).
  prev := translate(first, 'bfpvcgjkqsxzdtlmnraeiouyhw', '111122222222334556000000');
  for i in 2 .. length(w) loop
    c := translate(substr(w, i, 1), 'bfpvcgjkqsxzdtlmnraeiouyhw', '111122222222334556000000');
    continue when c = '';
    if c = '0' then
      prev := '0';
      continue;
    end if;
    if c <> prev then
      digits := digits || c;
      exit when length(digits) = 8;
    end if;
    prev := c;
  end loop;
  return upper(first) || digits;
end $$;

create function find_name_keys(names text) returns text[]
language plpgsql immutable strict parallel safe as $$
declare
  tok text;
  p text;
  n integer;
  keys text[] := '{}';
begin
  foreach tok in array regexp_split_to_array(names, '\s+') loop
    continue when tok = '';
    n := length(tok);
    p := find_phonetic_key(tok);
    if p is not null then keys := keys || p; end if;
    for i in 2 .. least(n, 12) loop
      keys := keys || left(tok, i);
    end loop;
    keys := keys || ('~' || tok);
    for i in 1 .. n loop
      keys := keys || ('~' || left(tok, i - 1) || substr(tok, i + 1));
    end loop;
  end loop;
  return array(select distinct k from unnest(keys) as k);
end $$;

alter table children add column search_keys text[] generated always as (find_name_keys(search_names)) stored;
create index children_search_keys on children using gin (search_keys);

-- Postcode search: a full postcode or a district, spaces and case ignored.
create index children_postcode_compact on children ((upper(replace(postcode, ' ', ''))) text_pattern_ops);
