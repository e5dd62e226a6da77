import { Button, Group, Modal, Paper, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notify';
import { StatusBadge } from '../../ui/StatusBadge';
import { ConnectionTestResult } from './ConnectionTestResult';
import { CopyField } from './CopyField';
import type { IdentityConnection } from './identityTypes';

/** One identity connection: what to copy into the identity provider, a test sign-in in a popup, and removal. */
export function ConnectionCard({ connection }: { connection: IdentityConnection }) {
  const queryClient = useQueryClient();
  const [testId, setTestId] = useState<string | null>(null);
  const [removing, setRemoving] = useState(false);
  const startTest = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/identity/connections/{id}/tests', { params: { path: { id: connection.id } } })),
    onSuccess: (started) => {
      setTestId(started.test.id);
      window.open(started.url, 'identity-connection-test', 'popup,width=520,height=680');
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/identity/connections/{id}', { params: { path: { id: connection.id } } })),
    onSuccess: () => {
      setRemoving(false);
      notify({ title: 'Connection removed', message: `${connection.name} no longer signs anyone in.` });
      void queryClient.invalidateQueries({ queryKey: ['identity', 'connections'] });
    },
  });
  const setup = connection.setup;

  return (
    <Paper withBorder p="md" component="section" aria-label={`Connection ${connection.name}`}>
      <Stack gap="sm">
        <Group justify="space-between">
          <Group gap="xs">
            <Title order={3} size="h5">
              {connection.name}
            </Title>
            <StatusBadge color="blue">{connection.type === 'oidc' ? 'OpenID Connect' : 'SAML 2.0'}</StatusBadge>
            <StatusBadge color={connection.enabled ? 'green' : 'gray'}>{connection.enabled ? 'Enabled' : 'Disabled'}</StatusBadge>
          </Group>
          <Group gap="xs">
            <Button size="xs" loading={startTest.isPending} onClick={() => startTest.mutate()}>
              Test connection
            </Button>
            <Button size="xs" color="red" variant="light" onClick={() => setRemoving(true)}>
              Remove
            </Button>
          </Group>
        </Group>
        {connection.oidc && (
          <Text size="sm">
            Issuer {connection.oidc.issuer}, client ID {connection.oidc.clientId}; client secret{' '}
            {connection.oidc.hasClientSecret ? 'stored (never shown)' : 'none (PKCE only)'}.
          </Text>
        )}
        {connection.saml && (
          <Text size="sm">
            IdP {connection.saml.idpEntityId ?? 'unknown entity'}
            {connection.saml.idpMetadataUrl ? `, metadata from ${connection.saml.idpMetadataUrl}` : ', metadata uploaded'}.
          </Text>
        )}
        <Text size="sm" fw={600}>
          Copy into the identity provider
        </Text>
        {setup.redirectUri && (
          <CopyField label="Redirect URI" value={setup.redirectUri} description="Register it as the sign-in redirect URI of the application" />
        )}
        {setup.spMetadataUrl && <CopyField label="SP metadata URL" value={setup.spMetadataUrl} description="Most identity providers read everything from it" />}
        {setup.spEntityId && <CopyField label="SP entity ID" value={setup.spEntityId} description="Audience URI" />}
        {setup.acsUrl && <CopyField label="ACS URL" value={setup.acsUrl} description="Assertion consumer service (HTTP-POST)" />}
        <CopyField label="Tenant login URL" value={setup.loginUrl} description="Starts a sign-in through this connection (e.g. for an IdP app tile)" />
        <ErrorAlert error={startTest.error} title="The test could not start" />
        {testId && <ConnectionTestResult connectionId={connection.id} testId={testId} />}
      </Stack>
      <Modal opened={removing} onClose={() => setRemoving(false)} title={`Remove ${connection.name}?`}>
        <Stack>
          <Text size="sm">Nobody can sign in through this connection any more; its pending sign-ins end.</Text>
          <ErrorAlert error={remove.error} title="The connection was not removed" />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRemoving(false)}>
              Cancel
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate()}>
              Remove connection
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}
