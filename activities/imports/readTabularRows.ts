import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { Transform, type Readable } from 'node:stream';
import unzipper from 'unzipper';
import { malformedInput } from './importErrors';
import { IMPORT_MALFORMED } from '../../workflows/contracts';

/** One data row of an input file: its line (CSV line or spreadsheet row number) and cells by header. */
export interface TabularRow {
  line: number;
  cells: Record<string, string>;
}

/** Limits that keep a hostile file from exhausting the worker. */
export interface TabularLimits {
  maxRows: number;
  maxColumns: number;
  /** Largest total uncompressed size of an XLSX package. */
  maxXlsxUncompressedBytes: number;
  /** Largest compression ratio of one XLSX entry bigger than 1 MiB (zip bombs compress ~1000:1). */
  maxXlsxEntryRatio: number;
}

export const DEFAULT_TABULAR_LIMITS: TabularLimits = { maxRows: 2_000_000, maxColumns: 100, maxXlsxUncompressedBytes: 1024 * 1024 * 1024, maxXlsxEntryRatio: 200 };

/**
 * Strict UTF-8 on the way in: refuses UTF-16 (by BOM), NUL bytes (binary content) and invalid
 * UTF-8 sequences with a clear message instead of importing mojibake.
 */
function strictUtf8(): Transform {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  let first = true;
  return new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _encoding, callback) {
      if (first) {
        first = false;
        if (chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
          callback(malformedInput('The file is UTF-16 encoded; save it as UTF-8 CSV'));
          return;
        }
      }
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        callback(malformedInput(`The file is not text (binary content at byte ${offset + nul}); upload a UTF-8 CSV or an XLSX workbook`));
        return;
      }
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        callback(malformedInput(`The file is not valid UTF-8 (near byte ${offset}); save it as UTF-8 CSV`));
        return;
      }
      offset += chunk.length;
      callback(null, text);
    },
    flush(callback) {
      try {
        callback(null, decoder.decode());
      } catch {
        callback(malformedInput('The file ends inside a UTF-8 sequence; save it as UTF-8 CSV'));
      }
    },
  });
}

function checkHeaders(headers: string[], required: readonly string[], limits: TabularLimits): string[] {
  const normalised = headers.map((header) => String(header ?? '').trim().toLowerCase());
  if (normalised.length > limits.maxColumns) throw malformedInput(`The file has ${normalised.length} columns; at most ${limits.maxColumns} are allowed`);
  const missing = required.filter((column) => !normalised.includes(column));
  if (missing.length > 0) {
    throw malformedInput(`Wrong headers: the first row must name the columns ${required.join(', ')}; missing ${missing.join(', ')} (found: ${normalised.filter(Boolean).join(', ') || 'none'})`);
  }
  const duplicate = normalised.find((header, index) => header !== '' && normalised.indexOf(header) !== index);
  if (duplicate) throw malformedInput(`Wrong headers: column "${duplicate}" appears twice`);
  return normalised;
}

/**
 * Streams the rows of a UTF-8 CSV (csv-parse). Fatal problems (encoding, binary, empty, wrong
 * headers, unparseable CSV, too many rows) throw {@link malformedInput}; row-level problems are the
 * caller's to validate.
 */
export async function* readCsvRows(source: Readable, required: readonly string[], limits: TabularLimits = DEFAULT_TABULAR_LIMITS): AsyncGenerator<TabularRow> {
  let sawBytes = false;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (chunk.length > 0) sawBytes = true;
      callback(null, chunk);
    },
  });
  let headerFailure: Error | undefined;
  const parser = parse({
    bom: true,
    info: true,
    skip_empty_lines: true,
    relax_column_count: true,
    columns: (headers: string[]) => {
      try {
        return checkHeaders(headers, required, limits);
      } catch (error) {
        headerFailure = error as Error;
        throw error;
      }
    },
  });
  const decoded = source.pipe(counter).pipe(strictUtf8());
  let decodeFailure: Error | undefined;
  source.on('error', (error) => parser.destroy(error));
  decoded.on('error', (error) => {
    decodeFailure = error;
    parser.destroy(error);
  });
  decoded.pipe(parser);
  let rows = 0;
  try {
    for await (const record of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      rows += 1;
      if (rows > limits.maxRows) throw malformedInput(`The file has more than ${limits.maxRows} rows`);
      yield { line: record.info.lines, cells: record.record };
    }
  } catch (error) {
    if (decodeFailure) throw decodeFailure;
    if (headerFailure) throw headerFailure;
    if ((error as { code?: string }).code?.startsWith('CSV_')) throw malformedInput(`The file is not valid CSV: ${(error as Error).message}`);
    throw error;
  } finally {
    source.destroy();
  }
  if (decodeFailure) throw decodeFailure;
  if (!sawBytes) throw malformedInput('The file is empty (0 bytes)');
}

