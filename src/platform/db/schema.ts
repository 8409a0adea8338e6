// Kysely's picture of the tables. Keep in step with migrations/: test/schema-types.test.ts compares it with the migrated database.
import type { ColumnType, Generated, GeneratedAlways } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** numeric columns: read as text (exact), written as a number or text. */
type Numeric = ColumnType<string, number | string, number | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface OrganisationsTable {
  id: Generated<string>;
  code: string;
  name: string;
  type: string;
  active: Generated<boolean>;
  created_at: Timestamp;
  version: Generated<number>;
}
export interface UsersTable {
  id: Generated<string>;
  organisation_id: string;
  display_name: string;
  email: string;
  active: Generated<boolean>;
  deactivated_at: NullableTimestamp;
  password_hash: string | null;
  totp_secret: string | null;
  totp_enabled_at: NullableTimestamp;
  totp_last_step: number | null;
  failed_sign_ins: Generated<number>;
  locked_until: NullableTimestamp;
  created_at: Timestamp;
  version: Generated<number>;
}
export interface UserRolesTable {
  user_id: string;
  role: string;
}
/** A change to a role that needs a second administrator (migrations/0018_role_requests.sql). */
export interface RoleRequestsTable {
  id: Generated<string>;
  user_id: string;
  role: string;
  change: 'grant' | 'remove';
  requested_by: string;
  requested_at: Timestamp;
  decision: 'approved' | 'refused' | null;
  decided_by: string | null;
  decided_at: NullableTimestamp;
}
export interface UserIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: string;
  created_at: Timestamp;
}
export interface InvitationsTable {
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}
export interface SessionsTable {
  id_hash: string;
  user_id: string;
  stage: 'signed-in' | 'awaiting-totp' | 'awaiting-totp-setup';
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  ended_at: NullableTimestamp;
  ended_reason: string | null;
}
export interface AuditLogTable {
  id: Generated<string>;
  at: Timestamp;
  user_id: string | null;
  organisation_id: string | null;
  roles: string;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  purpose: string | null;
  result: 'allowed' | 'denied';
  request_id: string | null;
  details: string;
  /** Position in the hash chain, given by the sealer after commit; null until sealed (as are the three below). */
  seq: string | null;
  prev_hash: string | null;
  hash: string | null;
  sealed_at: NullableTimestamp;
}
/** Signed checkpoints of the audit chain's head (also kept in the checkpoint file and the log). */
export interface AuditCheckpointsTable {
  seq: string;
  hash: string;
  at: Timestamp;
  key_id: string;
  signature: string;
}
/** Attempts at a rate-limited route by one client address in the current window (see rate-limit-store.ts). */
export interface RateLimitsTable {
  key: string;
  hits: number;
  resets_at: Timestamp;
}
/** The children one audit entry disclosed, besides its subject (an export, say). */
export interface AuditChildrenTable {
  audit_id: string;
  child_id: string;
}
export interface JobsTable {
  id: Generated<string>;
  kind: string;
  payload: string;
  status: Generated<'queued' | 'running' | 'succeeded' | 'failed'>;
  run_at: Timestamp;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  progress: Generated<number>;
  progress_message: string | null;
  result: string | null;
  error: string | null;
  created_by: string | null;
  created_at: Timestamp;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  locked_until: NullableTimestamp;
  key: string | null;
  /** A recurring job (one row, queued again after each run): seconds between runs. */
  every_seconds: number | null;
}
export interface NotificationsTable {
  id: Generated<string>;
  channel: 'email' | 'sms';
  recipient: string;
  subject: string | null;
  body: string;
  status: 'recorded' | 'sent' | 'failed';
  provider: string;
  provider_reference: string | null;
  error: string | null;
  created_at: Timestamp;
}

type DateColumn = ColumnType<string, string, string>;
type NullableDate = ColumnType<string | null, string | null | undefined, string | null>;

