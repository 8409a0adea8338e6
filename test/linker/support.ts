// A small generator of fictional people and noisy copies of their records, with the truth,
// for the linker's tests (the full generator is `jointly synth-extracts`).
import type { LinkRecord } from '../../src/linker/types.js';

const GIVEN = [
  'Amelia',
  'Oliver',
  'Isla',
  'Noah',
  'Ava',
  'Leo',
  'Freya',
  'Theo',
  'Grace',
  'Arlo',
  'Poppy',
  'Finn',
  'Robert',
  'Katherine',
  'William',
  'Elizabeth',
  'Harry',
  'Mia',
  'Jack',
  'Ivy',
];
const FAMILY = [
  'Pemberfold',
  'Quillbury',
  'Drumwhistle',
  'Tindlewick',
  'Marrowby',
  'Oakhollow',
  'Brindlecombe',
  'Sallowmere',
  'Hazeldrift',
  'Wrenfield',
  'Larkspur',
  'Ashcombe',
  'Fernbrook',
  'Gildersleeve',
  'Holloway',
  'Kestrelton',
  'Mossgrove',
  'Nettlebank',
  'Orrington',
  'Pikestaff',
  'Ravensmoor',
  'Stonebridge',
  'Thistlewood',
  'Underhill',
  'Vantridge',
  'Whitlock',
  'Yarrowby',
  'Ambleworth',
  'Bramblecote',
  'Coldharbour',
];
const NICK: Record<string, string> = { Robert: 'Bob', Katherine: 'Kate', William: 'Bill', Elizabeth: 'Liz', Harry: 'Henry' };

export function rand(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function typo(s: string, r: () => number): string {
  const k = 1 + Math.floor(r() * (s.length - 1));
  const c = 'aeinorst'[Math.floor(r() * 8)]!;
  return r() < 0.5 ? s.slice(0, k) + c + s.slice(k + 1) : s.slice(0, k) + s.slice(k + 1);
}

export interface Generated {
  records: LinkRecord[];
  person: string[]; // truth per record
}

/** `people` fictional people, each in 1 to 3 sources, with typos, nicknames, swapped dates, missing values and twins. */
export function generate(people: number, seed: number): Generated {
  const r = rand(seed);
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const records: LinkRecord[] = [];
  const person: string[] = [];
  const sources = ['health', 'school', 'care'];
  let twinOf: { family: string; dob: string; postcode: string } | undefined;
  for (let p = 0; p < people; p++) {
    const twin = twinOf && r() < 0.5 ? twinOf : undefined;
    twinOf = undefined;
    const family = twin?.family ?? pick(FAMILY) + (r() < 0.3 ? `-${pick(FAMILY)}` : '');
    const y = 2005 + Math.floor(r() * 15);
    const m = 1 + Math.floor(r() * 12);
    const d = 1 + Math.floor(r() * 28);
    const dob = twin?.dob ?? `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const postcode = twin?.postcode ?? `DM${1 + Math.floor(r() * 40)} ${Math.floor(r() * 10)}${pick('ABDEFGHJ'.split(''))}${pick('LNPQRSTU'.split(''))}`;
    const given = pick(GIVEN);
    const nhs = String(9_000_000_000 + Math.floor(r() * 999_999_999));
    if (r() < 0.1) twinOf = { family, dob, postcode };
    const copies = 1 + Math.floor(r() * 3);
    const used = new Set<string>();
    for (let c = 0; c < copies; c++) {
      const source = pick(sources.filter((s) => !used.has(s)));
      used.add(source);
      let g = given;
      let f = family;
      let b = dob;
      const roll = r();
      if (roll < 0.08) g = typo(g, r);
      else if (roll < 0.12) f = typo(f, r);
      else if (roll < 0.16 && NICK[g]) g = NICK[g]!;
      else if (roll < 0.2 && Number(b.slice(8)) <= 12) b = `${b.slice(0, 5)}${b.slice(8)}-${b.slice(5, 7)}`;
      else if (roll < 0.23) b = '';
      else if (roll < 0.25) [g, f] = [f, g];
      records.push({
        source,
        id: `${source[0]}${records.length}`,
        values: {
          given_name: g,
          family_name: f,
          birth_date: b,
          postcode: r() < 0.9 ? postcode : '',
          sex: p % 2 ? 'F' : 'M',
          'identifier:nhs_number': source === 'health' || (source === 'care' && r() < 0.5) ? nhs : '',
        },
      });
      person.push(`P${p}`);
    }
  }
  return { records, person };
}

/** Pairwise precision, recall and F1 of predicted clusters against the truth. */
export function pairwise(person: readonly string[], cluster: readonly string[]): { precision: number; recall: number; f1: number } {
  const count = (keys: string[]) => {
    const m = new Map<string, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    let s = 0;
    for (const v of m.values()) s += (v * (v - 1)) / 2;
    return s;
  };
  const tp = count(person.map((p, i) => `${p}\u0000${cluster[i]}`));
  const predicted = count([...cluster]);
  const truth = count([...person]);
  const precision = predicted ? tp / predicted : 1;
  const recall = truth ? tp / truth : 1;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
}
