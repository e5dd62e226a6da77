import { Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { notify } from '../../ui/notify';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import type { ApiKey } from './apiKeyTypes';

/** Confirms revoking a key; the API decides whether this user may (a member only its own keys) and its refusal is shown here. */
export function RevokeApiKeyModal({ apiKey, onClose }: { apiKey: ApiKey | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      notify({ color: 'green', title: 'Key revoked', message: 'Calls with it are refused from now on.' });
      await queryClient.invalidateQueries({ queryKey: ['apiKeys'] });
      close();
    },
  });
  const close = () => {
    revoke.reset();
    onClose();
  };
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={apiKey !== null} onClose={close} title="Revoke this key?">
      {apiKey && (
        <Stack>
          <Text size="sm">
            Every call with <Code>{apiKey.prefix}…</Code> ({apiKey.name}) is refused from now on. This cannot be undone.
          </Text>
          <ErrorAlert error={revoke.error} title="The key was not revoked" />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Keep it
            </Button>
            <Button color="red" loading={revoke.isPending} onClick={() => revoke.mutate(apiKey.id)}>
              Revoke key
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
