-- Cancelling a wrongly recorded invoice (docs/adr/0009, "Corrections, transfers and the rollover").
-- The invoice row stays (its postings point at it); its postings are reversed and it is marked
-- cancelled with who, when and why. A supplier's reference is unique per provider among the
-- invoices that are not cancelled, so the corrected invoice can be recorded again under it.
alter table invoices
  add column cancelled_at timestamptz,
  add column cancelled_by uuid references users(id),
  add column cancel_reason text check (cancel_reason is null or length(cancel_reason) between 1 and 500),
  add check ((cancelled_at is null) = (cancel_reason is null));

alter table invoices drop constraint invoices_provider_id_supplier_reference_key;
create unique index invoices_supplier_reference_live on invoices (provider_id, supplier_reference) where cancelled_at is null;
