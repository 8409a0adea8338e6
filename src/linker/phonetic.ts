// NYSIIS phonetic code (New York State Identification and Intelligence System, 1970), the
// original algorithm without the 6-character truncation, on lower-case a-z input.
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

export function nysiis(input: string): string {
  let w = input.toLowerCase().replace(/[^a-z]/g, '');
  if (w.length === 0) return '';
  // Prefixes
  if (w.startsWith('mac')) w = 'mcc' + w.slice(3);
  else if (w.startsWith('kn')) w = 'nn' + w.slice(2);
  else if (w.startsWith('k')) w = 'c' + w.slice(1);
  else if (w.startsWith('ph') || w.startsWith('pf')) w = 'ff' + w.slice(2);
  else if (w.startsWith('sch')) w = 'sss' + w.slice(3);
  // Suffixes
  if (w.endsWith('ee') || w.endsWith('ie')) w = w.slice(0, -2) + 'y';
  else if (/(dt|rt|rd|nt|nd)$/.test(w)) w = w.slice(0, -2) + 'd';
  const chars = w.split('');
  const first = chars[0]!;
  let key = first;
  for (let i = 1; i < chars.length; i++) {
    const c = chars[i]!;
    const next = chars[i + 1] ?? '';
    let rep: string;
    if (c === 'e' && next === 'v') {
      rep = 'af';
      chars[i + 1] = 'f';
    } else if (VOWELS.has(c)) rep = 'a';
    else if (c === 'q') rep = 'g';
    else if (c === 'z') rep = 's';
    else if (c === 'm') rep = 'n';
    else if (c === 'k') rep = next === 'n' ? 'n' : 'c';
    else if (c === 's' && next === 'c' && chars[i + 2] === 'h') {
      rep = 's';
      chars[i + 1] = 's';
      chars[i + 2] = 's';
    } else if (c === 'p' && next === 'h') {
      rep = 'f';
      chars[i + 1] = 'f';
    } else if (c === 'h' && (!VOWELS.has(chars[i - 1]!) || (next !== '' && !VOWELS.has(next)))) rep = chars[i - 1]!;
    else if (c === 'w' && VOWELS.has(chars[i - 1]!)) rep = chars[i - 1]!;
    else rep = c;
    chars[i] = rep.length === 1 ? rep : rep[rep.length - 1]!;
    for (const r of rep) if (r !== key[key.length - 1]) key += r;
  }
  if (key.length > 1 && key.endsWith('s')) key = key.slice(0, -1);
  if (key.endsWith('ay')) key = key.slice(0, -2) + 'y';
  if (key.length > 1 && key.endsWith('a')) key = key.slice(0, -1);
  return key.toUpperCase();
}
