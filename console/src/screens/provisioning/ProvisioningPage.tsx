import { Alert, Button, Code, CopyButton, Group, Paper, Skeleton, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/SessionProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime } from '../../ui/format';
import { notify } from '../../ui/notify';
import { PageHeader } from '../../ui/PageHeader';
import { SecretOnce } from '../../ui/SecretOnce';
import { ChangeScimTokenModal } from './ChangeScimTokenModal';
import { ScimRequestsTable } from './ScimRequestsTable';
import type { ScimConnection } from './scimTypes';

/**
 * Provisioning (SCIM): the base URL and token an identity provider (Okta, Entra ID) needs to
 * create, update and deactivate the organisation's users, and the requests it has made. The
 * token is shown once, when created or rotated. Admins only (the access table).
 */
export default function ProvisioningPage() {
  const session = useSession();
  const allowed = session.can('admin');
  const queryClient = useQueryClient();
  const [secret, setSecret] = useState<string | null>(null);
  const [changing, setChanging] = useState<'rotate' | 'revoke' | null>(null);
  const connection = useQuery({ queryKey: ['scimToken'], queryFn: () => unwrap(api.GET('/v1/scim-token')), enabled: allowed });
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/scim-token')),
    onSuccess: (created) => {
      setSecret(created.secret);
      setChanging(null);
      notify({ title: created.rotated ? 'SCIM token rotated' : 'SCIM token created', message: 'Copy it into the identity provider now.' });
      // The answer holds the new token's details: shown at once, without another read.
      queryClient.setQueryData<ScimConnection>(['scimToken'], { baseUrl: created.baseUrl, token: created.token });
    },
  });
  const revoke = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/scim-token')),
    onSuccess: () => {
      setChanging(null);
      notify({ title: 'SCIM token revoked', message: 'The identity provider’s requests are refused from now on.' });
      queryClient.setQueryData<ScimConnection>(['scimToken'], (current) => current && { ...current, token: null });
    },
  });
  const token = connection.data?.token ?? null;
  const closeModal = () => {
    create.reset();
    revoke.reset();
    setChanging(null);
  };

  return (
    <>
      <PageHeader
        title="Provisioning (SCIM)"
        description="Let your identity provider create, update and deactivate your organisation's users through SCIM 2.0. Deactivated users lose their seat and their console sessions at once."
      />
      {!allowed ? (
        <Alert color="blue" title="Provisioning is for admins">
          Your role ({session.user.role}) cannot see or change the SCIM token; ask an admin of your organisation.
        </Alert>
      ) : (
        <Stack gap="lg">
          <ErrorAlert error={connection.error} title="The SCIM settings could not be loaded" />
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">
              Connection
            </Title>
            {connection.isLoading ? (
              <Skeleton height={90} aria-label="Loading the SCIM connection" />
            ) : (
              connection.data && (
                <Stack gap="sm">
                  <Group align="flex-end" gap="xs">
                    <TextInput
                      label="SCIM base URL"
                      description="Okta calls it the SCIM connector base URL, Entra ID the Tenant URL."
                      value={connection.data.baseUrl}
                      readOnly
                      style={{ flex: 1 }}
                    />
                    <CopyButton value={connection.data.baseUrl}>
                      {({ copied, copy }) => (
                        <Button variant="light" onClick={copy} aria-label="Copy the SCIM base URL">
                          {copied ? 'Copied' : 'Copy'}
                        </Button>
                      )}
                    </CopyButton>
                  </Group>
                  {token ? (
                    <Text size="sm" data-testid="scim-token-status">
                      Token ending <Code>{token.hint}</Code>, created {formatDateTime(token.createdAt)}; last used{' '}
                      {token.lastUsedAt ? formatDateTime(token.lastUsedAt) : 'never'}.
                    </Text>
                  ) : (
                    <Text size="sm" data-testid="scim-token-status">
                      No SCIM token yet. Create one, then paste it into the identity provider as the bearer token (Okta: API token; Entra ID: secret token).
                    </Text>
                  )}
                  {secret && <SecretOnce label="SCIM token" secret={secret} onDone={() => setSecret(null)} />}
                  <ErrorAlert error={changing === null ? create.error : null} title="The token was not created" />
                  <Group gap="sm">
                    {token ? (
                      <>
                        <Button onClick={() => setChanging('rotate')}>Rotate token</Button>
                        <Button color="red" variant="light" onClick={() => setChanging('revoke')}>
                          Revoke token
                        </Button>
                      </>
                    ) : (
                      <Button loading={create.isPending} onClick={() => create.mutate()}>
                        Create token
                      </Button>
                    )}
                  </Group>
                </Stack>
              )
            )}
          </Paper>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">
              Recent SCIM requests
            </Title>
            <ScimRequestsTable />
          </Paper>
        </Stack>
      )}
      <ChangeScimTokenModal
        action={changing}
        token={token}
        pending={create.isPending || revoke.isPending}
        error={changing === 'rotate' ? create.error : revoke.error}
        onConfirm={() => (changing === 'rotate' ? create.mutate() : revoke.mutate())}
        onClose={closeModal}
      />
    </>
  );
}
