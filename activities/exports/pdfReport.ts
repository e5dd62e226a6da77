import PDFDocument from 'pdfkit';
import { type Writable } from 'node:stream';
import { cellText } from './formats';

/** Who the report is for: the tenant's name and white-label colours. */
export interface ReportBranding {
  title: string;
  companyName: string;
  primaryColor: string;
  secondaryColor: string;
}

/** What the report's heading states besides its title, and the order of its rows. */
export interface ReportHeading {
  generatedAt: Date;
  /** The export's filter as requested (empty: all rows). */
  filters: object;
  /** Columns the rows are sorted by, most significant first (empty: as staged). */
  sortBy: readonly string[];
}

/** PDF page geometry (A4 landscape, points); exported so tests can predict the page count. */
export const PDF_LAYOUT = { width: 841.89, height: 595.28, margin: 36, titleHeight: 46, rowHeight: 14, footerHeight: 18 } as const;

/** Data rows on each page when every row fits on one line: between the title band, the header row and the footer. */
export function pdfRowsPerPage(): number {
  const usable = PDF_LAYOUT.height - 2 * PDF_LAYOUT.margin - PDF_LAYOUT.titleHeight - PDF_LAYOUT.footerHeight - PDF_LAYOUT.rowHeight;
  return Math.floor(usable / PDF_LAYOUT.rowHeight);
}

/** Largest export the PDF report accepts: it is a readable report, not a data dump (use CSV/XLSX). */
export const PDF_MAX_ROWS = 20_000;

const BODY_FONT_SIZE = 7.5;
const HEADER_FONT_SIZE = 8;
/** The smallest body text a wide dataset is shrunk to before long cells wrap. */
const MIN_FONT_SIZE = 5;
const CELL_PADDING = 3;
/** A column whose longest cell is narrower than this is never cut nor wrapped (ids, timestamps, hashes). */
const WHOLE_COLUMN_MAX = 280;
/** Width a free-text column (JSON, notes) keeps at least; its cells wrap onto up to MAX_LINES lines, then are cut. */
const MIN_FREE_TEXT_WIDTH = 90;
const MAX_LINES = 3;

type Doc = InstanceType<typeof PDFDocument>;

interface ColumnLayout {
  width: number;
  /** Cells never wrap (they fit); free-text columns wrap and are cut after MAX_LINES lines. */
  whole: boolean;
}

/**
 * Sizes the columns to their content: every column whose longest cell fits in WHOLE_COLUMN_MAX
 * gets that width, so ids and timestamps are never cut; the text shrinks (down to MIN_FONT_SIZE)
 * when those do not fit the page, and the widest of them wrap when even that is not enough.
 * Wrapped (free-text) columns get room for their longest cell on MAX_LINES lines where the page
 * allows, and the spare width.
 */
function layoutColumns(doc: Doc, columns: readonly string[], rows: readonly string[][], usable: number): { fontSize: number; layout: ColumnLayout[] } {
  const padding = 2 * CELL_PADDING + 1;
  const minFree = Math.min(MIN_FREE_TEXT_WIDTH, usable / columns.length);
  // Text widths at full size; header and body shrink by the same factor.
  const content = columns.map((column, index) => {
    doc.font('Helvetica-Bold').fontSize(HEADER_FONT_SIZE);
    let widest = doc.widthOfString(column);
    doc.font('Helvetica').fontSize(BODY_FONT_SIZE);
    for (const row of rows) widest = Math.max(widest, doc.widthOfString(row[index]!));
    return widest;
  });
  const whole = content.map((width) => width + padding <= WHOLE_COLUMN_MAX);
  // A wrapped column needs what shows its longest cell on MAX_LINES lines (with slack for where
  // lines break), or at least minFree.
  const wrappedAt = (width: number, scale: number) => Math.max(minFree, (width * scale * 1.2) / MAX_LINES + padding);
  const widthsAt = (scale: number) => content.map((width, index) => (whole[index] ? width * scale + padding : wrappedAt(width, scale)));
  const neededAt = (scale: number) => widthsAt(scale).reduce((sum, width) => sum + width, 0);
  const minScale = MIN_FONT_SIZE / BODY_FONT_SIZE;
  while (neededAt(minScale) > usable && whole.some(Boolean)) {
    const widest = content.reduce((best, width, index) => (whole[index] && (best < 0 || width > content[best]!) ? index : best), -1);
    whole[widest] = false;
  }
  // The largest text size (at most the full one) at which everything fits.
  let scale = 1;
  if (neededAt(1) > usable) {
    let low = minScale;
    let high = 1;
    for (let step = 0; step < 24; step += 1) {
      const middle = (low + high) / 2;
      if (neededAt(middle) <= usable) low = middle;
      else high = middle;
    }
    scale = low;
  }
  const widths = widthsAt(scale);
  const spare = Math.max(0, usable - widths.reduce((sum, width) => sum + width, 0));
  // Spare width goes to the wrapped columns by content width, or to all columns when none wraps.
  const receivers = whole.includes(false) ? content.map((width, index) => (whole[index] ? 0 : width)) : widths;
  const receiving = receivers.reduce((sum, width) => sum + width, 0);
  const layout = widths.map((width, index): ColumnLayout => ({
    width: width + (receiving === 0 ? 0 : (spare * receivers[index]!) / receiving),
    whole: whole[index]!,
  }));
  return { fontSize: BODY_FONT_SIZE * scale, layout };
}

