import { Button, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { notify } from '../../ui/notify';
import { AddConnectionForm } from './AddConnectionForm';
import { ConnectionCard } from './ConnectionCard';

/** The organisation's identity provider connections (OIDC or SAML), each with its setup values. */
export function ConnectionsPanel() {
  const queryClient = useQueryClient();
  const connections = useQuery({ queryKey: ['identity', 'connections'], queryFn: () => unwrap(api.GET('/v1/identity/connections')) });
  const [adding, setAdding] = useState(false);
  const rows = connections.data?.data ?? [];

  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="sm">
        Identity connections
      </Title>
      <Stack gap="sm">
        <ErrorAlert error={connections.error} title="The connections could not be loaded" />
        {connections.isLoading ? (
          <Skeleton height={80} aria-label="Loading the connections" />
        ) : (
          rows.length === 0 &&
          !adding && <Text size="sm">No identity provider connected yet. Add an OpenID Connect or SAML connection to let your people sign in with SSO.</Text>
        )}
        {rows.map((connection) => (
          <ConnectionCard key={connection.id} connection={connection} />
        ))}
        {adding ? (
          <AddConnectionForm
            onCancel={() => setAdding(false)}
            onAdded={(connection) => {
              setAdding(false);
              notify({ title: 'Connection added', message: `Copy the values shown for ${connection.name} into the identity provider.` });
              void queryClient.invalidateQueries({ queryKey: ['identity', 'connections'] });
            }}
          />
        ) : (
          <Button variant="light" onClick={() => setAdding(true)} style={{ alignSelf: 'flex-start' }}>
            Add connection
          </Button>
        )}
      </Stack>
    </Paper>
  );
}
