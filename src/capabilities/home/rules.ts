// "Your work" as one list: every capability's items, soonest first. Pure, so the order and the
// overdue flag are tested without a database.
import type { WorkItem } from '../../platform/worklist.js';

export interface ShownWork extends WorkItem {
  /** Its own deadline (not a "waiting since" date) has passed. */
  overdue: boolean;
}

/**
 * Soonest first; work without a date last; ties by text, so the list is the same every time.
 * An item is overdue when it has a deadline of its own (no dueLabel) and that day is before today.
 */
export function orderWork(items: readonly WorkItem[], today: string): ShownWork[] {
  return items
    .map((i) => ({ ...i, overdue: i.dueLabel === undefined && i.dueOn !== null && i.dueOn < today }))
    .sort((a, b) => {
      if (a.dueOn !== b.dueOn) {
        if (a.dueOn === null) return 1;
        if (b.dueOn === null) return -1;
        return a.dueOn < b.dueOn ? -1 : 1;
      }
      return a.text.localeCompare(b.text, 'en-GB');
    });
}
