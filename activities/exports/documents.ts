import ExcelJS from 'exceljs';
import { type Writable } from 'node:stream';
import { cellText } from './formats';
import { renderPdfReport, type ReportBranding, type ReportHeading } from './pdfReport';

export { PDF_LAYOUT, PDF_MAX_ROWS, pdfRowsPerPage, type ReportBranding, type ReportHeading } from './pdfReport';

/**
 * A format written in one pass from the staged rows (workbooks and PDFs cannot be concatenated
 * part by part): rows arrive as an async iterable, the document streams to `output`.
 */
export interface DocumentFormat {
  contentType: string;
  extension: string;
  /** `branding` and `heading` title the reports (PDF); spreadsheets carry the data alone. */
  render(
    columns: readonly string[],
    rows: AsyncIterable<Record<string, unknown>>,
    output: Writable,
    branding: ReportBranding,
    heading: ReportHeading,
  ): Promise<void>;
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

const pdf: DocumentFormat = {
  contentType: 'application/pdf',
  extension: 'pdf',
  render: renderPdfReport,
};

/** Formats rendered whole from staged NDJSON parts. */
export const documentFormats: Readonly<Record<string, DocumentFormat>> = { xlsx, pdf };
