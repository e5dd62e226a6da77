import { Badge, Button, Code, Group, Skeleton, Switch, Table, Text } from '@mantine/core';
import { notify } from '../../ui/notify';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, unwrap } from '../../api/client';
import { useSession } from '../../session/SessionProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime } from '../../ui/format';
import { PageHeader } from '../../ui/PageHeader';
import { DeleteWebhookModal } from './DeleteWebhookModal';
import { RegisterWebhookModal } from './RegisterWebhookModal';
import { WebhookDeliveries } from './WebhookDeliveries';
import { DISABLED_REASONS, type Webhook } from './webhookTypes';

/** Webhooks: register endpoints (secret shown once), enable/disable/delete them, follow and re-send their deliveries. */
export default function WebhooksPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const canManage = session.can('member');
  const [registering, setRegistering] = useState(false);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const webhooks = useQuery({ queryKey: ['webhooks', 'list'], queryFn: () => unwrap(api.GET('/v1/webhooks', { params: { query: { limit: 100 } } })) });
  const toggle = useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => unwrap(api.PATCH('/v1/webhooks/{id}', { params: { path: { id } }, body: { enabled } })),
    onSuccess: ({ webhook }) => {
      notify({ color: 'green', title: webhook.enabled ? 'Endpoint enabled' : 'Endpoint disabled', message: webhook.url });
      return queryClient.invalidateQueries({ queryKey: ['webhooks'] });
    },
    onError: (error) => notify({ color: 'red', title: 'The endpoint was not changed', message: errorMessage(error) }),
  });
  const list = webhooks.data?.data ?? [];
  const shown = list.find((webhook) => webhook.id === selected) ?? null;

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Endpoints that receive the organisation's events as signed POSTs, and every delivery to them."
        actions={canManage && <Button onClick={() => setRegistering(true)}>Register endpoint</Button>}
      />
      <ErrorAlert error={webhooks.error} title="The endpoints could not be loaded" />
      {webhooks.isLoading ? (
        <Skeleton height={160} aria-label="Loading endpoints" />
      ) : list.length === 0 ? (
        <Text size="sm" my="xl">
          {canManage ? 'No endpoints yet. Register one to receive sync, job and invoice events.' : 'No endpoints yet. A member or above registers them here.'}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={800}>
          <Table aria-label="Webhook endpoints" striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Endpoint</Table.Th>
                <Table.Th>Events</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last success</Table.Th>
                <Table.Th>Last failure</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((webhook) => (
                <Table.Tr key={webhook.id} data-testid={`webhook-${webhook.id}`}>
                  <Table.Td>
                    <Code>{webhook.url}</Code>
                    {webhook.description && <Text size="xs">{webhook.description}</Text>}
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{webhook.events.join(', ')}</Text>
                  </Table.Td>
                  <Table.Td>
                    {canManage ? (
                      <Switch
                        checked={webhook.enabled}
                        label={webhook.enabled ? 'Enabled' : 'Disabled'}
                        aria-label={`Enabled: ${webhook.url}`}
                        disabled={toggle.isPending}
                        onChange={(event) => toggle.mutate({ id: webhook.id, enabled: event.currentTarget.checked })}
                      />
                    ) : (
                      <Badge color={webhook.enabled ? 'green' : 'gray'} variant="dot">
                        {webhook.status}
                      </Badge>
                    )}
                    {webhook.disabledReason && <Text size="xs">{DISABLED_REASONS[webhook.disabledReason]}</Text>}
                  </Table.Td>
                  <Table.Td>{formatDateTime(webhook.lastSuccessAt)}</Table.Td>
                  <Table.Td>{formatDateTime(webhook.lastFailureAt)}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Button
                        size="compact-xs"
                        variant={selected === webhook.id ? 'filled' : 'light'}
                        aria-pressed={selected === webhook.id}
                        aria-label={`Deliveries to ${webhook.url}`}
                        onClick={() => setSelected(selected === webhook.id ? null : webhook.id)}
                      >
                        Deliveries
                      </Button>
                      {canManage && (
                        <Button size="compact-xs" color="red" variant="light" aria-label={`Delete ${webhook.url}`} onClick={() => setDeleting(webhook)}>
                          Delete
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {shown && <WebhookDeliveries webhook={shown} />}
      <RegisterWebhookModal opened={registering} onClose={() => setRegistering(false)} />
      <DeleteWebhookModal webhook={deleting} onClose={() => setDeleting(null)} onDeleted={(id) => selected === id && setSelected(null)} />
    </>
  );
}
