// One interface for e-mail and SMS. GOV.UK Notify in production; the database outbox for the
// embedded default and tests (administrators read it on the Outbox page).
//
// A message may carry secrets (a one-time invitation link): only the person it is sent to may
// read them. Every notifier stores the message with each secret replaced by SECRET_REMOVED, so
// no one reading the notifications table or the Outbox page can use the link.
import { NotifyClient } from 'notifications-node-client';
import type { Db } from '../db/database.js';

export interface Message {
  channel: 'email' | 'sms';
  to: string;
  subject?: string;
  body: string;
  /** Parts of the subject or body only the recipient may read (e.g. an invitation link): sent, never stored. */
  secrets?: string[];
}

/** What a stored message shows in place of each secret. */
export const SECRET_REMOVED = '[link removed: sent only to the person]';

/** The message as it may be stored and shown to administrators: every secret replaced. */
export function redactMessage(m: Message): { subject: string | null; body: string } {
  const hide = (text: string) => (m.secrets ?? []).filter((x) => x.length > 0).reduce((t, x) => t.split(x).join(SECRET_REMOVED), text);
  return { subject: m.subject === undefined ? null : hide(m.subject), body: hide(m.body) };
}

/**
 * Without GOV.UK Notify, where the real message (secrets included) goes: the console for a
 * developer running the demo, memory in tests. Never set in production (Notify is required).
 */
export type Delivery = (message: Message) => void | Promise<void>;

export interface Notifier {
  readonly provider: 'outbox' | 'govuk-notify';
  /** Sends (or records) a message; `db` is the caller's transaction so the record commits with it. */
  send(db: Db, message: Message): Promise<{ id: string }>;
}

export class OutboxNotifier implements Notifier {
  readonly provider = 'outbox' as const;
  constructor(private readonly deliver?: Delivery) {}
  async send(db: Db, m: Message) {
    const stored = redactMessage(m);
    const row = await db
      .insertInto('notifications')
      .values({ channel: m.channel, recipient: m.to, subject: stored.subject, body: stored.body, status: 'recorded', provider: this.provider })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (this.deliver) await this.deliver(m);
    return { id: row.id };
  }
}

/** Notify templates take the whole message as personalisation: ((subject)) and ((body)). */
export class GovukNotifyNotifier implements Notifier {
  readonly provider = 'govuk-notify' as const;
  readonly #client: NotifyClient;
  constructor(
    apiKey: string,
    private readonly templates: { email: string; sms: string },
    /** Notify's API address; only tests point it elsewhere (a local server). */
    baseUrl?: string,
  ) {
    this.#client = baseUrl ? new NotifyClient(baseUrl, apiKey) : new NotifyClient(apiKey);
  }
  async send(db: Db, m: Message) {
    let reference: string | null = null;
    let error: string | null = null;
    try {
      const personalisation = { subject: m.subject ?? '', body: m.body };
      const res =
        m.channel === 'email'
          ? await this.#client.sendEmail(this.templates.email, m.to, { personalisation })
          : await this.#client.sendSms(this.templates.sms, m.to, { personalisation });
      reference = (res.data as { id?: string }).id ?? null;
    } catch (e) {
      // Keep Notify's own explanation (e.g. "Can't send to this recipient using a team-only API key").
      const data = (e as { response?: { data?: { errors?: { message: string }[] } } }).response?.data;
      error = data?.errors?.map((x) => x.message).join('; ') || (e as Error).message;
    }
    // Notify has the real message; the copy kept here has its secrets removed.
    const stored = redactMessage(m);
    const row = await db
      .insertInto('notifications')
      .values({
        channel: m.channel,
        recipient: m.to,
        subject: stored.subject,
        body: stored.body,
        status: error ? 'failed' : 'sent',
        provider: this.provider,
        provider_reference: reference,
        error,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id };
  }
}
