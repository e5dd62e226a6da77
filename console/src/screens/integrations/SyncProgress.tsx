import { Button, Group, Modal, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notify } from '../../ui/notify';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, errorMessage, unwrap } from '../../api/client';
import { formatDateTime, formatNumber } from '../../ui/format';
import { TemporalLink } from '../../ui/TemporalLink';
import { isActiveRun, type SyncRun } from './integrationTypes';
import { StatusBadge } from './StatusBadge';

/** Per-stream counts of one run (live while it runs: the ledger commits them with every page). */
export function StreamCounts({ run, label }: { run: SyncRun; label: string }) {
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table aria-label={label} striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Stream</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th ta="right">Read</Table.Th>
            <Table.Th ta="right">Inserted</Table.Th>
            <Table.Th ta="right">Updated</Table.Th>
            <Table.Th ta="right">Deleted</Table.Th>
            <Table.Th ta="right">Pages</Table.Th>
            <Table.Th ta="right">Retries</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {run.streams.map((stream) => (
            <Table.Tr key={stream.stream} data-testid={`stream-${stream.stream}`}>
              <Table.Td>{stream.stream}</Table.Td>
              <Table.Td>
                <StatusBadge status={stream.status} />
                {stream.error && (
                  <Text size="xs" c="red.9">
                    {stream.error.message}
                  </Text>
                )}
              </Table.Td>
              <Table.Td ta="right">{formatNumber(stream.read)}</Table.Td>
              <Table.Td ta="right">{formatNumber(stream.inserted)}</Table.Td>
              <Table.Td ta="right">{formatNumber(stream.updated)}</Table.Td>
              <Table.Td ta="right">{formatNumber(stream.deleted)}</Table.Td>
              <Table.Td ta="right">{formatNumber(stream.pages)}</Table.Td>
              <Table.Td ta="right">{formatNumber(stream.retries)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The newest run of a connector, live while it runs, with cancel for roles that may stop jobs. */
export function SyncProgress({ run, canCancel, onChanged }: { run: SyncRun; canCancel: boolean; onChanged(): void }) {
  const queryClient = useQueryClient();
  const [confirming, { open, close }] = useDisclosure(false);
  const cancel = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/jobs/{id}/cancel', { params: { path: { id: run.id } } })),
    onSuccess: () => {
      close();
      notify({ message: 'Cancellation requested: the sync stops at its next page boundary' });
      onChanged();
      void queryClient.invalidateQueries({ queryKey: ['connectors'] });
    },
    onError: (error) => notify({ color: 'red', title: 'Could not cancel', message: errorMessage(error) }),
  });
  const active = isActiveRun(run);
  return (
    <Paper withBorder p="md" radius="md" aria-labelledby="latest-run-heading" component="section" aria-busy={active}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="sm">
            <Title order={3} size="h4" id="latest-run-heading">
              Latest sync
            </Title>
            <StatusBadge status={run.status} testId="latest-run-status" />
            <Text size="sm">
              {run.mode.replace('_', ' ')} · {run.trigger === 'schedule' ? 'scheduled' : 'started by hand'} · {formatDateTime(run.startedAt ?? run.createdAt)}
            </Text>
          </Group>
          <Group gap="sm">
            <TemporalLink href={run.temporalUiUrl} />
            {active && canCancel && (
              <Button color="red.9" variant="outline" size="xs" onClick={open}>
                Cancel sync
              </Button>
            )}
          </Group>
        </Group>
        <Group gap="xl">
          <Text size="sm">
            Records read: <strong data-testid="latest-run-read">{formatNumber(run.totals.read)}</strong>
          </Text>
          <Text size="sm">Inserted: {formatNumber(run.totals.inserted)}</Text>
          <Text size="sm">Updated: {formatNumber(run.totals.updated)}</Text>
          <Text size="sm">Deleted: {formatNumber(run.totals.deleted)}</Text>
          <Text size="sm">Pages: {formatNumber(run.totals.pages)}</Text>
        </Group>
        {run.error && (
          <Text size="sm" c="red.9" role="alert">
            {run.error.message} ({run.error.code})
          </Text>
        )}
        <StreamCounts run={run} label="Latest sync by stream" />
      </Stack>
      <Modal opened={confirming} onClose={close} className="hub-integrations" closeButtonProps={{ 'aria-label': 'Close' }} title="Cancel this sync?">
        <Stack>
          <Text size="sm">The page in flight commits; the streams not finished keep their cursors, so the next sync continues from there.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Keep running
            </Button>
            <Button color="red.9" onClick={() => cancel.mutate()} loading={cancel.isPending}>
              Cancel sync
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}
