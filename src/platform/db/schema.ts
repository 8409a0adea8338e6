// Kysely's picture of the tables. Keep in step with migrations/.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
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
  prev_hash: string;
  hash: string;
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
  key_worker_user_id: string | null;
  search_names: Generated<string>;
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
}
export interface ConsentScopesTable {
  consent_id: string;
  organisation_type: string;
  section: string;
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

export interface DB {
  organisations: OrganisationsTable;
  users: UsersTable;
  user_roles: UserRolesTable;
  user_identities: UserIdentitiesTable;
  invitations: InvitationsTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  jobs: JobsTable;
  notifications: NotificationsTable;
  localities: LocalitiesTable;
  locality_postcodes: LocalityPostcodesTable;
  disability_criteria: DisabilityCriteriaTable;
  families: FamiliesTable;
  children: ChildrenTable;
  child_history: ChildHistoryTable;
  child_criteria: ChildCriteriaTable;
  family_members: FamilyMembersTable;
  involvements: InvolvementsTable;
  key_worker_changes: KeyWorkerChangesTable;
  about_me_versions: AboutMeVersionsTable;
  chronology_events: ChronologyEventsTable;
  consents: ConsentsTable;
  consent_scopes: ConsentScopesTable;
  lawful_bases: LawfulBasesTable;
  break_glass: BreakGlassTable;
}
