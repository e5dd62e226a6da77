import { Code, Skeleton, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime } from '../../ui/format';
import { StatusBadge } from '../../ui/StatusBadge';

/** How often the log is read again while the screen is open: an IdP's test or push shows up without a reload. */
const REFRESH_MS = 10_000;

function statusColor(status: number): string {
  if (status >= 500) return 'red';
  if (status >= 400) return 'orange';
  return 'green';
}

/** The last requests the identity provider made (time, method, path, status), newest first. */
export function ScimRequestsTable() {
  const requests = useQuery({
    queryKey: ['scimRequests'],
    queryFn: () => unwrap(api.GET('/v1/scim-requests', { params: { query: { limit: 50 } } })),
    refetchInterval: REFRESH_MS,
  });
  const list = requests.data?.requests ?? [];
  if (requests.isLoading) return <Skeleton height={120} aria-label="Loading SCIM requests" />;
  return (
    <>
      <ErrorAlert error={requests.error} title="The SCIM requests could not be loaded" />
      {list.length === 0 ? (
        <Text size="sm" my="md">
          No SCIM requests yet. Paste the base URL and the token into the identity provider and run its connection test: the requests show up here.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table aria-label="Recent SCIM requests" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Method</Table.Th>
                <Table.Th>Path</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((request) => (
                <Table.Tr key={request.id}>
                  <Table.Td>{formatDateTime(request.occurredAt)}</Table.Td>
                  <Table.Td>{request.method}</Table.Td>
                  <Table.Td>
                    <Code>{request.path}</Code>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge color={statusColor(request.status)} data-testid="scim-request-status">
                      {request.status}
                    </StatusBadge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </>
  );
}
