import { Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { notify } from '../../ui/notify';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import type { Webhook } from './webhookTypes';

/** Confirms deleting an endpoint: its pending deliveries are cancelled and nothing more is sent to it. */
export function DeleteWebhookModal({ webhook, onClose, onDeleted }: { webhook: Webhook | null; onClose: () => void; onDeleted: (id: string) => void }) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/webhooks/{id}', { params: { path: { id } } })),
    onSuccess: async (_, id) => {
      notify({ color: 'green', title: 'Endpoint deleted', message: 'No more events are sent to it.' });
      await queryClient.invalidateQueries({ queryKey: ['webhooks'] });
      onDeleted(id);
      onClose();
    },
  });
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={webhook !== null}
      onClose={() => {
        remove.reset();
        onClose();
      }}
      title="Delete this endpoint?"
    >
      {webhook && (
        <Stack>
          <Text size="sm">
            Events are no longer sent to <Code>{webhook.url}</Code>. This cannot be undone; register it again to receive events (with a new secret).
          </Text>
          <ErrorAlert error={remove.error} title="The endpoint was not deleted" />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Keep it
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(webhook.id)}>
              Delete endpoint
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