export interface LocalitiesTable {
  id: Generated<string>;
  code: string;
  name: string;
}
export interface AreaContactTable {
  id: Generated<boolean>;
  team: string;
  telephone: string;
  email: string;
  address: string;
  opening_hours: Generated<string>;
  version: Generated<number>;
  updated_by: string | null;
  updated_at: Generated<Timestamp>;
}
export interface LocalityPostcodesTable {
  prefix: string;
  locality_id: string;
}
export interface DisabilityCriteriaTable {
  id: Generated<string>;
  code: string;
  description: string;
  position: Generated<number>;
  active: Generated<boolean>;
}
export interface FamiliesTable {
  id: Generated<string>;
  created_at: Timestamp;
}
export interface ChildrenTable {
  id: Generated<string>;
  family_id: string;
  given_name: string;
  family_name: string;
  preferred_name: string | null;
  other_names: string | null;
  date_of_birth: DateColumn;
  sex: 'M' | 'F' | 'U';
  ethnicity: string;
  address_line1: string | null;
  address_line2: string | null;
  town: string | null;
  postcode: string | null;
  locality_id: string | null;
  nhs_number: string | null;
  upn: string | null;
  council_id: string | null;
  primary_need: string | null;
  secondary_needs: ColumnType<string[], string[] | undefined, string[]>;
  has_ehc_plan: Generated<boolean>;
  severity: 'moderate' | 'severe' | 'profound' | null;
  communication_needs: string | null;
  joined_on: DateColumn;
  status: Generated<'active' | 'moved-away' | 'over-25' | 'died' | 'left'>;
  status_on: NullableDate;
  acts_for_self: Generated<boolean>;
  search_names: Generated<string>;
  /** Generated by the database from search_names (migration 0006, capabilities/find): never written. */
  search_keys: ColumnType<string[] | null, never, never>;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: Generated<number>;
}
export interface ChildHistoryTable {
  id: Generated<string>;
  child_id: string;
  at: Timestamp;
  user_id: string | null;
  changes: string;
}
export interface ChildCriteriaTable {
  child_id: string;
  criterion_id: string;
  assessed_by_user_id: string | null;
  assessed_by_organisation_id: string | null;
  assessed_on: DateColumn;
}
export interface FamilyMembersTable {
  id: Generated<string>;
  family_id: string;
  full_name: string;
  relationship: string;
  parental_responsibility: Generated<boolean>;
  phone: string | null;
  email: string | null;
  address: string | null;
  preferred_contact: 'email' | 'sms' | 'phone' | 'letter' | null;
  language: string | null;
  needs_interpreter: Generated<boolean>;
  consents_to_email: Generated<boolean>;
  consents_to_sms: Generated<boolean>;
  version: Generated<number>;
}
export interface InvolvementsTable {
  id: Generated<string>;
  child_id: string;
  organisation_id: string;
  service: string;
  provides: string | null;
  started_on: DateColumn;
  ended_on: NullableDate;
  practitioner_user_id: string | null;
  practitioner_name: string | null;
  cost_pence: number | null;
  cost_period: 'week' | 'year' | null;
  created_by: string | null;
  created_at: Timestamp;
  version: Generated<number>;
}
export interface KeyWorkersTable {
  child_id: string;
  user_id: string;
  version: Generated<number>;
  updated_at: Timestamp;
}
export interface KeyWorkerChangesTable {
  id: Generated<string>;
  child_id: string;
  from_user_id: string | null;
  to_user_id: string;
  changed_on: DateColumn;
  family_agreed: boolean;
  note: string | null;
  recorded_by: string | null;
  recorded_at: Timestamp;
}
export interface AboutMeVersionsTable {
  id: Generated<string>;
  child_id: string;
  version: number;
  what_matters: string | null;
  what_works: string | null;
  what_does_not_work: string | null;
  communication: string | null;
  aspirations: string | null;
  written_with: string | null;
  recorded_by: string | null;
  recorded_at: Timestamp;
}
export interface ChronologyEventsTable {
  id: Generated<string>;
  child_id: string;
  organisation_id: string | null;
  occurred_on: DateColumn;
  section: string;
  title: string;
  detail: string | null;
  recorded_by: string | null;
  recorded_at: Timestamp;
}
export interface ConsentsTable {
  id: Generated<string>;
  child_id: string;
  given_by: 'parent' | 'young-person' | 'decision-maker';
  given_by_member_id: string | null;
  capacity_note: string | null;
  given_on: DateColumn;
  method: 'written' | 'verbal' | 'electronic';
  evidence: string | null;
  review_on: NullableDate;
  withdrawn_at: NullableTimestamp;
  withdrawn_reason: string | null;
  recorded_by: string | null;
  recorded_at: Timestamp;
  /** Separation of duties (ADR 0012): only 'approved' counts in the sharing rule. */
  approval: Generated<Approval>;
  approval_by: string | null;
  approval_at: NullableTimestamp;
  approval_note: string | null;
}
export type Approval = 'pending' | 'approved' | 'refused';
export interface ConsentScopesTable {
  consent_id: string;
  organisation_type: string;
  section: string;
}
/** Sections a consent gives one named organisation (migration 0022, ADR 0014). */
export interface ConsentOrganisationScopesTable {
  consent_id: string;
  organisation_id: string;
  section: string;
}
/** A consent withdrawn for one organisation only, however it covered that organisation. */
export interface ConsentWithdrawalsTable {
  consent_id: string;
  organisation_id: string;
  withdrawn_at: Timestamp;
  withdrawn_reason: string;
  withdrawn_by: string | null;
}
/** A family member's own account (migration 0026, ADR 0015): tied by staff to a person on the record. */
export interface FamilyAccountsTable {
  user_id: string;
  /** The parent or carer the account belongs to, or null for a young person's own account (migration 0030). */
  family_member_id: string | null;
  /** The young person whose own account this is (aged 16 or over), or null for a parent's (migration 0030). */
  child_id: string | null;
  invited_by: string;
  invited_at: Timestamp;
  /** The second person who checked the address and approved; the invitation is sent only then (migration 0032). */
  approved_by: string | null;
  approved_at: Timestamp | null;
}
export interface LawfulBasesTable {
  id: Generated<string>;
  child_id: string;
  organisation_id: string;
  basis: 'safeguarding' | 'legal-obligation' | 'vital-interests' | 'public-task';
  sections: ColumnType<string[], string[], string[]>;
  explanation: string;
  decided_by_user_id: string | null;
  decided_on: DateColumn;
  ends_on: NullableDate;
  ended_at: NullableTimestamp;
  recorded_at: Timestamp;
  approval: Generated<Approval>;
  approval_by: string | null;
  approval_at: NullableTimestamp;
  approval_note: string | null;
}
export interface BreakGlassTable {
  id: Generated<string>;
  child_id: string;
  user_id: string;
  organisation_id: string;
  reason: string;
  started_at: Timestamp;
  expires_at: Timestamp;
  reviewed_by: string | null;
  reviewed_at: NullableTimestamp;
  review_note: string | null;
}

