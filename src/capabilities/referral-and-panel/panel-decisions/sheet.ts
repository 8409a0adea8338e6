// The outcome sheet (issue 6 point 6): one plain-English content model, drawn as an HTML page and
// as a tagged, accessible PDF (pdfkit: headings, paragraphs and the split table are structure
// elements; the language and title are set, and the title is shown instead of the file name).
import { createHash } from 'node:crypto';
import { taggedPdf, type PdfBlock } from '../../../platform/pdf.js';
import { formatShare, type PackageInput, unitsText } from '../../money/budgets/index.js';
import { formatPence } from '../../../platform/money.js';
import { longDate } from '../../../platform/dates.js';
import { isApproval, OUTCOMES, type Outcome } from './rules.js';

export interface SheetFacts {
  referralReference: string;
  childName: string;
  panelName: string;
  meetsOn: string;
  decidedOn: string;
  outcome: Outcome;
  reasons: string;
  administratorName: string;
  referrerName: string;
  /** The package's terms as the budgets set them up, and how the sheet names them. */
  package:
    | (Pick<PackageInput, 'service' | 'unitCostPence' | 'unitsX100' | 'frequency' | 'startsOn' | 'endsOn' | 'reviewOn' | 'split'> & {
        reference: string;
        /** The decision changed a package already in place, rather than setting up a new one. */
        changed: boolean;
        categoryName: string;
        providerName: string | null;
        /** Each partner's share of the cost over the first 12 months (or the package, if shorter). */
        firstYear: { partner: string; pence: number }[];
      })
    | null;
  partnerName: (id: string) => string;
}

export type Block = PdfBlock;

export interface SheetContent {
  title: string;
  blocks: Block[];
}

/** How the sheet and the decision page name the package: a new one, or a change to one in place. */
export const packageHeadline = (k: { reference: string; changed: boolean }) => (k.changed ? `Changed package ${k.reference}` : `New package ${k.reference}`);

/** What the sheet says, in order. Pure. */
export function sheetContent(f: SheetFacts): SheetContent {
  const title = `Panel decision for referral ${f.referralReference}`;
  const b: Block[] = [
    { kind: 'h1', text: title },
    {
      kind: 'p',
      text: `This is about ${f.childName}. The ${f.panelName} met on ${longDate(f.meetsOn)} and recorded its decision on ${longDate(f.decidedOn)}.`,
    },
    { kind: 'h2', text: 'The decision' },
    { kind: 'p', text: outcomeSentence(f.outcome) },
    { kind: 'h2', text: 'Why the panel decided this' },
    ...f.reasons
      .split(/\n\s*\n/)
      .map((t) => t.trim())
      .filter(Boolean)
      .map((text) => ({ kind: 'p' as const, text })),
  ];
  const k = f.package;
  if (k && isApproval(f.outcome)) {
    b.push(
      { kind: 'h2', text: 'The support agreed' },
      { kind: 'p', text: `${packageHeadline(k)}: ${k.service} (${k.categoryName}).` },
      ...(k.changed
        ? [{ kind: 'p' as const, text: 'This changes support that was already in place. Below are its terms as the panel has now agreed them.' }]
        : []),
      { kind: 'p', text: `Provided by ${k.providerName ?? 'a provider still to be chosen'}: ${unitsText(k.unitsX100, k.frequency, k.unitCostPence)}.` },
      {
        kind: 'p',
        text: k.endsOn
          ? `It starts on ${longDate(k.startsOn)} and ends on ${longDate(k.endsOn)}.`
          : `It starts on ${longDate(k.startsOn)} and carries on until it is reviewed.`,
      },
      { kind: 'h2', text: 'Who pays' },
      {
        kind: 'p',
        text: 'The cost is shared between the partners as shown below. The family does not wait while the partners settle any question about their shares.',
      },
      {
        kind: 'table',
        caption: 'Who pays what share, and when',
        head: ['When', 'Who pays', 'Share'],
        rows: k.split.flatMap((s) => {
          const when = s.to ? `${longDate(s.from)} to ${longDate(s.to)}` : `From ${longDate(s.from)}`;
          return s.shares.map((sh) => [when, f.partnerName(sh.partnerId), formatShare(sh.bp)]);
        }),
      },
      {
        kind: 'p',
        text: `Over the first 12 months that comes to ${k.firstYear.map((p) => `${formatPence(p.pence)} for ${p.partner}`).join(', ')}.`,
      },
      { kind: 'h2', text: 'Review' },
      {
        kind: 'p',
        text: k.reviewOn
          ? `The support will be reviewed on ${longDate(k.reviewOn)}.`
          : 'The panel has not set a review date yet; it will tell you when it does.',
      },
    );
  }
  b.push(
    { kind: 'h2', text: 'Questions, or if you disagree' },
    {
      kind: 'p',
      text: `If you have a question about this decision, contact ${f.administratorName}, who runs the panel, or ${f.referrerName}, who made the referral. If you disagree with the decision, tell them why: the panel will look at it again. A partner who disagrees with its share can raise a dispute; the support goes ahead while it is settled.`,
    },
  );
  return { title, blocks: b };
}

function outcomeSentence(o: Outcome): string {
  switch (o) {
    case 'approve':
      return 'The panel approved the support asked for.';
    case 'approve-with-changes':
      return 'The panel approved support, with changes to what was asked for. The changes are explained below.';
    case 'decline':
      return 'The panel did not agree to the support asked for.';
    case 'defer':
      return 'The panel has not decided yet. It will look at the referral again at a later meeting.';
    case 'refer-elsewhere':
      return 'The panel decided that another service is the right place for this. The reasons below say where.';
  }
}

export const outcomeName = (o: Outcome) => OUTCOMES[o];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The sheet as a standalone, accessible HTML document (what is stored and sent for the record). */
export function sheetHtml(c: SheetContent): string {
  const body = c.blocks
    .map((b) => {
      if (b.kind === 'table') {
        const head = b.head.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
        const rows = b.rows
          .map((r) => `<tr>${r.map((cell, i) => (i === 0 ? `<th scope="row">${esc(cell)}</th>` : `<td>${esc(cell)}</td>`)).join('')}</tr>`)
          .join('\n');
        return `<table>\n<caption>${esc(b.caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table>`;
      }
      return `<${b.kind}>${esc(b.text)}</${b.kind}>`;
    })
    .join('\n');
  return `<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n<title>${esc(c.title)}</title>\n</head>\n<body>\n<main>\n${body}\n</main>\n</body>\n</html>\n`;
}

/** The sheet as a tagged PDF: every heading, paragraph and table cell is in the structure tree. */
export function sheetPdf(c: SheetContent, opts: { createdOn: string }): Promise<Buffer> {
  return taggedPdf({ title: c.title, subject: 'Outcome of a multi-agency panel decision', createdOn: opts.createdOn }, c.blocks, {
    h1: 20,
    h2: 15,
    cell: 11,
    rowGap: 4,
    columns: (width) => [width * 0.5, width * 0.3, width * 0.2],
  });
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
