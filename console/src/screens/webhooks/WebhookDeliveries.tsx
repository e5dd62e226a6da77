import { Pager } from '../../ui/Pager';
import { Badge, Button, Code, Group, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { notify } from '../../ui/notify';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { api, errorMessage, unwrap } from '../../api/client';
import { useSession } from '../../session/SessionProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime, formatNumber } from '../../ui/format';
import { TemporalLink } from '../../ui/TemporalLink';
import { ATTEMPT_OUTCOME_COLORS, DELIVERY_STATUS_COLORS, type Delivery, type Webhook } from './webhookTypes';

const PAGE_SIZE = 20;
const LIVE_INTERVAL_MS = 1_500;
/** Long receiver answers are cut here in the table (the whole text is in the attempt's title). */
const EXCERPT_LENGTH = 120;

function excerpt(text: string | null): string {
  if (!text) return '—';
  return text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH)}…` : text;
}

function Attempts({ delivery }: { delivery: Delivery }) {
  if (delivery.attempts.length === 0) return <Text size="sm">No attempt yet.</Text>;
  return (
    <Table withTableBorder aria-label={`Attempts of delivery ${delivery.id}`}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>#</Table.Th>
          <Table.Th>Trigger</Table.Th>
          <Table.Th>Outcome</Table.Th>
          <Table.Th>Response</Table.Th>
          <Table.Th>Time</Table.Th>
          <Table.Th>Started</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {delivery.attempts.map((attempt) => (
          <Table.Tr key={attempt.id}>
            <Table.Td>{attempt.attempt}</Table.Td>
            <Table.Td>{attempt.trigger}</Table.Td>
            <Table.Td>
              <Badge color={ATTEMPT_OUTCOME_COLORS[attempt.outcome]} variant="dot">
                {attempt.outcome.replace('_', ' ')}
              </Badge>
            </Table.Td>
            <Table.Td title={attempt.error ?? undefined}>
              <Text size="sm">
                {attempt.statusCode ?? 'no answer'} {attempt.error && <Code>{excerpt(attempt.error)}</Code>}
              </Text>
            </Table.Td>
            <Table.Td>{attempt.latencyMs === null ? '—' : `${formatNumber(Math.round(attempt.latencyMs))} ms`}</Table.Td>
            <Table.Td>{formatDateTime(attempt.startedAt)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** An endpoint's deliveries with status, attempts, the receiver's answers and timing; re-send one; refreshes while any is pending. */
export function WebhookDeliveries({ webhook }: { webhook: Webhook }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const deliveries = useQuery({
    queryKey: ['webhooks', webhook.id, 'deliveries', page],
    queryFn: () => unwrap(api.GET('/v1/webhooks/{id}/deliveries', { params: { path: { id: webhook.id }, query: { page, limit: PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
    // Live while a delivery is retrying or an attempt is on its way.
    refetchInterval: (query) =>
      query.state.data?.data.some((delivery) => delivery.status === 'pending' || delivery.attempts.some((attempt) => attempt.outcome === 'in_flight'))
        ? LIVE_INTERVAL_MS
        : false,
  });
  const retry = useMutation({
    mutationFn: (delivery: Delivery) =>
      unwrap(api.POST('/v1/webhooks/{id}/deliveries/{deliveryId}/retry', { params: { path: { id: webhook.id, deliveryId: delivery.id } } })),
    onSuccess: async () => {
      notify({ color: 'green', title: 'Re-sending', message: 'A new attempt is on its way.' });
      await queryClient.invalidateQueries({ queryKey: ['webhooks', webhook.id, 'deliveries'] });
      // The attempt is made by a workflow: poll until it shows up.
      setTimeout(() => void queryClient.invalidateQueries({ queryKey: ['webhooks', webhook.id, 'deliveries'] }), LIVE_INTERVAL_MS);
    },
    onError: (error) => notify({ color: 'red', title: 'The delivery was not re-sent', message: errorMessage(error) }),
  });

  return (
    <Stack gap="sm" mt="xl">
      <Title order={2} size="h4">
        Deliveries to {webhook.url}
      </Title>
      <ErrorAlert error={deliveries.error} title="The deliveries could not be loaded" />
      {deliveries.isLoading ? (
        <Skeleton height={160} aria-label="Loading deliveries" />
      ) : deliveries.data?.data.length === 0 ? (
        <Text size="sm">No deliveries yet: they appear here when one of the endpoint’s events ({webhook.events.join(', ')}) happens.</Text>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table aria-label="Webhook deliveries" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Event</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Last response</Table.Th>
                <Table.Th>Last attempt</Table.Th>
                <Table.Th>Next attempt</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(deliveries.data?.data ?? []).map((delivery) => (
                <Fragment key={delivery.id}>
                  <Table.Tr data-testid={`delivery-${delivery.eventId}`} data-status={delivery.status}>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {delivery.eventType}
                      </Text>
                      <Text size="xs">{formatDateTime(delivery.createdAt)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={DELIVERY_STATUS_COLORS[delivery.status]} variant="dot">
                        {delivery.status}
                      </Badge>
                    </Table.Td>
                    <Table.Td data-testid={`delivery-attempts-${delivery.eventId}`}>{formatNumber(delivery.attemptCount)}</Table.Td>
                    <Table.Td title={delivery.lastError ?? undefined}>
                      <Text size="sm">
                        {delivery.lastStatusCode ?? '—'} {delivery.lastError && <Code>{excerpt(delivery.lastError)}</Code>}
                      </Text>
                    </Table.Td>
                    <Table.Td>{formatDateTime(delivery.lastAttemptAt)}</Table.Td>
                    <Table.Td>{formatDateTime(delivery.nextAttemptAt)}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="compact-xs"
                          variant="default"
                          aria-expanded={open === delivery.id}
                          aria-label={`Attempts of ${delivery.eventType} delivery ${delivery.id}`}
                          onClick={() => setOpen(open === delivery.id ? null : delivery.id)}
                        >
                          Attempts
                        </Button>
                        {session.can('member') && (
                          <Button
                            size="compact-xs"
                            variant="light"
                            loading={retry.isPending && retry.variables?.id === delivery.id}
                            disabled={webhook.status !== 'enabled'}
                            aria-label={`Re-send ${delivery.eventType} delivery ${delivery.id}`}
                            onClick={() => retry.mutate(delivery)}
                          >
                            Re-send
                          </Button>
                        )}
                        <TemporalLink href={delivery.temporalUiUrl} label="Temporal" />
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                  {open === delivery.id && (
                    <Table.Tr>
                      <Table.Td colSpan={7}>
                        <Attempts delivery={delivery} />
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Fragment>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {(deliveries.data?.pagination.totalPages ?? 0) > 1 && (
        <Group justify="center">
          <Pager label="Pages of deliveries" total={deliveries.data!.pagination.totalPages} value={page} onChange={setPage} />
        </Group>
      )}
    </Stack>
  );
}
