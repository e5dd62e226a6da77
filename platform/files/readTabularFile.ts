import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { Transform, type Readable } from 'node:stream';
import unzipper from 'unzipper';
import { TemporaryCopyTooLargeError, withTemporaryCopy } from './temporaryCopy';

/** The formats the reader knows: CSV and XLSX are tables with a header row; NDJSON is one JSON object a line. */
export type TabularFormat = 'csv' | 'xlsx' | 'ndjson';

/** A file to read: how to stream its bytes and, when the store keeps files on disk, where it is. */
export interface TabularFile {
  name: string;
  contentType: string;
  open(): Readable;
  /** The file on local disk; without it an XLSX workbook is first copied to a temporary file. */
  localPath?: string;
}

/** One record: its line (CSV/NDJSON line, spreadsheet row number; 1 = first) and its values by column. */
export interface TabularRow<Value = unknown> {
  line: number;
  record: Record<string, Value>;
}

/** Bounds that keep a hostile or mistaken file from exhausting the worker. */
export interface TabularLimits {
  /** Data rows (CSV, XLSX) or records (NDJSON), blank ones not counted. */
  maxRows: number;
  /** Columns of the header row. */
  maxColumns: number;
  /** Characters of one cell (Excel's own limit). */
  maxCellChars: number;
  /** Characters of one CSV record or NDJSON line (also bounds an unterminated quote). */
  maxLineChars: number;
  /** Largest total uncompressed size of an XLSX package. */
  maxXlsxUncompressedBytes: number;
  /** Largest XLSX file copied to local disk to be read, when the store keeps no local files (S3). */
  maxXlsxCopyBytes: number;
  /** Largest compression ratio of one XLSX entry bigger than 1 MiB (zip bombs compress ~1000:1). */
  maxXlsxEntryRatio: number;
}

/** The one set of limits for user imports, migrations and batch scans. */
export const TABULAR_LIMITS: TabularLimits = {
  maxRows: 2_000_000,
  maxColumns: 100,
  maxCellChars: 32_767,
  maxLineChars: 4 * 1024 * 1024,
  maxXlsxUncompressedBytes: 1024 * 1024 * 1024,
  maxXlsxCopyBytes: 512 * 1024 * 1024,
  maxXlsxEntryRatio: 200,
};

/** Why a file cannot be read: each caller maps these to its own failure. */
export type TabularErrorCode =
  | 'UTF16'
  | 'BINARY'
  | 'INVALID_UTF8'
  | 'EMPTY'
  | 'MISSING_COLUMNS'
  | 'DUPLICATE_COLUMN'
  | 'UNNAMED_COLUMN'
  | 'TOO_MANY_COLUMNS'
  | 'TOO_MANY_ROWS'
  | 'CELL_TOO_LONG'
  | 'LINE_TOO_LONG'
  | 'RAGGED_ROW'
  | 'INVALID_CSV'
  | 'INVALID_JSON'
  | 'NOT_XLSX'
  | 'ZIP_BOMB'
  | 'XLSX_TOO_LARGE'
  | 'UNREADABLE_XLSX';

/** The whole file is unusable. `message` is written for the person who uploaded it. */
export class TabularFileError extends Error {
  override readonly name = 'TabularFileError';

  constructor(
    readonly code: TabularErrorCode,
    message: string,
    /** Where it went wrong, when one place did: line (CSV/NDJSON) or row (XLSX), and 1-based column. */
    readonly at: { line?: number; column?: number } = {},
  ) {
    super(message);
  }
}

export interface TabularReadOptions {
  /** The format; by default {@link tabularFormatOf} the file. */
  format?: TabularFormat;
  /** Columns the header row must name (case-insensitive); their values are keyed by these spellings. CSV and XLSX only. */
  requiredColumns?: readonly string[];
  limits?: TabularLimits;
}

const XLSX_CONTENT_TYPES = /spreadsheetml|^application\/zip\b/i;
const NDJSON_CONTENT_TYPES = /ndjson|jsonl/i;

