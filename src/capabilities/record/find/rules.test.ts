// Search rules: age bands against ageOn(), postcode search, the search form's messages, what the
// audit log may hold, sorting options and pagination.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ageOn } from '../../../platform/dates.js';
import { AGE_BANDS, birthDatesForAges, parsePostcodeSearch, postcodePattern, yearsBefore } from './rules.js';
import { filtersUsed, formValues, parseListOptions, parseSearch } from './schema.js';
import { resultSummary, searchQuery, sortHeaders } from './presenters.js';
import { paginationItems } from '../../../platform/views/items.js';

const isoDate = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2040-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('age bands', () => {
  it('moves 29 February to 28 February in a year without one', () => {
    expect(yearsBefore('2024-02-29', 1)).toBe('2023-02-28');
    expect(yearsBefore('2024-02-29', 4)).toBe('2020-02-29');
    expect(yearsBefore('2025-03-01', 5)).toBe('2020-03-01');
    expect(yearsBefore('2000-02-29', 100)).toBe('1900-02-28');
  });

  it('selects exactly the dates of birth of people whose age is in the band, whatever the day', () => {
    fc.assert(
      fc.property(isoDate, isoDate, fc.constantFrom(...Object.values(AGE_BANDS)), (dob, today, band) => {
        if (dob > today) return;
        const { after, onOrBefore } = birthDatesForAges(band.from, band.to, today);
        const age = ageOn(dob, today);
        expect(dob > after && dob <= onOrBefore).toBe(age >= band.from && age <= band.to);
      }),
      { numRuns: 5000 },
    );
  });

  it('handles birthdays on 29 February', () => {
    const { after, onOrBefore } = birthDatesForAges(5, 10, '2025-02-28');
    // Born 29 February 2020: 5 on 28 February 2025 (ageOn counts the birthday then).
    expect(ageOn('2020-02-29', '2025-02-28')).toBe(4);
    expect('2020-02-29' > after && '2020-02-29' <= onOrBefore).toBe(false);
    expect(ageOn('2020-02-28', '2025-02-28')).toBe(5);
    expect('2020-02-28' > after && '2020-02-28' <= onOrBefore).toBe(true);
  });
});

describe('postcode search', () => {
  it('reads a full postcode however it is typed', () => {
    for (const typed of ['DM1 4AB', 'dm14ab', ' dm1  4ab ', 'Dm1 4aB']) expect(parsePostcodeSearch(typed)).toEqual({ kind: 'full', compact: 'DM14AB' });
    expect(parsePostcodeSearch('DM14 4AB')).toEqual({ kind: 'full', compact: 'DM144AB' });
  });

  it('reads the first part of a postcode as its district', () => {
    expect(parsePostcodeSearch('dm1')).toEqual({ kind: 'district', compact: 'DM1' });
    expect(parsePostcodeSearch('DM14')).toEqual({ kind: 'district', compact: 'DM14' });
    expect(parsePostcodeSearch('W1A')).toEqual({ kind: 'district', compact: 'W1A' });
    expect(parsePostcodeSearch('M1')).toEqual({ kind: 'district', compact: 'M1' });
  });

  it('refuses what is neither', () => {
    for (const typed of ['', 'DM', '14AB', 'DM1 4', 'DM1 4A', 'hello', 'DM1 4AB X', '1DM 4AB']) expect(parsePostcodeSearch(typed), typed).toBeNull();
  });

  it('matches a district followed by exactly one inward code', () => {
    const like = (pattern: string, s: string) => new RegExp(`^${pattern.replace(/_/g, '.')}$`).test(s);
    const district = postcodePattern({ kind: 'district', compact: 'DM1' });
    expect(like(district, 'DM14AB')).toBe(true);
    expect(like(district, 'DM144AB')).toBe(false);
    expect(like(district, 'DM24AB')).toBe(false);
    expect(postcodePattern({ kind: 'full', compact: 'DM14AB' })).toBe('DM14AB');
  });
});

