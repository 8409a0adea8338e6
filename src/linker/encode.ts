// Encoding records into columns of integer codes (string dictionaries), so comparisons and
// blocking work on typed arrays that worker threads can share without copying.
import { nysiis } from './phonetic.js';
import { isoDate, makeDateParser, type DateParser } from './dates.js';
import { normaliseEmail, normaliseIdentifier, normaliseName, normalisePhone, normalisePostcode, normaliseSex, normaliseText } from './normalise.js';

export interface TextColumn {
  codes: Int32Array; // -1 missing
  strings: string[];
  tokStart: Int32Array; // per distinct value: its sorted token ids are tok[tokStart[v] .. tokStart[v+1])
  tok: Int32Array;
  counts: Int32Array; // records per distinct value
}

export interface StringColumn {
  codes: Int32Array;
  strings: string[];
  counts: Int32Array;
}

/** Everything the comparisons need; all typed arrays live on SharedArrayBuffers. */
export interface Dataset {
  n: number;
  source: Int32Array;
  sources: string[];
  roles: string[]; // roles present in at least one source
  names: string[]; // one dictionary for given, middle and family names (swaps compare across them)
  namePhon: Int32Array; // phonetic code id per name
  nameFirstToken: Int32Array; // name id of the first part ("mary" for "mary ann") for blocking
  given: Int32Array;
  middle: Int32Array;
  family: Int32Array;
  nameCounts: { given: Int32Array; middle: Int32Array; family: Int32Array };
  dob: Int32Array; // yyyymmdd, 0 missing
  sex: Int8Array; // 0 missing, 1 m, 2 f
  postcode: StringColumn; // unit
  pcSector: Int32Array; // per postcode value: sector id (-1 none)
  pcDistrict: Int32Array;
  address: TextColumn;
  town: StringColumn;
  email: StringColumn;
  phone: StringColumn;
  identifiers: { role: string; column: StringColumn }[];
  extras: { role: string; column: TextColumn }[];
}

export function sharedInt32(n: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(4, n * 4)), 0, n);
}

function toShared(a: ArrayLike<number>): Int32Array {
  const out = sharedInt32(a.length);
  out.set(a);
  return out;
}

class Dictionary {
  readonly index = new Map<string, number>();
  readonly strings: string[] = [];
  code(s: string): number {
    if (s === '') return -1;
    let c = this.index.get(s);
    if (c === undefined) {
      c = this.strings.length;
      this.index.set(s, c);
      this.strings.push(s);
    }
    return c;
  }
}

class CodeColumn {
  readonly dict: Dictionary;
  readonly codes: number[] = [];
  constructor(dict = new Dictionary()) {
    this.dict = dict;
  }
  private readonly rawCodes = new Map<string, number>();
  push(s: string): void {
    this.codes.push(this.dict.code(s));
  }
  /** Normalises and codes a raw value, remembering raw values (names and towns repeat a lot). */
  pushRaw(raw: string, normalise: (s: string) => string): void {
    if (raw === '') {
      this.codes.push(-1);
      return;
    }
    let c = this.rawCodes.get(raw);
    if (c === undefined) {
      c = this.dict.code(normalise(raw));
      if (this.rawCodes.size < 1_000_000) this.rawCodes.set(raw, c);
    }
    this.codes.push(c);
  }
  counts(size: number): Int32Array {
    const c = sharedInt32(size);
    for (const x of this.codes) if (x >= 0) c[x]!++;
    return c;
  }
  stringColumn(): StringColumn {
    return { codes: toShared(this.codes), strings: this.dict.strings, counts: this.counts(this.dict.strings.length) };
  }
  textColumn(tokens: Dictionary): TextColumn {
    const starts = sharedInt32(this.dict.strings.length + 1);
    const flat: number[] = [];
    this.dict.strings.forEach((s, v) => {
      starts[v] = flat.length;
      const ids = [...new Set(s.split(' ').map((t) => tokens.code(t)))].sort((x, y) => x - y);
      flat.push(...ids);
    });
    starts[this.dict.strings.length] = flat.length;
    return { ...this.stringColumn(), tokStart: starts, tok: toShared(flat) };
  }
}

const postcodeUnit = (s: string) => normalisePostcode(s)?.unit ?? '';

type Getter = (role: string) => string | readonly string[] | null | undefined;

function one(v: string | readonly string[] | null | undefined): string {
  if (v == null) return '';
  return typeof v === 'string' ? v : v.filter((x) => x).join(' ');
}

