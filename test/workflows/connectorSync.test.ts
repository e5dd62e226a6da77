import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import type { PageOutcome } from '../../activities/sync/syncTypes';
import { connectorSync } from '../../workflows/connectorSync';
import { type ConnectorSyncInput } from '../../workflows/sync/syncState';
import { eventually } from '../support/eventually';
import { callNames, withStubWorker, type StubActivities, type StubCall } from '../support/stubWorker';

/**
 * connectorSync's orchestration on stub activities: which activities it calls, in which order,
 * and how it reacts to their answers. The engine's activities themselves are covered by the
 * sync integration tests.
 */
const stats = { read: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, pages: 0, retries: 0, rateLimited: 0, throttled: 0 };

function inputFor(streams: string[] | null = null): ConnectorSyncInput {
  return {
    jobId: randomUUID(),
    tenantId: randomUUID(),
    tenantSlug: 'stub',
    kind: 'sync',
    params: { connectorId: randomUUID(), mode: 'incremental', streams },
    requestedBy: 'test',
    trigger: 'api',
  };
}

/** Stubs for a run over `pagesPerStream` (stream → how many pages it has); `page` may override an answer. */
function syncStubs(
  pagesPerStream: Record<string, number>,
  page?: (request: { stream: string; page: number }) => Promise<PageOutcome | undefined>,
): StubActivities {
  const stored = (stream: string, pageNo: number): PageOutcome => ({
    kind: 'stored',
    stream,
    page: pageNo,
    read: 10,
    inserted: 10,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    done: pageNo >= pagesPerStream[stream]!,
    attempt: 1,
    cursor: `${stream}-${pageNo}`,
  });
  return {
    markJobStatus: async () => undefined,
    markJobFinished: async () => undefined,
    claimSyncRun: async (input) => ({ claimed: true, runId: input.jobId!, streams: Object.keys(pagesPerStream), connectorType: 'stub', connectorName: 'stub' }),
    acquireSyncSlot: async () => ({ acquired: true, running: 1, limit: 3 }),
    beginStreamSync: async () => ({ page: 0, done: false }),
    readAndStorePage: async (request) => (await page?.(request)) ?? stored(request.stream, request.page),
    finishSyncRun: async () => ({
      streams: Object.fromEntries(Object.keys(pagesPerStream).map((name) => [name, { ...stats, status: 'completed' }])),
      totals: stats,
    }),
    failSyncRun: async () => undefined,
    cancelSyncRun: async () => undefined,
  } as StubActivities;
}

const pagesRead = (calls: StubCall[]) => calls.filter((call) => call.name === 'readAndStorePage').map((call) => call.input as { stream: string; page: number });
const finishedAs = (calls: StubCall[]) =>
  calls.find((call) => call.name === 'markJobFinished')?.input as { status: string; error?: { code: string } } | undefined;

async function timersOf(handle: WorkflowHandle): Promise<number[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .filter((event) => event.timerStartedEventAttributes)
    .map(
      (event) =>
        Number(event.timerStartedEventAttributes!.startToFireTimeout!.seconds ?? 0) * 1000 +
        Math.round(Number(event.timerStartedEventAttributes!.startToFireTimeout!.nanos ?? 0) / 1e6),
    );
}

describe('connectorSync workflow (stub activities)', () => {
  it('reads every stream page by page until its page says done, then finishes the run once', async () => {
    await withStubWorker(syncStubs({ Account: 3, Contact: 2 }), async ({ client, taskQueue, calls }) => {
      const input = inputFor();
      const result = await client.workflow.execute(connectorSync, { taskQueue, workflowId: `stub-sync-${input.jobId}`, args: [input] });
      expect(result).toMatchObject({ connectorId: input.params.connectorId, mode: 'incremental' });
      const pages = pagesRead(calls);
      expect(pages.filter((page) => page.stream === 'Account').map((page) => page.page)).toEqual([1, 2, 3]);
      expect(pages.filter((page) => page.stream === 'Contact').map((page) => page.page)).toEqual([1, 2]);
      const names = callNames(calls);
      expect(names.filter((name) => name === 'finishSyncRun')).toHaveLength(1);
      expect(names.indexOf('finishSyncRun')).toBeGreaterThan(names.lastIndexOf('readAndStorePage'));
      expect(names.indexOf('claimSyncRun')).toBeLessThan(names.indexOf('acquireSyncSlot'));
      expect(names).not.toContain('failSyncRun');
      expect(finishedAs(calls)?.status).toBe('completed');
    });
  });

  it('waits out a `wait` outcome on a durable timer of the asked length, then reads the same page again', async () => {
    let waited = false;
    const stubs = syncStubs({ Account: 2 }, async ({ stream, page }) => {
      if (page !== 2 || waited) return undefined;
      waited = true;
      return { kind: 'wait', stream, page, reason: 'rate_limited', retryAfterMs: 1_500 };
    });
    await withStubWorker(stubs, async ({ client, taskQueue, calls }) => {
      const input = inputFor();
      const handle = await client.workflow.start(connectorSync, { taskQueue, workflowId: `stub-sync-${input.jobId}`, args: [input] });
      await handle.result();
      expect(pagesRead(calls).map((page) => page.page)).toEqual([1, 2, 2]);
      expect(await timersOf(handle)).toContain(1_500);
      expect(finishedAs(calls)?.status).toBe('completed');
    });
  });

  it('fails the run with failSyncRun (stream and failure type) on a non-retryable page failure, and reads no further page', async () => {
    const stubs = syncStubs({ Account: 5 }, async ({ page }) => {
      if (page === 2) throw ApplicationFailure.nonRetryable('the token was revoked', 'ConnectorAuthError');
      return undefined;
    });
    await withStubWorker(stubs, async ({ client, taskQueue, calls }) => {
      const input = inputFor();
      const failed = await client.workflow
        .execute(connectorSync, { taskQueue, workflowId: `stub-sync-${input.jobId}`, args: [input] })
        .catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(WorkflowFailedError);
      expect(pagesRead(calls).map((page) => page.page)).toEqual([1, 2]);
      const failedRun = calls.find((call) => call.name === 'failSyncRun')?.input as { stream: string; error: { code: string; message: string } };
      expect(failedRun).toMatchObject({ stream: 'Account', error: { code: 'ConnectorAuthError', message: 'the token was revoked' } });
      expect(callNames(calls)).not.toContain('finishSyncRun');
      expect(finishedAs(calls)).toMatchObject({ status: 'failed', error: { code: 'ConnectorAuthError' } });
    });
  });

  it('on cancellation lets the page in flight finish, then calls cancelSyncRun instead of finishing or failing', async () => {
    let release: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => (release = resolve));
    let secondPageStarted = false;
    const stubs = syncStubs({ Account: 10 }, async ({ page }) => {
      if (page !== 2) return undefined;
      secondPageStarted = true;
      await inFlight;
      return undefined;
    });
    await withStubWorker(stubs, async ({ client, taskQueue, calls }) => {
      const input = inputFor();
      const handle = await client.workflow.start(connectorSync, { taskQueue, workflowId: `stub-sync-${input.jobId}`, args: [input] });
      await eventually(() => (secondPageStarted ? true : undefined), 20_000, 'the second page to start', 50);
      await handle.cancel();
      release();
      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
      expect(pagesRead(calls).map((page) => page.page)).toEqual([1, 2]);
      const names = callNames(calls);
      expect(names).toContain('cancelSyncRun');
      expect(names).not.toContain('failSyncRun');
      expect(names).not.toContain('finishSyncRun');
      expect(finishedAs(calls)?.status).toBe('cancelled');
    });
  });
});
