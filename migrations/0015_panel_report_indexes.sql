-- The panel reports read decisions by date and the package versions recorded with them
-- (bench/panel.ts); the decision drill-down reads ledger transactions by decision.
create index panel_decisions_decided on panel_decisions (decided_on);
create index package_changes_decision on package_changes (decision_id) where decision_id is not null;
create index ledger_transactions_decision on ledger_transactions (decision_id) where decision_id is not null;