/** Builds a Dataset record by record (the CLI streams rows into it without keeping them). */
export class Encoder {
  private readonly sourceIndex = new Map<string, number>();
  private readonly sourceNames: string[] = [];
  private readonly sourceCol: number[] = [];
  private readonly names = new Dictionary();
  private readonly given = new CodeColumn(this.names);
  private readonly middle = new CodeColumn(this.names);
  private readonly family = new CodeColumn(this.names);
  private readonly dob: number[] = [];
  private readonly sex: number[] = [];
  private readonly postcode = new CodeColumn();
  private readonly sectors = new Dictionary();
  private readonly districts = new Dictionary();
  private readonly pcSector: number[] = [];
  private readonly pcDistrict: number[] = [];
  private readonly address = new CodeColumn();
  private readonly town = new CodeColumn();
  private readonly email = new CodeColumn();
  private readonly phone = new CodeColumn();
  private readonly identifiers: { role: string; col: CodeColumn }[];
  private readonly extras: { role: string; col: CodeColumn }[];
  private readonly parsers = new Map<string, DateParser>();
  readonly ids: string[] = [];

  constructor(
    readonly roles: readonly string[],
    private readonly dateFormats: Record<string, string> = {},
  ) {
    this.identifiers = roles
      .filter((r) => r.startsWith('identifier:'))
      .sort()
      .map((role) => ({ role, col: new CodeColumn() }));
    this.extras = roles
      .filter((r) => r.startsWith('extra:'))
      .sort()
      .map((role) => ({ role, col: new CodeColumn() }));
  }

  sourceName(i: number): string {
    return this.sourceNames[this.sourceCol[i]!]!;
  }

  get size(): number {
    return this.ids.length;
  }

  add(source: string, id: string, get: Getter): void {
    let s = this.sourceIndex.get(source);
    if (s === undefined) {
      s = this.sourceNames.length;
      this.sourceIndex.set(source, s);
      this.sourceNames.push(source);
      const f = this.dateFormats[source];
      this.parsers.set(source, f ? makeDateParser(f) : isoDate);
    }
    this.ids.push(id);
    this.sourceCol.push(s);
    this.given.pushRaw(one(get('given_name')), normaliseName);
    this.middle.pushRaw(one(get('middle_name')), normaliseName);
    this.family.pushRaw(one(get('family_name')), normaliseName);
    this.dob.push(this.parsers.get(source)!(one(get('birth_date')).trim()));
    const sx = normaliseSex(one(get('sex')));
    this.sex.push(sx === 'm' ? 1 : sx === 'f' ? 2 : 0);
    this.postcode.pushRaw(one(get('postcode')), postcodeUnit);
    const addr = get('address');
    this.address.push(normaliseText(typeof addr === 'string' || addr == null ? one(addr) : addr.filter((x) => x).join(' ')));
    this.town.pushRaw(one(get('town')), normaliseText);
    this.email.push(normaliseEmail(one(get('email'))));
    this.phone.push(normalisePhone(one(get('phone'))));
    for (const x of this.identifiers) x.col.push(normaliseIdentifier(one(get(x.role))));
    for (const x of this.extras) x.col.pushRaw(one(get(x.role)), normaliseText);
  }

  finish(): Dataset {
    // First parts of double names ("mary" of "mary ann") join the dictionary for blocking.
    const nBase = this.names.strings.length;
    const first: number[] = [];
    for (let v = 0; v < nBase; v++) {
      const s = this.names.strings[v]!;
      const sp = s.indexOf(' ');
      first.push(sp < 0 ? v : this.names.code(s.slice(0, sp)));
    }
    const allNames = this.names.strings;
    for (let v = nBase; v < allNames.length; v++) first.push(v);
    const phon = new Dictionary();
    const namePhon = sharedInt32(allNames.length);
    allNames.forEach((s, v) => {
      namePhon[v] = phon.code(nysiis(s.replace(/ /g, '')));
    });
    const pcStrings = this.postcode.dict.strings;
    const pcSector = sharedInt32(pcStrings.length);
    const pcDistrict = sharedInt32(pcStrings.length);
    pcStrings.forEach((u, v) => {
      const p = normalisePostcode(u)!;
      pcSector[v] = this.sectors.code(p.sector);
      pcDistrict[v] = this.districts.code(p.district);
    });
    const sex = new Int8Array(new SharedArrayBuffer(Math.max(1, this.sex.length)), 0, this.sex.length);
    sex.set(this.sex);
    const tokens = new Dictionary();
    const present = new Set(this.roles);
    return {
      n: this.ids.length,
      source: toShared(this.sourceCol),
      sources: this.sourceNames,
      roles: [...present],
      names: allNames,
      namePhon,
      nameFirstToken: toShared(first),
      given: toShared(this.given.codes),
      middle: toShared(this.middle.codes),
      family: toShared(this.family.codes),
      nameCounts: { given: this.given.counts(allNames.length), middle: this.middle.counts(allNames.length), family: this.family.counts(allNames.length) },
      dob: toShared(this.dob),
      sex,
      postcode: this.postcode.stringColumn(),
      pcSector,
      pcDistrict,
      address: this.address.textColumn(tokens),
      town: this.town.stringColumn(),
      email: this.email.stringColumn(),
      phone: this.phone.stringColumn(),
      identifiers: this.identifiers.map((x) => ({ role: x.role, column: x.col.stringColumn() })),
      extras: this.extras.map((x) => ({ role: x.role, column: x.col.textColumn(tokens) })),
    };
  }
}
