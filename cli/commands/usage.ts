import { type Command } from 'commander';
import { type HubClient } from '../client';
import { printRows } from '../output';

interface Usage {
  from: string;
  to: string;
  groupBy: string;
  data: Array<{ key: string; kind: string; events: number; quantity: number; costUnits: number; errors: number; avgLatencyMs: number | null }>;
  totals: Record<string, number>;
  quota: { period: string; limit: number; used: number; remaining: number };
}

/** `hub usage` ($HUB_API_KEY): GET /v1/usage as a table or JSON. */
export function registerUsageCommand(program: Command, client: () => HubClient): void {
  program
    .command('usage')
    .description("the tenant's metered usage (GET /v1/usage), this month by default")
    .option('--from <iso>', 'start (inclusive), e.g. 2026-11-01T00:00:00Z')
    .option('--to <iso>', 'end (exclusive)')
    .option('--group-by <by>', 'day | endpoint | kind', 'day')
    .option('--kind <kind>', 'only this kind (api_call, scan, sync_records, …)')
    .option('--json', 'print the whole answer as JSON')
    .action(async (options: { from?: string; to?: string; groupBy: string; kind?: string; json?: boolean }) => {
      const query = new URLSearchParams({
        groupBy: options.groupBy,
        ...(options.from ? { from: options.from } : {}),
        ...(options.to ? { to: options.to } : {}),
        ...(options.kind ? { kind: options.kind } : {}),
      });
      const usage = await client().request<Usage>('GET', `/v1/usage?${query}`);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(usage, null, 2)}\n`);
        return;
      }
      printRows(usage.data as unknown as Array<Record<string, unknown>>, ['key', 'kind', 'events', 'quantity', 'costUnits', 'errors', 'avgLatencyMs'], {});
      process.stdout.write(`quota ${usage.quota.period}: ${usage.quota.used} of ${usage.quota.limit} API calls used, ${usage.quota.remaining} left\n`);
    });
}
