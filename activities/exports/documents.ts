import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import { type Writable } from 'node:stream';
import { cellText } from './formats';

/** Who the report is for: the tenant's name and white-label colours (PDF). */
export interface ReportBranding {
  title: string;
  companyName: string;
  primaryColor: string;
  secondaryColor: string;
}

/**
 * A format written in one pass from the staged rows (workbooks and PDFs cannot be concatenated
 * part by part): rows arrive as an async iterable, the document streams to `output`.
 */
export interface DocumentFormat {
  contentType: string;
  extension: string;
  render(columns: readonly string[], rows: AsyncIterable<Record<string, unknown>>, output: Writable, branding: ReportBranding): Promise<void>;
}

/** Excel's row limit per worksheet (header included); larger exports continue on another sheet. */
const XLSX_MAX_ROWS = 1_048_576;

function xlsxValue(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  const text = cellText(value);
  // A text cell is never a formula in XLSX (exceljs writes it as a string), so no escaping is needed.
  return text;
}

const xlsx: DocumentFormat = {
  contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  extension: 'xlsx',
  async render(columns, rows, output) {
    // exceljs's streaming writer commits each row as it goes: memory stays bounded.
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: false, useSharedStrings: false });
    let sheetNumber = 0;
    let sheet: ExcelJS.Worksheet | undefined;
    let sheetRows = 0;
    const newSheet = () => {
      sheet?.commit();
      sheetNumber += 1;
      sheet = workbook.addWorksheet(sheetNumber === 1 ? 'Export' : `Export ${sheetNumber}`);
      sheet.addRow([...columns]).commit();
      sheetRows = 1;
    };
    newSheet();
    for await (const row of rows) {
      if (sheetRows >= XLSX_MAX_ROWS) newSheet();
      sheet!.addRow(columns.map((column) => xlsxValue(row[column]))).commit();
      sheetRows += 1;
    }
    sheet!.commit();
    await workbook.commit();
  },
};

/** PDF page geometry (A4 landscape, points); exported so tests can predict the page count. */
export const PDF_LAYOUT = { width: 841.89, height: 595.28, margin: 36, titleHeight: 46, rowHeight: 14, footerHeight: 18 } as const;

/** Data rows on each page: everything between the title band, the header row and the footer. */
export function pdfRowsPerPage(): number {
  const usable = PDF_LAYOUT.height - 2 * PDF_LAYOUT.margin - PDF_LAYOUT.titleHeight - PDF_LAYOUT.footerHeight - PDF_LAYOUT.rowHeight;
  return Math.floor(usable / PDF_LAYOUT.rowHeight);
}

/** Largest export the PDF report accepts: it is a readable report, not a data dump (use CSV/XLSX). */
export const PDF_MAX_ROWS = 20_000;

const pdf: DocumentFormat = {
  contentType: 'application/pdf',
  extension: 'pdf',
  async render(columns, rows, output, branding) {
    const { width, height, margin, titleHeight, rowHeight } = PDF_LAYOUT;
    const doc = new PDFDocument({ size: [width, height], margin, autoFirstPage: false, info: { Title: branding.title, Author: branding.companyName } });
    const done = new Promise<void>((resolve, reject) => {
      output.on('finish', resolve);
      output.on('error', reject);
      doc.on('error', reject);
    });
    doc.pipe(output);
    const columnWidth = (width - 2 * margin) / columns.length;
    const perPage = pdfRowsPerPage();
    let page = 0;
    let onPage = perPage; // forces the first page
    let y = 0;
    const cellAt = (text: string, index: number, top: number) =>
      doc.text(text, margin + index * columnWidth + 3, top + 3, { width: columnWidth - 6, height: rowHeight - 2, lineBreak: false, ellipsis: true });

    const startPage = () => {
      doc.addPage();
      page += 1;
      doc.rect(0, 0, width, margin + titleHeight - 10).fill(branding.primaryColor);
      doc.fillColor('#ffffff').font('Helvetica-Bold').fontSize(16).text(branding.title, margin, margin - 14, { lineBreak: false });
      doc.font('Helvetica').fontSize(9).text(`${branding.companyName} · page ${page}`, margin, margin + 8, { lineBreak: false });
      y = margin + titleHeight;
      doc.rect(margin, y, width - 2 * margin, rowHeight).fill(branding.secondaryColor);
      doc.fillColor('#ffffff').font('Helvetica-Bold').fontSize(8);
      columns.forEach((column, index) => cellAt(column, index, y));
      y += rowHeight;
      doc.font('Helvetica').fontSize(7.5);
      onPage = 0;
    };

    let count = 0;
    for await (const row of rows) {
      if (onPage >= perPage) startPage();
      if (onPage % 2 === 1) doc.rect(margin, y, width - 2 * margin, rowHeight).fillOpacity(0.08).fill(branding.primaryColor).fillOpacity(1);
      doc.fillColor('#222222');
      columns.forEach((column, index) => cellAt(cellText(row[column]).replace(/\s+/g, ' '), index, y));
      y += rowHeight;
      onPage += 1;
      count += 1;
    }
    if (count === 0) {
      startPage();
      doc.fillColor('#222222').text('No rows.', margin, y + 4, { lineBreak: false });
    }
    doc.end();
    await done;
  },
};

/** Formats rendered whole from staged NDJSON parts. */
export const documentFormats: Readonly<Record<string, DocumentFormat>> = { xlsx, pdf };
