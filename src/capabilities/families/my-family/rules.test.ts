// The family's own rules: who may have their own account, and when each kind of work shows,
// each tested on both sides of its threshold.
import { describe, expect, it } from 'vitest';
import {
  aboutMeDue,
  aboutMeDueOn,
  addMonths,
  CONSENT_REVIEW_NOTICE_DAYS,
  consentReviewShown,
  DECISION_NEWS_DAYS,
  decisionShown,
  mayHaveOwnAccount,
  MEETING_NOTICE_DAYS,
  meetingShown,
} from './rules.js';
import { addDays } from '../../../platform/financial-year.js';

describe('a young person’s own account', () => {
  it('is allowed from the 16th birthday, not the day before', () => {
    expect(mayHaveOwnAccount('2010-03-15', '2026-03-14')).toBe(false);
    expect(mayHaveOwnAccount('2010-03-15', '2026-03-15')).toBe(true);
    expect(mayHaveOwnAccount('2008-12-08', '2026-12-07')).toBe(true);
  });
  it('counts a 29 February birthday from 1 March in other years', () => {
    expect(mayHaveOwnAccount('2012-02-29', '2028-02-28')).toBe(false);
    expect(mayHaveOwnAccount('2012-02-29', '2028-02-29')).toBe(true);
    expect(mayHaveOwnAccount('2011-02-28', '2027-02-27')).toBe(false);
  });
});

describe('adding months', () => {
  it('keeps the day, or takes the last day of a shorter month', () => {
    expect(addMonths('2025-12-07', 12)).toBe('2026-12-07');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-01-15', -1)).toBe('2025-12-15');
    expect(addMonths('2010-03-15', 192)).toBe('2026-03-15');
  });
});

describe('what is the family’s to do', () => {
  const today = '2026-12-07';
  it('"about me" is due 12 months after it was written, or at once when never written', () => {
    expect(aboutMeDueOn('2025-12-07')).toBe('2026-12-07');
    expect(aboutMeDue('2025-12-07', today)).toBe(true);
    expect(aboutMeDue('2025-12-08', today)).toBe(false);
    expect(aboutMeDue(null, today)).toBe(true);
  });
  it('a consent review shows from 30 days before', () => {
    expect(consentReviewShown(addDays(today, CONSENT_REVIEW_NOTICE_DAYS), today)).toBe(true);
    expect(consentReviewShown(addDays(today, CONSENT_REVIEW_NOTICE_DAYS + 1), today)).toBe(false);
    expect(consentReviewShown(addDays(today, -10), today)).toBe(true);
  });
  it('a decision shows for six weeks after it was made', () => {
    expect(decisionShown(addDays(today, -DECISION_NEWS_DAYS), today)).toBe(true);
    expect(decisionShown(addDays(today, -DECISION_NEWS_DAYS - 1), today)).toBe(false);
    expect(decisionShown(today, today)).toBe(true);
    expect(decisionShown(addDays(today, 1), today)).toBe(false);
  });
  it('a meeting shows from four weeks before, up to the day', () => {
    expect(meetingShown(addDays(today, MEETING_NOTICE_DAYS), today)).toBe(true);
    expect(meetingShown(addDays(today, MEETING_NOTICE_DAYS + 1), today)).toBe(false);
    expect(meetingShown(today, today)).toBe(true);
    expect(meetingShown(addDays(today, -1), today)).toBe(false);
  });
});
