// Common English given-name variants (public knowledge). Each group lists names that people use
// interchangeably; a name may appear in more than one group (e.g. "chris").
const GROUPS: readonly string[] = [
  'robert rob bob bobby robbie bert',
  'william will bill billy willie liam',
  'richard rich rick ricky dick richie',
  'james jim jimmy jamie',
  'john jack johnny jon',
  'jonathan jon jonny',
  'joseph joe joey',
  'thomas tom tommy',
  'charles charlie chas chuck',
  'edward ed eddie ted teddy ned',
  'edmund ed eddie ned',
  'henry harry hal hank',
  'michael mike mikey mick micky',
  'daniel dan danny',
  'david dave davey',
  'matthew matt matty',
  'andrew andy drew',
  'anthony tony ant',
  'christopher chris kit',
  'christian chris',
  'christine chris chrissie christina tina',
  'nicholas nick nicky nico',
  'benjamin ben benji benny',
  'samuel sam sammy',
  'samantha sam sammie',
  'alexander alex alec sandy xander',
  'alexandra alex lexi sandra sandy',
  'patrick pat paddy',
  'patricia pat patty trish',
  'peter pete',
  'stephen steve stevie',
  'steven steve stevie',
  'timothy tim timmy',
  'zachary zach zack',
  'frederick fred freddie freddy',
  'alfred alf alfie fred',
  'archibald archie',
  'oliver ollie olly',
  'olivia liv livvy',
  'harrison harry',
  'theodore theo ted teddy',
  'gregory greg',
  'jeffrey jeff',
  'kenneth ken kenny',
  'lawrence larry laurie',
  'leonard leo len lenny',
  'maximilian max',
  'maxwell max',
  'nathan nate',
  'nathaniel nate nat',
  'raymond ray',
  'ronald ron ronnie',
  'donald don donnie',
  'gerald gerry jerry',
  'francis frank frankie',
  'franklin frank',
  'katherine kate katie kathy cathy kath kitty kat',
  'catherine kate katie cathy cath kitty',
  'kathryn kate katie kathy',
  'elizabeth liz lizzie beth betty bess eliza libby elsie',
  'margaret maggie meg peggy marge madge',
  'jennifer jen jenny',
  'rebecca becky becca',
  'deborah debbie deb',
  'susan sue susie',
  'suzanne sue suzie',
  'victoria vicky tori',
  'jessica jess jessie',
  'abigail abby abbie gail',
  'amelia millie amy',
  'emily em emmy millie',
  'emma em',
  'isabella bella izzy isabel',
  'isabelle bella izzy',
  'charlotte lottie charlie',
  'eleanor ellie nell nora',
  'helen nell ellie',
  'dorothy dot dotty dolly',
  'frances fran frankie',
  'josephine jo josie',
  'joanne jo',
  'jacqueline jackie',
  'judith judy',
  'lucy lu',
  'louise lou lulu',
  'louisa lou',
  'madeleine maddie maddy',
  'madison maddie maddy',
  'matilda tilly tilda',
  'natalie nat',
  'natasha tash tasha',
  'penelope penny',
  'rosemary rose rosie',
  'sophia sophie',
  'theresa tess tessa terri',
  'valerie val',
  'veronica ronnie',
  'caroline carrie caz',
  'christopher topher',
  'philip phil pip',
  'phillip phil',
  'mohammed mohammad muhammad mohamed',
  'sebastian seb',
  'joshua josh',
  'jacob jake',
  'gabriel gabe',
  'benedict ben',
  'dominic dom',
  'reginald reg reggie',
  'terence terry',
  'wilfred wilf',
  'harriet hattie',
  'georgina georgie gina',
  'george georgie',
] as const;

let table: Map<string, number[]> | undefined;

function build(): Map<string, number[]> {
  const t = new Map<string, number[]>();
  GROUPS.forEach((g, i) => {
    for (const name of g.split(' ')) {
      const list = t.get(name) ?? [];
      list.push(i);
      t.set(name, list);
    }
  });
  return t;
}

/** The first (full) name of a nickname group: "robert" for the group of bob. */
export function nicknameGroupHead(group: number): string {
  return GROUPS[group]!.split(' ')[0]!;
}

/** The nickname groups a (normalised, single-token) given name belongs to; empty if none. */
export function nicknameGroups(name: string): readonly number[] {
  table ??= build();
  return table.get(name) ?? [];
}

export function sameNicknameGroup(a: string, b: string): boolean {
  const ga = nicknameGroups(a);
  if (ga.length === 0) return false;
  const gb = nicknameGroups(b);
  for (const x of ga) if (gb.includes(x)) return true;
  return false;
}

let near: Map<string, readonly number[]> | undefined;

/** One keying mistake apart: a letter added, dropped or changed, or two neighbours swapped. */
function oneKeyApart(a: string, b: string): boolean {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  if (la === lb) {
    let first = -1;
    let diffs = 0;
    for (let k = 0; k < la; k++)
      if (a.charCodeAt(k) !== b.charCodeAt(k)) {
        if (diffs++ === 0) first = k;
        if (diffs > 2) return false;
      }
    return diffs <= 1 || (a[first] === b[first + 1] && a[first + 1] === b[first]);
  }
  const [s, l] = la < lb ? [a, b] : [b, a];
  let k = 0;
  while (k < s.length && s.charCodeAt(k) === l.charCodeAt(k)) k++;
  return s.slice(k) === l.slice(k + 1);
}

/**
 * The nickname groups of a name or, when it has none, of the names in the table one keying
 * mistake away (Rpbbie: Robbie's group), for names of four letters or more (shorter ones are
 * one key from too many others).
 */
export function nicknameGroupsWithTypo(name: string): readonly number[] {
  const own = nicknameGroups(name);
  if (own.length || name.length < 4) return own;
  near ??= new Map();
  let g = near.get(name);
  if (g === undefined) {
    const found = new Set<number>();
    for (const [known, groups] of (table ??= build())) if (known.length >= 3 && oneKeyApart(name, known)) for (const x of groups) found.add(x);
    g = [...found];
    if (near.size < 500_000) near.set(name, g);
  }
  return g;
}

/** Same nickname group allowing one keying mistake in either name. */
export function sameNicknameGroupWithTypo(a: string, b: string): boolean {
  const ga = nicknameGroupsWithTypo(a);
  if (ga.length === 0) return false;
  const gb = nicknameGroupsWithTypo(b);
  for (const x of ga) if (gb.includes(x)) return true;
  return false;
}
