-- Joint budgets (issue 5): partners, pooling agreements, a double-entry ledger in integer pence,
-- packages of support with a funding split that changes over time, invoices and payments.
-- See docs/adr/0009-joint-budgets-ledger.md.
--
-- Amounts are integer pence (bigint). A ledger entry's amount is SIGNED: positive is a debit,
-- negative a credit; the entries of one transaction sum to zero (checked at commit by a deferred
-- constraint trigger). Entries and transactions are never changed or deleted: a mistake is put
-- right by a reversing transaction.

-- The partners who put money in: each is an organisation in the area.
create table budget_partners (
  id uuid primary key default gen_random_uuid(),
  organisation_id uuid not null unique references organisations(id),
  -- The short name used in splits and reports, e.g. "Health", "Social care".
  short_name text not null unique check (length(short_name) between 1 and 60),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  version integer not null default 1
);

-- Where the money goes, as the brief lists it.
create table service_categories (
  code text primary key check (code ~ '^[a-z-]{2,40}$'),
  name text not null,
  position integer not null
);
insert into service_categories (code, name, position) values
  ('short-breaks', 'Short breaks', 1),
  ('therapies', 'Therapies', 2),
  ('equipment', 'Equipment', 3),
  ('placements', 'Placements', 4),
  ('personal-budgets', 'Personal budgets', 5),
  ('key-working', 'Key working', 6),
  ('transport', 'Transport', 7),
  ('other', 'Other', 8);

-- A pooling arrangement: a pooled fund held by a host partner, or aligned budgets.
create table pooling_agreements (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[A-Z0-9-]{2,20}$'),
  name text not null check (length(name) between 1 and 200),
  arrangement text not null check (arrangement in ('pooled', 'aligned')),
  legal_basis text not null check (legal_basis in ('nhs-act-2006-s75', 'children-act-2004-s10', 'children-and-families-act-2014-s26', 'other')),
  legal_basis_note text,
  host_partner_id uuid references budget_partners(id),
  starts_on date not null,
  created_by uuid references users(id),
  created_at timestamptz not null default now(),
  version integer not null default 1,
  -- A pooled fund is held by one partner; aligned budgets stay with each partner.
  check (arrangement = 'aligned' or host_partner_id is not null)
);

-- The financial years (April to March, named by the year they start in: 2025 is 2025 to 2026)
-- an agreement runs for, and each partner's agreed share of it in basis points (10000 = 100%).
create table agreement_years (
  agreement_id uuid not null references pooling_agreements(id),
  financial_year integer not null check (financial_year between 2000 and 2200),
  created_at timestamptz not null default now(),
  primary key (agreement_id, financial_year)
);
create table agreement_shares (
  agreement_id uuid not null,
  financial_year integer not null,
  partner_id uuid not null references budget_partners(id),
  share_bp integer not null check (share_bp between 0 and 10000),
  primary key (agreement_id, financial_year, partner_id),
  foreign key (agreement_id, financial_year) references agreement_years(agreement_id, financial_year)
);

-- The chart of accounts (fixed). normal_side says which way a balance is usually shown.
create table ledger_accounts (
  code text primary key,
  name text not null,
  normal_side text not null check (normal_side in ('debit', 'credit')),
  position integer not null
);
insert into ledger_accounts (code, name, normal_side, position) values
  ('budget', 'Budget', 'debit', 1),
  ('contributions', 'Partner contributions', 'credit', 2),
  ('commitments', 'Commitments', 'debit', 3),
  ('commitments-reserve', 'Reserved for commitments', 'credit', 4),
  ('spend', 'Actual spend', 'debit', 5),
  ('suspense', 'Invoices not yet matched to a package', 'debit', 6),
  ('creditors', 'Owed to providers', 'credit', 7),
  ('cash', 'Paid out', 'credit', 8);

-- Accounting periods: one a month, numbered 1 (April) to 12 (March) in their financial year. A
-- row exists once anything has been posted to the period or it has been closed.
create table ledger_periods (
  financial_year integer not null,
  period integer not null check (period between 1 and 12),
  starts_on date not null,
  ends_on date not null,
  closed_at timestamptz,
  closed_by uuid references users(id),
  primary key (financial_year, period)
);

