import { ApplicationFailure } from '@temporalio/common';
import { Writable } from 'node:stream';
import { createLogger } from '../../platform/logger';
import { serializeErrors } from '../../platform/logErrors';

function capture(): { sink: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return {
    sink,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('errors in log lines', () => {
  it('writes an Error under any key with its message, type and cause (JSON alone shows {})', () => {
    const { sink, lines } = capture();
    const logger = createLogger({ name: 'test', level: 'info', destination: sink });
    const failure = ApplicationFailure.create({ type: 'TenantNotBillable', message: 'no plan for acme', nonRetryable: true });
    // The shape the Temporal SDK hands the worker's logger: the error inside its meta.
    logger.warn({ temporal: { error: new Error('child workflow failed', { cause: failure }) }, error: new TypeError('bad input') }, 'Activity failed');
    const [line] = lines();
    expect(line).toMatchObject({
      msg: 'Activity failed',
      error: { type: 'TypeError', message: 'bad input' },
      temporal: { error: { type: 'Error', message: 'child workflow failed', cause: { type: 'ApplicationFailure', message: 'no plan for acme' } } },
    });
    expect(JSON.stringify(line)).not.toContain('"error":{}');
  });

  it('keeps pino’s own err serializer and redaction, and leaves lines without errors as they are', () => {
    const { sink, lines } = capture();
    const logger = createLogger({ name: 'test', level: 'info', destination: sink });
    logger.error({ err: new RangeError('out of range'), connector: { accessToken: 'tok-secret' } }, 'failed');
    const [line] = lines();
    expect(line).toMatchObject({ err: { type: 'RangeError', message: 'out of range' }, connector: { accessToken: '[redacted]' } });
    const plain = { a: { b: [1, 'two'] } };
    expect(serializeErrors(plain)).toBe(plain);
  });
});
