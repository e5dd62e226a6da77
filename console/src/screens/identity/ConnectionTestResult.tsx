import { Alert, Code, Loader, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';

/** A running connection test: polled until the popup's sign-in ends, then the claims the identity provider sent. */
export function ConnectionTestResult({ connectionId, testId }: { connectionId: string; testId: string }) {
  const test = useQuery({
    queryKey: ['identity', 'tests', testId],
    queryFn: () =>
      unwrap(api.GET('/v1/identity/connections/{id}/tests/{testId}', { params: { path: { id: connectionId, testId } } })).then((answer) => answer.test),
    refetchInterval: (query) => (query.state.data?.status === 'pending' || !query.state.data ? 1500 : false),
  });
  const result = test.data;
  return (
    <Stack gap="xs" aria-live="polite" data-testid="connection-test">
      <ErrorAlert error={test.error} title="The test could not be read" />
      {(!result || result.status === 'pending') && (
        <Group gap="xs">
          <Loader size="sm" aria-label="Waiting for the test sign-in" />
          <Text size="sm">Waiting for the sign-in in the popup window…</Text>
        </Group>
      )}
      {result?.status === 'succeeded' && (
        <Alert color="green" title="The connection works" styles={{ title: { color: 'var(--mantine-color-gray-9)' } }}>
          <Text size="sm">
            Signed in as {result.identity?.email}
            {result.identity?.groups?.length ? ` (groups: ${result.identity.groups.join(', ')})` : ''}. Claims received:
          </Text>
          <Code block data-testid="connection-test-claims">
            {JSON.stringify(result.claims, null, 2)}
          </Code>
        </Alert>
      )}
      {result?.status === 'refused' && (
        <Alert color="red" title={`The sign-in was refused (${result.code ?? 'refused'})`} styles={{ title: { color: 'var(--mantine-color-gray-9)' } }}>
          {result.message}
        </Alert>
      )}
      {result?.status === 'expired' && (
        <Alert color="yellow" title="The test expired" styles={{ title: { color: 'var(--mantine-color-gray-9)' } }}>
          No sign-in finished in time. Start the test again.
        </Alert>
      )}
    </Stack>
  );
}
