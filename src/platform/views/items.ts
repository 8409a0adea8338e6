// Items for GOV.UK components built from plain data: radios, selects and the pagination's page numbers.

export const radioItems = (table: Record<string, string>, selected: unknown, hints: Record<string, string> = {}) =>
  Object.entries(table).map(([value, text]) => ({ value, text, checked: value === selected, ...(hints[value] ? { hint: { text: hints[value] } } : {}) }));

export const yesNoItems = (selected: unknown) => [
  { value: 'yes', text: 'Yes', checked: selected === 'yes' },
  { value: 'no', text: 'No', checked: selected === 'no' },
];

/** Options for a select: an optional empty first choice, then the rows. */
export const selectItems = <T>(rows: T[], value: (r: T) => string, text: (r: T) => string, selected: unknown, empty?: string) => [
  ...(empty !== undefined ? [{ value: '', text: empty }] : []),
  ...rows.map((r) => ({ value: value(r), text: text(r), selected: value(r) === selected })),
];

/** Options for a select from rows whose value and text are two of their fields: an id and a name, a code and a label. */
export const fieldItems = <K extends string, T extends Record<K, string | number>>(rows: T[], value: K, text: K, selected: unknown, empty?: string) =>
  selectItems(
    rows,
    (r) => String(r[value]),
    (r) => String(r[text]),
    selected,
    empty,
  );

/** Page numbers for the GOV.UK pagination component: first, last, and around the current page. */
export function paginationItems(page: number, pages: number): (number | null)[] {
  const wanted = new Set([1, pages, page - 1, page, page + 1].filter((n) => n >= 1 && n <= pages));
  const sorted = [...wanted].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  for (const n of sorted) {
    const last = out.at(-1);
    if (typeof last === 'number' && n - last === 2) out.push(last + 1);
    else if (typeof last === 'number' && n - last > 2) out.push(null);
    out.push(n);
  }
  return out;
}
