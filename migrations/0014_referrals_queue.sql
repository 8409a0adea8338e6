-- The triage queue pages through referrals oldest first (received_at, then reference). By default
-- it shows the open ones: a partial index in that order lets a page be read straight off the
-- index (LIMIT/OFFSET) instead of sorting every open referral; with id included, a deep page
-- skips index entries only (an index-only scan) and reads just its 50 rows. "All statuses" reads the second
-- index; one status uses referrals_status (status, received_at) from 0012.
create index referrals_queue_open on referrals (received_at, reference) include (id)
  where status in ('received', 'more-information', 'accepted', 'to-panel');
create index referrals_received on referrals (received_at, reference) include (id);
