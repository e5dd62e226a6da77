import { Anchor, Button, Code, Group, Modal, Paper, Skeleton, Stack, Tabs, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notify } from '../../ui/notify';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { api, errorMessage, unwrap } from '../../api/client';
import { useSession } from '../../session/SessionProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime } from '../../ui/format';
import { PageHeader } from '../../ui/PageHeader';
import { ConnectorForm } from './ConnectorForm';
import { integrationKeys, useConnectorTypes, useSyncRuns } from './integrationQueries';
import { isActiveRun, type Connector } from './integrationTypes';
import { RecordsBrowser } from './RecordsBrowser';
import { SchedulePanel } from './SchedulePanel';
import { StatusBadge } from './StatusBadge';
import { SyncProgress } from './SyncProgress';
import { SyncRunsTable } from './SyncRunsTable';
import { TestConnection } from './TestConnection';
import './integrations.css';

const HISTORY_SIZE = 20;

/** One integration: test, sync (live), schedule, pause/resume, its run history, its records and its settings. */
export default function IntegrationPage() {
  const { connectorId = '' } = useParams();
  const session = useSession();
  const canManage = session.can('member');
  const connector = useQuery({
    queryKey: integrationKeys.connector(connectorId),
    queryFn: async () => (await unwrap(api.GET('/v1/connectors/{id}', { params: { path: { id: connectorId } } }))).connector,
  });
  const types = useConnectorTypes();

  if (connector.isPending) {
    return (
      <Stack>
        <Skeleton h={40} w={300} />
        <Skeleton h={200} />
      </Stack>
    );
  }
  if (!connector.data) {
    return (
      <>
        <PageHeader title="Integration" />
        <ErrorAlert error={connector.error} title="Could not load the integration" />
        <Anchor component={Link} to="/integrations">
          Back to integrations
        </Anchor>
      </>
    );
  }
  const type = types.data?.data.find((entry) => entry.type === connector.data.type);
  return (
    <ConnectorScreen connector={connector.data} typeName={type?.displayName ?? connector.data.type} canManage={canManage} canCancel={session.can('manager')} />
  );
}

