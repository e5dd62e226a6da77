import ExcelJS from 'exceljs';
import JSZip from 'jszip';

/** A users CSV of `rows` data rows; `bad` lines (1-based data-row numbers) get an invalid value. */
export function usersCsv(rows: number, options: { bad?: ReadonlySet<number>; prefix?: string } = {}): string {
  const prefix = options.prefix ?? 'import';
  const lines = ['email,name,role'];
  for (let n = 1; n <= rows; n += 1) {
    if (options.bad?.has(n)) lines.push(n % 2 === 0 ? `not-an-email-${n},Bad ${n},member` : `${prefix}${n}@example.test,Bad ${n},overlord`);
    else lines.push(`${prefix}${n}@example.test,User ${n},${n % 10 === 0 ? 'manager' : 'member'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** An XLSX workbook (exceljs) with a header row and the given rows. */
export async function usersXlsx(rows: Array<[string, string, string]>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Users');
  sheet.addRow(['email', 'name', 'role']);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * A decompression bomb dressed as a workbook: a tiny zip whose worksheet entry inflates to
 * `megabytes` MiB of one repeated byte (a ratio near 1000:1).
 */
export async function xlsxBomb(megabytes = 64): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
  zip.file('xl/workbook.xml', '<?xml version="1.0"?><workbook/>');
  zip.file('xl/worksheets/sheet1.xml', Buffer.alloc(megabytes * 1024 * 1024, 0x20));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}
