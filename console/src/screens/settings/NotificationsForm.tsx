import { Button, Checkbox, Group, NumberInput, Paper, SimpleGrid, Stack, TagsInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { ResponseBody } from '../../api/types';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrorsOf } from './fieldErrors';
import { useTenantUpdate } from './useTenantUpdate';

type Notifications = ResponseBody<'/v1/tenant', 'get'>['tenant']['settings']['notifications'];
type NotificationEvent = Notifications['events'][number];

const EVENT_LABELS: Record<NotificationEvent, string> = {
  'job.failed': 'A job failed',
  'job.completed': 'A job completed',
  'sync.failed': 'A sync failed',
  'connector.auth_failed': "A connector's credentials were refused",
  'usage.threshold': 'API calls reached the alert threshold',
  'invoice.created': 'An invoice was issued',
  'invoice.payment_failed': 'An invoice payment failed',
};
const PREFIX = 'body.settings.notifications';

/** Who is e-mailed about which events, and the usage alert threshold. */
export function NotificationsForm({ current, canEdit }: { current: Notifications; canEdit: boolean }) {
  const [recipients, setRecipients] = useState(current.emailRecipients);
  const [events, setEvents] = useState<string[]>(current.events);
  const [alertPercent, setAlertPercent] = useState<number | string>(current.usageAlertPercent ?? '');
  const update = useTenantUpdate('Notification preferences');
  const fieldErrors = fieldErrorsOf(update.error, PREFIX);

  function save() {
    update.mutate({
      settings: {
        notifications: {
          emailRecipients: recipients,
          events: events as NotificationEvent[],
          usageAlertPercent: alertPercent === '' ? null : Number(alertPercent),
        },
      },
    });
  }

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="notification-settings">
      <Title order={2} size="h4" id="notification-settings" mb="sm">
        Notifications
      </Title>
      {Object.keys(fieldErrors).length === 0 && <ErrorAlert error={update.error} title="Not saved" />}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save();
        }}
      >
        <fieldset disabled={!canEdit} style={{ border: 0, padding: 0, margin: 0 }}>
          <Stack gap="md">
            <TagsInput
              label="E-mail recipients"
              description="Who receives notification e-mails; press Enter after each address (at most 20)"
              value={recipients}
              onChange={setRecipients}
              error={fieldErrors.emailRecipients}
              disabled={!canEdit}
            />
            <Checkbox.Group label="Events" description="What the recipients are told about" value={events} onChange={setEvents} error={fieldErrors.events}>
              <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs">
                {(Object.keys(EVENT_LABELS) as NotificationEvent[]).map((event) => (
                  <Checkbox key={event} value={event} label={EVENT_LABELS[event]} disabled={!canEdit} />
                ))}
              </SimpleGrid>
            </Checkbox.Group>
            <NumberInput
              label="Usage alert (% of the monthly quota)"
              description="Warn when API calls this month reach this share of the quota; empty for no alert"
              value={alertPercent}
              onChange={setAlertPercent}
              allowDecimal={false}
              error={fieldErrors.usageAlertPercent}
              disabled={!canEdit}
              w={320}
            />
            {canEdit && (
              <Group>
                <Button type="submit" loading={update.isPending}>
                  Save notifications
                </Button>
              </Group>
            )}
          </Stack>
        </fieldset>
      </form>
    </Paper>
  );
}