-- A package of support for a child, paid from one pool. The current terms are here; every
-- version of them (each change) is kept in package_changes.
create sequence package_reference_seq start with 1001;
create table packages (
  id uuid primary key default gen_random_uuid(),
  -- A short reference for finance and for invoices (PKG-1001), so no child's name is needed.
  reference text not null unique default ('PKG-' || nextval('package_reference_seq')::text),
  agreement_id uuid not null references pooling_agreements(id),
  child_id uuid not null references children(id),
  service_category text not null references service_categories(code),
  service text not null check (length(service) between 1 and 200),
  provider_id uuid references organisations(id),
  unit_cost_pence bigint not null check (unit_cost_pence > 0),
  -- Units in hundredths (250 = 2.5 units), per week or per calendar month.
  units_x100 integer not null check (units_x100 > 0),
  frequency text not null check (frequency in ('week', 'month')),
  starts_on date not null,
  ends_on date,
  review_on date,
  created_by uuid references users(id),
  created_at timestamptz not null default now(),
  version integer not null default 1,
  check (ends_on is null or ends_on >= starts_on)
);
create index packages_child on packages (child_id);
create index packages_agreement on packages (agreement_id);

-- Each version of a package's terms and why it changed: what a commitment posting derives from.
create table package_changes (
  id uuid primary key default gen_random_uuid(),
  package_id uuid not null references packages(id),
  version integer not null,
  service_category text not null references service_categories(code),
  service text not null,
  provider_id uuid references organisations(id),
  unit_cost_pence bigint not null check (unit_cost_pence > 0),
  units_x100 integer not null check (units_x100 > 0),
  frequency text not null check (frequency in ('week', 'month')),
  starts_on date not null,
  ends_on date,
  review_on date,
  reason text not null,
  decision_id uuid,
  changed_by uuid references users(id),
  changed_at timestamptz not null default now(),
  unique (package_id, version),
  check (ends_on is null or ends_on >= starts_on)
);

-- The funding split of a package version: contiguous segments, each with shares by partner in
-- basis points adding up to 10000 (checked by src/capabilities/budgets/split.ts).
create table package_split_shares (
  package_change_id uuid not null references package_changes(id),
  segment integer not null check (segment >= 1),
  from_on date not null,
  to_on date,
  partner_id uuid not null references budget_partners(id),
  share_bp integer not null check (share_bp between 1 and 10000),
  primary key (package_change_id, segment, partner_id),
  check (to_on is null or to_on >= from_on)
);

-- Invoices from providers. A supplier's reference is unique per provider.
create table invoices (
  id uuid primary key default gen_random_uuid(),
  agreement_id uuid not null references pooling_agreements(id),
  provider_id uuid not null references organisations(id),
  supplier_reference text not null check (length(supplier_reference) between 1 and 60),
  package_id uuid references packages(id),
  service_from date not null,
  service_to date not null,
  amount_pence bigint not null check (amount_pence > 0),
  received_on date not null,
  description text,
  recorded_by uuid references users(id),
  recorded_at timestamptz not null default now(),
  matched_at timestamptz,
  unique (provider_id, supplier_reference),
  check (service_to >= service_from)
);
create index invoices_package on invoices (package_id);
create index invoices_agreement on invoices (agreement_id, received_on);

-- Payments: of an invoice, or a direct payment to a family against a package.
create table payments (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('invoice', 'direct-payment')),
  invoice_id uuid references invoices(id),
  package_id uuid references packages(id),
  amount_pence bigint not null check (amount_pence > 0),
  paid_on date not null,
  reference text,
  recorded_by uuid references users(id),
  recorded_at timestamptz not null default now(),
  check ((kind = 'invoice') = (invoice_id is not null)),
  check (kind = 'invoice' or package_id is not null)
);
create index payments_invoice on payments (invoice_id);

-- One business event in the ledger. The idempotency key names the event (e.g.
-- "package-change:<id>"); posting the same event again finds this row and changes nothing.
create table ledger_transactions (
  id bigint generated always as identity primary key,
  idempotency_key text not null unique check (length(idempotency_key) between 1 and 200),
  -- sha256 of the canonical payload: the same key with a different payload is refused.
  payload_hash text not null,
  kind text not null check (kind in ('contribution', 'commitment', 'invoice', 'invoice-match', 'payment',
    'direct-payment', 'transfer', 'year-end-adjustment', 'reversal')),
  posted_on date not null,
  financial_year integer not null,
  period integer not null,
  reason text not null check (length(reason) between 1 and 500),
  recorded_by uuid references users(id),
  recorded_at timestamptz not null default now(),
  -- What it derives from (typed references; a panel decision has no table yet).
  decision_id uuid,
  invoice_id uuid references invoices(id),
  payment_id uuid references payments(id),
  package_change_id uuid references package_changes(id),
  reverses_transaction_id bigint unique references ledger_transactions(id),
  check (financial_year = extract(year from posted_on)::integer - case when extract(month from posted_on) < 4 then 1 else 0 end),
  check (period = (extract(month from posted_on)::integer + 8) % 12 + 1),
  check ((kind = 'reversal') = (reverses_transaction_id is not null))
);
create index ledger_transactions_period on ledger_transactions (financial_year, period);
create index ledger_transactions_invoice on ledger_transactions (invoice_id) where invoice_id is not null;
create index ledger_transactions_change on ledger_transactions (package_change_id) where package_change_id is not null;