// Joint budgets (migrations/0007_budgets.sql). Money is integer pence; entry amounts are signed
// (debit positive, credit negative).
export interface BudgetPartnersTable {
  id: Generated<string>;
  organisation_id: string;
  short_name: string;
  active: Generated<boolean>;
  created_at: Timestamp;
  version: Generated<number>;
}
export interface ServiceCategoriesTable {
  code: string;
  name: string;
  position: number;
}
export interface PoolingAgreementsTable {
  id: Generated<string>;
  code: string;
  name: string;
  arrangement: 'pooled' | 'aligned';
  legal_basis: 'nhs-act-2006-s75' | 'children-act-2004-s10' | 'children-and-families-act-2014-s26' | 'other';
  legal_basis_note: string | null;
  host_partner_id: string | null;
  starts_on: DateColumn;
  created_by: string | null;
  created_at: Timestamp;
  version: Generated<number>;
}
export interface AgreementYearsTable {
  agreement_id: string;
  financial_year: number;
  created_at: Timestamp;
}
export interface AgreementSharesTable {
  agreement_id: string;
  financial_year: number;
  partner_id: string;
  share_bp: number;
}
export interface LedgerAccountsTable {
  code: string;
  name: string;
  normal_side: 'debit' | 'credit';
  position: number;
}
export interface LedgerPeriodsTable {
  financial_year: number;
  period: number;
  starts_on: DateColumn;
  ends_on: DateColumn;
  closed_at: NullableTimestamp;
  closed_by: string | null;
}
export interface PackagesTable {
  id: Generated<string>;
  reference: Generated<string>;
  agreement_id: string;
  child_id: string;
  service_category: string;
  service: string;
  provider_id: string | null;
  unit_cost_pence: number;
  units_x100: number;
  frequency: 'week' | 'month';
  starts_on: DateColumn;
  ends_on: NullableDate;
  review_on: NullableDate;
  created_by: string | null;
  created_at: Timestamp;
  version: Generated<number>;
}
export interface PackageChangesTable {
  id: Generated<string>;
  package_id: string;
  version: number;
  service_category: string;
  service: string;
  provider_id: string | null;
  unit_cost_pence: number;
  units_x100: number;
  frequency: 'week' | 'month';
  starts_on: DateColumn;
  ends_on: NullableDate;
  review_on: NullableDate;
  reason: string;
  decision_id: string | null;
  changed_by: string | null;
  changed_at: Timestamp;
}
export interface PackageSplitSharesTable {
  package_change_id: string;
  segment: number;
  from_on: DateColumn;
  to_on: NullableDate;
  partner_id: string;
  share_bp: number;
}
export interface InvoicesTable {
  id: Generated<string>;
  agreement_id: string;
  provider_id: string;
  supplier_reference: string;
  package_id: string | null;
  service_from: DateColumn;
  service_to: DateColumn;
  amount_pence: number;
  received_on: DateColumn;
  description: string | null;
  recorded_by: string | null;
  recorded_at: Timestamp;
  matched_at: NullableTimestamp;
  /** Set when a wrongly recorded invoice is cancelled (its postings reversed): who, when and why. */
  cancelled_at: NullableTimestamp;
  cancelled_by: string | null;
  cancel_reason: string | null;
}
export interface PaymentsTable {
  id: Generated<string>;
  kind: 'invoice' | 'direct-payment';
  invoice_id: string | null;
  package_id: string | null;
  amount_pence: number;
  paid_on: DateColumn;
  reference: string | null;
  recorded_by: string | null;
  recorded_at: Timestamp;
}
export type LedgerKind =
  'contribution' | 'commitment' | 'invoice' | 'invoice-match' | 'payment' | 'direct-payment' | 'transfer' | 'year-end-adjustment' | 'reversal';
