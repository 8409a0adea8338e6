-- Rate limits counted in the database, so that every app process behind a load balancer counts
-- the same attempts (an in-memory count lets each process allow the full rate). One row per
-- limited route and client address: the attempts in the current window and when it ends.
-- See src/platform/http/rate-limit-store.ts.
create table rate_limits (
  key text primary key,
  hits integer not null check (hits > 0),
  resets_at timestamptz not null
);
create index rate_limits_resets_at on rate_limits (resets_at);
