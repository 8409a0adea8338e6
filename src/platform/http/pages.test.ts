import { describe, expect, it } from 'vitest';
import { navigationFor } from './pages.js';
import { permissionsOf } from '../access/roles.js';
import { paths } from '../../paths.js';

const active = (roles: string[], url: string) =>
  navigationFor(permissionsOf(roles), url)
    .filter((n) => n.active)
    .map((n) => n.text);

describe('the main menu', () => {
  it('marks only the most specific section the page is in', () => {
    const finance = ['finance-officer'];
    expect(active(finance, paths.budgetReports.board)).toEqual(['Budget reports']);
    expect(active(finance, `${paths.budgetReports.entries}?year=2026`)).toEqual(['Budget reports']);
    expect(active(finance, paths.budgets.pool('abc'))).toEqual(['Joint budgets']);
    expect(active(finance, paths.budgets.home)).toEqual(['Joint budgets']);
    expect(active(finance, paths.home)).toEqual(['Home']);
  });

  it('marks a list with a query string and the pages below it, but not a longer name that merely starts the same', () => {
    const caseworker = ['caseworker'];
    expect(active(caseworker, `${paths.children.list}?name=x`)).toEqual(['Children']);
    expect(active(caseworker, paths.children.record('0000'))).toEqual(['Children']);
    expect(active(caseworker, '/childrenfoo')).toEqual([]);
  });

  it('lists only what the person may use', () => {
    // Commissioners see the aggregate reports only; the row-level "Joint budgets" pages need budgets:entries.
    expect(navigationFor(permissionsOf(['commissioner']), paths.home).map((n) => n.text)).toEqual([
      'Home',
      'Register overview',
      'Budget reports',
      'Disputes',
      'Panel reports',
      'Need and supply',
      'Needs assessment',
      'Forecast',
      'Commissioning plans',
      'Contracts',
      'Background jobs',
    ]);
    // A caseworker may administer panels, and is e-mailed about disputes on their decisions: the list is one click away.
    expect(navigationFor(permissionsOf(['caseworker']), paths.home).map((n) => n.text)).toContain('Disputes');
    expect(navigationFor(permissionsOf(['key-worker']), paths.home).map((n) => n.text)).not.toContain('Disputes');
    expect(navigationFor(permissionsOf(['finance-officer']), paths.home).map((n) => n.text)).toEqual(
      expect.arrayContaining(['Joint budgets', 'Budget reports']),
    );
  });
});
