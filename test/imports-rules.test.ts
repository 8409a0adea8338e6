// The pure rules of an import: which files are accepted, and each row through the register's rules.
import { describe, expect, it } from 'vitest';
import {
  checkRow,
  decodeUtf8,
  MAX_XLSX_UNCOMPRESSED,
  xlsxSizeProblem,
  FileProblem,
  fileType,
  MAX_BYTES,
  parseDate,
  replacesCurrent,
  tableProblems,
} from '../src/capabilities/linkage/imports/rules.js';
import { csvHeader, readTable } from '../src/capabilities/linkage/imports/read-file.js';
import type { Mapping } from '../src/capabilities/linkage/imports/fields.js';
import { upnCheckLetter, UPN_ALPHABET } from '../src/capabilities/record/children/rules.js';

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
    expect(problem(() => decodeUtf8('a.csv', new Uint8Array([...enc('name\nZo'), 0xeb])))).toMatch(
      /is not UTF-8 text \(line 2 has a character in another encoding/,
    );
  });

  const mapping: Mapping = { given_name: 'first', family_name: 'last', birth_date: 'dob' };
  it('needs a header, data, the mapped columns and one row per record id', () => {
    expect(tableProblems('a.csv', { header: ['id', 'first', 'last', 'dob'], rows: [] }, mapping, 'id')).toEqual([
      'The file a.csv has a header row but no rows of data',
    ]);
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
  const row = (over: Record<string, string>) =>
    checkRow(
      { id: 'R1', first: 'Fictional', last: 'Person', dob: '14/03/2015', nhs: '', upn: '', pc: '', sex: '', ...over },
      3,
      mapping,
      'id',
      'DD/MM/YYYY',
      today,
    );

  it('normalises good values the register’s way', () => {
    const r = row({ nhs: '943 476 5919', upn: UPN.toLowerCase(), pc: 'dm14ab', sex: 'female' });
    expect(r.problems).toEqual([]);
    expect(r.values).toEqual({
      given_name: 'Fictional',
      family_name: 'Person',
      birth_date: '2015-03-14',
      nhs_number: '9434765919',
      upn: UPN,
      postcode: 'DM1 4AB',
      sex: 'F',
    });
  });

  it('says which column is wrong and why, without quoting the value itself', () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ nhs: '9434765918' }, 'nhs', 'The NHS number is not valid: its check digit is wrong'],
      [{ nhs: '12345' }, 'nhs', 'The NHS number is not 10 digits'],
      [{ upn: WRONG_UPN }, 'upn', 'The UPN is not valid: its check letter is wrong'],
      [{ dob: '31/02/2015' }, 'dob', 'The date of birth is not a real date in the format DD/MM/YYYY'],
      [{ dob: '2015/03/14' }, 'dob', 'The date of birth is not a real date in the format DD/MM/YYYY'],
      [{ dob: '01/01/2030' }, 'dob', 'The date of birth is in the future'],
      [{ dob: '01/01/1990' }, 'dob', 'The date of birth makes them over 25: the register is for 0 to 25'],
      [{ pc: 'NOT A PC' }, 'pc', 'The postcode is not a UK postcode'],
      [{ sex: 'q' }, 'sex', 'The sex is not one the register knows: use M, F or U (not known)'],
    ];
    for (const [over, column, message] of cases) {
      const problems = row(over).problems;
      expect(problems).toEqual([{ column, message }]);
      const raw = Object.values(over)[0]!;
      expect(JSON.stringify(problems)).not.toContain(raw);
    }
    expect(row({ first: '  ' }).problems).toEqual([{ column: 'first', message: 'The given name is empty' }]);
    expect(checkRow({ id: '', first: 'A', last: 'B', dob: '14/03/2015' }, 1, mapping, 'id', 'DD/MM/YYYY', today).problems).toEqual([
      { column: 'id', message: 'The record id is empty' },
    ]);
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

/** A stored (uncompressed-method) zip's central directory, declaring each part's sizes as given. */
function zipDeclaring(parts: { name: string; compressed: number; size: number }[]): Uint8Array {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(p.compressed, 18);
    local.writeUInt32LE(p.size, 22);
    local.writeUInt16LE(name.length, 26);
    const data = Buffer.alloc(Math.min(p.compressed, 64));
    chunks.push(local, name, data);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(8, 10); // deflate
    c.writeUInt32LE(p.compressed, 20);
    c.writeUInt32LE(p.size, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += local.length + name.length + data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...chunks, dir, end]));
}

describe('XLSX zip bombs', () => {
  it('refuses a workbook declaring a huge uncompressed size or compression ratio, from the directory alone', () => {
    const huge = zipDeclaring([{ name: 'xl/worksheets/sheet1.xml', compressed: 64, size: 4_000_000_000 }]);
    expect(huge.length).toBeLessThan(1000);
    expect(xlsxSizeProblem('bomb.xlsx', huge)).toMatch(/^The file bomb\.xlsx would be more than 250 MB once opened/);
    const many = zipDeclaring(Array.from({ length: 3 }, (_, i) => ({ name: `xl/p${i}.xml`, compressed: 10_000_000, size: MAX_XLSX_UNCOMPRESSED / 2 })));
    expect(xlsxSizeProblem('many.xlsx', many)).toMatch(/would be more than 250 MB/);
    const ratio = zipDeclaring([{ name: 'xl/worksheets/sheet1.xml', compressed: 10_000, size: 50_000_000 }]);
    expect(xlsxSizeProblem('ratio.xlsx', ratio)).toMatch(/would be more than 250 MB once opened/);
    expect(xlsxSizeProblem('ok.xlsx', zipDeclaring([{ name: 'xl/worksheets/sheet1.xml', compressed: 200_000, size: 3_000_000 }]))).toBeNull();
    expect(xlsxSizeProblem('junk.xlsx', enc('PK\u0003\u0004 not really a zip'))).toMatch(/could not be opened as an Excel workbook/);
  });
});

describe('the header of a CSV', () => {
  it('is read from the first bytes only, and header names never become object keys like __proto__', () => {
    expect(csvHeader('a.csv', enc('rid,first\r\nH1,A\r\n'))).toEqual(['rid', 'first']);
    expect(csvHeader('a.csv', enc(`rid,first\r\n${'H1,A\r\n'.repeat(100_000)}`))).toEqual(['rid', 'first']);
  });

  it('a column called __proto__ is an ordinary column', async () => {
    const { table } = await readTable('a.csv', enc('rid,__proto__,constructor\r\nH1,polluted,x\r\n'));
    const row = table.rows[0]!;
    expect(row['__proto__']).toBe('polluted');
    expect(Object.getPrototypeOf(row)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
