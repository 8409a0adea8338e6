-- The time step of the last security code accepted for each person, so a code seen over
-- someone's shoulder cannot be used a second time within its 30-second window.
alter table users add column totp_last_step bigint;
