import FileType from 'file-type';
import { Transform } from 'node:stream';

/** Bytes `file-type` needs to recognise any format it knows. */
const SNIFF_BYTES = 4_100;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * A pass-through stream that keeps the first bytes of what flows through it, so the content type
 * can be sniffed after the bytes were stored (the body is streamed once, never buffered whole).
 */
export class SniffingStream extends Transform {
  private head = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    if (this.head.length < SNIFF_BYTES) this.head = Buffer.concat([this.head, chunk.subarray(0, SNIFF_BYTES - this.head.length)]);
    callback(null, chunk);
  }

  /** The content type by magic bytes (file-type), else plain text formats by name and content, else octet-stream. */
  async contentType(name: string): Promise<string> {
    const detected = await FileType.fromBuffer(this.head);
    const lowerName = name.toLowerCase();
    if (detected) {
      // An OOXML package may be reported as a plain zip when its first entry is not the workbook.
      if (detected.mime === 'application/zip' && lowerName.endsWith('.xlsx')) return XLSX;
      return detected.mime;
    }
    if (this.head.length === 0) return 'application/octet-stream';
    const looksTextual = !this.head.includes(0);
    if (!looksTextual) return 'application/octet-stream';
    if (lowerName.endsWith('.ndjson') || lowerName.endsWith('.jsonl')) return 'application/x-ndjson';
    if (lowerName.endsWith('.json')) return 'application/json';
    if (lowerName.endsWith('.csv') || lowerName.endsWith('.txt') || lowerName === 'upload') return 'text/csv';
    return 'text/plain';
  }
}