export interface LedgerTransactionsTable {
  id: GeneratedAlways<number>;
  idempotency_key: string;
  payload_hash: string;
  kind: LedgerKind;
  posted_on: DateColumn;
  financial_year: number;
  period: number;
  reason: string;
  recorded_by: string | null;
  recorded_at: Timestamp;
  decision_id: string | null;
  invoice_id: string | null;
  payment_id: string | null;
  package_change_id: string | null;
  reverses_transaction_id: number | null;
}
export interface LedgerEntriesTable {
  id: GeneratedAlways<number>;
  transaction_id: number;
  account: string;
  amount_pence: number;
  agreement_id: string;
  partner_id: string | null;
  financial_year: number;
  service_category: string | null;
  package_id: string | null;
  child_id: string | null;
}

// Imports and record linkage (migrations/0009_imports.sql, capabilities/imports and matching-review).
export interface ImportSourcesTable {
  id: Generated<string>;
  name: string;
  organisation_id: string | null;
  kind: 'education' | 'health' | 'social-care' | 'provider';
  record_id_column: string;
  birth_date_format: Generated<string>;
  mapping: string;
  match_threshold: Generated<number>;
  review_lower: Generated<number>;
  created_by: string | null;
  created_at: Timestamp;
  version: Generated<number>;
}
export interface ImportsTable {
  id: Generated<string>;
  source_id: string;
  file_name: string;
  file_type: 'csv' | 'xlsx';
  content_hash: string;
  size_bytes: number;
  content: Uint8Array | null;
  status: Generated<'checking' | 'checked' | 'applying' | 'applied' | 'failed' | 'already-applied'>;
  dry_run_job_id: number | null;
  apply_job_id: number | null;
  summary: string | null;
  error: string | null;
  leave_out_invalid: Generated<boolean>;
  uploaded_by: string | null;
  uploaded_at: Timestamp;
  checked_at: NullableTimestamp;
  applied_by: string | null;
  applied_at: NullableTimestamp;
}
export interface ImportRowsTable {
  import_id: string;
  row_number: number;
  record_id: string | null;
  outcome: 'create' | 'update' | 'link' | 'review' | 'invalid' | 'unchanged';
  child_id: string | null;
  probability: number | null;
  reason: string;
  problems: Generated<string>;
  field_values: Generated<string>;
}
export interface SourceRecordsTable {
  id: Generated<string>;
  source_id: string;
  record_id: string;
  child_id: string;
  field_values: string;
  first_import_id: string | null;
  last_import_id: string | null;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
}
export interface ChildFieldValuesTable {
  id: Generated<string>;
  child_id: string;
  field: string;
  value: string;
  source_record_id: string | null;
  merge_id: string | null;
  import_id: string | null;
  supplied_at: Timestamp;
}
export interface MatchReviewsTable {
  id: Generated<string>;
  import_id: string | null;
  child_a: string;
  child_b: string;
  ref_a_source: string;
  ref_a_id: string;
  ref_b_source: string;
  ref_b_id: string;
  probability: number;
  explanation: string;
  status: Generated<'pending' | 'same' | 'different' | 'not-sure' | 'closed'>;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  note: string | null;
  merge_id: string | null;
  created_at: Timestamp;
}
export interface LinkDecisionsTable {
  id: Generated<string>;
  source_a: string;
  record_a: string;
  source_b: string;
  record_b: string;
  decision: 'same' | 'different';
  review_id: string | null;
  decided_by: string | null;
  decided_at: Timestamp;
}
export interface ChildMergesTable {
  id: Generated<string>;
  kept_child_id: string;
  merged_child_id: string;
  review_id: string | null;
  snapshot: string;
  kept_version_after: number;
  merged_by: string | null;
  merged_at: Timestamp;
  unmerged_by: string | null;
  unmerged_at: NullableTimestamp;
}

