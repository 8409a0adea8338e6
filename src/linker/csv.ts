// Reading CSV files for the linker: checks the file is UTF-8 text, then parses RFC 4180 CSV
// (quoted fields, doubled quotes, CRLF or LF, line breaks inside quotes).
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';

export class LinkInputError extends Error {}

/** Index of the first byte that is not valid UTF-8, or -1. */
export function firstInvalidUtf8(buf: Uint8Array): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const c = buf[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = c & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      const x = buf[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function lineOf(buf: Uint8Array, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset; k++) if (buf[k] === 10) line++;
  return line;
}

/** Reads a file as UTF-8 CSV text, or throws a LinkInputError saying what is wrong with it. */
export function readCsvText(path: string): string {
  const name = basename(path);
  let buf: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new LinkInputError(`${path} is a folder, not a CSV file`);
    buf = readFileSync(path);
  } catch (e) {
    if (e instanceof LinkInputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new LinkInputError(code === 'ENOENT' ? `${path} does not exist` : `${path} cannot be read (${code ?? (e as Error).message})`);
  }
  if (buf.length === 0) throw new LinkInputError(`${name} is empty: it needs a header row and at least one record`);
  if (buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04)
    throw new LinkInputError(`${name} is a spreadsheet or zip file, not CSV: save it as "CSV UTF-8" and try again`);
  if (buf[0] === 0xd0 && buf[1] === 0xcf && buf[2] === 0x11 && buf[3] === 0xe0)
    throw new LinkInputError(`${name} is an old Excel (.xls) file, not CSV: save it as "CSV UTF-8" and try again`);
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))
    throw new LinkInputError(`${name} is UTF-16 text: save it as "CSV UTF-8" and try again`);
  const nul = buf.indexOf(0);
  if (nul >= 0) throw new LinkInputError(`${name} is not a text file (it contains binary data at row ${lineOf(buf, nul)}): give a CSV file`);
  const bad = firstInvalidUtf8(buf);
  if (bad >= 0)
    throw new LinkInputError(
      `${name} is not UTF-8 text: row ${lineOf(buf, bad)} has a character in another encoding (perhaps Windows-1252); save the file as "CSV UTF-8" and try again`,
    );
  const start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  return buf.toString('utf8', start);
}

/**
 * Calls onRow for each record (row is 1 for the header). Throws LinkInputError for a quote that
 * is never closed or text after a closing quote.
 */
export function parseCsv(text: string, name: string, onRow: (fields: string[], row: number) => void): void {
  const n = text.length;
  let i = 0;
  let row = 0;
  while (i < n) {
    row++;
    const fields: string[] = [];
    const rowStart = i;
    for (;;) {
      if (text.charCodeAt(i) === 34) {
        // Quoted field.
        let value = '';
        let k = i + 1;
        for (;;) {
          const q = text.indexOf('"', k);
          if (q < 0) throw new LinkInputError(`${name} is not valid CSV: row ${row} opens a quote that is never closed`);
          value += text.slice(k, q);
          if (text.charCodeAt(q + 1) === 34) {
            value += '"';
            k = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        fields.push(value);
        const c = text.charCodeAt(i);
        if (c === 44) {
          i++;
          continue;
        }
        if (c === 13 && text.charCodeAt(i + 1) === 10) {
          i += 2;
          break;
        }
        if (c === 10 || c === 13) {
          i++;
          break;
        }
        if (i >= n) break;
        throw new LinkInputError(`${name} is not valid CSV: row ${row} has text after a closing quote in column ${fields.length}`);
      }
      let e = i;
      while (e < n) {
        const c = text.charCodeAt(e);
        if (c === 44 || c === 10 || c === 13) break;
        e++;
      }
      fields.push(text.slice(i, e));
      const c = text.charCodeAt(e);
      if (c === 44) {
        i = e + 1;
        if (i >= n) {
          fields.push('');
          break;
        }
        continue;
      }
      if (c === 13 && text.charCodeAt(e + 1) === 10) i = e + 2;
      else i = e + 1;
      break;
    }
    // Skip blank lines (a single empty field).
    if (fields.length === 1 && fields[0] === '' && i - rowStart <= 2) continue;
    onRow(fields, row);
  }
}

/** Writes one CSV field, quoting when needed. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
