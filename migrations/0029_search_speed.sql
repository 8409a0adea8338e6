-- The sharing rule's index probes answered from the index alone (ADR 0021). A name search checks
-- the rule for every candidate (about a thousand for a common family name) and every record view
-- checks it for one child: whether the viewer's organisation is involved today, and which
-- approved consents not withdrawn the child has. These indexes carry what those probes test, so
-- PostgreSQL need not read the table row behind each entry.
drop index involvements_organisation;
create index involvements_organisation on involvements (organisation_id, child_id) include (started_on, ended_on);
-- Only the consents that count (approved and not withdrawn), with the id their scopes are found by.
create index consents_child_counting on consents (child_id) include (id) where withdrawn_at is null and approval = 'approved';
