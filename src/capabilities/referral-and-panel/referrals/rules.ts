// The one referral route's rules: who may refer themselves, the basis a referral is shared on,
// what each triage decision does, and the words sent to the referrer and the family. Pure.
import { ageOn } from '../../../platform/dates.js';
import type { ReferralStatus } from '../../../platform/db/schema.js';

export const AGE_OF_SELF_REFERRAL = 16;
export const MAX_AGE = 25;

/** Who is filling in the family's form. 'someone-else' is offered so they get a clear answer. */
export const SELF_REFERRERS = {
  parent: 'A parent with parental responsibility for the child',
  carer: 'A carer with parental responsibility for the child, for example a special guardian',
  'young-person': 'The young person, aged 16 to 25',
  'someone-else': 'Someone else',
} as const;
export type SelfReferrer = keyof typeof SELF_REFERRERS;
export const isSelfReferrer = (s: string): s is SelfReferrer => Object.hasOwn(SELF_REFERRERS, s);

export const RELATIONSHIP_WORDS: Record<string, string> = {
  parent: 'parent',
  carer: 'carer',
  'young-person': 'the young person',
  professional: 'professional',
};

export const SOMEONE_ELSE =
  'Only a parent or carer with parental responsibility, or the young person aged 16 to 25, can use this form. Ask one of them to fill it in, or contact us another way';

/** Why this person cannot refer this child on the family's form, or null. */
export function selfReferralAgeProblem(who: SelfReferrer, dateOfBirth: string, today: string): string | null {
  if (dateOfBirth > today) return 'Date of birth must be today or in the past';
  const age = ageOn(dateOfBirth, today);
  if (who === 'young-person') {
    if (age < AGE_OF_SELF_REFERRAL) {
      return `You can refer yourself from age ${AGE_OF_SELF_REFERRAL}. Ask your parent or carer to fill in this form for you, or contact us another way`;
    }
    if (age > MAX_AGE)
      return `This service is for young people up to age ${MAX_AGE}. The date of birth you gave makes you ${age}: check it, or contact us another way`;
    return null;
  }
  if (age > MAX_AGE)
    return `This service is for children and young people up to age ${MAX_AGE}. The date of birth you gave makes them ${age}: check it, or contact us another way`;
  return null;
}

export const NO_SHARING_BASIS = 'Say who in the family agreed to this referral, or record the lawful basis for referring without their agreement';
export const NO_AGREEMENT = 'Tick the box to agree to share this referral, or contact us another way';

// ---------------------------------------------------------------------------------------------
// Triage

export const TRIAGE_DECISIONS = {
  accept: { label: 'Accept', status: 'accepted', event: 'accepted', said: 'has been accepted' },
  'more-information': {
    label: 'Ask for more information',
    status: 'more-information',
    event: 'more-information',
    said: 'needs more information before we can decide',
  },
  signpost: { label: 'Signpost elsewhere', status: 'signposted', event: 'signposted', said: 'is better met by another service' },
  'to-panel': { label: 'Send to panel', status: 'to-panel', event: 'sent-to-panel', said: 'will go to the multi-agency panel' },
} as const satisfies Record<string, { label: string; status: ReferralStatus; event: string; said: string }>;
export type TriageDecision = keyof typeof TRIAGE_DECISIONS;
export const isTriageDecision = (s: string): s is TriageDecision => Object.hasOwn(TRIAGE_DECISIONS, s);

/** Statuses from which triage can still decide (a referral back with more information, or accepted and now going to panel). */
export const OPEN_STATUSES: readonly ReferralStatus[] = ['received', 'more-information', 'accepted'];

export const STATUS_NAMES: Record<ReferralStatus, string> = {
  received: 'Received',
  'more-information': 'More information asked for',
  accepted: 'Accepted',
  signposted: 'Signposted elsewhere',
  'to-panel': 'Sent to panel',
  decided: 'Decided by panel',
  closed: 'Closed',
};

// ---------------------------------------------------------------------------------------------
// The triage queue

/**
 * What the queue shows unless asked otherwise: referrals still with triage or waiting for panel.
 * The partial index referrals_queue_open (migrations/0014) lists the same statuses.
 */
export const QUEUE_STATUSES: readonly ReferralStatus[] = ['received', 'more-information', 'accepted', 'to-panel'];
export const QUEUE_PAGE_SIZE = 50;

/** 'open' is the default (QUEUE_STATUSES), 'all' every status, otherwise one status. */
export type QueueFilter = ReferralStatus | 'open' | 'all';

/** The statuses a filter shows; null for all of them. */
export const queueStatuses = (filter: QueueFilter): readonly ReferralStatus[] | null =>
  filter === 'all' ? null : filter === 'open' ? QUEUE_STATUSES : [filter];

/**
 * The page to show of `total` rows: a page number past the end shows the last page, anything
 * that is not a whole number from 1 shows the first. Always at least one page (it may be empty).
 */
export function queuePage(requested: number, total: number, size = QUEUE_PAGE_SIZE) {
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Number.isInteger(requested) && requested >= 1 ? Math.min(requested, pages) : 1;
  return { page, pages, offset: (page - 1) * size, limit: size };
}

/** Why this decision cannot be made now, or null. */
export function triageProblem(status: ReferralStatus, decision: TriageDecision, attached: boolean): string | null {
  if (!OPEN_STATUSES.includes(status)) {
    return `This referral is ${STATUS_NAMES[status].toLowerCase()}, so triage can no longer change it`;
  }
  if (decision === 'accept' && status === 'accepted') return 'This referral is already accepted: choose another decision';
  if (decision === 'to-panel' && !attached) {
    return 'Attach the referral to the child’s record before sending it to panel: find the child, or register them';
  }
  return null;
}

export const ALREADY_ATTACHED =
  'This referral is already attached to a child’s record. If it is the wrong child, do not take this referral further: ask the referrer to make a new referral for the right child (and if it is on a panel’s agenda, ask the panel’s administrator to take it off)';

/**
 * Why this referral cannot be attached to a child's record now, or null. Only while triage is
 * still deciding, and only once: re-pointing an attached referral would make its papers and
 * decisions concern another child.
 */
export function attachProblem(status: ReferralStatus, attached: boolean): string | null {
  if (attached) return ALREADY_ATTACHED;
  if (!OPEN_STATUSES.includes(status)) {
    return `This referral is ${STATUS_NAMES[status].toLowerCase()}, so it can no longer be attached to a child’s record`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Messages

export interface Words {
  subject: string;
  body: string;
}

export function acknowledgement(reference: string, route: 'family' | 'partner'): Words {
  const next =
    route === 'family'
      ? 'What happens next: someone from the team will read what you told us and decide what help to offer. We will tell you what we decide and why. If we need to know more, we will contact you.'
      : 'What happens next: the referral is in the triage queue. You will be told the decision and the reason for it.';
  return {
    subject: `We have received your referral ${reference}`,
    body: `Thank you. We have received your referral. Your reference is ${reference}. ${next} Quote your reference if you contact us.`,
  };
}

export function outcomeWords(reference: string, decision: TriageDecision, reason: string): Words {
  const d = TRIAGE_DECISIONS[decision];
  return {
    subject: `Referral ${reference}: ${d.label.toLowerCase()}`,
    body: `Your referral ${reference} ${d.said}. The reason: ${reason} Quote your reference if you contact us.`,
  };
}
