import { Pager } from '../../ui/Pager';
import { Alert, Badge, Button, Code, Group, Select, Skeleton, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/SessionProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime } from '../../ui/format';
import { PageHeader } from '../../ui/PageHeader';
import { API_KEY_STATUSES, type ApiKey, type ApiKeyStatus } from './apiKeyTypes';
import { CreateApiKeyModal } from './CreateApiKeyModal';
import { RevokeApiKeyModal } from './RevokeApiKeyModal';

const PAGE_SIZE = 25;

/** API keys: create (secret shown once), list with last use, revoke. Keys are for members and above (the access table). */
export default function ApiKeysPage() {
  const session = useSession();
  const allowed = session.can('member');
  const [status, setStatus] = useState<ApiKeyStatus | null>('active');
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const keys = useQuery({
    queryKey: ['apiKeys', { status, page }],
    queryFn: () => unwrap(api.GET('/v1/api-keys', { params: { query: { page, limit: PAGE_SIZE, ...(status ? { status } : {}) } } })),
    placeholderData: keepPreviousData,
    enabled: allowed,
  });
  const me = `user:${session.user.id}`;
  const list = keys.data?.data ?? [];

  return (
    <>
      <PageHeader
        title="API keys"
        description="Keys for integrations and scripts calling the hub's API. A key's secret is shown once, when it is created."
        actions={allowed && <Button onClick={() => setCreating(true)}>Create key</Button>}
      />
      {!allowed ? (
        <Alert color="blue" title="API keys are for members and above">
          Your role ({session.user.role}) reads the organisation&apos;s data in the console; ask an admin for a key if a script needs one.
        </Alert>
      ) : (
        <>
          <Group mb="md" align="flex-end">
            <Select
              label="Status"
              placeholder="Every status"
              data={(Object.entries(API_KEY_STATUSES) as Array<[ApiKeyStatus, { label: string }]>).map(([value, entry]) => ({ value, label: entry.label }))}
              value={status}
              onChange={(value) => {
                setStatus(value as ApiKeyStatus | null);
                setPage(1);
              }}
              clearable
            />
          </Group>
          <ErrorAlert error={keys.error} title="The keys could not be loaded" />
          {keys.isLoading ? (
            <Skeleton height={160} aria-label="Loading keys" />
          ) : list.length === 0 ? (
            <Text size="sm" my="xl">
              {status ? `No ${API_KEY_STATUSES[status].label.toLowerCase()} keys.` : 'No keys yet.'} Create one with “Create key”.
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={900}>
              <Table aria-label="API keys" striped highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Key</Table.Th>
                    <Table.Th>Role and scopes</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Last used</Table.Th>
                    <Table.Th>Expires</Table.Th>
                    <Table.Th>Created</Table.Th>
                    <Table.Th>Actions</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {list.map((key) => (
                    <Table.Tr key={key.id} data-testid={`api-key-${key.prefix}`}>
                      <Table.Td>{key.name}</Table.Td>
                      <Table.Td>
                        <Code>{key.prefix}…</Code>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{key.role}</Text>
                        <Text size="xs">{key.scopes ? key.scopes.join(', ') : 'everything the role allows'}</Text>
                      </Table.Td>
                      <Table.Td>
                        <Badge color={API_KEY_STATUSES[key.status].color} variant="dot">
                          {API_KEY_STATUSES[key.status].label}
                        </Badge>
                      </Table.Td>
                      <Table.Td data-testid={`api-key-last-used-${key.prefix}`}>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'never'}</Table.Td>
                      <Table.Td>{key.expiresAt ? formatDateTime(key.expiresAt) : 'never'}</Table.Td>
                      <Table.Td>
                        <Text size="sm">{formatDateTime(key.createdAt)}</Text>
                        <Text size="xs">{key.createdBy === me ? 'by you' : key.createdBy ? `by ${key.createdBy}` : ''}</Text>
                      </Table.Td>
                      <Table.Td>
                        {key.status === 'active' && session.can(key.role) && (
                          <Button size="compact-xs" color="red" variant="light" aria-label={`Revoke ${key.name}`} onClick={() => setRevoking(key)}>
                            Revoke
                          </Button>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          {(keys.data?.pagination.totalPages ?? 0) > 1 && (
            <Group justify="center" mt="md">
              <Pager label="Pages of API keys" total={keys.data!.pagination.totalPages} value={page} onChange={setPage} />
            </Group>
          )}
        </>
      )}
      <CreateApiKeyModal opened={creating} onClose={() => setCreating(false)} />
      <RevokeApiKeyModal apiKey={revoking} onClose={() => setRevoking(null)} />
    </>
  );
}
