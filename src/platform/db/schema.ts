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
}
