// Errors a use case can raise; the route wrapper turns each into the right page.
export class NotFoundError extends Error {
  /**
   * `refusal`, when the thing exists but the person may not see it (the sharing rule said no): the
   * page still says "not found", so nothing is disclosed, but the refused attempt is audited,
   * in a transaction of its own, against `refusal.subject` (a child's "who has looked" lists it).
   */
  constructor(
    what = 'page',
    readonly refusal?: { subject: { type: string; id: string }; details: Record<string, unknown> },
  ) {
    super(`${what} not found`);
  }
}
/**
 * Refused. `page`, when given, is what the person reads instead of the general 403 page;
 * `subject`, what the refusal is about, for the audit entry (a child's "who has looked" lists it).
 */
export class ForbiddenError extends Error {
  constructor(
    message?: string,
    readonly page?: { title: string; paragraphs: string[] },
    readonly subject?: { type: string; id: string },
  ) {
    super(message);
  }
}
/** A form was based on an older version of the record than the one stored now. */
export class StaleVersionError extends Error {
  constructor() {
    super('Someone else changed this record after you opened it. Your changes have not been saved: check the record and try again.');
  }
}
export interface FieldError {
  text: string;
  href: string;
}
/** Bad input: the form is shown again with an error summary. */
export class ValidationError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((e) => e.text).join('; '));
  }
}
