import { Button, Checkbox, Group, Modal, Stack, Switch, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrors } from '../../ui/fieldErrors';
import { SecretOnce } from '../../ui/SecretOnce';
import { WEBHOOK_EVENTS, type WebhookEventType } from './webhookTypes';

/**
 * Registers an endpoint (URL, events, description). The answer carries the signing secret this
 * once: it is shown with a copy button until Done, and kept nowhere else (the mutation is reset).
 */
export function RegisterWebhookModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<WebhookEventType[]>([]);
  const [enabled, setEnabled] = useState(true);
  const register = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/v1/webhooks', { body: { url: url.trim(), events, enabled, ...(description.trim() ? { description: description.trim() } : {}) } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['webhooks'] }),
  });
  const errors = fieldErrors(register.error);
  const secret = register.data?.webhook.secret;

  const close = () => {
    register.reset();
    setUrl('');
    setDescription('');
    setEvents([]);
    setEnabled(true);
    onClose();
  };

  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={opened} onClose={close} title="Register a webhook endpoint" size="lg">
      {secret ? (
        <SecretOnce label="Signing secret" secret={secret} onDone={close} />
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            register.mutate();
          }}
        >
          <Stack>
            <TextInput
              label="Endpoint URL"
              description="https URL that receives signed POSTs (Standard Webhooks)"
              placeholder="https://example.com/hooks/hub"
              value={url}
              onChange={(event) => setUrl(event.currentTarget.value)}
              error={errors.url}
              withAsterisk
              type="url"
            />
            <Checkbox.Group
              label="Events"
              description="The event types to deliver"
              value={events}
              onChange={(value) => setEvents(value as WebhookEventType[])}
              error={errors.events ?? Object.entries(errors).find(([field]) => field.startsWith('events.'))?.[1]}
              withAsterisk
            >
              <Stack gap={6} mt="xs">
                {(Object.entries(WEBHOOK_EVENTS) as Array<[WebhookEventType, string]>).map(([type, meaning]) => (
                  <Checkbox key={type} value={type} label={type} description={meaning} />
                ))}
              </Stack>
            </Checkbox.Group>
            <TextInput
              label="Description"
              description="Optional: what receives these events"
              value={description}
              onChange={(event) => setDescription(event.currentTarget.value)}
              error={errors.description}
            />
            <Switch label="Enabled" description="Deliver events from now on" checked={enabled} onChange={(event) => setEnabled(event.currentTarget.checked)} />
            <ErrorAlert error={Object.keys(errors).length ? null : register.error} title="The endpoint was not registered" />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={register.isPending} disabled={events.length === 0 || !url.trim()}>
                Register
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
