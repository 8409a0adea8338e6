// The pure rules of an import: which files are accepted, and each row through the register's rules.
import { describe, expect, it } from 'vitest';
import { checkRow, decodeUtf8, FileProblem, fileType, MAX_BYTES, parseDate, replacesCurrent, tableProblems } from '../src/capabilities/imports/rules.js';
import type { Mapping } from '../src/capabilities/imports/fields.js';
import { upnCheckLetter, UPN_ALPHABET } from '../src/capabilities/children/rules.js';

const UPN = `${upnCheckLetter('801200001001')}801200001001`;
const WRONG_UPN = `${UPN_ALPHABET[(UPN_ALPHABET.indexOf(UPN[0]!) + 1) % 23]}801200001001`;

const enc = (s: string) => new TextEncoder().encode(s);
const problem = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof FileProblem) return e.message;
    throw e;
  }
  return null;
};

describe('the file as a whole', () => {
  it('accepts CSV and XLSX and refuses other types with what to do', () => {
    expect(fileType('a.csv', enc('x,y\n1,2'))).toBe('csv');
    expect(fileType('a.xlsx', new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1]))).toBe('xlsx');
    expect(problem(() => fileType('a.pdf', enc('%PDF-1.4')))).toBe('The file a.pdf must be a CSV (.csv) or Excel (.xlsx) file');
    expect(problem(() => fileType('a.xls', new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0])))).toMatch(/old Excel \(\.xls\) file/);
    expect(problem(() => fileType('a.xlsx', enc('not a zip')))).toMatch(/named \.xlsx but is not an Excel workbook/);
    expect(problem(() => fileType('a.csv', new Uint8Array([0x50, 0x4b, 0x03, 0x04])))).toMatch(/named \.csv but is a spreadsheet/);
  });

  it('refuses an empty file and one over 100 MB', () => {
    expect(problem(() => fileType('a.csv', new Uint8Array()))).toMatch(/^The file a\.csv is empty/);
    expect(problem(() => fileType('a.csv', new Uint8Array(MAX_BYTES + 1)))).toMatch(/larger than 100 MB/);
  });

  it('reads UTF-8 with or without a byte order mark and refuses other encodings, naming the line', () => {
    expect(decodeUtf8('a.csv', enc('name\nZoë'))).toBe('name\nZoë');
    expect(decodeUtf8('a.csv', new Uint8Array([0xef, 0xbb, 0xbf, ...enc('name')]))).toBe('name');
    expect(problem(() => decodeUtf8('a.csv', new Uint8Array([0xff, 0xfe, 0x6e, 0])))).toMatch(/saved as UTF-16/);
    // "Zoë" in Windows-1252 on line 2
    expect(problem(() => decodeUtf8('a.csv', new Uint8Array([...enc('name\nZo'), 0xeb])))).toMatch(/is not UTF-8 text \(line 2 has a character in another encoding/);
  });

  const mapping: Mapping = { given_name: 'first', family_name: 'last', birth_date: 'dob' };
  it('needs a header, data, the mapped columns and one row per record id', () => {
    expect(tableProblems('a.csv', { header: ['id', 'first', 'last', 'dob'], rows: [] }, mapping, 'id')).toEqual(['The file a.csv has a header row but no rows of data']);
    expect(tableProblems('a.csv', { header: ['id', 'first', 'dob'], rows: [{ id: '1' }] }, mapping, 'id')).toEqual([
      'The file a.csv has no column “last”, which the source’s column mapping uses. Check the file is this agency’s extract, or change the mapping',
    ]);
    const rows = [{ id: 'A1' }, { id: 'B2' }, { id: 'A1' }];
    expect(tableProblems('a.csv', { header: ['id', 'first', 'last', 'dob'], rows }, mapping, 'id')).toEqual([
      'The file a.csv has the same record id on more than one row: record id “A1” is on rows 2 and 4. Each record id must appear once',
    ]);
    expect(tableProblems('a.csv', { header: ['id', 'first', 'last', 'dob'], rows: [{ id: 'A1' }] }, mapping, 'id')).toEqual([]);
  });
});