/** Text of a spreadsheet cell: rich text, hyperlinks (e-mail cells), formulas (their result), dates. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  const object = value as unknown as Record<string, unknown>;
  if (Array.isArray(object.richText)) return (object.richText as Array<{ text: string }>).map((part) => part.text).join('');
  if (typeof object.text === 'string') return object.text;
  if ('result' in object) return cellText(object.result as ExcelJS.CellValue);
  if ('error' in object) return String(object.error);
  return '';
}

/**
 * Refuses zip bombs before any inflating: reads the package's central directory (unzipper) and
 * checks declared sizes and ratios; also refuses a file that is not a zip at all.
 */
export async function checkXlsxPackage(localPath: string, limits: TabularLimits = DEFAULT_TABULAR_LIMITS): Promise<void> {
  let directory: { files: Array<{ path: string; uncompressedSize: number; compressedSize: number }> };
  try {
    directory = (await unzipper.Open.file(localPath)) as typeof directory;
  } catch {
    throw malformedInput('The file is not an XLSX workbook (not a zip package)');
  }
  let total = 0;
  for (const entry of directory.files) {
    total += entry.uncompressedSize;
    if (entry.uncompressedSize > 1024 * 1024 && entry.uncompressedSize / Math.max(1, entry.compressedSize) > limits.maxXlsxEntryRatio) {
      throw malformedInput(`The workbook looks like a zip bomb: ${entry.path} expands ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))}:1`);
    }
  }
  if (total > limits.maxXlsxUncompressedBytes) throw malformedInput(`The workbook expands to ${total} bytes; at most ${limits.maxXlsxUncompressedBytes} are allowed`);
  if (!directory.files.some((entry) => entry.path.startsWith('xl/worksheets/'))) throw malformedInput('The file is a zip package but not an XLSX workbook (no worksheets)');
}

/**
 * Streams the rows of the first worksheet of an XLSX workbook (exceljs streaming reader: rows are
 * emitted as they are parsed, never the whole sheet). The header row is the first row.
 */
export async function* readXlsxRows(localPath: string, required: readonly string[], limits: TabularLimits = DEFAULT_TABULAR_LIMITS): AsyncGenerator<TabularRow> {
  await checkXlsxPackage(localPath, limits);
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(localPath, { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
  let headers: string[] | undefined;
  let rows = 0;
  try {
    for await (const worksheet of workbook) {
      for await (const row of worksheet as AsyncIterable<ExcelJS.Row>) {
        const values = (row.values as ExcelJS.CellValue[]).slice(1);
        if (values.length > limits.maxColumns) throw malformedInput(`Row ${row.number} has ${values.length} columns; at most ${limits.maxColumns} are allowed`);
        if (!headers) {
          headers = checkHeaders(values.map(cellText), required, limits);
          continue;
        }
        const texts = values.map(cellText);
        if (texts.every((text) => text.trim() === '')) continue;
        rows += 1;
        if (rows > limits.maxRows) throw malformedInput(`The workbook has more than ${limits.maxRows} rows`);
        const cells: Record<string, string> = {};
        headers.forEach((header, index) => {
          if (header) cells[header] = texts[index] ?? '';
        });
        yield { line: row.number, cells };
      }
      break; // the first worksheet only
    }
  } catch (error) {
    if ((error as { type?: string }).type === IMPORT_MALFORMED) throw error;
    throw malformedInput(`The workbook cannot be read: ${(error as Error).message}`);
  }
  if (!headers) throw malformedInput('The workbook is empty (no header row)');
}
