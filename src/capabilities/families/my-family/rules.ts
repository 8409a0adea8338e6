// The pure rules of a family's own pages (issue 15, ADR 0015 and ADR 0022): who may have their own
// account, and what is the family's to do. No I/O here.
import { addDays } from '../../../platform/financial-year.js';
import { ageOn } from '../../../platform/dates.js';

/** A young person may have their own account from their 16th birthday (Children and Families Act 2014 s19; Mental Capacity Act from 16). */
export const YOUNG_PERSON_OWN_ACCOUNT_AGE = 16;

/** Whether a child born on `dateOfBirth` may have their own account on `today` (both 'YYYY-MM-DD'). */
export const mayHaveOwnAccount = (dateOfBirth: string, today: string) => ageOn(dateOfBirth, today) >= YOUNG_PERSON_OWN_ACCOUNT_AGE;

import { addMonths } from '../../../platform/financial-year.js';
export { addMonths };

/** "About me" is due for the family to check 12 months after it was last written. */
export const ABOUT_ME_REVIEW_MONTHS = 12;
/** A consent's review date is shown to the family from this many days before it. */
export const CONSENT_REVIEW_NOTICE_DAYS = 30;
/** A panel decision is news to the family for this many days after it was made (six weeks: the outcome sheet is due within a few working days, and panels meet monthly). */
export const DECISION_NEWS_DAYS = 42;
/** A panel meeting about the child is shown from this many days before it. */
export const MEETING_NOTICE_DAYS = 28;

/** The day "about me" written on `writtenOn` is due to be checked; it is the family's to do from that day. */
export const aboutMeDueOn = (writtenOn: string) => addMonths(writtenOn, ABOUT_ME_REVIEW_MONTHS);
export const aboutMeDue = (writtenOn: string | null, today: string) => writtenOn === null || aboutMeDueOn(writtenOn) <= today;
/** A consent review date is shown from CONSENT_REVIEW_NOTICE_DAYS before it (and after it, until it is reviewed). */
export const consentReviewShown = (reviewOn: string, today: string) => reviewOn <= addDays(today, CONSENT_REVIEW_NOTICE_DAYS);
/** A decision made on `decidedOn` is shown up to DECISION_NEWS_DAYS after (never before it was made). */
export const decisionShown = (decidedOn: string, today: string) => decidedOn <= today && decidedOn >= addDays(today, -DECISION_NEWS_DAYS);
/** A meeting on `meetsOn` is shown from MEETING_NOTICE_DAYS before it, up to the day itself. */
export const meetingShown = (meetsOn: string, today: string) => meetsOn >= today && meetsOn <= addDays(today, MEETING_NOTICE_DAYS);
