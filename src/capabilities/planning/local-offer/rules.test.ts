import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ageRangeProblem,
  AGES_WRONG_WAY,
  aYearOn,
  boundingBox,
  completenessChecks,
  completenessScore,
  costText,
  factsOfEntry,
  milesBetween,
  outOfDate,
  type DirectoryEntry,
} from './rules.js';
import { parsePostcodeCsv, parseSearch, PostcodeFileError, searchQuery } from './schema.js';

const entry: DirectoryEntry = {
  organisation: { name: 'Made-up provider', description: 'A made-up provider.' },
  name: 'Made-up club',
  description: 'A calm, welcoming club with trained staff and quiet spaces for everyone.',
  minimumAge: 5,
  maximumAge: 11,
  howToAccess: 'Phone to book.',
  reviewDue: '2099-01-01',
  needs: ['ASD'],
  supportTypes: ['ACTIVITIES'],
  schedule2: ['LEISURE'],
  access: ['SELF-REFERRAL'],
  locations: [{ postcode: 'DM4 0AA', accessibility: ['Step-free'] }],
  contacts: [{ phone: '01632 960000' }],
  schedules: [{ description: 'Saturdays' }],
  costs: [{ amountPence: 0 }],
  languages: [],
};

describe('ages', () => {
  it('refuses a range the wrong way round, and ages outside 0 to 25', () => {
    expect(ageRangeProblem(12, 5)).toBe(AGES_WRONG_WAY);
    expect(ageRangeProblem(5, 12)).toBeNull();
    expect(ageRangeProblem(7, 7)).toBeNull();
    expect(ageRangeProblem(null, 3)).toBeNull();
    expect(ageRangeProblem(26, null)).toBe('Ages must be whole years from 0 to 25');
    expect(ageRangeProblem(2.5, null)).toBe('Ages must be whole years from 0 to 25');
  });
});

describe('distance', () => {
  it('measures about 69 miles per degree of latitude, and nothing from a point to itself', () => {
    expect(milesBetween({ latitude: 54, longitude: 2 }, { latitude: 55, longitude: 2 })).toBeCloseTo(69.1, 0);
    expect(milesBetween({ latitude: 54, longitude: 2 }, { latitude: 54, longitude: 2 })).toBe(0);
  });
  it('keeps every point within the distance inside the bounding box (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 49, max: 59, noNaN: true }),
        fc.double({ min: -6, max: 2, noNaN: true }),
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        fc.double({ min: -0.5, max: 0.5, noNaN: true }),
        fc.integer({ min: 1, max: 20 }),
        (lat, lon, dLat, dLon, miles) => {
          const from = { latitude: lat, longitude: lon };
          const to = { latitude: lat + dLat, longitude: lon + dLon };
          const box = boundingBox(from, miles);
          if (milesBetween(from, to) <= miles) {
            expect(to.latitude).toBeGreaterThanOrEqual(box.minLat);
            expect(to.latitude).toBeLessThanOrEqual(box.maxLat);
            expect(to.longitude).toBeGreaterThanOrEqual(box.minLon);
            expect(to.longitude).toBeLessThanOrEqual(box.maxLon);
          }
        },
      ),
    );
  });
});

