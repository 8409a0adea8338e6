-- A cancelled panel meeting: when, by whom and why. The reason is kept here, as written, for the
-- panel's administrator; the audit log records only that one was given and its length.
alter table panel_meetings add column cancelled_at timestamptz;
alter table panel_meetings add column cancelled_by uuid references users(id);
alter table panel_meetings add column cancel_reason text check (cancel_reason is null or length(cancel_reason) between 1 and 2000);
-- Only a cancelled meeting has a cancellation.
alter table panel_meetings add constraint panel_meetings_cancellation check (status = 'cancelled' or (cancelled_at is null and cancelled_by is null and cancel_reason is null));
-- A cancelled meeting frees its day: the panel may meet again that day.
alter table panel_meetings drop constraint panel_meetings_panel_id_meets_on_key;
create unique index panel_meetings_one_a_day on panel_meetings (panel_id, meets_on) where status <> 'cancelled';
