// Errors a use case can raise; the route wrapper turns each into the right page.
export class NotFoundError extends Error {
  constructor(what = 'page') {
    super(`${what} not found`);
  }
}
export class ForbiddenError extends Error {}
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