// Referrals, eligibility, panels, decisions, outcome sheets and disputes (migrations/0012).
export interface EligibilityRuleSetsTable {
  id: Generated<string>;
  key: string;
  version: number;
  name: string;
  kind: 'at-least' | 'all' | 'any';
  threshold: number | null;
  conditions: string;
  outcome_met: string | null;
  outcome_not_met: string | null;
  active: Generated<boolean>;
  created_by: string | null;
  created_at: Timestamp;
}
export type ReferralStatus = 'received' | 'more-information' | 'accepted' | 'signposted' | 'to-panel' | 'decided' | 'closed';
export interface ReferralsTable {
  id: Generated<string>;
  reference: Generated<string>;
  route: 'partner' | 'family';
  child_id: string | null;
  child_details: Generated<string>;
  referrer_user_id: string | null;
  referrer_organisation_id: string | null;
  referrer_name: string;
  referrer_relationship: 'parent' | 'carer' | 'young-person' | 'professional';
  referrer_email: string | null;
  referrer_phone: string | null;
  contact_method: Generated<'email' | 'sms' | 'post' | 'phone'>;
  help_needed: string;
  reason: string;
  sharing_basis: 'consent' | 'lawful-basis';
  consent_given_by: string | null;
  lawful_basis: string | null;
  status: Generated<ReferralStatus>;
  triage_reason: string | null;
  triaged_by: string | null;
  triaged_at: NullableTimestamp;
  received_on: DateColumn;
  received_at: Timestamp;
  version: Generated<number>;
}
export interface ReferralEventsTable {
  id: Generated<string>;
  referral_id: string;
  kind: string;
  note: string | null;
  notification_id: string | null;
  by_user_id: string | null;
  at: Timestamp;
}
export interface ReferralEligibilityTable {
  id: Generated<string>;
  referral_id: string;
  rule_set_id: string;
  answers: string;
  met: boolean;
  met_count: number;
  required: number;
  summary: string;
  assessed_by: string | null;
  assessed_at: Timestamp;
}
export interface PanelsTable {
  id: Generated<string>;
  name: string;
  purpose: string;
  frequency: string;
  administrator_id: string | null;
  papers_days: Generated<number>;
  cut_off_days: Generated<number>;
  quorum_members: Generated<number>;
  joint_funding_agencies: Generated<string>;
  active: Generated<boolean>;
  created_at: Timestamp;
  version: Generated<number>;
}
export interface PanelMembersTable {
  id: Generated<string>;
  panel_id: string;
  user_id: string;
  role: 'chair' | 'member' | 'adviser';
  partner_id: string | null;
  authority_pence: Generated<number>;
  active: Generated<boolean>;
  created_at: Timestamp;
}
export interface PanelMeetingsTable {
  id: Generated<string>;
  panel_id: string;
  meets_on: DateColumn;
  cut_off_on: DateColumn;
  papers_due_on: DateColumn;
  place: string | null;
  status: Generated<'planned' | 'published' | 'held' | 'cancelled'>;
  published_at: NullableTimestamp;
  published_by: string | null;
  published_late: Generated<boolean>;
  version: Generated<number>;
  cancelled_at: NullableTimestamp;
  cancelled_by: string | null;
  cancel_reason: string | null;
}
export interface PanelCasesTable {
  id: Generated<string>;
  meeting_id: string;
  referral_id: string;
  position: number;
  summary: Generated<string>;
  added_late: Generated<boolean>;
  added_by: string | null;
  added_at: Timestamp;
}
export interface MeetingAttendanceTable {
  meeting_id: string;
  user_id: string;
  present: boolean;
  interests: string | null;
  recorded_by: string | null;
  recorded_at: Timestamp;
}
export interface SplitTemplatesTable {
  id: Generated<string>;
  name: string;
  description: Generated<string>;
  segments: string;
  active: Generated<boolean>;
  created_at: Timestamp;
}
export type DecisionOutcome = 'approve' | 'approve-with-changes' | 'decline' | 'defer' | 'refer-elsewhere';
export interface PanelDecisionsTable {
  id: Generated<string>;
  case_id: string;
  referral_id: string;
  meeting_id: string;
  outcome: DecisionOutcome;
  reasons: string;
  package_id: string | null;
  decided_on: DateColumn;
  sheet_due_on: DateColumn;
  recorded_by: string | null;
  recorded_at: Timestamp;
}
export interface OutcomeSheetsTable {
  id: Generated<string>;
  decision_id: string;
  html: string;
  pdf: Buffer;
  sha256: string;
  recipients: string;
  issued_on: DateColumn;
  issued_by: string | null;
  issued_at: Timestamp;
}
export interface EscalationStepsTable {
  position: number;
  name: string;
  days: number;
}
export interface DisputesTable {
  id: Generated<string>;
  decision_id: string;
  partner_id: string;
  raised_by: string | null;
  raised_on: DateColumn;
  raised_at: Timestamp;
  reason: string;
  interim: string;
  step: Generated<number>;
  step_due_on: DateColumn;
  status: Generated<'open' | 'resolved' | 'withdrawn'>;
  resolved_on: NullableDate;
  resolved_by: string | null;
  resolution: string | null;
  version: Generated<number>;
}
export interface DisputeEventsTable {
  id: Generated<string>;
  dispute_id: string;
  kind: 'raised' | 'escalated' | 'resolved' | 'withdrawn';
  step: number;
  note: string;
  by_user_id: string | null;
  at: Timestamp;
}