describe('one row', () => {
  const mapping: Mapping = { given_name: 'first', family_name: 'last', birth_date: 'dob', nhs_number: 'nhs', upn: 'upn', postcode: 'pc', sex: 'sex' };
  const today = '2026-11-25';
  const row = (over: Record<string, string>) => checkRow({ id: 'R1', first: 'Fictional', last: 'Person', dob: '14/03/2015', nhs: '', upn: '', pc: '', sex: '', ...over }, 3, mapping, 'id', 'DD/MM/YYYY', today);

  it('normalises good values the register’s way', () => {
    const r = row({ nhs: '943 476 5919', upn: UPN.toLowerCase(), pc: 'dm14ab', sex: 'female' });
    expect(r.problems).toEqual([]);
    expect(r.values).toEqual({ given_name: 'Fictional', family_name: 'Person', birth_date: '2015-03-14', nhs_number: '9434765919', upn: UPN, postcode: 'DM1 4AB', sex: 'F' });
  });

  it('says which column is wrong and why', () => {
    expect(row({ nhs: '9434765918' }).problems).toEqual([{ column: 'nhs', message: '“9434765918” is not a valid NHS number: the check digit is wrong' }]);
    expect(row({ nhs: '12345' }).problems).toEqual([{ column: 'nhs', message: '“12345” is not an NHS number: it must be 10 digits' }]);
    expect(row({ upn: WRONG_UPN }).problems).toEqual([{ column: 'upn', message: `“${WRONG_UPN}” is not a valid UPN: the check letter is wrong` }]);
    expect(row({ dob: '31/02/2015' }).problems).toEqual([{ column: 'dob', message: '“31/02/2015” is not a real date in the format DD/MM/YYYY' }]);
    expect(row({ dob: '2015/03/14' }).problems).toEqual([{ column: 'dob', message: '“2015/03/14” is not a real date in the format DD/MM/YYYY' }]);
    expect(row({ dob: '01/01/2030' }).problems).toEqual([{ column: 'dob', message: 'The date of birth 01/01/2030 is in the future' }]);
    expect(row({ dob: '01/01/1990' }).problems).toEqual([{ column: 'dob', message: 'The date of birth 01/01/1990 makes them over 25: the register is for 0 to 25' }]);
    expect(row({ pc: 'NOT A PC' }).problems).toEqual([{ column: 'pc', message: '“NOT A PC” is not a UK postcode' }]);
    expect(row({ sex: 'q' }).problems).toEqual([{ column: 'sex', message: '“q” is not a sex the register knows: use M, F or U (not known)' }]);
    expect(row({ first: '  ' }).problems).toEqual([{ column: 'first', message: 'The given name is empty' }]);
    expect(checkRow({ id: '', first: 'A', last: 'B', dob: '14/03/2015' }, 1, mapping, 'id', 'DD/MM/YYYY', today).problems).toEqual([{ column: 'id', message: 'The record id is empty' }]);
  });

  it('parses each date format and only real dates', () => {
    expect(parseDate('20150314', 'YYYYMMDD')).toBe('2015-03-14');
    expect(parseDate('2015-3-4', 'YYYY-MM-DD')).toBe('2015-03-04');
    expect(parseDate('03/14/2015', 'MM/DD/YYYY')).toBe('2015-03-14');
    expect(parseDate('14-03-2015', 'DD-MM-YYYY')).toBe('2015-03-14');
    expect(parseDate('29/02/2015', 'DD/MM/YYYY')).toBeNull();
    expect(parseDate('29/02/2016', 'DD/MM/YYYY')).toBe('2016-02-29');
    expect(parseDate('2015-03-14', 'YYYYMMDD')).toBeNull();
  });
});

describe('which value the record shows', () => {
  it('fills a gap, follows the same agency’s correction, and otherwise keeps the current value', () => {
    expect(replacesCurrent(null, 'DM1 4AB', undefined, 'postcode')).toBe(true);
    expect(replacesCurrent('DM1 4AB', 'DM2 1AA', undefined, 'postcode')).toBe(false);
    expect(replacesCurrent('DM1 4AB', 'DM2 1AA', 'DM1 4AB', 'postcode')).toBe(true);
    expect(replacesCurrent('DM1 4AB', 'DM2 1AA', 'DM3 1AA', 'postcode')).toBe(false);
    expect(replacesCurrent('U', 'F', undefined, 'sex')).toBe(true);
    expect(replacesCurrent('F', 'F', 'F', 'sex')).toBe(false);
  });
});
