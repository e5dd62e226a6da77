import { Alert, Button, Code, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime } from '../../ui/format';
import { TemporalLink } from '../../ui/TemporalLink';
import { integrationKeys } from './integrationQueries';
import type { Connector } from './integrationTypes';

/** "Test connection": runs the connectorTest workflow and shows its outcome, with the workflow's Temporal page. */
export function TestConnection({ connector, canTest }: { connector: Connector; canTest: boolean }) {
  const queryClient = useQueryClient();
  const test = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/connectors/{id}/test', { params: { path: { id: connector.id } } })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: integrationKeys.connector(connector.id) }),
  });
  const result = test.data;
  return (
    <Stack gap="xs">
      <Group gap="sm">
        {canTest && (
          <Button variant="default" onClick={() => test.mutate()} loading={test.isPending}>
            Test connection
          </Button>
        )}
        {!result && connector.lastTest && (
          <Text size="sm">
            Last test {formatDateTime(connector.lastTest.at)}: {connector.lastTest.ok ? 'connected' : `failed (${connector.lastTest.error?.code ?? 'error'})`}
          </Text>
        )}
      </Group>
      {result && (
        <Alert color={result.ok ? '#237032' : 'red.9'} title={result.ok ? 'Connection works' : 'Connection failed'} role="status" data-testid="test-result">
          <Stack gap={4}>
            {result.error && (
              <Text size="sm">
                {result.error.message} ({result.error.code})
              </Text>
            )}
            {result.details && Object.keys(result.details).length > 0 && (
              <Code block className="hub-mono">
                {JSON.stringify(result.details, null, 2)}
              </Code>
            )}
            <TemporalLink href={result.temporalUiUrl} label="Test workflow in Temporal" />
          </Stack>
        </Alert>
      )}
      <ErrorAlert error={test.error} title="The test did not run" />
    </Stack>
  );
}