/** The format a file claims by content type or name: XLSX (or a zip), NDJSON/JSONL, else CSV. */
export function tabularFormatOf(file: { name: string; contentType: string }): TabularFormat {
  if (XLSX_CONTENT_TYPES.test(file.contentType) || /\.xlsx$/i.test(file.name)) return 'xlsx';
  if (NDJSON_CONTENT_TYPES.test(file.contentType) || /\.(ndjson|jsonl)$/i.test(file.name)) return 'ndjson';
  return 'csv';
}

/**
 * Streams the records of an uploaded CSV (csv-parse), XLSX (first worksheet, exceljs streaming
 * reader) or NDJSON file without loading it whole. The rules are the same for every caller (user
 * imports, migrations, batch scans); anything that makes the whole file unusable throws a
 * {@link TabularFileError}, while checking the values of a row is the caller's business.
 *
 * - Text (CSV, NDJSON) must be UTF-8: a UTF-8 BOM is dropped; UTF-16 (with or without BOM), NUL
 *   bytes (binary content), invalid UTF-8 and a file ending inside a sequence are refused.
 *   A 0-byte file is refused.
 * - XLSX: the package's central directory is checked before anything is inflated (not a zip, no
 *   worksheet, an entry over 1 MiB expanding more than `maxXlsxEntryRatio`:1, more than
 *   `maxXlsxUncompressedBytes` in total: refused). Cells are text: rich text joined, hyperlinks by
 *   their text, formulas by their result, dates as ISO 8601, error values (`#N/A`) blank.
 * - Header row (CSV, XLSX): the first non-blank row; names are trimmed; at most `maxColumns`; no
 *   name twice (case-insensitive); every `requiredColumns` entry present (case-insensitive). Values
 *   of required columns are keyed by the required spelling, the others by the header as written.
 * - Data rows: cells are trimmed; a row whose cells are all blank is skipped; a cell has at most
 *   `maxCellChars` characters; a CSV row has exactly as many cells as the header (XLSX rows may omit
 *   trailing blank cells, but a value beyond the header is refused); a value under a column without
 *   a name is refused; at most `maxRows` rows.
 * - NDJSON: every non-blank line is one JSON object of at most `maxLineChars` characters; at most
 *   `maxRows` records.
 */
export function readTabularFile(file: TabularFile, options: TabularReadOptions & { format: 'csv' | 'xlsx' }): AsyncGenerator<TabularRow<string>>;
export function readTabularFile(file: TabularFile, options?: TabularReadOptions): AsyncGenerator<TabularRow>;
export async function* readTabularFile(file: TabularFile, options: TabularReadOptions = {}): AsyncGenerator<TabularRow> {
  const format = options.format ?? tabularFormatOf(file);
  const limits = options.limits ?? TABULAR_LIMITS;
  const required = options.requiredColumns ?? [];
  if (format === 'csv') {
    yield* readCsv(file.open(), required, limits);
    return;
  }
  if (format === 'ndjson') {
    yield* readNdjson(file.open(), limits);
    return;
  }
  if (file.localPath) {
    yield* readXlsx(file.localPath, required, limits);
    return;
  }
  // The central-directory check needs random access: stores without local files (S3) give a
  // temporary copy, bounded so that no file can fill the disk, deleted once the rows are read.
  try {
    yield* withTemporaryCopy(file.open(), { maxBytes: limits.maxXlsxCopyBytes, suffix: '.xlsx' }, (copy) => readXlsx(copy, required, limits));
  } catch (error) {
    if (error instanceof TemporaryCopyTooLargeError)
      throw new TabularFileError('XLSX_TOO_LARGE', `The workbook is larger than ${limits.maxXlsxCopyBytes} bytes; at most that much is read`);
    throw error;
  }
}

const saveAs = (format: 'csv' | 'ndjson') => (format === 'csv' ? 'save it as UTF-8 CSV' : 'save it as UTF-8 text');

