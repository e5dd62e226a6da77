import { type Command } from 'commander';
import { type HubClient } from '../client';
import { printObject, printRows } from '../output';
import { watchJob } from './jobs';

interface Connector {
  id: string;
  type: string;
  name: string;
  status: string;
  streams: string[];
  lastTest: { at: string; ok: boolean } | null;
  createdAt: string;
}

/** `hub connectors list|sync` ($HUB_API_KEY). */
export function registerConnectorCommands(program: Command, client: () => HubClient): void {
  const connectors = program.command('connectors').description("the tenant's connectors");

  connectors
    .command('list')
    .description('list connectors, newest first (never their credentials)')
    .option('--limit <n>', 'page size', '25')
    .option('--json', 'print JSON')
    .action(async (options: { limit: string; json?: boolean }) => {
      const { data } = await client().request<{ data: Connector[] }>('GET', `/v1/connectors?${new URLSearchParams({ limit: options.limit })}`);
      printRows(
        data.map((connector) => ({
          ...connector,
          streams: connector.streams.join(','),
          lastTest: connector.lastTest ? (connector.lastTest.ok ? 'ok' : 'failed') : '',
        })),
        ['id', 'type', 'name', 'status', 'streams', 'lastTest', 'createdAt'],
        options,
      );
    });

  connectors
    .command('sync <id>')
    .description('start a sync of a connector (POST /v1/connectors/:id/syncs); --watch follows the job')
    .option('--stream <name>', 'a stream to sync (repeatable; default: all)', (value, all: string[]) => [...all, value], [])
    .option('--full-refresh', 'read everything again instead of incrementally')
    .option('--reconcile', 'a full read that repairs what incremental cursors missed (its counts are the repairs)')
    .option('--watch', 'follow the sync job until it finishes')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { stream: string[]; fullRefresh?: boolean; reconcile?: boolean; watch?: boolean; json?: boolean }) => {
      const mode = options.reconcile ? 'reconcile' : options.fullRefresh ? 'full_refresh' : 'incremental';
      const body = { ...(options.stream.length > 0 ? { streams: options.stream } : {}), mode };
      const { job } = await client().request<{ job: { id: string; kind: string; status: string; workflowId: string; temporalUiUrl: string } }>(
        'POST',
        `/v1/connectors/${id}/syncs`,
        { body },
      );
      const finished = options.watch ? await watchJob(client(), job.id, options) : job;
      printObject(
        options.json
          ? (finished as unknown as Record<string, unknown>)
          : { id: finished.id, kind: finished.kind, status: finished.status, workflowId: finished.workflowId, temporalUiUrl: finished.temporalUiUrl },
        options,
      );
      if (options.watch && finished.status !== 'completed') process.exitCode = 1;
    });
}
