// Dates for tests: the app's own day arithmetic, and a date as the three boxes a GOV.UK date input posts.
export { addDays } from '../../src/platform/financial-year.js';

/** `{ 'givenOn-day': '7', 'givenOn-month': '12', 'givenOn-year': '2026' }` for ('givenOn', '2026-12-07'). */
export const dateParts = (field: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${field}-day`]: String(Number(d)), [`${field}-month`]: String(Number(m)), [`${field}-year`]: y! };
};
