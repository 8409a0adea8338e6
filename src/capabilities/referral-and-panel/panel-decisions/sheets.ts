// Outcome sheets: gathering a decision's facts, issuing the sheet (stored with its PDF and
// checksum) and telling the referrer, the family and each funding partner. Messages carry a link
// to the sheet, never its content: e-mail is not a safe place for a child's details.
import { recordOutcomeSheetIssued } from '../referrals/index.js';
import type { Db } from '../../../platform/db/database.js';
import type { Notifier } from '../../../platform/notify/notify.js';
import { ValidationError } from '../../../platform/http/errors.js';
import { paths } from '../../../paths.js';
import { longDate } from '../../../platform/dates.js';
import { firstYearCostByPartner, payingPartners } from '../panels/index.js';
import { decisionPackage, partnerNames, type Decision } from './service.js';
import { sha256, sheetContent, sheetHtml, sheetPdf, type SheetContent, type SheetFacts } from './sheet.js';

const childNameOf = (details: string) => {
  try {
    const d = JSON.parse(details) as { givenName?: unknown; familyName?: unknown };
    const name = [d.givenName, d.familyName].filter((x): x is string => typeof x === 'string' && !!x.trim()).join(' ');
    return name || 'the child';
  } catch {
    return 'the child';
  }
};

export async function sheetFacts(db: Db, d: Decision): Promise<SheetFacts> {
  const names = await partnerNames(db);
  const k = await decisionPackage(db, d.id);
  const admin = d.administrator_id ? await db.selectFrom('users').select('display_name').where('id', '=', d.administrator_id).executeTakeFirst() : undefined;
  return {
    referralReference: d.referral_reference,
    // The name the referral gave: the sheet is shared on the referral's basis, not the record's.
    childName: childNameOf(d.child_details),
    panelName: d.panel_name,
    meetsOn: d.meets_on,
    decidedOn: d.decided_on,
    outcome: d.outcome,
    reasons: d.reasons,
    administratorName: admin?.display_name ?? 'the panel’s administrator',
    referrerName: d.referrer_name,
    partnerName: names.name,
    package: k && {
      reference: k.reference,
      changed: k.changed,
      service: k.service,
      categoryName: k.category_name,
      providerName: k.provider_name,
      unitCostPence: k.unit_cost_pence,
      unitsX100: k.units_x100,
      frequency: k.frequency,
      startsOn: k.starts_on,
      endsOn: k.ends_on,
      reviewOn: k.review_on,
      split: k.split,
      firstYear: [
        ...firstYearCostByPartner(
          { unitCostPence: k.unit_cost_pence, unitsX100: k.units_x100, frequency: k.frequency, startsOn: k.starts_on, endsOn: k.ends_on },
          k.split,
        ),
      ]
        .map(([id, pence]) => ({ partner: names.name(id), pence }))
        .sort((a, b) => a.partner.localeCompare(b.partner)),
    },
  };
}

export const contentOf = async (db: Db, d: Decision): Promise<SheetContent> => sheetContent(await sheetFacts(db, d));

export interface Recipient {
  who: 'referrer' | 'family' | 'partner';
  name: string;
  channel: 'email' | 'sms' | 'post';
  notificationId: string | null;
  /** Why nothing was sent, when nothing could be. */
  note?: string;
}

interface Target {
  who: Recipient['who'];
  name: string;
  email?: string | null;
  phone?: string | null;
  prefer?: 'email' | 'sms';
}

/**
 * Who the sheet goes to. The referrer: their account's e-mail, or the address on the referral.
 * The family: on a family's own referral, the contact details it gave; otherwise the child's
 * parents and carers with parental responsibility who agreed to e-mail or text messages. Each
 * funding partner: the panel's members who may commit that partner.
 */