// The Local Offer (migrations/0024_local_offer.sql): Open Referral UK 3.0, one table per ORUK object.
export interface OfferTaxonomiesTable {
  id: Generated<string>;
  code: string;
  name: string;
  description: string;
  uri: string | null;
  version: string | null;
}
export interface OfferTaxonomyTermsTable {
  id: Generated<string>;
  taxonomy_id: string;
  code: string;
  name: string;
  description: string;
  parent_id: string | null;
  term_uri: string | null;
  position: Generated<number>;
}
export interface OfferOrganisationsTable {
  id: Generated<string>;
  name: string;
  description: string;
  email: string | null;
  website: string | null;
  partner_organisation_id: string | null;
  created_at: Timestamp;
}
export type OfferStatus = 'active' | 'inactive' | 'defunct' | 'temporarily closed';
export interface OfferServicesTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  description: Generated<string>;
  url: string | null;
  email: string | null;
  status: ColumnType<OfferStatus, OfferStatus | undefined, OfferStatus>;
  accreditations: string | null;
  minimum_age: number | null;
  maximum_age: number | null;
  assured_date: NullableDate;
  assurer_email: string | null;
  alert: string | null;
  how_to_access: Generated<string>;
  owner_organisation_id: string | null;
  review_due: DateColumn;
  import_fingerprint: string | null;
  reminded_on: NullableDate;
  last_modified: Timestamp;
  created_at: Timestamp;
  version: Generated<number>;
  search_text: GeneratedAlways<string | null>;
}
export interface OfferLocationsTable {
  id: Generated<string>;
  location_type: ColumnType<'physical' | 'postal' | 'virtual', 'physical' | 'postal' | 'virtual' | undefined, 'physical' | 'postal' | 'virtual'>;
  name: string | null;
  description: string | null;
  latitude: number | null;
  longitude: number | null;
  address_id: Generated<string>;
  address_1: string | null;
  city: string | null;
  state_province: string | null;
  postal_code: string | null;
  country: Generated<string>;
}
export interface OfferAccessibilityTable {
  id: Generated<string>;
  location_id: string;
  description: string;
  details: string | null;
  url: string | null;
}
export interface OfferServiceAtLocationsTable {
  id: Generated<string>;
  service_id: string;
  location_id: string;
}
export interface OfferContactsTable {
  id: Generated<string>;
  service_id: string;
  name: string | null;
  title: string | null;
  email: string | null;
  phone: string | null;
  phone_id: Generated<string>;
}
export interface OfferSchedulesTable {
  id: Generated<string>;
  service_id: string;
  freq: 'WEEKLY' | 'MONTHLY' | null;
  byday: string | null;
  opens_at: string | null;
  closes_at: string | null;
  description: string | null;
}
export interface OfferCostOptionsTable {
  id: Generated<string>;
  service_id: string;
  option: string | null;
  amount_pence: number | null;
  amount_description: string | null;
}
export interface OfferLanguagesTable {
  id: Generated<string>;
  service_id: string;
  name: string;
  code: string;
}
export interface OfferAttributesTable {
  id: Generated<string>;
  service_id: string;
  taxonomy_term_id: string;
}
export interface OfferChangesTable {
  id: Generated<string>;
  service_id: string | null;
  owner_organisation_id: string;
  entry: string;
  submitted_by: string;
  submitted_at: Timestamp;
  based_on_version: number | null;
  decision: 'approved' | 'refused' | null;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  reason: string | null;
}
export interface PostcodesTable {
  postcode: string;
  latitude: number;
  longitude: number;
}
export interface NeedsPopulationTable {
  age: number;
  locality_code: string | null;
  people: number;
  loaded_at: Timestamp;
}
export interface NeedsDfeFiguresTable {
  file: string;
  time_period: number;
  la_code: string | null;
  la_name: string | null;
  breakdown_topic: string;
  breakdown: string;
  measure: string;
  value: number | null;
  marker: string | null;
}
export interface NeedsStatisticalNeighboursTable {
  la_code: string;
  position: number;
}

