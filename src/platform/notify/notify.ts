// One interface for e-mail and SMS. GOV.UK Notify in production; the database outbox for the
// embedded default and tests (administrators read it on the Outbox page).
import { NotifyClient } from 'notifications-node-client';
import type { Db } from '../db/database.js';

export interface Message {
  channel: 'email' | 'sms';
  to: string;
  subject?: string;
  body: string;
}

export interface Notifier {
  readonly provider: 'outbox' | 'govuk-notify';
  /** Sends (or records) a message; `db` is the caller's transaction so the record commits with it. */
  send(db: Db, message: Message): Promise<{ id: string }>;
}

export class OutboxNotifier implements Notifier {
  readonly provider = 'outbox' as const;
  async send(db: Db, m: Message) {
    const row = await db
      .insertInto('notifications')
      .values({ channel: m.channel, recipient: m.to, subject: m.subject ?? null, body: m.body, status: 'recorded', provider: this.provider })
      .returning('id')
      .executeTakeFirstOrThrow();
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
    const row = await db
      .insertInto('notifications')
      .values({
        channel: m.channel,
        recipient: m.to,
        subject: m.subject ?? null,
        body: m.body,
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
