// Normalisers, date parsing and phonetic codes: the building blocks every comparison relies on.
import { describe, expect, it } from 'vitest';
import { checkDateFormat, makeDateParser } from '../../src/linker/dates.js';
import {
  normaliseEmail,
  normaliseIdentifier,
  normaliseName,
  normalisePhone,
  normalisePostcode,
  normaliseSex,
  normaliseText,
} from '../../src/linker/normalise.js';
import { nysiis } from '../../src/linker/phonetic.js';
import { sameNicknameGroup } from '../../src/linker/nicknames.js';

describe('names', () => {
  it('lower-cases, strips accents and punctuation, and keeps double names as parts', () => {
    expect(normaliseName('  ZOË ')).toBe('zoe');
    expect(normaliseName("O'Brien")).toBe('obrien');
    expect(normaliseName('Ashcombe-Vale')).toBe('ashcombe vale');
    expect(normaliseName('Mary  Ann')).toBe('mary ann');
    expect(normaliseName('Miss Ada')).toBe('ada');
    expect(normaliseName('José')).toBe('jose');
  });
  it('treats placeholders as missing', () => {
    expect(normaliseName('N/A')).toBe('');
    expect(normaliseName('unknown')).toBe('');
    expect(normaliseText(' - ')).toBe('');
  });
  it('knows common nicknames both ways, and not unrelated names', () => {
    expect(sameNicknameGroup('bob', 'robert')).toBe(true);
    expect(sameNicknameGroup('katherine', 'kate')).toBe(true);
    expect(sameNicknameGroup('kate', 'katie')).toBe(true);
    expect(sameNicknameGroup('bob', 'william')).toBe(false);
    expect(sameNicknameGroup('zedd', 'zedd')).toBe(false);
  });
});

describe('NYSIIS', () => {
  it('gives the published codes', () => {
    expect(nysiis('Brown')).toBe('BRAN');
    expect(nysiis('Johnson')).toBe('JANSAN');
    expect(nysiis('Knight')).toBe('NAGT');
    expect(nysiis('Phillips')).toBe('FALAP');
  });
  it('codes spelling variants alike', () => {
    expect(nysiis('Catherine')).toBe(nysiis('Katherine'));
    expect(nysiis('MacDonald')).toBe(nysiis('McDonald'));
    expect(nysiis('Filips')).toBe(nysiis('Phillips'));
  });
  it('returns an empty code for no letters', () => {
    expect(nysiis('123')).toBe('');
  });
});

describe('postcodes', () => {
  it('splits UK postcodes into unit, sector, district and area whatever the spacing', () => {
    expect(normalisePostcode('ex11aa')).toEqual({ unit: 'EX1 1AA', sector: 'EX1 1', district: 'EX1', area: 'EX' });
    expect(normalisePostcode(' SW1A 2aa ')).toEqual({ unit: 'SW1A 2AA', sector: 'SW1A 2', district: 'SW1A', area: 'SW' });
    expect(normalisePostcode('DM10 1AB')?.district).toBe('DM10');
  });
  it("keeps a district alone and other countries' codes whole", () => {
    expect(normalisePostcode('EX1')).toEqual({ unit: 'EX1', sector: '', district: 'EX1', area: 'EX' });
    expect(normalisePostcode('2615')).toEqual({ unit: '2615', sector: '', district: '', area: '' });
    expect(normalisePostcode('  ')).toBeUndefined();
  });
});

describe('other values', () => {
  it('phones compare by digits without the UK prefix', () => {
    expect(normalisePhone('+44 (0)7700 900123')).toBe(normalisePhone('07700 900123'));
    expect(normalisePhone('123')).toBe('');
  });
  it('e-mail addresses are lower-cased and must look like one', () => {
    expect(normaliseEmail(' Ada@Example.ORG ')).toBe('ada@example.org');
    expect(normaliseEmail('not an address')).toBe('');
  });
  it('identifiers keep letters and digits only', () => {
    expect(normaliseIdentifier('943 476-5919')).toBe('9434765919');
    expect(normaliseIdentifier('0000000000')).toBe('');
  });
  it('sex accepts the usual codings', () => {
    expect(['M', 'male', '1', 'F', 'Female', '2', 'X', ''].map(normaliseSex)).toEqual(['m', 'm', 'm', 'f', 'f', 'f', '', '']);
  });
});

describe('birth dates by format', () => {
  it('parses each declared format into yyyymmdd', () => {
    expect(makeDateParser('YYYYMMDD')('20150307')).toBe(20150307);
    expect(makeDateParser('YYYY-MM-DD')('2015-03-07')).toBe(20150307);
    expect(makeDateParser('DD/MM/YYYY')('7/3/2015')).toBe(20150307);
    expect(makeDateParser('MM/DD/YYYY')('03/07/2015')).toBe(20150307);
    expect(makeDateParser('DD-MMM-YYYY')('07-Mar-2015')).toBe(20150307);
    expect(makeDateParser('DD/MM/YYYY')('07/03/2015 00:00:00')).toBe(20150307);
  });
  it('treats anything that does not parse, or is not a real date, as missing', () => {
    const p = makeDateParser('DD/MM/YYYY');
    for (const bad of ['31/02/2016', '2015-03-07', '07/13/2015', 'soon', '', '00/00/0000', '29/02/2015']) expect(p(bad)).toBe(0);
    expect(p('29/02/2016')).toBe(20160229);
  });
  it('rejects formats without a year, month and day', () => {
    expect(checkDateFormat('YYYY-MM')).toMatch(/not a date format/);
    expect(checkDateFormat('YYYY-MM-DDX')).toMatch(/only YYYY/);
    expect(checkDateFormat('DD/MM/YYYY')).toBeUndefined();
  });
});
