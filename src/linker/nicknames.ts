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
