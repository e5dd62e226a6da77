import { Button, Group, Table, Text } from '@mantine/core';
import { Fragment, useState } from 'react';
import { formatDateTime, formatNumber } from '../../ui/format';
import { TemporalLink } from '../../ui/TemporalLink';
import type { SyncRun } from './integrationTypes';
import { StatusBadge } from './StatusBadge';
import { StreamCounts } from './SyncProgress';

function duration(run: SyncRun): string {
  if (!run.startedAt || !run.finishedAt) return '—';
  const seconds = Math.max(0, (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000);
  return seconds < 90 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds / 60)} min`;
}

/** A connector's sync runs, newest first; each opens to its per-stream counts. */
export function SyncRunsTable({ runs }: { runs: SyncRun[] }) {
  const [open, setOpen] = useState<string | null>(null);
  if (runs.length === 0) return <Text size="sm">No syncs yet: start one with “Sync now” or set a schedule.</Text>;
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table aria-label="Sync history" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Started</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Mode</Table.Th>
            <Table.Th>Trigger</Table.Th>
            <Table.Th ta="right">Read</Table.Th>
            <Table.Th ta="right">Inserted</Table.Th>
            <Table.Th ta="right">Updated</Table.Th>
            <Table.Th ta="right">Deleted</Table.Th>
            <Table.Th>Duration</Table.Th>
            <Table.Th>Details</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((run) => (
            <Fragment key={run.id}>
              <Table.Tr>
                <Table.Td>{formatDateTime(run.startedAt ?? run.createdAt)}</Table.Td>
                <Table.Td>
                  <StatusBadge status={run.status} />
                </Table.Td>
                <Table.Td>{run.mode.replace('_', ' ')}</Table.Td>
                <Table.Td>{run.trigger}</Table.Td>
                <Table.Td ta="right">{formatNumber(run.totals.read)}</Table.Td>
                <Table.Td ta="right">{formatNumber(run.totals.inserted)}</Table.Td>
                <Table.Td ta="right">{formatNumber(run.totals.updated)}</Table.Td>
                <Table.Td ta="right">{formatNumber(run.totals.deleted)}</Table.Td>
                <Table.Td>{duration(run)}</Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    <Button
                      variant="subtle"
                      size="compact-xs"
                      aria-expanded={open === run.id}
                      onClick={() => setOpen(open === run.id ? null : run.id)}
                      aria-label={`Streams of the run started ${formatDateTime(run.startedAt ?? run.createdAt)}`}
                    >
                      Streams
                    </Button>
                    <TemporalLink href={run.temporalUiUrl} label="Temporal" />
                  </Group>
                </Table.Td>
              </Table.Tr>
              {open === run.id && (
                <Table.Tr>
                  <Table.Td colSpan={10}>
                    <>
                      {run.error && (
                        <Text size="sm" c="red.9">
                          {run.error.message} ({run.error.code})
                        </Text>
                      )}
                      <StreamCounts run={run} label="Run by stream" />
                    </>
                  </Table.Td>
                </Table.Tr>
              )}
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
