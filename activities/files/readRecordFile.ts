import { parse } from 'csv-parse';
import { createInterface } from 'node:readline';
import { type Readable } from 'node:stream';

/** One record of an uploaded file, with the line it came from (1 = first line). */
export interface FileRecord {
  line: number;
  record: Record<string, unknown>;
}

/** Thrown when a file cannot be read as the format it claims (garbage, wrong headers, bad encoding). */
export class UnreadableFileError extends Error {}

/**
 * Streams the records of an uploaded CSV (header row, csv-parse) or NDJSON file without loading it
 * whole: NDJSON when the name or content type says so, CSV otherwise. Invalid UTF-8 and NUL bytes
 * are refused (binary garbage is not a CSV).
 */
export async function* readRecordFile(source: Readable, file: { name: string; contentType: string }): AsyncGenerator<FileRecord> {
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
