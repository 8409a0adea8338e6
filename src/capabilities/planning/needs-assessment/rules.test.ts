// The needs assessment's pure rules: small numbers on both sides of 5, secondary protection, rates,
// the months, the population file and the DfE figures (a marker is never a zero).
import { describe, expect, it } from 'vitest';
import { readDfeCsv } from '../../../platform/dfe-csv.js';
import {
  BREAKDOWN_KEYS,
  dfeAgeBand,
  dfeFiguresFrom,
  monthEnds,
  monthSeries,
  parseNeighbourCodes,
  parsePopulationCsv,
  PopulationFileError,
  populationOf,
  protectFigure,
  roundToFive,
  protectReport,
  ratePer1000,
  sumPublished,
  type BreakdownKey,
  type RawCounts,
} from './rules.js';

const ctx = {
  localities: [
    { code: 'NORTH', name: 'North' },
    { code: 'SOUTH', name: 'South' },
  ],
  settings: [{ key: 'SCH', label: 'A school' }],
  organisationTypes: { school: 'School or college', 'council-education': 'Council: education (SEND)' },
  population: null,
};

function raw(total: number, counts: Partial<Record<BreakdownKey, [string, number][]>>, months: RawCounts['months'] = []): RawCounts {
  const c = Object.fromEntries(BREAKDOWN_KEYS.map((k) => [k, new Map(counts[k] ?? [])])) as RawCounts['counts'];
  return { total, counts: c, oneAgencyByType: new Map(), months };
}

describe('roundToFive', () => {
  it('rounds to the nearest 5 on each side of the half-way points', () => {
    expect([5, 7, 8, 12, 13, 100, 102, 103].map(roundToFive)).toEqual([5, 5, 10, 10, 15, 100, 100, 105]);
  });
});

describe('protectFigure', () => {
  it.each([1, 2, 3, 4])('shows %i as "fewer than 5" without detail, and the count with it', (n) => {
    expect(protectFigure(n, false)).toEqual({ shown: 'fewer-than-5', count: null });
    expect(protectFigure(n, true)).toEqual({ shown: 'count', count: n });
  });
  it.each([0, 5, 6, 120])('shows %i as it is either way', (n) => {
    expect(protectFigure(n, false)).toEqual({ shown: 'count', count: n });
  });
});