// The forecast's saved scenarios (migrations/0027_forecast.sql, capabilities/planning/forecast).
export interface ForecastScenariosTable {
  id: Generated<string>;
  name: string;
  kind: 'shift' | 'places' | 'joiners';
  from_setting: string | null;
  to_setting: string | null;
  percent: number | null;
  places: number | null;
  opening_year: number | null;
  created_by: string;
  created_at: Timestamp;
}

export interface CommissioningPlansTable {
  id: Generated<string>;
  title: string;
  period_from: DateColumn;
  period_to: DateColumn;
  status: Generated<'draft' | 'submitted' | 'approved' | 'not-approved'>;
  created_by: string;
  created_at: Timestamp;
  submitted_by: string | null;
  submitted_at: NullableTimestamp;
  decided_by: string | null;
  decided_at: NullableTimestamp;
  board_meeting_on: NullableDate;
  decision_note: string | null;
  version: Generated<number>;
}
export interface CommissioningPlanEditorsTable {
  plan_id: string;
  user_id: string;
  first_at: Timestamp;
}
export interface CommissioningPrioritiesTable {
  id: Generated<string>;
  plan_id: string;
  title: string;
  description: Generated<string>;
  created_by: string;
  created_at: Timestamp;
}
export interface CommissioningEvidenceTable {
  id: Generated<string>;
  priority_id: string;
  kind: 'needs-view' | 'local-offer-gap' | 'family-voice';
  summary: string;
  link: string | null;
  source: string | null;
  said_on: NullableDate;
  recorded_by: string;
  recorded_at: Timestamp;
}
export interface CommissioningIntentionsTable {
  id: Generated<string>;
  plan_id: string;
  priority_id: string | null;
  what: string;
  why: string;
  due_on: DateColumn;
  stage: Generated<'understand' | 'plan' | 'do' | 'review'>;
  owner_id: string;
  agreement_id: string | null;
  expected_pence: number | null;
  created_by: string;
  created_at: Timestamp;
  version: Generated<number>;
}
export interface CommissioningIntentionPartnersTable {
  intention_id: string;
  partner_id: string;
}
export interface CommissioningStageChangesTable {
  id: Generated<string>;
  intention_id: string;
  stage: 'understand' | 'plan' | 'do' | 'review';
  owner_id: string;
  due_on: DateColumn;
  note: string | null;
  changed_by: string;
  changed_at: Timestamp;
}
export interface ContractsTable {
  id: Generated<string>;
  reference: Generated<string>;
  title: string;
  provider_id: string;
  service_id: string | null;
  starts_on: DateColumn;
  ends_on: DateColumn;
  annual_value_pence: number;
  intention_id: string | null;
  alerted: '6-months' | '3-months' | null;
  created_by: string;
  created_at: Timestamp;
  version: Generated<number>;
}
export interface MarketPositionStatementsTable {
  id: Generated<string>;
  introduction: Generated<string>;
  to_providers: Generated<string>;
  updated_by: string | null;
  updated_at: Timestamp;
  version: Generated<number>;
}
export interface ContractSharesTable {
  contract_id: string;
  partner_id: string;
  agreement_id: string;
  pence: number;
}
export interface ContractPackagesTable {
  contract_id: string;
  package_id: string;
  linked_by: string;
  linked_at: Timestamp;
}
export interface ContractKpisTable {
  id: Generated<string>;
  contract_id: string;
  name: string;
  target: Numeric;
  unit: string;
  higher_is_better: Generated<boolean>;
  created_by: string;
  created_at: Timestamp;
}
export interface ContractKpiReturnsTable {
  id: Generated<string>;
  kpi_id: string;
  period_ending: DateColumn;
  value: Numeric;
  note: string | null;
  recorded_by: string;
  recorded_at: Timestamp;
}