describe('the search form', () => {
  const now = new Date('2025-06-15T12:00:00Z');
  const errorsOf = (q: Record<string, string>) => parseSearch(formValues(q), now).errors;

  it('accepts an empty search: everyone active the person may see', () => {
    expect(parseSearch({}, now)).toEqual({ criteria: { keyWorker: 'any', status: 'active', ehcPlan: 'any' }, errors: [] });
  });

  it('reads every search and filter', () => {
    const { criteria, errors } = parseSearch(
      formValues({
        name: ' Smith  JON ',
        'dateOfBirth-day': '7',
        'dateOfBirth-month': '3',
        'dateOfBirth-year': '2015',
        nhsNumber: '943 476 5919',
        upn: 'x201200024001',
        postcode: 'dm1',
        need: 'ASD',
        age: '5-10',
        locality: '0b1c0f3e-5a1b-4c6d-8e9f-0a1b2c3d4e5f',
        keyWorker: 'me',
        status: 'all',
        ehcPlan: 'yes',
      }),
      now,
    );
    expect(errors).toEqual([]);
    expect(criteria).toEqual({
      name: ['smith', 'jon'],
      dateOfBirth: '2015-03-07',
      nhsNumber: '9434765919',
      upn: 'X201200024001',
      postcode: { kind: 'district', compact: 'DM1' },
      need: 'ASD',
      age: '5-10',
      locality: '0b1c0f3e-5a1b-4c6d-8e9f-0a1b2c3d4e5f',
      keyWorker: 'me',
      status: 'all',
      ehcPlan: 'yes',
    });
  });

  it('explains every problem, each linked to its field', () => {
    expect(errorsOf({ name: 'j' })).toEqual([{ text: 'Enter at least 2 letters of the name', href: '#name' }]);
    expect(errorsOf({ name: '!!' })).toEqual([{ text: 'Enter at least 2 letters of the name', href: '#name' }]);
    expect(errorsOf({ name: 'ab cd ef gh ij kl' })).toEqual([{ text: 'Enter 5 names or fewer', href: '#name' }]);
    expect(errorsOf({ name: 'x'.repeat(101) })).toEqual([{ text: 'Name must be 100 characters or fewer', href: '#name' }]);
    expect(errorsOf({ 'dateOfBirth-day': '7' })).toEqual([{ text: 'Date of birth must include a month and year', href: '#dateOfBirth-month' }]);
    expect(errorsOf({ 'dateOfBirth-day': '7', 'dateOfBirth-month': '3' })).toEqual([{ text: 'Date of birth must include a year', href: '#dateOfBirth-year' }]);
    expect(errorsOf({ 'dateOfBirth-day': '31', 'dateOfBirth-month': '2', 'dateOfBirth-year': '2015' })).toEqual([
      { text: 'Date of birth must be a real date, like 27 3 2015', href: '#dateOfBirth-day' },
    ]);
    expect(errorsOf({ 'dateOfBirth-day': '16', 'dateOfBirth-month': '6', 'dateOfBirth-year': '2025' })).toEqual([
      { text: 'Date of birth must be today or in the past', href: '#dateOfBirth-day' },
    ]);
    expect(errorsOf({ nhsNumber: '943 476 591' })).toEqual([{ text: 'Enter the NHS number as 10 digits, like 943 476 5919', href: '#nhsNumber' }]);
    expect(errorsOf({ nhsNumber: '123 456 7890' })[0]!.text).toContain('fails the NHS number check');
    expect(errorsOf({ upn: 'X12' })).toEqual([{ text: 'Enter the UPN as a letter followed by 12 characters, like X201200024001', href: '#upn' }]);
    expect(errorsOf({ upn: 'X123456789875' })[0]!.text).toContain('check letter does not match');
    expect(errorsOf({ postcode: 'nowhere' })).toEqual([{ text: 'Enter a full postcode, like DM1 4AB, or the first part of one, like DM1', href: '#postcode' }]);
    expect(errorsOf({ need: 'XYZ' })).toEqual([{ text: 'Select a primary need from the list', href: '#need' }]);
    expect(errorsOf({ age: '3-7' })).toEqual([{ text: 'Select an age band from the list', href: '#age' }]);
    expect(errorsOf({ locality: 'north' })).toEqual([{ text: 'Select a locality from the list', href: '#locality' }]);
    expect(errorsOf({ keyWorker: 'someone' })).toEqual([{ text: 'Select whose children to show', href: '#keyWorker' }]);
    expect(errorsOf({ status: 'gone' })).toEqual([{ text: 'Select a status from the list', href: '#status' }]);
    expect(errorsOf({ ehcPlan: 'maybe' })).toEqual([{ text: 'Select whether they have an EHC plan', href: '#ehcPlan' }]);
  });

  it('records in the audit log which searches were used, never what was typed', () => {
    const { criteria } = parseSearch(
      formValues({ name: 'Zebedee Uniquename', nhsNumber: '9434765919', postcode: 'DM1 4AB', need: 'ASD', status: 'active' }),
      now,
    );
    const used = filtersUsed(criteria);
    expect(used).toEqual(['name', 'NHS number', 'postcode', 'primary need']);
    expect(JSON.stringify(used)).not.toMatch(/zebedee|uniquename|9434765919|DM1|ASD/i);
    expect(filtersUsed(parseSearch({}, now).criteria)).toEqual([]);
    expect(filtersUsed(parseSearch(formValues({ status: 'all', keyWorker: 'me', ehcPlan: 'no', age: '0-4', postcode: 'DM1' }), now).criteria)).toEqual([
      'postcode district',
      'age band',
      'key worker',
      'status',
      'EHC plan',
    ]);
  });

  it('sorts by best match for a name search, by name otherwise, and falls back on anything unexpected', () => {
    const named = parseSearch(formValues({ name: 'jon' }), now).criteria;
    const plain = parseSearch({}, now).criteria;
    expect(parseListOptions({}, named)).toEqual({ sort: 'match', order: 'asc', page: 1 });
    expect(parseListOptions({}, plain)).toEqual({ sort: 'name', order: 'asc', page: 1 });
    expect(parseListOptions({ sort: 'match' }, plain)).toEqual({ sort: 'name', order: 'asc', page: 1 });
    expect(parseListOptions({ sort: 'dob', order: 'desc', page: '3' }, plain)).toEqual({ sort: 'dob', order: 'desc', page: 3 });
    expect(parseListOptions({ sort: 'drop table', order: 'sideways', page: '-1' }, plain)).toEqual({ sort: 'name', order: 'asc', page: 1 });
    expect(parseListOptions({ page: '0' }, plain).page).toBe(1);
    expect(parseListOptions({ page: '1e9' }, plain).page).toBe(1);
  });
});