-- The lines of a transaction, with the dimensions reports group by copied onto each line.
create table ledger_entries (
  id bigint generated always as identity primary key,
  transaction_id bigint not null references ledger_transactions(id),
  account text not null references ledger_accounts(code),
  -- Signed pence: debit positive, credit negative.
  amount_pence bigint not null check (amount_pence <> 0),
  agreement_id uuid not null references pooling_agreements(id),
  partner_id uuid references budget_partners(id),
  -- The financial year the money belongs to (a commitment can belong to a later year than its posting).
  financial_year integer not null check (financial_year between 2000 and 2200),
  service_category text references service_categories(code),
  package_id uuid references packages(id),
  child_id uuid references children(id)
);
create index ledger_entries_transaction on ledger_entries (transaction_id);
create index ledger_entries_report on ledger_entries (agreement_id, financial_year, account, partner_id, service_category);
create index ledger_entries_package on ledger_entries (package_id, account) where package_id is not null;
create index ledger_entries_child on ledger_entries (child_id) where child_id is not null;

-- Immutable: like the audit log, no update, delete or truncate.
create function ledger_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'the ledger is append-only: correct a mistake with a reversing transaction';
end $$;
create trigger ledger_transactions_no_update before update or delete on ledger_transactions
  for each row execute function ledger_is_append_only();
create trigger ledger_transactions_no_truncate before truncate on ledger_transactions
  for each statement execute function ledger_is_append_only();
create trigger ledger_entries_no_update before update or delete on ledger_entries
  for each row execute function ledger_is_append_only();
create trigger ledger_entries_no_truncate before truncate on ledger_entries
  for each statement execute function ledger_is_append_only();

-- A closed period refuses postings. The period row is created if missing and held with FOR KEY
-- SHARE until commit, so closing it (which takes FOR UPDATE) waits for postings in flight and a
-- posting never lands in a period closed under it. Many posters share the lock: no global lock.
create function ledger_period_must_be_open() returns trigger language plpgsql as $$
declare
  closed timestamptz;
  found_row boolean;
begin
  select p.closed_at, true into closed, found_row from ledger_periods p
    where p.financial_year = new.financial_year and p.period = new.period for key share;
  if found_row is null then
    insert into ledger_periods (financial_year, period, starts_on, ends_on)
      values (new.financial_year, new.period, date_trunc('month', new.posted_on)::date,
              (date_trunc('month', new.posted_on) + interval '1 month' - interval '1 day')::date)
      on conflict do nothing;
    select p.closed_at into closed from ledger_periods p
      where p.financial_year = new.financial_year and p.period = new.period for key share;
  end if;
  if closed is not null then
    raise exception 'period % of financial year % is closed: nothing can be posted to it', new.period, new.financial_year
      using errcode = 'check_violation', constraint = 'ledger_period_closed';
  end if;
  return new;
end $$;
create trigger ledger_transactions_open_period before insert on ledger_transactions
  for each row execute function ledger_period_must_be_open();

-- A transaction must balance: checked when the database transaction commits, so a posting
-- written line by line can never be committed half-written or unbalanced.
create function ledger_transaction_must_balance() returns trigger language plpgsql as $$
declare
  txn bigint;
  total numeric;
  lines integer;
begin
  -- Separate branches: PL/pgSQL resolves new.<field> only when the branch runs.
  if tg_table_name = 'ledger_entries' then
    txn := new.transaction_id;
  else
    txn := new.id;
  end if;
  select coalesce(sum(amount_pence), 0), count(*) into total, lines from ledger_entries where transaction_id = txn;
  if lines < 2 or total <> 0 then
    raise exception 'ledger transaction % does not balance (% lines, total % pence)', txn, lines, total
      using errcode = 'check_violation', constraint = 'ledger_transaction_balances';
  end if;
  return null;
end $$;
create constraint trigger ledger_transactions_balance after insert on ledger_transactions
  deferrable initially deferred for each row execute function ledger_transaction_must_balance();
create constraint trigger ledger_entries_balance after insert on ledger_entries
  deferrable initially deferred for each row execute function ledger_transaction_must_balance();

-- A closed period stays closed, and its dates never change.
create function ledger_period_stays_closed() returns trigger language plpgsql as $$
begin
  if old.closed_at is not null or new.starts_on <> old.starts_on or new.ends_on <> old.ends_on
     or new.financial_year <> old.financial_year or new.period <> old.period then
    raise exception 'a closed period cannot be reopened or changed' using errcode = 'check_violation';
  end if;
  return new;
end $$;
create trigger ledger_periods_stay_closed before update on ledger_periods
  for each row execute function ledger_period_stays_closed();
create trigger ledger_periods_no_delete before delete on ledger_periods
  for each row execute function ledger_is_append_only();