export interface DB {
  organisations: OrganisationsTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  role_requests: RoleRequestsTable;
  user_identities: UserIdentitiesTable;
  invitations: InvitationsTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  audit_checkpoints: AuditCheckpointsTable;
  rate_limits: RateLimitsTable;
  audit_children: AuditChildrenTable;
  jobs: JobsTable;
  notifications: NotificationsTable;
  localities: LocalitiesTable;
  area_contact: AreaContactTable;
  locality_postcodes: LocalityPostcodesTable;
  disability_criteria: DisabilityCriteriaTable;
  families: FamiliesTable;
  children: ChildrenTable;
  child_history: ChildHistoryTable;
  child_criteria: ChildCriteriaTable;
  family_members: FamilyMembersTable;
  family_accounts: FamilyAccountsTable;
  forecast_scenarios: ForecastScenariosTable;
  involvements: InvolvementsTable;
  key_workers: KeyWorkersTable;
  key_worker_changes: KeyWorkerChangesTable;
  about_me_versions: AboutMeVersionsTable;
  chronology_events: ChronologyEventsTable;
  consents: ConsentsTable;
  consent_scopes: ConsentScopesTable;
  consent_organisation_scopes: ConsentOrganisationScopesTable;
  consent_withdrawals: ConsentWithdrawalsTable;
  lawful_bases: LawfulBasesTable;
  break_glass: BreakGlassTable;
  budget_partners: BudgetPartnersTable;
  service_categories: ServiceCategoriesTable;
  pooling_agreements: PoolingAgreementsTable;
  agreement_years: AgreementYearsTable;
  agreement_shares: AgreementSharesTable;
  ledger_accounts: LedgerAccountsTable;
  ledger_periods: LedgerPeriodsTable;
  packages: PackagesTable;
  package_changes: PackageChangesTable;
  package_split_shares: PackageSplitSharesTable;
  invoices: InvoicesTable;
  payments: PaymentsTable;
  ledger_transactions: LedgerTransactionsTable;
  ledger_entries: LedgerEntriesTable;
  import_sources: ImportSourcesTable;
  imports: ImportsTable;
  import_rows: ImportRowsTable;
  source_records: SourceRecordsTable;
  child_field_values: ChildFieldValuesTable;
  match_reviews: MatchReviewsTable;
  link_decisions: LinkDecisionsTable;
  child_merges: ChildMergesTable;
  eligibility_rule_sets: EligibilityRuleSetsTable;
  referrals: ReferralsTable;
  referral_events: ReferralEventsTable;
  referral_eligibility: ReferralEligibilityTable;
  panels: PanelsTable;
  panel_members: PanelMembersTable;
  panel_meetings: PanelMeetingsTable;
  panel_cases: PanelCasesTable;
  meeting_attendance: MeetingAttendanceTable;
  split_templates: SplitTemplatesTable;
  panel_decisions: PanelDecisionsTable;
  outcome_sheets: OutcomeSheetsTable;
  escalation_steps: EscalationStepsTable;
  disputes: DisputesTable;
  dispute_events: DisputeEventsTable;
  offer_taxonomies: OfferTaxonomiesTable;
  offer_taxonomy_terms: OfferTaxonomyTermsTable;
  offer_organisations: OfferOrganisationsTable;
  offer_services: OfferServicesTable;
  offer_locations: OfferLocationsTable;
  offer_accessibility: OfferAccessibilityTable;
  offer_service_at_locations: OfferServiceAtLocationsTable;
  offer_contacts: OfferContactsTable;
  offer_schedules: OfferSchedulesTable;
  offer_cost_options: OfferCostOptionsTable;
  offer_languages: OfferLanguagesTable;
  offer_attributes: OfferAttributesTable;
  offer_changes: OfferChangesTable;
  postcodes: PostcodesTable;
  needs_population: NeedsPopulationTable;
  needs_dfe_figures: NeedsDfeFiguresTable;
  needs_statistical_neighbours: NeedsStatisticalNeighboursTable;
  commissioning_plans: CommissioningPlansTable;
  commissioning_plan_editors: CommissioningPlanEditorsTable;
  commissioning_priorities: CommissioningPrioritiesTable;
  commissioning_evidence: CommissioningEvidenceTable;
  commissioning_intentions: CommissioningIntentionsTable;
  commissioning_intention_partners: CommissioningIntentionPartnersTable;
  commissioning_stage_changes: CommissioningStageChangesTable;
  contracts: ContractsTable;
  contract_shares: ContractSharesTable;
  contract_packages: ContractPackagesTable;
  contract_kpis: ContractKpisTable;
  contract_kpi_returns: ContractKpiReturnsTable;
  market_position_statements: MarketPositionStatementsTable;
}
