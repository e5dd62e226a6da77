import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  readTabularFile,
  TABULAR_LIMITS,
  TabularFileError,
  tabularFormatOf,
  type TabularFile,
  type TabularReadOptions,
  type TabularRow,
} from '../../platform/files/readTabularFile';
import { xlsxBomb } from '../support/importFiles';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tabular-reader-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A file served as a stream of `chunkBytes`-sized pieces (to cross chunk boundaries), optionally also on disk. */
function fileOf(
  content: string | Buffer,
  name: string,
  options: { contentType?: string; onDisk?: boolean; chunkBytes?: number } = {},
): TabularFile & { opened: number } {
  const bytes = Buffer.from(content);
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  let localPath: string | undefined;
  if (options.onDisk) {
    localPath = path.join(dir, `${Math.random().toString(36).slice(2)}-${name}`);
    fs.writeFileSync(localPath, bytes);
  }
  const file = {
    name,
    contentType: options.contentType ?? 'application/octet-stream',
    localPath,
    opened: 0,
    open() {
      file.opened += 1;
      const pieces: Buffer[] = [];
      for (let offset = 0; offset < bytes.length; offset += chunkBytes) pieces.push(bytes.subarray(offset, offset + chunkBytes));
      return Readable.from(pieces);
    },
  };
  return file;
}

async function readAll(file: TabularFile, options?: TabularReadOptions): Promise<TabularRow[]> {
  const rows: TabularRow[] = [];
  for await (const row of readTabularFile(file, options)) rows.push(row);
  return rows;
}

async function failureOf(file: TabularFile, options?: TabularReadOptions): Promise<TabularFileError> {
  try {
    await readAll(file, options);
  } catch (error) {
    if (error instanceof TabularFileError) return error;
    throw error;
  }
  throw new Error('the file was read without an error');
}

const csv = (text: string | Buffer, options?: { chunkBytes?: number }) => fileOf(text, 'input.csv', { contentType: 'text/csv', ...options });
const ndjson = (text: string | Buffer, options?: { chunkBytes?: number }) => fileOf(text, 'input.ndjson', { contentType: 'application/x-ndjson', ...options });

async function workbookOf(build: (workbook: ExcelJS.Workbook) => void): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  build(workbook);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
const xlsx = (bytes: Buffer, onDisk = true) => fileOf(bytes, 'input.xlsx', { contentType: XLSX, onDisk });

describe('readTabularFile: format', () => {
  it('tells XLSX, NDJSON and CSV apart by content type or name', () => {
    expect(tabularFormatOf({ name: 'upload', contentType: XLSX })).toBe('xlsx');
    expect(tabularFormatOf({ name: 'People.XLSX', contentType: 'application/octet-stream' })).toBe('xlsx');
    expect(tabularFormatOf({ name: 'upload', contentType: 'application/zip' })).toBe('xlsx');
    expect(tabularFormatOf({ name: 'items', contentType: 'application/x-ndjson' })).toBe('ndjson');
    expect(tabularFormatOf({ name: 'items.jsonl', contentType: 'text/plain' })).toBe('ndjson');
    expect(tabularFormatOf({ name: 'people.txt', contentType: 'text/plain' })).toBe('csv');
  });
});