/** Strict UTF-8 decoding of a byte stream into text; counts the bytes it saw. */
class StrictUtf8 extends Transform {
  bytes = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly format: 'csv' | 'ndjson') {
    super({ readableObjectMode: false });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, text?: string) => void): void {
    if (this.bytes === 0 && looksLikeUtf16(chunk)) {
      callback(new TabularFileError('UTF16', `The file is UTF-16 encoded; ${saveAs(this.format)}`));
      return;
    }
    const nul = chunk.indexOf(0);
    if (nul >= 0) {
      callback(
        new TabularFileError(
          'BINARY',
          `The file is not text (binary content at byte ${this.bytes + nul}); upload a UTF-8 ${this.format === 'csv' ? 'CSV' : 'NDJSON file'} or an XLSX workbook`,
        ),
      );
      return;
    }
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      callback(new TabularFileError('INVALID_UTF8', `The file is not valid UTF-8 (near byte ${this.bytes}); ${saveAs(this.format)}`));
      return;
    }
    this.bytes += chunk.length;
    callback(null, text);
  }

  override _flush(callback: (error?: Error | null, text?: string) => void): void {
    try {
      callback(null, this.decoder.decode());
    } catch {
      callback(new TabularFileError('INVALID_UTF8', `The file ends inside a UTF-8 sequence; ${saveAs(this.format)}`));
    }
  }
}

/** A UTF-16 BOM, or ASCII text in UTF-16 without one (every other byte NUL). */
function looksLikeUtf16(head: Buffer): boolean {
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) return true;
  if (head.length < 4) return false;
  const little = head[0] !== 0 && head[1] === 0 && head[2] !== 0 && head[3] === 0;
  const big = head[0] === 0 && head[1] !== 0 && head[2] === 0 && head[3] !== 0;
  return little || big;
}

/** Decodes `source` strictly; the decoder's failure wins over what the consumer makes of the text. */
function decodeStrictly(source: Readable, format: 'csv' | 'ndjson'): StrictUtf8 {
  const decoded = new StrictUtf8(format);
  source.on('error', (error) => decoded.destroy(error));
  source.pipe(decoded);
  return decoded;
}

/** The header row's shape: the record key of each column (undefined: a column without a name). */
interface Header {
  keys: Array<string | undefined>;
}

function headerOf(names: string[], required: readonly string[], limits: TabularLimits): Header {
  const trimmed = names.map((name) => name.trim());
  if (trimmed.length > limits.maxColumns)
    throw new TabularFileError('TOO_MANY_COLUMNS', `The file has ${trimmed.length} columns; at most ${limits.maxColumns} are allowed`);
  const folded = trimmed.map((name) => name.toLowerCase());
  const missing = required.filter((column) => !folded.includes(column.toLowerCase()));
  if (missing.length > 0) {
    throw new TabularFileError(
      'MISSING_COLUMNS',
      `Wrong headers: the first row must name the columns ${required.join(', ')}; missing ${missing.join(', ')} (found: ${trimmed.filter(Boolean).join(', ') || 'none'})`,
    );
  }
  const duplicate = folded.findIndex((name, index) => name !== '' && folded.indexOf(name) !== index);
  if (duplicate >= 0) throw new TabularFileError('DUPLICATE_COLUMN', `Wrong headers: column "${trimmed[duplicate]}" appears twice`, { column: duplicate + 1 });
  return { keys: trimmed.map((name, index) => (name === '' ? undefined : (required.find((column) => column.toLowerCase() === folded[index]) ?? name))) };
}

/** A data row's record by header; undefined when the row is blank (skipped). */
function recordOf(cells: string[], header: Header, limits: TabularLimits, where: string, line: number): Record<string, string> | undefined {
  const texts = cells.map((cell) => cell.trim());
  if (texts.every((text) => text === '')) return undefined;
  const record: Record<string, string> = {};
  texts.forEach((text, index) => {
    if (text.length > limits.maxCellChars)
      throw new TabularFileError('CELL_TOO_LONG', `${where}, column ${index + 1}: a cell is longer than ${limits.maxCellChars} characters`, {
        line,
        column: index + 1,
      });
    if (index >= header.keys.length) {
      if (text !== '')
        throw new TabularFileError('RAGGED_ROW', `${where} has a value in column ${index + 1}, beyond the ${header.keys.length} columns of the header row`, {
          line,
          column: index + 1,
        });
      return;
    }
    const key = header.keys[index];
    if (key !== undefined) record[key] = text;
    else if (text !== '')
      throw new TabularFileError('UNNAMED_COLUMN', `${where} has a value in column ${index + 1}, which has no name in the header row`, {
        line,
        column: index + 1,
      });
  });
  for (const key of header.keys) if (key !== undefined && !(key in record)) record[key] = '';
  return record;
}

