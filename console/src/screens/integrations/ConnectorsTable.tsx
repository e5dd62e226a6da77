import { Anchor, Group, Skeleton, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime, formatNumber } from '../../ui/format';
import { useSchedule, useSyncRuns } from './integrationQueries';
import type { Connector, ConnectorType } from './integrationTypes';
import { scheduleTiming } from './scheduleText';
import { StatusBadge } from './StatusBadge';

function LastSync({ connectorId }: { connectorId: string }) {
  const runs = useSyncRuns(connectorId, 1);
  if (runs.isPending) return <Skeleton h={16} w={120} />;
  const last = runs.data?.data[0];
  if (!last) return <Text size="sm">Never</Text>;
  return (
    <Group gap="xs" wrap="nowrap">
      <StatusBadge status={last.status} />
      <Text size="sm">
        {formatDateTime(last.finishedAt ?? last.startedAt ?? last.createdAt)} · {formatNumber(last.totals.read)} read
      </Text>
    </Group>
  );
}

function Schedule({ connectorId }: { connectorId: string }) {
  const schedule = useSchedule(connectorId);
  if (schedule.isPending) return <Skeleton h={16} w={80} />;
  if (!schedule.data) return <Text size="sm">Manual</Text>;
  const timing = scheduleTiming(schedule.data);
  return <Text size="sm">{`${timing.charAt(0).toUpperCase()}${timing.slice(1)}${schedule.data.paused ? ' (paused)' : ''}`}</Text>;
}

/** The tenant's connectors: status, last sync and schedule, each linking to its page. */
export function ConnectorsTable({ connectors, types }: { connectors: Connector[]; types: ConnectorType[] | undefined }) {
  const displayName = (type: string) => types?.find((entry) => entry.type === type)?.displayName ?? type;
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table aria-label="Integrations" verticalSpacing="sm" highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Last sync</Table.Th>
            <Table.Th>Schedule</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {connectors.map((connector) => (
            <Table.Tr key={connector.id}>
              <Table.Td>
                <Anchor component={Link} to={`/integrations/${connector.id}`} fw={500}>
                  {connector.name}
                </Anchor>
              </Table.Td>
              <Table.Td>{displayName(connector.type)}</Table.Td>
              <Table.Td>
                <StatusBadge status={connector.status} />
              </Table.Td>
              <Table.Td>
                <LastSync connectorId={connector.id} />
              </Table.Td>
              <Table.Td>
                <Schedule connectorId={connector.id} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