async function targets(db: Db, d: Decision): Promise<Target[]> {
  const out: Target[] = [];
  const prefer = d.contact_method === 'sms' ? 'sms' : 'email';
  if (d.route === 'family') {
    out.push({ who: 'family', name: d.referrer_name, email: d.referrer_email, phone: d.referrer_phone, prefer });
  } else {
    const referrer = d.referrer_user_id
      ? await db.selectFrom('users').select(['display_name', 'email']).where('id', '=', d.referrer_user_id).executeTakeFirst()
      : undefined;
    out.push({
      who: 'referrer',
      name: referrer?.display_name ?? d.referrer_name,
      email: referrer?.email ?? d.referrer_email,
      phone: d.referrer_phone,
      prefer: 'email',
    });
    const family = d.child_id
      ? await db
          .selectFrom('children as c')
          .innerJoin('family_members as f', 'f.family_id', 'c.family_id')
          .select(['f.full_name', 'f.email', 'f.phone', 'f.consents_to_email', 'f.consents_to_sms', 'f.preferred_contact'])
          .where('c.id', '=', d.child_id)
          .where('f.parental_responsibility', '=', true)
          .orderBy('f.full_name')
          .execute()
      : [];
    if (family.length === 0) out.push({ who: 'family', name: 'The child’s family' });
    for (const f of family) {
      out.push({
        who: 'family',
        name: f.full_name,
        email: f.consents_to_email ? f.email : null,
        phone: f.consents_to_sms ? f.phone : null,
        prefer: f.preferred_contact === 'sms' ? 'sms' : 'email',
      });
    }
  }
  const k = await decisionPackage(db, d.id);
  if (k) {
    const names = await partnerNames(db);
    for (const partnerId of payingPartners(k.split)) {
      const members = await db
        .selectFrom('panel_members as m')
        .innerJoin('users as u', 'u.id', 'm.user_id')
        .select(['u.display_name', 'u.email'])
        .where('m.panel_id', '=', d.panel_id)
        .where('m.partner_id', '=', partnerId)
        .where('m.active', '=', true)
        .orderBy('u.display_name')
        .execute();
      if (members.length === 0) out.push({ who: 'partner', name: names.name(partnerId) });
      for (const m of members) out.push({ who: 'partner', name: `${m.display_name} for ${names.name(partnerId)}`, email: m.email });
    }
  }
  return out;
}

/** Issues the sheet once: stores its HTML, PDF and checksum, and sends each recipient a link. */
export async function issueSheet(db: Db, d: Decision, opts: { notifier: Notifier; baseUrl: string; today: string; by: { id: string } }) {
  // Two issues at once: the second waits here for the first to commit, then finds its sheet
  // (read after the lock, not from `d`) and is refused in plain words.
  await db.selectFrom('panel_decisions').select('id').where('id', '=', d.id).forNoKeyUpdate().execute();
  const issued = await db.selectFrom('outcome_sheets').select('issued_on').where('decision_id', '=', d.id).executeTakeFirst();
  if (issued) throw new ValidationError([{ text: `The outcome sheet was already issued on ${longDate(issued.issued_on)}`, href: '#issue' }]);
  const content = await contentOf(db, d);
  const html = sheetHtml(content);
  const pdf = await sheetPdf(content, { createdOn: opts.today });
  const link = `${opts.baseUrl.replace(/\/$/, '')}${paths.decisions.sheet(d.id)}`;
  const recipients: Recipient[] = [];
  for (const t of await targets(db, d)) {
    const subject = `Panel decision for referral ${d.referral_reference}`;
    const signedIn = t.who !== 'family';
    const body = signedIn
      ? `The outcome sheet for referral ${d.referral_reference} (${d.panel_name}) is ready. Sign in to Jointly to read it: ${link}`
      : `The panel has made a decision about referral ${d.referral_reference}. The panel’s administrator will send you a copy of the outcome sheet, which explains the decision and what happens next. If you have a question, ask the panel’s administrator or the person who made the referral.`;
    const useSms = (t.prefer === 'sms' && !!t.phone) || (!t.email && !!t.phone);
    if (!t.email && !t.phone) {
      recipients.push({
        who: t.who,
        name: t.name,
        channel: 'post',
        notificationId: null,
        note: 'No e-mail address or mobile number we may use: send the sheet by post',
      });
      continue;
    }
    const sent = await opts.notifier.send(
      db,
      useSms ? { channel: 'sms', to: t.phone!, body: `${subject}. ${body}` } : { channel: 'email', to: t.email!, subject, body },
    );
    recipients.push({ who: t.who, name: t.name, channel: useSms ? 'sms' : 'email', notificationId: sent.id });
  }
  const row = await db
    .insertInto('outcome_sheets')
    .values({ decision_id: d.id, html, pdf, sha256: sha256(pdf), recipients: JSON.stringify(recipients), issued_on: opts.today, issued_by: opts.by.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordOutcomeSheetIssued(db, d.referral_id, recipients.length, opts.by.id);
  return { sheetId: row.id, recipients };
}

/** The stored PDF of an issued sheet. */
export async function storedPdf(db: Db, decisionId: string) {
  return db.selectFrom('outcome_sheets').select(['pdf', 'sha256']).where('decision_id', '=', decisionId).executeTakeFirst();
}