describe('protectReport', () => {
  const r = raw(30, {
    need: [
      ['ASD', 20],
      ['HI', 3],
      ['SEMH', 7],
    ],
    plan: [
      ['ehcp', 26],
      ['no-plan', 4],
    ],
  });

  it('without detail: 1 to 4 become "fewer than 5" and the next smallest is hidden so the total does not give it away', () => {
    const rep = protectReport(r, ctx, false);
    const need = rep.breakdowns.find((b) => b.key === 'need')!;
    const row = (k: string) => need.rows.find((x) => x.key === k)!;
    expect(row('HI').children).toEqual({ shown: 'fewer-than-5', count: null });
    expect(row('SEMH').children).toEqual({ shown: 'hidden', count: null });
    expect(row('ASD').children).toEqual({ shown: 'count', count: 20 });
    // No share or rate beside a figure that is not shown.
    expect(row('HI').percent).toBeNull();
    // Nowhere in the protected report is there a count from 1 to 4.
    const all = JSON.stringify(rep);
    for (const n of [1, 2, 3, 4]) expect(all).not.toMatch(new RegExp(`"count":${n}[,}]`));
  });

  it('with detail: every count as it is', () => {
    const rep = protectReport(r, ctx, true);
    const need = rep.breakdowns.find((b) => b.key === 'need')!;
    expect(need.rows.find((x) => x.key === 'HI')!.children).toEqual({ shown: 'count', count: 3 });
    expect(rep.breakdowns.find((b) => b.key === 'plan')!.rows.find((x) => x.key === 'no-plan')!.children.count).toBe(4);
  });

  it('shows no breakdown at all when fewer than 5 are on the register, unless detail', () => {
    const small = raw(3, { need: [['ASD', 3]] });
    expect(protectReport(small, ctx, false)).toMatchObject({ tooFewToShow: true, breakdowns: [], total: { shown: 'fewer-than-5' } });
    expect(protectReport(small, ctx, true).tooFewToShow).toBe(false);
  });

  it('withholds which agency one-agency children know when the one-agency count is not shown', () => {
    const r2 = raw(20, {
      agencies: [
        ['one', 3],
        ['more', 17],
      ],
    });
    r2.oneAgencyByType.set('school', 3);
    const rep = protectReport(r2, ctx, false);
    const sub = rep.breakdowns.find((b) => b.key === 'oneAgencyByType')!;
    expect(sub.withheld).toBe(true);
    expect(sub.rows.every((x) => x.children.count === null || x.children.count === 0)).toBe(true);
  });

  it('keeps the monthly joined and left for detail only, and protects the month totals', () => {
    const months = [{ monthEnd: '2026-10-31', onRegister: 3, joined: 2, left: 1 }];
    const shared = protectReport(raw(10, {}, months), ctx, false);
    expect(shared.months[0]).toEqual({ monthEnd: '2026-10-31', onRegister: { shown: 'fewer-than-5', count: null }, joined: null, left: null });
    const full = protectReport(raw(10, {}, months), ctx, true);
    expect(full.months[0]!.joined).toEqual({ shown: 'count', count: 2 });
  });

  it('rates per 1,000 of the matching population: age band, locality or the whole 0 to 25', () => {
    const pop = populationOf(
      Array.from({ length: 26 }, (_, age) => [
        { age, localityCode: 'NORTH', people: 600 },
        { age, localityCode: 'SOUTH', people: 400 },
      ]).flat(),
    )!;
    expect(pop.total).toBe(26_000);
    const rep = protectReport(
      raw(
        52,
        {
          age: [
            ['0-4', 50],
            ['5-10', 2],
          ],
          locality: [['NORTH', 52]],
        },
        [],
      ),
      { ...ctx, population: pop },
      true,
    );
    expect(rep.totalRate).toBe(2);
    const age = rep.breakdowns.find((b) => b.key === 'age')!;
    expect(age.rows.find((x) => x.key === '0-4')!.rate).toBe(10); // 50 of 5,000
    expect(rep.breakdowns.find((b) => b.key === 'locality')!.rows.find((x) => x.key === 'NORTH')!.rate).toBe(3.3); // 52 of 15,600
  });
});

describe('ratePer1000 and sums', () => {
  it('is null with no population, and rounds to one place', () => {
    expect(ratePer1000(5, undefined)).toBeNull();
    expect(ratePer1000(5, 0)).toBeNull();
    expect(ratePer1000(1, 3000)).toBe(0.3);
  });
  it('never counts a figure not published as zero', () => {
    expect(sumPublished([{ value: 5 }, { value: null }, { value: 7 }])).toEqual({ sum: 12, notPublished: 1 });
    expect(sumPublished([{ value: null }])).toEqual({ sum: null, notPublished: 1 });
  });
});

describe('monthEnds', () => {
  it('gives the last n month ends before this month, across a year end and a leap February', () => {
    expect(monthEnds('2024-03-15', 3)).toEqual(['2023-12-31', '2024-01-31', '2024-02-29']);
  });
});

describe('monthSeries', () => {
  it('adds up joinings and leavings to each month end, counting events before the first month shown', () => {
    const ends = ['2026-01-31', '2026-02-28', '2026-03-31'];
    const events = [
      { month: '2026-03', joined: 1, left: 2 },
      { month: '2025-06', joined: 10, left: 0 },
      { month: '2026-02', joined: 4, left: 1 },
    ];
    expect(monthSeries(ends, events)).toEqual([
      { monthEnd: '2026-01-31', onRegister: 10, joined: 0, left: 0 },
      { monthEnd: '2026-02-28', onRegister: 13, joined: 4, left: 1 },
      { monthEnd: '2026-03-31', onRegister: 12, joined: 1, left: 2 },
    ]);
  });
});