async function* readCsv(source: Readable, required: readonly string[], limits: TabularLimits): AsyncGenerator<TabularRow<string>> {
  const decoded = decodeStrictly(source, 'csv');
  let decodeFailure: Error | undefined;
  const parser = parse({ bom: true, info: true, skip_empty_lines: true, relax_column_count: true, max_record_size: limits.maxLineChars });
  decoded.on('error', (error) => {
    decodeFailure = error;
    parser.destroy(error);
  });
  decoded.pipe(parser);
  let header: Header | undefined;
  let rows = 0;
  try {
    for await (const { record: cells, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const where = `Line ${info.lines}`;
      if (cells.every((cell) => cell.trim() === '')) continue;
      if (!header) {
        header = headerOf(cells, required, limits);
        continue;
      }
      if (cells.length !== header.keys.length) {
        throw new TabularFileError('RAGGED_ROW', `${where} has ${cells.length} cells; the header row has ${header.keys.length}`, { line: info.lines });
      }
      const record = recordOf(cells, header, limits, where, info.lines);
      if (!record) continue;
      rows += 1;
      if (rows > limits.maxRows) throw new TabularFileError('TOO_MANY_ROWS', `The file has more than ${limits.maxRows} rows`, { line: info.lines });
      yield { line: info.lines, record };
    }
  } catch (error) {
    if (decodeFailure) throw decodeFailure;
    if (error instanceof TabularFileError) throw error;
    const { code, lines } = error as { code?: string; lines?: unknown };
    const at = typeof lines === 'number' ? { line: lines } : {};
    if (code === 'CSV_MAX_RECORD_SIZE') throw new TabularFileError('LINE_TOO_LONG', `A line of the file is longer than ${limits.maxLineChars} characters`, at);
    if (code?.startsWith('CSV_')) throw new TabularFileError('INVALID_CSV', `The file is not valid CSV: ${(error as Error).message}`, at);
    throw error;
  } finally {
    source.destroy();
    decoded.destroy();
  }
  if (decodeFailure) throw decodeFailure;
  if (decoded.bytes === 0) throw new TabularFileError('EMPTY', 'The file is empty (0 bytes)');
  if (!header) throw new TabularFileError('EMPTY', 'The file is empty (no header row)');
}

/** The lines of decoded text, none longer than `maxChars` (a line is never buffered beyond that). */
async function* linesOf(text: AsyncIterable<string>, maxChars: number): AsyncGenerator<string> {
  let pending = '';
  let line = 0;
  for await (const chunk of text) {
    pending += chunk;
    let start = 0;
    let end: number;
    while ((end = pending.indexOf('\n', start)) >= 0) {
      line += 1;
      if (end - start > maxChars) throw new TabularFileError('LINE_TOO_LONG', `Line ${line} is longer than ${maxChars} characters`, { line });
      const current = pending.slice(start, end);
      yield current.endsWith('\r') ? current.slice(0, -1) : current;
      start = end + 1;
    }
    pending = pending.slice(start);
    if (pending.length > maxChars) throw new TabularFileError('LINE_TOO_LONG', `Line ${line + 1} is longer than ${maxChars} characters`, { line: line + 1 });
  }
  if (pending !== '') yield pending.endsWith('\r') ? pending.slice(0, -1) : pending;
}

async function* readNdjson(source: Readable, limits: TabularLimits): AsyncGenerator<TabularRow> {
  const decoded = decodeStrictly(source, 'ndjson');
  decoded.setEncoding('utf8');
  let line = 0;
  let rows = 0;
  try {
    for await (const text of linesOf(decoded as AsyncIterable<string>, limits.maxLineChars)) {
      line += 1;
      if (text.trim() === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch {
        record = undefined;
      }
      if (record === null || typeof record !== 'object' || Array.isArray(record))
        throw new TabularFileError('INVALID_JSON', `Line ${line} is not a JSON object`, { line });
      rows += 1;
      if (rows > limits.maxRows) throw new TabularFileError('TOO_MANY_ROWS', `The file has more than ${limits.maxRows} records`, { line });
      yield { line, record: record as Record<string, unknown> };
    }
  } finally {
    source.destroy();
    decoded.destroy();
  }
  if (decoded.bytes === 0) throw new TabularFileError('EMPTY', 'The file is empty (0 bytes)');
}

/** Text of a spreadsheet cell (see {@link readTabularFile}). */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object') return '';
  const cell = value as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown; error?: unknown };
  if (Array.isArray(cell.richText)) return cell.richText.map((part) => part.text).join('');
  if (cell.text !== undefined) return cellText(cell.text);
  if ('result' in cell) return cellText(cell.result);
  return ''; // error values (#N/A, #REF!) and formulas without a cached result
}

