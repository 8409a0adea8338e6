-- A partner has at most one open dispute about a decision at a time (issue 6): two people of the
-- same partner raising at once cannot both succeed; the second is told about the first.
create unique index disputes_one_open on disputes (decision_id, partner_id) where status = 'open';
create index dispute_events_dispute on dispute_events (dispute_id, at);