describe('parsePopulationCsv', () => {
  const full = (loc?: string) => Array.from({ length: 26 }, (_, a) => (loc ? [String(a), loc, '100'] : [String(a), '100']));
  it('reads every age from 0 to 25, with or without localities', () => {
    expect(parsePopulationCsv([['age', 'count'], ...full()])).toHaveLength(26);
    const rows = parsePopulationCsv([['Age', 'Locality', 'Count'], ...full('NORTH'), ...full('SOUTH')]);
    expect(rows.filter((r) => r.localityCode === 'SOUTH')).toHaveLength(26);
  });
  it('names a missing age', () => {
    const missing = full().filter((r) => r[0] !== '7');
    expect(() => parsePopulationCsv([['age', 'count'], ...missing])).toThrow(
      new PopulationFileError('The area has no figure for age 7. Every age from 0 to 25 is needed.'),
    );
  });
  it('names the line of a bad count or age, and a repeated age', () => {
    const bad = full();
    bad[3] = ['3', 'lots'];
    expect(() => parsePopulationCsv([['age', 'count'], ...bad])).toThrow('Line 5: the count "lots" is not a whole number of people.');
    expect(() =>
      parsePopulationCsv([
        ['age', 'count'],
        ['26', '5'],
      ]),
    ).toThrow('Line 2: the age "26" is not a whole number from 0 to 25.');
    expect(() =>
      parsePopulationCsv([
        ['age', 'count'],
        ['-1', '5'],
      ]),
    ).toThrow('Line 2: the age "-1"');
    expect(() =>
      parsePopulationCsv([
        ['age', 'count'],
        ['1', '5'],
        ['1', '6'],
      ]),
    ).toThrow('Line 3: age 1 is given twice.');
  });
  it('refuses a file without the columns', () => {
    expect(() => parsePopulationCsv([['year', 'people']])).toThrow(/must name the columns age and count/);
  });
});

describe('the DfE figures kept', () => {
  const csv = [
    'time_period,geographic_level,old_la_code,new_la_code,la_name,region_name,breakdown_topic,breakdown,ehcplans',
    '202425,National,,,,,All EHC plans,All EHC plans,638745',
    '202425,Regional,,,,North East,All EHC plans,All EHC plans,30000',
    '202425,Local authority,830,E10000007,Derbyshire,East Midlands,All EHC plans,All EHC plans,c',
    '202425,Local authority,830,E10000007,Derbyshire,East Midlands,Sex,Boys,5000',
  ].join('\n');
  it('keeps England and local authorities, not regions or other topics, and a marker stays a marker', () => {
    const f = dfeFiguresFrom('caseload.csv', readDfeCsv(csv, ['ehcplans']));
    expect(f.map((x) => [x.laCode, x.cell])).toEqual([
      [null, { value: 638745, marker: null }],
      ['830', { value: null, marker: 'c' }],
    ]);
  });
  it('puts DfE ages in the report bands', () => {
    expect(dfeAgeBand('under 3')).toBe('0-4');
    expect(dfeAgeBand('age 4')).toBe('0-4');
    expect(dfeAgeBand('age 16')).toBe('16-19');
    expect(dfeAgeBand('age 25')).toBe('20-25');
    expect(dfeAgeBand('unknown')).toBeNull();
  });
});

describe('parseNeighbourCodes', () => {
  it('reads 3-digit codes and names the ones that are not', () => {
    expect(parseNeighbourCodes('830, 855\n891 830')).toEqual({ codes: ['830', '855', '891'], problem: null });
    expect(parseNeighbourCodes('830 E10000007').problem).toBe('"E10000007" is not a 3-digit DfE local authority code');
  });
});
