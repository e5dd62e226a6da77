import { Button, Group, Modal, Paper, Skeleton, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrors } from '../../ui/fieldErrors';
import { formatDateTime } from '../../ui/format';
import { notify } from '../../ui/notify';
import { StatusBadge } from '../../ui/StatusBadge';
import { CopyField } from './CopyField';
import type { IdentityDomain } from './identityTypes';

const DOMAINS_KEY = ['identity', 'domains'] as const;

/** The organisation's e-mail domains: claim one, publish its DNS TXT record, verify, remove. */
export function DomainsPanel() {
  const queryClient = useQueryClient();
  const domains = useQuery({ queryKey: DOMAINS_KEY, queryFn: () => unwrap(api.GET('/v1/identity/domains')) });
  const [name, setName] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [removing, setRemoving] = useState<IdentityDomain | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: DOMAINS_KEY });
  const add = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/identity/domains', { body: { domain: name } })),
    onSuccess: (created) => {
      setName('');
      setShown(created.domain.id);
      void refresh();
    },
  });
  const verify = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/v1/identity/domains/{id}/verify', { params: { path: { id } } })),
    onSuccess: (answer) => {
      notify(
        answer.domain.status === 'verified'
          ? { title: 'Domain verified', message: `${answer.domain.domain} now signs in through SSO.` }
          : { title: 'Not verified yet', message: answer.domain.lastCheckError ?? 'The TXT record was not found.', color: 'yellow' },
      );
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/identity/domains/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      setRemoving(null);
      notify({ title: 'Domain removed', message: 'Its people no longer find SSO from their e-mail address.' });
      void refresh();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };
  const rows = domains.data?.data ?? [];
  const detail = rows.find((domain) => domain.id === shown);

  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="sm">
        Verified domains
      </Title>
      <Stack gap="sm">
        <ErrorAlert error={domains.error} title="The domains could not be loaded" />
        {domains.isLoading ? (
          <Skeleton height={80} aria-label="Loading the domains" />
        ) : rows.length === 0 ? (
          <Text size="sm">No domain yet. Add your organisation&apos;s e-mail domain below, then publish the DNS TXT record it shows.</Text>
        ) : (
          <Table aria-label="E-mail domains">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Domain</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last checked</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((domain) => (
                <Table.Tr key={domain.id}>
                  <Table.Td>{domain.domain}</Table.Td>
                  <Table.Td>
                    <StatusBadge color={domain.status === 'verified' ? 'green' : 'yellow'} data-testid={`domain-status-${domain.domain}`}>
                      {domain.status === 'verified' ? `Verified${domain.verifiedBy === 'platform_admin' ? ' (by the platform)' : ''}` : 'Pending'}
                    </StatusBadge>
                    {domain.lastCheckError && domain.status === 'pending' && <Text size="xs">{domain.lastCheckError}</Text>}
                  </Table.Td>
                  <Table.Td>{formatDateTime(domain.lastCheckedAt)}</Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      {domain.status === 'pending' && (
                        <>
                          <Button size="xs" variant="light" onClick={() => setShown(domain.id)} aria-label={`Show the TXT record of ${domain.domain}`}>
                            TXT record
                          </Button>
                          <Button
                            size="xs"
                            loading={verify.isPending && verify.variables === domain.id}
                            onClick={() => verify.mutate(domain.id)}
                            aria-label={`Verify ${domain.domain}`}
                          >
                            Verify
                          </Button>
                        </>
                      )}
                      <Button size="xs" color="red" variant="light" onClick={() => setRemoving(domain)} aria-label={`Remove ${domain.domain}`}>
                        Remove
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        <ErrorAlert error={verify.error} title="The domain could not be checked" />
        {detail && detail.status === 'pending' && (
          <Paper withBorder p="sm" aria-label={`DNS record for ${detail.domain}`} component="section">
            <Stack gap="xs">
              <Text size="sm">
                Publish this TXT record in the DNS of <strong>{detail.domain}</strong>, then press Verify. DNS changes can take a few minutes to appear.
              </Text>
              <CopyField label="TXT record name" value={detail.verificationRecord.name} />
              <CopyField label="TXT record value" value={detail.verificationRecord.value} />
            </Stack>
          </Paper>
        )}
        <form onSubmit={submit} aria-label="Add a domain">
          <Group align="flex-start" gap="xs">
            <TextInput
              label="E-mail domain"
              description="The part after @ in your people's e-mail addresses, e.g. example.com"
              required
              value={name}
              onChange={(event) => setName(event.currentTarget.value.trim())}
              error={fieldErrors(add.error).domain}
              style={{ flex: 1 }}
            />
            <Button type="submit" loading={add.isPending} mt={44}>
              Add domain
            </Button>
          </Group>
          {!fieldErrors(add.error).domain && <ErrorAlert error={add.error} title="The domain was not added" />}
        </form>
      </Stack>
      <Modal opened={removing !== null} onClose={() => setRemoving(null)} title={`Remove ${removing?.domain ?? 'the domain'}?`}>
        <Stack>
          <Text size="sm">People of this domain will no longer find single sign-on from their e-mail address, and SSO required stops applying to them.</Text>
          <ErrorAlert error={remove.error} title="The domain was not removed" />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRemoving(null)}>
              Cancel
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => removing && remove.mutate(removing.id)}>
              Remove domain
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}
