import { Pager } from '../../ui/Pager';
import { Button, Group, Modal, Skeleton, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, unwrap } from '../../api/client';
import type { RequestBody, ResponseBody } from '../../api/types';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime, formatNumber } from '../../ui/format';
import { PageHeader } from '../../ui/PageHeader';
import { StatusBadge } from '../../ui/StatusBadge';
import { SecretOnce } from '../../ui/SecretOnce';
import { TemporalLink } from '../../ui/TemporalLink';
import { CreateTenantModal, type CreatedTenant } from './CreateTenantModal';
import { InviteConsoleAdmin } from './InviteConsoleAdmin';
import { useOperatorHeaders } from './operatorSession';
import { notify } from '../../ui/notify';

type TenantRow = ResponseBody<'/v1/admin/tenants', 'get'>['data'][number];
type TenantChange = RequestBody<'/v1/admin/tenants/{id}', 'patch'>;

const PAGE_SIZE = 25;

/** Every tenant with plan, status and this month's usage; create, suspend or reactivate, approve custom domains. */
export function TenantsScreen() {
  const queryClient = useQueryClient();
  const headers = useOperatorHeaders();
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedTenant | undefined>();
  const [suspending, setSuspending] = useState<TenantRow | undefined>();
  const tenants = useQuery({
    queryKey: ['operator', 'tenants', page],
    queryFn: () => unwrap(api.GET('/v1/admin/tenants', { params: { query: { page, limit: PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
  });
  const change = useMutation({
    mutationFn: ({ id, body }: { id: string; body: TenantChange }) => unwrap(api.PATCH('/v1/admin/tenants/{id}', { params: { path: { id } }, body, headers })),
    onSuccess: ({ tenant }, { body }) => {
      void queryClient.invalidateQueries({ queryKey: ['operator', 'tenants'] });
      const what =
        body.status === 'suspended'
          ? 'suspended'
          : body.status === 'active'
            ? 'reactivated'
            : body.customDomainApproved
              ? `approved for ${tenant.branding.customDomain}`
              : 'custom domain approval withdrawn';
      notify({ color: 'green', message: `${tenant.name}: ${what}` });
      setSuspending(undefined);
    },
    onError: (error) => notify({ color: 'red', message: `Not changed: ${errorMessage(error)}` }),
  });

  const pages = tenants.data ? Math.max(1, Math.ceil(tenants.data.pagination.total / PAGE_SIZE)) : 1;

  return (
    <>
      <PageHeader
        title="Tenants"
        description="Every tenant of this hub, its plan, status and usage this month."
        actions={<Button onClick={() => setCreating(true)}>Create tenant</Button>}
      />
      <CreateTenantModal
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(answer) => {
          setCreating(false);
          setCreated(answer);
        }}
      />
      {created && (
        <Stack mb="lg" gap="sm">
          <SecretOnce label={`Admin API key of ${created.tenant.slug}`} secret={created.apiKey.key} onDone={() => setCreated(undefined)} />
          <Group gap="xs">
            <Text size="sm">Onboarding workflow:</Text>
            <TemporalLink href={created.temporalUiUrl} />
          </Group>
          <InviteConsoleAdmin tenantSlug={created.tenant.slug} apiKey={created.apiKey.key} />
        </Stack>
      )}
      <ErrorAlert error={tenants.error} />
      {tenants.isPending ? (
        <Skeleton height={240} radius="md" aria-label="Loading tenants" />
      ) : tenants.data && tenants.data.data.length === 0 ? (
        <Stack align="flex-start">
          <Text>No tenants yet.</Text>
          <Button onClick={() => setCreating(true)}>Create the first tenant</Button>
        </Stack>
      ) : tenants.data ? (
        <>
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover aria-label="Tenants" captionSide="top">
              <Table.Caption>{formatNumber(tenants.data.pagination.total)} tenants</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Tenant</Table.Th>
                  <Table.Th>Plan</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>API calls this month</Table.Th>
                  <Table.Th>Seats</Table.Th>
                  <Table.Th>Custom domain</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {tenants.data.data.map((tenant) => (
                  <Table.Tr key={tenant.id} data-testid={`tenant-row-${tenant.slug}`}>
                    <Table.Td>
                      <Text fw={600} size="sm">
                        {tenant.name}
                      </Text>
                      <Text size="xs" className="hub-mono">
                        {tenant.slug}
                      </Text>
                    </Table.Td>
                    <Table.Td>{tenant.plan}</Table.Td>
                    <Table.Td>
                      <StatusBadge color={tenant.status === 'active' ? 'green' : 'red'} data-testid="tenant-status">
                        {tenant.status}
                      </StatusBadge>
                    </Table.Td>
                    <Table.Td>
                      {formatNumber(tenant.usage.apiCalls)} / {formatNumber(tenant.planLimits.apiCallsPerMonth)}
                    </Table.Td>
                    <Table.Td>
                      {formatNumber(tenant.usage.seats)} / {formatNumber(tenant.planLimits.includedSeats)}
                    </Table.Td>
                    <Table.Td>
                      {tenant.branding.customDomain ? (
                        <Stack gap={4} align="flex-start">
                          <Text size="sm">{tenant.branding.customDomain}</Text>
                          <StatusBadge size="sm" color={tenant.customDomainApproved ? 'green' : 'yellow'}>
                            {tenant.customDomainApproved ? 'approved' : 'awaiting approval'}
                          </StatusBadge>
                        </Stack>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                    <Table.Td>{formatDateTime(tenant.createdAt)}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        {tenant.status === 'active' ? (
                          <Button size="xs" color="red" variant="light" onClick={() => setSuspending(tenant)} aria-label={`Suspend ${tenant.slug}`}>
                            Suspend
                          </Button>
                        ) : (
                          <Button
                            size="xs"
                            variant="light"
                            loading={change.isPending && change.variables?.id === tenant.id}
                            onClick={() => change.mutate({ id: tenant.id, body: { status: 'active' } })}
                            aria-label={`Reactivate ${tenant.slug}`}
                          >
                            Reactivate
                          </Button>
                        )}
                        {tenant.branding.customDomain && (
                          <Button
                            size="xs"
                            variant="default"
                            onClick={() => change.mutate({ id: tenant.id, body: { customDomainApproved: !tenant.customDomainApproved } })}
                            aria-label={`${tenant.customDomainApproved ? 'Withdraw domain' : 'Approve domain'} ${tenant.branding.customDomain}`}
                          >
                            {tenant.customDomainApproved ? 'Withdraw domain' : 'Approve domain'}
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {pages > 1 && <Pager mt="md" total={pages} value={page} onChange={setPage} label="Tenant pages" />}
        </>
      ) : null}
      <Modal
        opened={suspending !== undefined}
        onClose={() => setSuspending(undefined)}
        title={`Suspend ${suspending?.name ?? ''}?`}
        centered
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <Stack>
          <Text size="sm">
            Its API keys and console users are refused (TENANT_SUSPENDED) until you reactivate it; they can still read the tenant's own profile.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setSuspending(undefined)}>
              Cancel
            </Button>
            <Button color="red" loading={change.isPending} onClick={() => suspending && change.mutate({ id: suspending.id, body: { status: 'suspended' } })}>
              Suspend tenant
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
