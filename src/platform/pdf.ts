// Tagged, accessible PDFs (pdfkit): every heading, paragraph, table caption and cell is in the
// structure tree, the language is en-GB and the title is shown, so a screen reader reads the
// document as it reads the page. Used for the panel's outcome sheets and the needs assessment.
import PDFDocument from 'pdfkit';

/** What a document is made of: headings, paragraphs and tables whose first column heads its row. */
export type PdfBlock = { kind: 'h1' | 'h2' | 'p'; text: string } | { kind: 'table'; caption: string; head: string[]; rows: string[][] };

export interface PdfLook {
  /** Font sizes of the two heading levels. */
  h1: number;
  h2: number;
  /** Font size in table cells, and the space after a row. */
  cell: number;
  rowGap: number;
  /** The widths of a table's columns, given the text width and the table's header. */
  columns: (width: number, head: readonly string[]) => number[];
}

const MARGIN = 56;

export function taggedPdf(meta: { title: string; subject: string; createdOn: string }, blocks: readonly PdfBlock[], look: PdfLook): Promise<Buffer> {
  const created = new Date(`${meta.createdOn}T12:00:00Z`);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    pdfVersion: '1.5',
    tagged: true,
    lang: 'en-GB',
    displayTitle: true,
    info: { Title: meta.title, Author: 'Jointly', Subject: meta.subject, CreationDate: created, ModDate: created },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (d: Buffer) => chunks.push(d));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const root = doc.struct('Document');
  doc.addStructure(root);
  const width = doc.page.width - 2 * MARGIN;
  for (const b of blocks) {
    if (b.kind === 'table') {
      const cols = look.columns(width, b.head);
      const table = doc.struct('Table');
      root.add(table);
      table.add(doc.struct('Caption', {}, () => void doc.font('Helvetica-Bold').fontSize(11).text(b.caption, { width })));
      doc.moveDown(0.3);
      const row = (cells: string[], header: boolean) => {
        if (doc.y > doc.page.height - 100) doc.addPage();
        const y = doc.y;
        const tr = doc.struct('TR');
        table.add(tr);
        let x = MARGIN;
        let bottom = y;
        cells.forEach((cell, i) => {
          tr.add(
            doc.struct(header || i === 0 ? 'TH' : 'TD', {}, () => {
              doc
                .font(header ? 'Helvetica-Bold' : 'Helvetica')
                .fontSize(look.cell)
                .text(cell, x, y, { width: cols[i]! - 8 });
              bottom = Math.max(bottom, doc.y);
            }),
          );
          x += cols[i]!;
        });
        tr.end();
        doc.x = MARGIN;
        doc.y = bottom + look.rowGap;
      };
      row(b.head, true);
      for (const r of b.rows) row(r, false);
      table.end();
      doc.moveDown(0.6);
      continue;
    }
    const style =
      b.kind === 'h1'
        ? { font: 'Helvetica-Bold', size: look.h1 }
        : b.kind === 'h2'
          ? { font: 'Helvetica-Bold', size: look.h2 }
          : { font: 'Helvetica', size: 11 };
    if (b.kind === 'h2') doc.moveDown(0.5);
    root.add(
      doc.struct(b.kind === 'h1' ? 'H1' : b.kind === 'h2' ? 'H2' : 'P', {}, () => void doc.font(style.font).fontSize(style.size).text(b.text, { width })),
    );
    doc.moveDown(b.kind === 'p' ? 0.5 : 0.3);
  }
  root.end();
  doc.end();
  return done;
}
