import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { createInterface } from 'node:readline';
import { type Readable } from 'node:stream';
import { checkXlsxPackage } from '../imports/readTabularRows';

/** One record of an uploaded file, with the line it came from (1 = first line). */
export interface FileRecord {
  line: number;
  record: Record<string, unknown>;
}

/** Thrown when a file cannot be read as the format it claims (garbage, wrong headers, bad encoding). */
export class UnreadableFileError extends Error {}

/** Bounds of an XLSX sheet: a decompression bomb stops here instead of exhausting the worker. */
export const XLSX_LIMITS = { rows: 2_000_000, columns: 200, cellChars: 32_767 } as const;

/**
 * Streams the records of an uploaded CSV (header row, csv-parse), NDJSON or XLSX (first sheet,
 * header row; exceljs streaming reader) file without loading it whole: XLSX or NDJSON when the
 * name or content type says so, CSV otherwise. Invalid UTF-8 and NUL bytes are refused (binary
 * garbage is not a CSV). With `localPath` (the local file store), an XLSX package's central directory
 * is checked before anything is inflated, as for user imports: zip bombs are refused.
 */
export async function* readRecordFile(source: Readable, file: { name: string; contentType: string; localPath?: string }): AsyncGenerator<FileRecord> {
  if (/spreadsheetml|ms-excel/i.test(file.contentType) || /\.xlsx$/i.test(file.name)) {
    if (file.localPath) {
      try {
        await checkXlsxPackage(file.localPath);
      } catch (error) {
        source.destroy();
        throw new UnreadableFileError((error as Error).message);
      }
    }
    yield* readXlsx(source);
    return;
  }
  const ndjson = /ndjson|jsonl|x-ndjson/i.test(file.contentType) || /\.(ndjson|jsonl)$/i.test(file.name);
  const decoded = source.setEncoding('utf8');
  if (ndjson) {
    let line = 0;
    for await (const text of createInterface({ input: decoded, crlfDelay: Infinity })) {
      line += 1;
      assertText(text as string, line);
      if ((text as string).trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(text as string);
      } catch {
        throw new UnreadableFileError(`line ${line}: not a JSON object`);
      }
      if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new UnreadableFileError(`line ${line}: not a JSON object`);
      yield { line, record: record as Record<string, unknown> };
    }
    return;
  }
  const parser = decoded.pipe(parse({ columns: (header: string[]) => header.map((name) => name.trim()), bom: true, skip_empty_lines: true, trim: true, info: true, relax_column_count: false }));
  try {
    for await (const row of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      for (const value of Object.values(row.record)) assertText(value, row.info.lines);
      yield { line: row.info.lines, record: row.record };
    }
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(`not a readable CSV file: ${(error as Error).message}`);
  }
}

function assertText(text: string, line: number): void {
  if (text.includes('\uFFFD') || text.includes('\u0000')) throw new UnreadableFileError(`line ${line}: the file is not UTF-8 text`);
}

async function* readXlsx(source: Readable): AsyncGenerator<FileRecord> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', worksheets: 'emit', entries: 'ignore' });
  let header: string[] | null = null;
  try {
    for await (const worksheet of reader) {
      for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
        if (row.number > XLSX_LIMITS.rows) throw new UnreadableFileError(`the sheet has more than ${XLSX_LIMITS.rows} rows`);
        const values = (Array.isArray(row.values) ? row.values.slice(1) : []).map(cellText);
        if (values.length > XLSX_LIMITS.columns) throw new UnreadableFileError(`row ${row.number} has more than ${XLSX_LIMITS.columns} columns`);
        if (!header) {
          header = values.map((value) => value.trim());
          continue;
        }
        if (values.every((value) => value === '')) continue;
        yield { line: row.number, record: Object.fromEntries(header.map((name, index) => [name, values[index] ?? ''])) };
      }
      break; // the first sheet only
    }
  } catch (error) {
    if (error instanceof UnreadableFileError) throw error;
    throw new UnreadableFileError(`not a readable XLSX file: ${(error as Error).message}`);
  }
  if (!header) throw new UnreadableFileError('the XLSX file has no header row');
}

/** A cell as text: rich text joined, formulas by their result, dates as ISO 8601. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const cell = value as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown; error?: string };
    if (cell.richText) return cell.richText.map((part) => part.text).join('');
    if (cell.text !== undefined) return cellText(cell.text);
    if (cell.result !== undefined) return cellText(cell.result);
    if (cell.error) return '';
  }
  const text = String(value);
  if (text.length > XLSX_LIMITS.cellChars) throw new UnreadableFileError(`a cell is longer than ${XLSX_LIMITS.cellChars} characters`);
  return text;
}