/**
 * Refuses zip bombs before any inflating: reads the package's central directory (unzipper) and
 * checks declared sizes and ratios; also refuses a file that is not a zip or has no worksheet.
 */
async function checkXlsxPackage(localPath: string, limits: TabularLimits): Promise<void> {
  let directory: { files: Array<{ path: string; uncompressedSize: number; compressedSize: number }> };
  try {
    directory = (await unzipper.Open.file(localPath)) as typeof directory;
  } catch {
    throw new TabularFileError('NOT_XLSX', 'The file is not an XLSX workbook (not a zip package)');
  }
  let total = 0;
  for (const entry of directory.files) {
    total += entry.uncompressedSize;
    const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
    if (entry.uncompressedSize > 1024 * 1024 && ratio > limits.maxXlsxEntryRatio)
      throw new TabularFileError('ZIP_BOMB', `The workbook looks like a zip bomb: ${entry.path} expands ${Math.round(ratio)}:1`);
  }
  if (total > limits.maxXlsxUncompressedBytes)
    throw new TabularFileError('XLSX_TOO_LARGE', `The workbook expands to ${total} bytes; at most ${limits.maxXlsxUncompressedBytes} are allowed`);
  if (!directory.files.some((entry) => entry.path.startsWith('xl/worksheets/')))
    throw new TabularFileError('NOT_XLSX', 'The file is a zip package but not an XLSX workbook (no worksheets)');
}

async function* readXlsx(localPath: string, required: readonly string[], limits: TabularLimits): AsyncGenerator<TabularRow<string>> {
  await checkXlsxPackage(localPath, limits);
  // Styles are cached because a date is a number with a date format: without them it reads as 46024.5.
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(localPath, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  });
  let header: Header | undefined;
  let rows = 0;
  try {
    for await (const worksheet of workbook) {
      for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
        const where = `Row ${row.number}`;
        // Array.from: a row's values are sparse (no entry for an empty cell).
        const cells = Array.from(Array.isArray(row.values) ? row.values.slice(1) : [], cellText);
        if (!header) {
          if (cells.every((cell) => cell.trim() === '')) continue;
          // A sheet stores no trailing blank cells, so its header ends at the last name.
          while (cells.length > 0 && cells.at(-1)!.trim() === '') cells.pop();
          header = headerOf(cells, required, limits);
          continue;
        }
        const record = recordOf(cells, header, limits, where, row.number);
        if (!record) continue;
        rows += 1;
        if (rows > limits.maxRows) throw new TabularFileError('TOO_MANY_ROWS', `The workbook has more than ${limits.maxRows} rows`, { line: row.number });
        yield { line: row.number, record };
      }
      break; // the first worksheet only
    }
  } catch (error) {
    if (error instanceof TabularFileError) throw error;
    throw new TabularFileError('UNREADABLE_XLSX', `The workbook cannot be read: ${(error as Error).message}`);
  }
  if (!header) throw new TabularFileError('EMPTY', 'The workbook is empty (no header row)');
}
