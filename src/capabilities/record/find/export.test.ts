// Exports: RFC 4180 CSV, XLSX read back with the same library, and formula injection neutralised.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ExcelJS from 'exceljs';
import { csvField, toCsv, toXlsx, type ExportColumn } from './export.js';
import { neutraliseCell } from './rules.js';

describe('neutraliseCell', () => {
  it('puts an apostrophe before text that a spreadsheet would run as a formula', () => {
    for (const bad of ['=1+1', '+44 7700 900000', '-2', '@SUM(A1:A2)', '\t=cmd', '\r=cmd', '=HYPERLINK("http://example.org","x")']) {
      expect(neutraliseCell(bad), JSON.stringify(bad)).toBe(`'${bad}`);
    }
  });

  it('leaves everything else as it is', () => {
    for (const ok of ['Jon', 'Smith-Jones', 'O’Brien', 'a=b', ' =1', '', "'quoted", '2015-03-07', '943 476 5919']) expect(neutraliseCell(ok)).toBe(ok);
  });

  it('never leaves a dangerous first character, and changes nothing else', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = neutraliseCell(s);
        expect(/^[=+\-@\t\r]/.test(out)).toBe(false);
        expect(out === s || out === `'${s}`).toBe(true);
      }),
    );
  });
});

// A strict RFC 4180 reader, to read our own files back.
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
      } else {
        field += ch;
        i++;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      if (ch === '"' || ch === '\n' || ch === '\r') throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
      field += ch;
      i++;
    }
  }
  if (field !== '' || row.length) throw new Error('last record does not end with CRLF');
  return rows;
}

interface Row {
  name: string;
  born: string;
  note: string | null;
}
const columns: ExportColumn<Row>[] = [
  { header: 'Name', value: (r) => r.name },
  { header: 'Date of birth', value: (r) => r.born, date: true },
  { header: 'Note, if any', value: (r) => r.note },
];

describe('CSV', () => {
  it('quotes fields that need it and doubles quotes inside them', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField('one\nline')).toBe('"one\nline"');
    expect(csvField(' padded ')).toBe('" padded "');
    expect(csvField(null)).toBe('');
    expect(csvField('=1+1')).toBe("'=1+1");
  });

  it('writes a header and one CRLF-ended record a row, after a byte order mark', () => {
    const csv = toCsv(columns, [
      { name: 'Jon Testfamily', born: '2015-03-07', note: null },
      { name: '=cmd|"/c calc"!A1', born: '2012-11-30', note: 'likes "trains", buses' },
    ]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(csv).toBe(
      '\uFEFFName,Date of birth,"Note, if any"\r\nJon Testfamily,2015-03-07,\r\n"\'=cmd|""/c calc""!A1",2012-11-30,"likes ""trains"", buses"\r\n',
    );
    expect(parseCsv(csv.slice(1))).toEqual([
      ['Name', 'Date of birth', 'Note, if any'],
      ['Jon Testfamily', '2015-03-07', ''],
      ['\'=cmd|"/c calc"!A1', '2012-11-30', 'likes "trains", buses'],
    ]);
  });

  it('reads back exactly what was written (after neutralising), whatever the text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ name: fc.string(), born: fc.constant('2015-03-07'), note: fc.option(fc.string(), { nil: null }) }), { maxLength: 5 }),
        (rows) => {
          const back = parseCsv(toCsv(columns, rows).slice(1));
          expect(back.slice(1)).toEqual(rows.map((r) => [neutraliseCell(r.name), r.born, r.note === null ? '' : neutraliseCell(r.note)]));
        },
      ),
    );
  });
});

describe('XLSX', () => {
  it('writes a sheet with a header, real dates, and formulas neutralised; read back with exceljs', async () => {
    const buf = await toXlsx('Children', columns, [
      { name: 'Jon Testfamily', born: '2015-03-07', note: null },
      { name: '=HYPERLINK("http://example.org","click")', born: '2012-02-29', note: '@SUM(1)' },
    ]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Children')!;
    expect(ws.rowCount).toBe(3);
    expect(ws.getRow(1).values).toEqual([undefined, 'Name', 'Date of birth', 'Note, if any']);
    expect(ws.getCell('A2').value).toBe('Jon Testfamily');
    expect(ws.getCell('B2').value).toEqual(new Date(Date.UTC(2015, 2, 7)));
    expect(ws.getCell('B2').numFmt).toBe('dd/mm/yyyy');
    expect(ws.getCell('C2').value).toBeNull();
    expect(ws.getCell('A3').value).toBe('\'=HYPERLINK("http://example.org","click")');
    expect(ws.getCell('A3').formula).toBeUndefined();
    expect(ws.getCell('B3').value).toEqual(new Date(Date.UTC(2012, 1, 29)));
    expect(ws.getCell('C3').value).toBe("'@SUM(1)");
    expect(ws.getRow(1).font?.bold).toBe(true);
  });
});