describe('links and pagination', () => {
  it('keeps the search in every link, and leaves out what is empty', () => {
    expect(searchQuery({ name: 'smith jon', need: 'ASD' }, { sort: 'dob', page: undefined })).toBe('?name=smith+jon&need=ASD&sort=dob');
    expect(searchQuery({})).toBe('');
  });

  it('makes sortable headers that reverse the order of the current column', () => {
    const h = sortHeaders({ name: 'jon' }, { sort: 'name', order: 'asc', page: 2 });
    expect(h.name).toEqual({ text: 'Name', href: '/children?name=jon&sort=name&order=desc', ariaSort: 'ascending' });
    expect(h.dob).toEqual({ text: 'Date of birth', href: '/children?name=jon&sort=dob&order=asc', ariaSort: 'none' });
    expect(sortHeaders({}, { sort: 'joined', order: 'desc', page: 1 }).joined.ariaSort).toBe('descending');
    expect(sortHeaders({}, { sort: 'match', order: 'asc', page: 1 }).name.ariaSort).toBe('none');
  });

  it('says how many were found, and which of them are shown', () => {
    expect(resultSummary({ total: 0, page: 1, pages: 1, rows: [] }, 25)).toBe('0 children and young people');
    expect(resultSummary({ total: 1, page: 1, pages: 1, rows: [] }, 25)).toBe('1 child or young person');
    expect(resultSummary({ total: 25, page: 1, pages: 1, rows: [] }, 25)).toBe('25 children and young people');
    expect(resultSummary({ total: 1234, page: 2, pages: 50, rows: [] }, 25)).toBe('Showing 26 to 50 of 1,234 children and young people');
    expect(resultSummary({ total: 1234, page: 50, pages: 50, rows: [] }, 25)).toBe('Showing 1,226 to 1,234 of 1,234 children and young people');
  });

  it('shows the first, last and neighbouring pages with gaps between', () => {
    expect(paginationItems(1, 1)).toEqual([1]);
    expect(paginationItems(1, 3)).toEqual([1, 2, 3]);
    expect(paginationItems(1, 10)).toEqual([1, 2, null, 10]);
    expect(paginationItems(5, 10)).toEqual([1, null, 4, 5, 6, null, 10]);
    expect(paginationItems(3, 10)).toEqual([1, 2, 3, 4, null, 10]);
    expect(paginationItems(10, 10)).toEqual([1, null, 9, 10]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.nat(), (pages, p) => {
        const page = 1 + (p % pages);
        const items = paginationItems(page, pages);
        const numbers = items.filter((n): n is number => n !== null);
        expect(numbers).toContain(page);
        expect(numbers[0]).toBe(1);
        expect(numbers.at(-1)).toBe(pages);
        expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
        expect(new Set(numbers).size).toBe(numbers.length);
        // A gap stands for two or more pages; one missing page is shown instead.
        for (let i = 1; i < items.length; i++) if (items[i] === null) expect((items[i + 1] as number) - (items[i - 1] as number)).toBeGreaterThan(2);
      }),
    );
  });
});