function ConnectorScreen({ connector, typeName, canManage, canCancel }: { connector: Connector; typeName: string; canManage: boolean; canCancel: boolean }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const types = useConnectorTypes();
  const type = types.data?.data.find((entry) => entry.type === connector.type);
  const runs = useSyncRuns(connector.id, HISTORY_SIZE);
  const latest = runs.data?.data[0];
  const running = isActiveRun(latest);
  const [confirmingDelete, deleteModal] = useDisclosure(false);
  const refreshRuns = () => queryClient.invalidateQueries({ queryKey: ['connectors', connector.id, 'syncs'] });

  const syncNow = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/connectors/{id}/syncs', { params: { path: { id: connector.id } }, body: { mode: 'incremental' } })),
    onSuccess: async () => {
      notify({ message: 'Sync started' });
      await refreshRuns();
    },
    onError: (error) => notify({ color: 'red', title: 'The sync did not start', message: errorMessage(error) }),
  });
  const pauseOrResume = useMutation({
    mutationFn: (action: 'pause' | 'resume') =>
      action === 'pause'
        ? unwrap(api.POST('/v1/connectors/{id}/pause', { params: { path: { id: connector.id } } }))
        : unwrap(api.POST('/v1/connectors/{id}/resume', { params: { path: { id: connector.id } } })),
    onSuccess: async (answer) => {
      notify({ message: answer.connector.status === 'paused' ? 'Paused: syncs and the schedule hold until resumed' : 'Resumed' });
      queryClient.setQueryData(integrationKeys.connector(connector.id), answer.connector);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: integrationKeys.schedule(connector.id) }),
        refreshRuns(),
        queryClient.invalidateQueries({ queryKey: integrationKeys.connectors, exact: true }),
      ]);
    },
    onError: (error) => notify({ color: 'red', title: 'Could not change the state', message: errorMessage(error) }),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/connectors/{id}', { params: { path: { id: connector.id } } })),
    onSuccess: async () => {
      notify({ message: `Deleted ${connector.name}` });
      queryClient.removeQueries({ queryKey: integrationKeys.connector(connector.id) });
      await queryClient.invalidateQueries({ queryKey: integrationKeys.connectors });
      void navigate('/integrations');
    },
  });
  const paused = connector.status === 'paused';

  return (
    <div className="hub-integrations">
      <PageHeader
        title={connector.name}
        description={
          <>
            {typeName} · added {formatDateTime(connector.createdAt)} ·{' '}
            <Anchor component={Link} to="/integrations" size="sm" underline="always">
              All integrations
            </Anchor>
          </>
        }
        actions={
          canManage && (
            <>
              <Button onClick={() => syncNow.mutate()} loading={syncNow.isPending} disabled={paused || running}>
                Sync now
              </Button>
              <Button variant="default" onClick={() => pauseOrResume.mutate(paused ? 'resume' : 'pause')} loading={pauseOrResume.isPending}>
                {paused ? 'Resume' : 'Pause'}
              </Button>
              <Button variant="default" color="red" onClick={deleteModal.open}>
                Delete
              </Button>
            </>
          )
        }
      />
      <Group gap="sm" mb="md">
        <Text size="sm">Status</Text>
        <StatusBadge status={connector.status} testId="connector-status" />
        {paused && connector.pausedReason && <Text size="sm">{connector.pausedReason}</Text>}
        <Text size="sm">· Streams: {connector.streams.join(', ') || '—'}</Text>
      </Group>
      <Tabs defaultValue="overview" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="overview">Overview</Tabs.Tab>
          <Tabs.Tab value="history">Sync history</Tabs.Tab>
          <Tabs.Tab value="records">Records</Tabs.Tab>
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview">
          <Stack>
            <TestConnection connector={connector} canTest={canManage} />
            <ErrorAlert error={runs.error} title="Could not load the syncs" />
            {runs.isPending && <Skeleton h={160} />}
            {latest ? (
              <SyncProgress run={latest} canCancel={canCancel} onChanged={() => void refreshRuns()} />
            ) : (
              runs.isSuccess && (
                <Paper withBorder p="md" radius="md">
                  <Text size="sm">{canManage ? 'Not synced yet: test the connection, then “Sync now”.' : 'Not synced yet.'}</Text>
                </Paper>
              )
            )}
            <SchedulePanel connector={connector} canEdit={canManage} />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="history">{runs.data && <SyncRunsTable runs={runs.data.data} />}</Tabs.Panel>
        <Tabs.Panel value="records">
          <RecordsBrowser connector={connector} />
        </Tabs.Panel>
        <Tabs.Panel value="settings">
          {canManage && type ? (
            <Paper withBorder p="md" radius="md" maw={720}>
              <ConnectorForm type={type} connector={connector} onSaved={(saved) => queryClient.setQueryData(integrationKeys.connector(connector.id), saved)} />
            </Paper>
          ) : (
            <Stack gap="xs">
              <Text size="sm">Configuration (credentials are write-only and never shown):</Text>
              <Code block className="hub-mono" data-testid="connector-config">
                {JSON.stringify(connector.config, null, 2)}
              </Code>
            </Stack>
          )}
        </Tabs.Panel>
      </Tabs>
      <Modal
        opened={confirmingDelete}
        onClose={deleteModal.close}
        className="hub-integrations"
        closeButtonProps={{ 'aria-label': 'Close' }}
        title={`Delete ${connector.name}?`}
      >
        <Stack>
          <Text size="sm">Its encrypted credentials, every record it synced, its run history and its schedule are deleted. This cannot be undone.</Text>
          <ErrorAlert error={remove.error} title="Could not delete" />
          <Group justify="flex-end">
            <Button variant="default" onClick={deleteModal.close}>
              Keep it
            </Button>
            <Button color="red.9" onClick={() => remove.mutate()} loading={remove.isPending}>
              Delete integration
            </Button>
          </Group>
        </Stack>
      </Modal>
    </div>
  );
}