describe('readTabularFile: CSV', () => {
  it('reads records by header with their line, trimming headers and cells, dropping a BOM and CRLF', async () => {
    const rows = await readAll(csv('\ufeff Email ,Full Name,role\r\n a@example.test ,"Ann, the first", Member \r\nb@example.test,Bob,viewer\r\n'), {
      requiredColumns: ['email', 'role'],
    });
    // Required columns are keyed by their required spelling, the others as written.
    expect(rows).toEqual([
      { line: 2, record: { email: 'a@example.test', 'Full Name': 'Ann, the first', role: 'Member' } },
      { line: 3, record: { email: 'b@example.test', 'Full Name': 'Bob', role: 'viewer' } },
    ]);
  });

  it('skips empty and all-blank rows but keeps counting lines', async () => {
    const rows = await readAll(csv('a,b\n\n , \n1,2\n,\n3,\n'));
    expect(rows).toEqual([
      { line: 4, record: { a: '1', b: '2' } },
      { line: 6, record: { a: '3', b: '' } },
    ]);
  });

  it('decodes multi-byte characters split across chunks', async () => {
    const rows = await readAll(csv('name\nJosé Müller 日本\n', { chunkBytes: 1 }));
    expect(rows).toEqual([{ line: 2, record: { name: 'José Müller 日本' } }]);
  });

  it('answers no rows for a header-only file and refuses a file without any header', async () => {
    await expect(readAll(csv('email,name,role\n'))).resolves.toEqual([]);
    expect(await failureOf(csv(''))).toMatchObject({ code: 'EMPTY', message: 'The file is empty (0 bytes)' });
    expect(await failureOf(csv('\n\n ,\n'))).toMatchObject({ code: 'EMPTY', message: 'The file is empty (no header row)' });
  });

  it('refuses a row with fewer or more cells than the header, naming its line', async () => {
    expect(await failureOf(csv('a,b,c\n1,2,3\n4,5\n'))).toMatchObject({
      code: 'RAGGED_ROW',
      message: 'Line 3 has 2 cells; the header row has 3',
      at: { line: 3 },
    });
    expect(await failureOf(csv('a,b\n1,2,3\n'))).toMatchObject({ code: 'RAGGED_ROW', at: { line: 2 } });
  });

  it('ignores a column without a name only while it holds no value', async () => {
    await expect(readAll(csv('a,,b\n1,,2\n'))).resolves.toEqual([{ line: 2, record: { a: '1', b: '2' } }]);
    expect(await failureOf(csv('a,,b\n1,x,2\n'))).toMatchObject({ code: 'UNNAMED_COLUMN', at: { line: 2, column: 2 } });
  });

  it('refuses missing required columns, a column named twice and too many columns', async () => {
    const missing = await failureOf(csv('mail,Name\nx,y\n'), { requiredColumns: ['email', 'name', 'role'] });
    expect(missing).toMatchObject({
      code: 'MISSING_COLUMNS',
      message: 'Wrong headers: the first row must name the columns email, name, role; missing email, role (found: mail, Name)',
    });
    expect(await failureOf(csv('Email,name,EMAIL\n1,2,3\n'))).toMatchObject({
      code: 'DUPLICATE_COLUMN',
      message: 'Wrong headers: column "EMAIL" appears twice',
      at: { column: 3 },
    });
    const wide = Array.from({ length: TABULAR_LIMITS.maxColumns + 1 }, (_, index) => `c${index}`).join(',');
    expect(await failureOf(csv(`${wide}\n`))).toMatchObject({ code: 'TOO_MANY_COLUMNS', message: `The file has 101 columns; at most 100 are allowed` });
  });

  it('bounds rows, cells and lines', async () => {
    const limits = { ...TABULAR_LIMITS, maxRows: 2, maxCellChars: 10, maxLineChars: 1_000 };
    await expect(readAll(csv('a\n1\n\n2\n'), { limits })).resolves.toHaveLength(2);
    expect(await failureOf(csv('a\n1\n2\n3\n'), { limits })).toMatchObject({ code: 'TOO_MANY_ROWS', at: { line: 4 } });
    expect(await failureOf(csv('a,b\n1,12345678901\n'), { limits })).toMatchObject({ code: 'CELL_TOO_LONG', at: { line: 2, column: 2 } });
    // An opening quote never closed stops at the line bound instead of buffering the rest of the file.
    expect(await failureOf(csv(`a,b\n1,"${'x'.repeat(5_000)}`), { limits })).toMatchObject({ code: 'LINE_TOO_LONG' });
    expect(await failureOf(csv('a\n' + 'y'.repeat(TABULAR_LIMITS.maxCellChars + 1) + '\n'))).toMatchObject({
      code: 'CELL_TOO_LONG',
      message: 'Line 2, column 1: a cell is longer than 32767 characters',
    });
  });

  it('refuses text that is not CSV', async () => {
    expect(await failureOf(csv('a,b\n1,"2"x\n'))).toMatchObject({
      code: 'INVALID_CSV',
      message: expect.stringMatching(/^The file is not valid CSV: /),
      at: { line: 2 },
    });
  });
});

