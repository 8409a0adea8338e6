// The work list contract: each capability says what is due for the signed-in person, and the
// home page (capabilities/home) gathers every capability's items into "Your work". A
// contributor is asked only when the person holds one of its permissions, answers with one
// query (or very few), and lists only what the person may open: each item's link goes to a page
// whose own access check lets them in.
import type { Db } from './db/database.js';
import type { Permission } from './access/roles.js';
import type { CurrentUser } from './auth/current-user.js';

export interface WorkItem {
  /** What to do, in the person's words: "Triage referrals", "Read the papers for 14 January". */
  text: string;
  /** A page the person may open (a link a role cannot open is a defect). */
  href: string;
  /** How many things this item stands for (referrals waiting, pairs to review). */
  count: number;
  /**
   * 'YYYY-MM-DD': when it is due; for work with no deadline of its own, the day it started
   * waiting (the oldest first), so the list is one order. Null only for work with neither.
   */
  dueOn: string | null;
  /** The words before the date: "Due" unless given ("Waiting since", "Meeting on"). */
  dueLabel?: string;
  /** A short line under the link ("3 cases on the agenda"). */
  note?: string;
  /** Children whose names the item shows (already checked against the sharing rule): the page's audit entry lists them. */
  children?: string[];
}

export interface WorklistContext {
  db: Db;
  user: CurrentUser;
  /** Today in London, 'YYYY-MM-DD'. */
  today: string;
}

export interface WorklistContributor {
  /** The capability, for the page's grouping and for tests ("Referrals"). */
  name: string;
  /** Asked only of people holding at least one of these. */
  permissions: readonly Permission[];
  items(ctx: WorklistContext): Promise<WorkItem[]>;
}
