-- A job may carry a key naming the business event it is for (for example the nightly deadline
-- check of one date); a second job with the same key is not created.
alter table jobs add column key text unique;
