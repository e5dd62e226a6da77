import { Button, Modal, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/SessionProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageHeader } from '../../ui/PageHeader';
import { ConnectorForm } from './ConnectorForm';
import { ConnectorsTable } from './ConnectorsTable';
import { ConnectorTypeCatalogue } from './ConnectorTypeCatalogue';
import { integrationKeys, useConnectorTypes } from './integrationQueries';
import type { ConnectorType } from './integrationTypes';
import './integrations.css';

/** The tenant's integrations and the catalogue of connector types to add more from. */
export default function IntegrationsPage() {
  const session = useSession();
  const navigate = useNavigate();
  const canManage = session.can('member');
  const types = useConnectorTypes();
  const connectors = useQuery({
    queryKey: integrationKeys.connectors,
    queryFn: () => unwrap(api.GET('/v1/connectors', { params: { query: { limit: 100, page: 1 } } })),
  });
  const [adding, setAdding] = useState<ConnectorType | null>(null);

  return (
    <div className="hub-integrations">
      <PageHeader
        title="Integrations"
        description="Connect the systems the hub syncs records from, run and schedule their syncs, and browse what they brought in."
        actions={
          canManage && types.data?.data[0] ? (
            <Button onClick={() => document.getElementById('catalogue-heading')?.scrollIntoView({ behavior: 'smooth' })}>Add integration</Button>
          ) : undefined
        }
      />
      <Stack gap="xl">
        <section aria-labelledby="connectors-heading">
          <Title order={2} size="h3" id="connectors-heading" mb="sm">
            Your integrations
          </Title>
          <ErrorAlert error={connectors.error} title="Could not load the integrations" />
          {connectors.isPending && <Skeleton h={120} />}
          {connectors.data && connectors.data.data.length === 0 && (
            <Paper withBorder p="lg" radius="md">
              <Text fw={500}>No integrations yet.</Text>
              <Text size="sm">
                {canManage
                  ? 'Pick a type from the catalogue below and add its configuration and credentials.'
                  : 'A member or admin of your organisation can add one.'}
              </Text>
            </Paper>
          )}
          {connectors.data && connectors.data.data.length > 0 && <ConnectorsTable connectors={connectors.data.data} types={types.data?.data} />}
        </section>
        <ErrorAlert error={types.error} title="Could not load the catalogue" />
        <ConnectorTypeCatalogue types={types.data?.data} loading={types.isPending} canAdd={canManage} onAdd={setAdding} />
      </Stack>
      <Modal
        opened={adding !== null}
        onClose={() => setAdding(null)}
        className="hub-integrations"
        closeButtonProps={{ 'aria-label': 'Close' }}
        title={adding ? `Add ${adding.displayName} integration` : ''}
        size="lg"
      >
        {adding && (
          <ConnectorForm
            key={adding.type}
            type={adding}
            onCancel={() => setAdding(null)}
            onSaved={(connector) => {
              setAdding(null);
              void navigate(`/integrations/${connector.id}`);
            }}
          />
        )}
      </Modal>
    </div>
  );
}
