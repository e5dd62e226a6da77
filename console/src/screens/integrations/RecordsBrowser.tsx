import { Badge, Button, Code, Drawer, Group, Paper, Select, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime } from '../../ui/format';
import { integrationKeys } from './integrationQueries';
import type { Connector, SyncedRecord } from './integrationTypes';

const PAGE_SIZES = ['25', '50', '100'];

/**
 * The connector's records through the change feed (GET /v1/records): each page continues from the
 * previous page's cursor, so "Next" never skips or repeats a change; the cursors already seen
 * make "Previous" possible. A record's JSON opens in a drawer.
 */
export function RecordsBrowser({ connector }: { connector: Connector }) {
  const [stream, setStream] = useState<string | null>(null);
  const [limit, setLimit] = useState('50');
  // cursors[i] is where page i+1 starts; the first page starts at the feed's beginning.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [shown, setShown] = useState<SyncedRecord | null>(null);
  const cursor = cursors.at(-1);
  const filter = { connectorId: connector.id, stream: stream ?? undefined, limit: Number(limit), cursor };
  const page = useQuery({
    queryKey: integrationKeys.records(filter),
    queryFn: () => unwrap(api.GET('/v1/records', { params: { query: filter } })),
    placeholderData: keepPreviousData,
    staleTime: Infinity,
  });
  const restart = () => setCursors([undefined]);

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="records-heading">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end">
          <Title order={3} size="h4" id="records-heading">
            Records
          </Title>
          <Group gap="sm" align="flex-end">
            <Select
              label="Stream"
              placeholder="All streams"
              data={connector.streams}
              value={stream}
              onChange={(value) => {
                setStream(value);
                restart();
              }}
              clearable
              clearButtonProps={{ 'aria-label': 'Clear the stream filter' }}
              w={200}
            />
            <Select
              label="Per page"
              data={PAGE_SIZES}
              value={limit}
              onChange={(value) => {
                setLimit(value ?? '50');
                restart();
              }}
              allowDeselect={false}
              w={110}
            />
          </Group>
        </Group>
        <Text size="sm">
          Oldest change first. Every read of records is audited. <span data-testid="records-page">Page {cursors.length}</span>
        </Text>
        <ErrorAlert error={page.error} title="Could not load records" />
        {page.isPending && <Skeleton h={200} />}
        {page.data && page.data.data.length === 0 && (
          <Text size="sm">{cursors.length > 1 ? 'No more changes after this point.' : 'No records yet: run a sync to bring some in.'}</Text>
        )}
        {page.data && page.data.data.length > 0 && (
          <Table.ScrollContainer minWidth={640}>
            <Table aria-label="Records" verticalSpacing="xs" striped aria-busy={page.isFetching}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>External id</Table.Th>
                  <Table.Th>Stream</Table.Th>
                  <Table.Th>Changed at source</Table.Th>
                  <Table.Th>Synced</Table.Th>
                  <Table.Th>State</Table.Th>
                  <Table.Th>Data</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.data.data.map((record) => (
                  <Table.Tr key={`${record.stream}/${record.externalId}`}>
                    <Table.Td className="hub-mono" data-testid="record-external-id">
                      {record.externalId}
                    </Table.Td>
                    <Table.Td>{record.stream}</Table.Td>
                    <Table.Td>{formatDateTime(record.sourceUpdatedAt)}</Table.Td>
                    <Table.Td>{formatDateTime(record.syncedAt)}</Table.Td>
                    <Table.Td>
                      {record.deletedAt ? (
                        <Badge color="red.9" variant="filled">
                          deleted
                        </Badge>
                      ) : (
                        'live'
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Button size="compact-xs" variant="subtle" onClick={() => setShown(record)} aria-label={`View record ${record.externalId}`}>
                        View
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        <Group justify="space-between">
          <Group gap="xs">
            <Button variant="default" size="xs" disabled={cursors.length === 1} onClick={restart}>
              First page
            </Button>
            <Button variant="default" size="xs" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </Button>
          </Group>
          <Button
            variant="default"
            size="xs"
            disabled={!page.data?.hasMore || page.isFetching}
            onClick={() => page.data && setCursors([...cursors, page.data.nextCursor])}
          >
            Next page
          </Button>
        </Group>
      </Stack>
      <Drawer
        className="hub-integrations"
        closeButtonProps={{ 'aria-label': 'Close' }}
        opened={shown !== null}
        onClose={() => setShown(null)}
        position="right"
        size="lg"
        title={shown ? `${shown.stream} ${shown.externalId}` : ''}
      >
        {shown && (
          <Stack gap="xs">
            <Text size="sm">
              First seen {formatDateTime(shown.firstSeenAt)} · synced {formatDateTime(shown.syncedAt)}
              {shown.deletedAt ? ` · deleted ${formatDateTime(shown.deletedAt)}` : ''}
            </Text>
            <Code block data-testid="record-json" className="hub-mono">
              {JSON.stringify(shown.data, null, 2)}
            </Code>
          </Stack>
        )}
      </Drawer>
    </Paper>
  );
}