function compareRows(sortBy: readonly number[]) {
  return (a: string[], b: string[]) => {
    for (const index of sortBy) {
      const order = a[index]!.localeCompare(b[index]!, 'en', { numeric: true, sensitivity: 'base' });
      if (order !== 0) return order;
    }
    return 0;
  };
}

function describeFilters(filters: object | undefined): string {
  const set = Object.entries(filters ?? {}).filter(([, value]) => value !== undefined && value !== null && value !== '');
  return set.length === 0 ? 'none' : set.map(([name, value]) => `${name} = ${String(value)}`).join(', ');
}

/**
 * The branded PDF report: a title band with the generation time, the filters and the row count;
 * columns sized to their content; rows in the dataset's report order; "page x of y" on every page.
 * Rows are held in memory to size the columns and number the pages (at most PDF_MAX_ROWS).
 */
export async function renderPdfReport(
  columns: readonly string[],
  source: AsyncIterable<Record<string, unknown>>,
  output: Writable,
  branding: ReportBranding,
  heading: ReportHeading,
): Promise<void> {
  const { width, height, margin, titleHeight, rowHeight, footerHeight } = PDF_LAYOUT;
  const rows: string[][] = [];
  for await (const row of source) rows.push(columns.map((column) => cellText(row[column]).replace(/\s+/g, ' ')));
  const sortBy = heading.sortBy.map((column) => columns.indexOf(column)).filter((index) => index >= 0);
  if (sortBy.length > 0) rows.sort(compareRows(sortBy));

  const doc = new PDFDocument({
    size: [width, height],
    margin,
    autoFirstPage: false,
    bufferPages: true,
    info: { Title: branding.title, Author: branding.companyName },
  });
  const done = new Promise<void>((resolve, reject) => {
    output.on('finish', resolve);
    output.on('error', reject);
    doc.on('error', reject);
  });
  doc.pipe(output);

  const usable = width - 2 * margin;
  const { fontSize, layout } = layoutColumns(doc, columns, rows, usable);
  const lineHeight = doc.font('Helvetica').fontSize(fontSize).currentLineHeight(true);
  const bottom = height - margin - footerHeight;
  const generated = heading.generatedAt
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  const subtitle = `Generated ${generated} · filters: ${describeFilters(heading.filters)} · ${rows.length.toLocaleString('en')} row${rows.length === 1 ? '' : 's'}${heading.sortBy.length > 0 ? ` · sorted by ${heading.sortBy.join(', ')}` : ''}`;
  let y = 0;

  const cellOptions = (column: ColumnLayout, lines: number) => ({
    width: column.width - 2 * CELL_PADDING,
    height: lines * lineHeight + 1,
    lineBreak: !column.whole,
    ellipsis: !column.whole,
  });
  const drawRow = (cells: readonly string[], top: number, lines: number) => {
    let x = margin;
    cells.forEach((text, index) => {
      const column = layout[index]!;
      doc.text(text, x + CELL_PADDING, top + CELL_PADDING, cellOptions(column, lines));
      x += column.width;
    });
  };
  const linesOf = (cells: readonly string[]) => {
    let lines = 1;
    cells.forEach((text, index) => {
      const column = layout[index]!;
      if (column.whole) return;
      const needed = Math.round(doc.heightOfString(text, { width: column.width - 2 * CELL_PADDING }) / lineHeight);
      lines = Math.max(lines, Math.min(MAX_LINES, needed));
    });
    return lines;
  };

  const startPage = () => {
    doc.addPage();
    doc.rect(0, 0, width, margin + titleHeight - 10).fill(branding.primaryColor);
    doc
      .fillColor('#ffffff')
      .font('Helvetica-Bold')
      .fontSize(16)
      .text(branding.title, margin, margin - 14, { lineBreak: false });
    doc
      .font('Helvetica')
      .fontSize(9)
      .text(subtitle, margin, margin + 8, { lineBreak: false });
    y = margin + titleHeight;
    doc.rect(margin, y, usable, rowHeight).fill(branding.secondaryColor);
    doc
      .fillColor('#ffffff')
      .font('Helvetica-Bold')
      .fontSize(HEADER_FONT_SIZE * (fontSize / BODY_FONT_SIZE));
    drawRow(columns, y, 1);
    y += rowHeight;
    doc.font('Helvetica').fontSize(fontSize);
  };

  startPage();
  let onPage = 0;
  for (const cells of rows) {
    const lines = linesOf(cells);
    const rowTall = rowHeight + (lines - 1) * lineHeight;
    if (y + rowTall > bottom + 0.01) {
      startPage();
      onPage = 0;
    }
    if (onPage % 2 === 1) doc.rect(margin, y, usable, rowTall).fillOpacity(0.08).fill(branding.primaryColor).fillOpacity(1);
    doc.fillColor('#222222');
    drawRow(cells, y, lines);
    y += rowTall;
    onPage += 1;
  }
  if (rows.length === 0) doc.fillColor('#222222').text('No rows.', margin, y + 4, { lineBreak: false });

  const range = doc.bufferedPageRange();
  for (let index = 0; index < range.count; index += 1) {
    doc.switchToPage(range.start + index);
    doc.fillColor('#555555').font('Helvetica').fontSize(8);
    // Below the bottom margin: pdfkit would otherwise start a new page for the footer.
    const footerTop = height - margin - footerHeight + 6;
    doc.text(`${branding.companyName} · page ${index + 1} of ${range.count}`, margin, footerTop, { width: usable, align: 'right', lineBreak: false });
  }
  doc.end();
  await done;
}
