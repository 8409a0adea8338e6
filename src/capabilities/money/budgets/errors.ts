// Ledger errors as form errors: the route shows the ledger's own plain-English message against
// the field that caused it.
import { ValidationError } from '../../../platform/http/errors.js';
import { LedgerError } from './ledger.js';

export async function asFormError<T>(href: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof LedgerError) throw new ValidationError([{ text: e.message, href }]);
    throw e;
  }
}