describe('readTabularFile: encodings', () => {
  const text = 'email,name,role\nu@example.test,Jürgen,member\n';
  it.each([
    [
      'UTF-16 LE with a BOM',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      'UTF16',
      /^The file is UTF-16 encoded; save it as UTF-8 CSV$/,
    ],
    ['UTF-16 BE with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]), 'UTF16', /UTF-16/],
    ['UTF-16 LE without a BOM', Buffer.from(text, 'utf16le'), 'UTF16', /UTF-16/],
    ['Latin-1', Buffer.from(text, 'latin1'), 'INVALID_UTF8', /^The file is not valid UTF-8 \(near byte \d+\); save it as UTF-8 CSV$/],
    [
      'invalid UTF-8 (a lone continuation byte)',
      Buffer.concat([Buffer.from('a\n'), Buffer.from([0x80]), Buffer.from('\n')]),
      'INVALID_UTF8',
      /not valid UTF-8/,
    ],
    ['a file ending inside a UTF-8 sequence', Buffer.concat([Buffer.from('a\nx'), Buffer.from([0xc3])]), 'INVALID_UTF8', /ends inside a UTF-8 sequence/],
    [
      'binary content',
      Buffer.from(Array.from({ length: 5_000 }, (_, index) => (index * 7919) % 256)),
      'BINARY',
      /^The file is not text \(binary content at byte 0\)/,
    ],
    ['NUL bytes after text', Buffer.concat([Buffer.from('email\nabc'), Buffer.alloc(3)]), 'BINARY', /binary content at byte 9/],
  ])('refuses %s', async (_what, bytes, code, message) => {
    expect(await failureOf(csv(bytes))).toMatchObject({ code, message: expect.stringMatching(message) });
  });

  it('applies the same checks to NDJSON', async () => {
    expect(await failureOf(ndjson(Buffer.from('{"name":"Jürgen"}\n', 'latin1')))).toMatchObject({
      code: 'INVALID_UTF8',
      message: expect.stringContaining('save it as UTF-8 text'),
    });
    expect(await failureOf(ndjson(Buffer.from('{"a":1}\n\u0000\n')))).toMatchObject({ code: 'BINARY' });
  });
});

describe('readTabularFile: NDJSON', () => {
  it('reads one JSON object a line, skipping blank lines', async () => {
    await expect(readAll(ndjson('{"id":"a","n":1}\r\n\n{"id":"b","nested":{"x":true}}'))).resolves.toEqual([
      { line: 1, record: { id: 'a', n: 1 } },
      { line: 3, record: { id: 'b', nested: { x: true } } },
    ]);
  });

  it('splits lines across chunks', async () => {
    const text = Array.from({ length: 50 }, (_, index) => JSON.stringify({ id: `item-${index}`, name: 'Jürgen' })).join('\n');
    const rows = await readAll(ndjson(text, { chunkBytes: 7 }));
    expect(rows).toHaveLength(50);
    expect(rows[49]).toEqual({ line: 50, record: { id: 'item-49', name: 'Jürgen' } });
  });

  it.each([
    ['broken JSON', '{"id":"a"}\n{nope\n'],
    ['an array', '{"id":"a"}\n[1,2]\n'],
    ['a number', '{"id":"a"}\n42\n'],
    ['null', '{"id":"a"}\nnull\n'],
  ])('refuses %s with its line', async (_what, text) => {
    expect(await failureOf(ndjson(text))).toMatchObject({ code: 'INVALID_JSON', message: 'Line 2 is not a JSON object', at: { line: 2 } });
  });

  it('bounds lines and records', async () => {
    const limits = { ...TABULAR_LIMITS, maxRows: 1, maxLineChars: 100 };
    expect(await failureOf(ndjson(`{"a":"${'x'.repeat(200)}"}\n`), { limits })).toMatchObject({ code: 'LINE_TOO_LONG', at: { line: 1 } });
    // Without a newline the bound still holds (nothing is buffered past it).
    expect(await failureOf(ndjson(`{"a":1}\n${'x'.repeat(1_000)}`), { limits: { ...limits, maxRows: 10 } })).toMatchObject({
      code: 'LINE_TOO_LONG',
      at: { line: 2 },
    });
    expect(await failureOf(ndjson('{"a":1}\n{"a":2}\n'), { limits })).toMatchObject({ code: 'TOO_MANY_ROWS', at: { line: 2 } });
    expect(await failureOf(ndjson(''))).toMatchObject({ code: 'EMPTY' });
  });
});

describe('readTabularFile: XLSX', () => {
  it('reads the first worksheet by header, with row numbers and every kind of cell as text', async () => {
    const bytes = await workbookOf((workbook) => {
      const sheet = workbook.addWorksheet('People');
      sheet.addRow([' E-mail ', 'Full Name', 'Count', 'When', 'Flag', 'Total']);
      sheet.addRow([
        'a@example.test',
        { richText: [{ text: 'Ann ' }, { text: 'Rich' }] },
        3,
        new Date('2026-01-02T03:04:05.000Z'),
        true,
        { formula: 'C2*2', result: 6 },
      ]);
      sheet.addRow([]);
      sheet.addRow([{ text: 'b@example.test', hyperlink: 'mailto:b@example.test' }, '  Bob  ', { error: '#N/A' }]);
      workbook.addWorksheet('Ignored').addRow(['other']);
    });
    await expect(readAll(xlsx(bytes))).resolves.toEqual([
      { line: 2, record: { 'E-mail': 'a@example.test', 'Full Name': 'Ann Rich', Count: '3', When: '2026-01-02T03:04:05.000Z', Flag: 'true', Total: '6' } },
      { line: 4, record: { 'E-mail': 'b@example.test', 'Full Name': 'Bob', Count: '', When: '', Flag: '', Total: '' } },
    ]);
  });

  it('applies the header rules of CSV', async () => {
    const sheetWith = (...rows: unknown[][]) =>
      workbookOf((workbook) => {
        const sheet = workbook.addWorksheet('S');
        for (const row of rows) sheet.addRow(row);
      });
    const bytes = await workbookOf((workbook) => {
      const sheet = workbook.addWorksheet('S');
      sheet.addRow(['EMAIL', 'Name', 'Role']);
      sheet.addRow(['x@example.test', 'X', 'member']);
    });
    await expect(readAll(xlsx(bytes), { requiredColumns: ['email', 'name', 'role'] })).resolves.toEqual([
      { line: 2, record: { email: 'x@example.test', name: 'X', role: 'member' } },
    ]);
    expect(await failureOf(xlsx(bytes), { requiredColumns: ['email', 'phone'] })).toMatchObject({
      code: 'MISSING_COLUMNS',
      message: expect.stringContaining('missing phone (found: EMAIL, Name, Role)'),
    });
    expect(await failureOf(xlsx(await sheetWith(['a', 'b', 'A'])))).toMatchObject({ code: 'DUPLICATE_COLUMN' });
    const wide = await sheetWith(Array.from({ length: 101 }, (_, index) => `c${index}`));
    expect(await failureOf(xlsx(wide))).toMatchObject({ code: 'TOO_MANY_COLUMNS' });
  });

  it('accepts rows without trailing blank cells but refuses a value beyond the header', async () => {
    const bytes = await workbookOf((workbook) => {
      const sheet = workbook.addWorksheet('S');
      sheet.addRow(['a', 'b', 'c']);
      sheet.addRow(['1']);
      sheet.addRow(['2', '', '', '', 'stray']);
    });
    expect(await failureOf(xlsx(bytes))).toMatchObject({
      code: 'RAGGED_ROW',
      message: 'Row 3 has a value in column 5, beyond the 3 columns of the header row',
      at: { line: 3, column: 5 },
    });
    const short = await workbookOf((workbook) => {
      const sheet = workbook.addWorksheet('S');
      sheet.addRow(['a', 'b', 'c']);
      sheet.addRow(['1']);
    });
    await expect(readAll(xlsx(short))).resolves.toEqual([{ line: 2, record: { a: '1', b: '', c: '' } }]);
  });

  it('bounds rows and cells', async () => {
    const bytes = await workbookOf((workbook) => {
      const sheet = workbook.addWorksheet('S');
      sheet.addRow(['a']);
      for (let n = 1; n <= 3; n += 1) sheet.addRow([`v${n}`]);
    });
    expect(await failureOf(xlsx(bytes), { limits: { ...TABULAR_LIMITS, maxRows: 2 } })).toMatchObject({
      code: 'TOO_MANY_ROWS',
      message: 'The workbook has more than 2 rows',
      at: { line: 4 },
    });
    expect(await failureOf(xlsx(bytes), { limits: { ...TABULAR_LIMITS, maxCellChars: 1 } })).toMatchObject({
      code: 'CELL_TOO_LONG',
      at: { line: 2, column: 1 },
    });
  });

  it('refuses a workbook without a header row', async () => {
    const bytes = await workbookOf((workbook) => {
      workbook.addWorksheet('Empty');
    });
    expect(await failureOf(xlsx(bytes))).toMatchObject({ code: 'EMPTY', message: 'The workbook is empty (no header row)' });
  });

  it('reads a workbook from a store without local files through a temporary copy it removes', async () => {
    const bytes = await workbookOf((workbook) => {
      const sheet = workbook.addWorksheet('S');
      sheet.addRow(['a']);
      sheet.addRow(['1']);
    });
    const copies = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('hub-copy-'));
    const before = copies();
    const file = xlsx(bytes, false);
    await expect(readAll(file)).resolves.toEqual([{ line: 2, record: { a: '1' } }]);
    expect(file.opened).toBe(1);
    expect(copies()).toEqual(before);
  });

  it('bounds the temporary copy: a workbook past maxXlsxCopyBytes is refused and its partial copy removed', async () => {
    const bytes = await workbookOf((workbook) => {
      const sheet = workbook.addWorksheet('S');
      sheet.addRow(['a']);
      for (let row = 0; row < 2000; row += 1) sheet.addRow([`value ${row} ${'x'.repeat(40)}`]);
    });
    const copies = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('hub-copy-'));
    const before = copies();
    const limits = { ...TABULAR_LIMITS, maxXlsxCopyBytes: Math.floor(bytes.length / 2) };
    expect(await failureOf(fileOf(bytes, 'input.xlsx', { contentType: XLSX, chunkBytes: 1024 }), { limits })).toMatchObject({
      code: 'XLSX_TOO_LARGE',
      message: `The workbook is larger than ${limits.maxXlsxCopyBytes} bytes; at most that much is read`,
    });
    expect(copies()).toEqual(before);
    // At the bound exactly it is read; a reader that stops early removes the copy as well.
    const rows = readTabularFile(xlsx(bytes, false), { limits: { ...TABULAR_LIMITS, maxXlsxCopyBytes: bytes.length } });
    await expect(rows.next()).resolves.toMatchObject({ value: { line: 2, record: { a: expect.stringMatching(/^value 0 /) } } });
    expect(copies()).toHaveLength(before.length + 1);
    await rows.return(undefined);
    expect(copies()).toEqual(before);
  });

  it('refuses files that are no XLSX package', async () => {
    expect(await failureOf(xlsx(Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 7)])))).toMatchObject({
      code: 'NOT_XLSX',
      message: 'The file is not an XLSX workbook (not a zip package)',
    });
    expect(await failureOf(xlsx(Buffer.from('email,name,role\n')))).toMatchObject({ code: 'NOT_XLSX' });
    const zip = new JSZip();
    zip.file('readme.txt', 'not a workbook');
    expect(await failureOf(xlsx(await zip.generateAsync({ type: 'nodebuffer' })))).toMatchObject({
      code: 'NOT_XLSX',
      message: 'The file is a zip package but not an XLSX workbook (no worksheets)',
    });
  });
});

