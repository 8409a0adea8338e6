// Contact details of parents and carers: pure rules, tested beside this file.

export const RELATIONSHIPS = {
  mother: 'Mother',
  father: 'Father',
  parent: 'Parent',
  'step-parent': 'Step-parent',
  'adoptive-parent': 'Adoptive parent',
  grandparent: 'Grandparent',
  'foster-carer': 'Foster carer',
  'special-guardian': 'Special guardian',
  'other-relative': 'Other relative',
  'other-carer': 'Other carer',
} as const;
export type Relationship = keyof typeof RELATIONSHIPS;
export const relationshipName = (r: string) => RELATIONSHIPS[r as Relationship] ?? r;

export const CONTACT_METHODS = {
  email: 'E-mail',
  sms: 'Text message',
  phone: 'Phone call',
  letter: 'Letter',
} as const;
export type ContactMethod = keyof typeof CONTACT_METHODS;

export type PhoneParse = { ok: true; number: string; mobile: boolean } | { ok: false };

/**
 * A UK phone number, written any usual way ("07700 900 123", "+44 (0)7700 900123",
 * "0117-496-0123"), as national digits: 0 then 10 digits (9 for a few). Mobiles start 07.
 */
export function parseUkPhone(input: string): PhoneParse {
  let s = input
    .trim()
    .replace(/\(0\)/g, '')
    .replace(/[\s().-]/g, '');
  if (s.startsWith('+44')) s = `0${s.slice(3)}`;
  else if (s.startsWith('0044')) s = `0${s.slice(4)}`;
  else if (/^44\d{10}$/.test(s)) s = `0${s.slice(2)}`;
  // Eleven digits, or ten for a few old area codes and freephone numbers (016977 …, 0800 …).
  if (!/^0[1-9]\d{9}$/.test(s) && !/^0[18]\d{8}$/.test(s)) return { ok: false };
  return { ok: true, number: s, mobile: /^07[1-9]\d{8}$/.test(s) };
}

/** "07700900123" → "07700 900123"; "01174960123" → "0117 496 0123"; others unchanged. */
export function formatUkPhone(n: string | null): string | null {
  if (!n) return n;
  if (/^07\d{9}$/.test(n)) return `${n.slice(0, 5)} ${n.slice(5)}`;
  if (/^01\d1\d{7}$/.test(n) || /^011\d{8}$/.test(n)) return `${n.slice(0, 4)} ${n.slice(4, 7)} ${n.slice(7)}`;
  if (/^02\d{9}$/.test(n)) return `${n.slice(0, 3)} ${n.slice(3, 7)} ${n.slice(7)}`;
  if (/^0\d{10}$/.test(n)) return `${n.slice(0, 5)} ${n.slice(5)}`;
  return n;
}

export interface ContactDetails {
  phone: string | null;
  email: string | null;
  address: string | null;
  preferredContact: ContactMethod | null;
  consentsToEmail: boolean;
  consentsToSms: boolean;
}

/**
 * A preferred way of contact needs its detail and, for e-mail and text messages, the person's
 * agreement; agreement to e-mail or texts needs an address or a mobile number to be useful.
 * Answers problems as [field, message].
 */
export function contactProblems(c: ContactDetails): [string, string][] {
  const out: [string, string][] = [];
  const mobile = c.phone ? parseUkPhone(c.phone) : null;
  const hasMobile = !!mobile && mobile.ok && mobile.mobile;
  switch (c.preferredContact) {
    case 'email':
      if (!c.email) out.push(['email', 'Enter an e-mail address, as e-mail is their preferred way to be contacted']);
      if (!c.consentsToEmail) out.push(['contactConsents', 'They must agree to be contacted by e-mail, as e-mail is their preferred way to be contacted']);
      break;
    case 'sms':
      if (!hasMobile) out.push(['phone', 'Enter a mobile phone number (starting 07), as text message is their preferred way to be contacted']);
      if (!c.consentsToSms) out.push(['contactConsents', 'They must agree to text messages, as text message is their preferred way to be contacted']);
      break;
    case 'phone':
      if (!c.phone) out.push(['phone', 'Enter a phone number, as a phone call is their preferred way to be contacted']);
      break;
    case 'letter':
      if (!c.address) out.push(['address', 'Enter an address, as letter is their preferred way to be contacted']);
      break;
  }
  if (c.consentsToEmail && !c.email) out.push(['email', 'Enter an e-mail address, or untick their agreement to be contacted by e-mail']);
  if (c.consentsToSms && !hasMobile) out.push(['phone', 'Enter a mobile phone number (starting 07), or untick their agreement to text messages']);
  return out;
}