describe('review and completeness', () => {
  it('is out of date the day after its review date', () => {
    expect(outOfDate('2026-12-07', '2026-12-07')).toBe(false);
    expect(outOfDate('2026-12-07', '2026-12-08')).toBe(true);
  });
  it('scores a full entry 100, and names each thing missing', () => {
    expect(completenessScore(factsOfEntry(entry), '2026-12-07')).toBe(100);
    const bare = factsOfEntry({
      ...entry,
      description: 'Short',
      needs: [],
      costs: [],
      schedules: [],
      locations: [{ postcode: 'DM4 0AA', accessibility: [] }],
      reviewDue: '2026-01-01',
    });
    const missing = completenessChecks(bare, '2026-12-07')
      .filter((c) => !c.met)
      .map((c) => c.check);
    expect(missing).toEqual([
      'Describes the service in at least 40 characters',
      'Says which needs it is for',
      'Says what it costs, or that it is free',
      'Describes the accessibility of each place',
      'Says when it runs',
      'Has been reviewed on time',
    ]);
    expect(completenessScore(bare, '2026-12-07')).toBe(Math.round((100 * 7) / 13));
  });
  it('counts a service only by phone or online as having its place', () => {
    const online = factsOfEntry({ ...entry, locations: [{ type: 'virtual', accessibility: [] }] });
    expect(completenessChecks(online, '2026-12-07').every((c) => c.met)).toBe(true);
  });
  it('reviews a year on, 29 February falling back to the 28th', () => {
    expect(aYearOn('2026-12-07')).toBe('2027-12-07');
    expect(aYearOn('2028-02-29')).toBe('2029-02-28');
  });
  it('says what a service costs in plain words', () => {
    expect(costText([])).toBe('Not stated: ask the service');
    expect(costText([{ amountPence: 0 }])).toBe('Free');
    expect(costText([{ amountPence: 450, option: 'Per session' }])).toBe('£4.50 Per session');
    expect(costText([{ amountPence: 500 }])).toBe('£5');
  });
});

describe('the search query', () => {
  it('keeps only known options and checks typed values', () => {
    const { criteria, errors } = parseSearch({
      q: ' swim ',
      age: '8',
      need: ['ASD', 'NOPE'],
      support: 'THERAPY',
      cost: 'free',
      postcode: 'dm14ab',
      distance: '10',
      page: '2',
    });
    expect(errors).toEqual([]);
    expect(criteria).toEqual({ q: 'swim', age: 8, needs: ['ASD'], support: ['THERAPY'], cost: 'free', postcode: 'DM1 4AB', distance: 10, page: 2 });
    expect(searchQuery(criteria)).toBe('?q=swim&age=8&need=ASD&support=THERAPY&cost=free&postcode=DM1+4AB&distance=10&page=2');
    expect(parseSearch({ age: '30' }).errors).toEqual([{ text: 'Enter the age as a whole number of years from 0 to 25, like 8', href: '#age' }]);
    expect(parseSearch({ postcode: 'nowhere' }).errors).toEqual([{ text: 'Enter a full postcode, like DM1 4AB', href: '#postcode' }]);
    expect(parseSearch({ distance: '7', page: 'x' }).criteria).toMatchObject({ distance: 5, page: 1 });
  });
});

describe('a postcode file', () => {
  it('reads postcode,lat,long and the ONS pcds,lat,long', () => {
    expect(parsePostcodeCsv('postcode,lat,long\ndm14ab,54.1,2.2\n')).toEqual([{ postcode: 'DM1 4AB', latitude: 54.1, longitude: 2.2 }]);
    expect(parsePostcodeCsv('pcd,pcds,lat,long\nDM1  4AB,DM1 4AB,54.1,2.2\n')).toEqual([{ postcode: 'DM1 4AB', latitude: 54.1, longitude: 2.2 }]);
  });
  it('names every bad row and loads nothing', () => {
    expect(() => parsePostcodeCsv('postcode,lat,long\nDM1 4AB,54.1,2.2\nnope,1,1\nDM1 4AD,91,1\nDM1 4AE,54,\n')).toThrow(
      new PostcodeFileError(
        '3 rows could not be read (nothing was loaded):\nRow 3: "nope" is not a postcode\nRow 4: the latitude must be a number from -90 to 90\nRow 5: the longitude must be a number from -180 to 180',
      ),
    );
    expect(() => parsePostcodeCsv('code,x,y\nDM1 4AB,1,2\n')).toThrow('The file needs the columns postcode, lat and long');
    expect(() => parsePostcodeCsv('')).toThrow('The file has no rows');
  });
});