describe('readTabularFile: zip bombs', () => {
  let bomb: Buffer;
  beforeAll(async () => {
    bomb = await xlsxBomb(16);
  });

  it('refuses a zip bomb from its central directory, before inflating anything', async () => {
    const file = xlsx(bomb);
    const failure = await failureOf(file);
    expect(failure).toMatchObject({
      code: 'ZIP_BOMB',
      message: expect.stringMatching(/^The workbook looks like a zip bomb: xl\/worksheets\/sheet1\.xml expands \d+:1$/),
    });
    expect(file.opened).toBe(0);
  });

  it('refuses it as well when the store has no local files (the check runs on the temporary copy)', async () => {
    expect(await failureOf(xlsx(bomb, false))).toMatchObject({ code: 'ZIP_BOMB' });
  });

  it('refuses a workbook that expands beyond the total bound, whatever its ratio', async () => {
    const bytes = await workbookOf((workbook) => {
      workbook.addWorksheet('S').addRow(['a']);
    });
    expect(await failureOf(xlsx(bytes), { limits: { ...TABULAR_LIMITS, maxXlsxUncompressedBytes: 1_000 } })).toMatchObject({
      code: 'XLSX_TOO_LARGE',
      message: expect.stringMatching(/^The workbook expands to \d+ bytes; at most 1000 are allowed$/),
    });
  });
});
