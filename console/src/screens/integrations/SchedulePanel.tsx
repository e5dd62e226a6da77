import { Button, Group, Modal, NumberInput, Paper, Select, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notify } from './notify';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime } from '../../ui/format';
import { integrationKeys, useSchedule } from './integrationQueries';
import type { Connector } from './integrationTypes';

const UNITS = [
  { value: 'm', label: 'minutes' },
  { value: 'h', label: 'hours' },
  { value: 'd', label: 'days' },
];

function splitEvery(every: string | undefined): { amount: number; unit: string } {
  const match = /^(\d+)([mhd])$/.exec(every ?? '');
  return match ? { amount: Number(match[1]), unit: match[2]! } : { amount: 60, unit: 'm' };
}

/** The connector's schedule: shown, set ("every N minutes/hours/days"), removed. Pausing the connector pauses it. */
export function SchedulePanel({ connector, canEdit }: { connector: Connector; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const schedule = useSchedule(connector.id);
  const [confirmingRemove, removeModal] = useDisclosure(false);
  const initial = splitEvery(schedule.data?.every);
  const [amount, setAmount] = useState<number | ''>('');
  const [unit, setUnit] = useState<string | null>(null);
  const shownAmount = amount === '' && schedule.data ? initial.amount : amount;
  const shownUnit = unit ?? initial.unit;

  const refresh = () => queryClient.invalidateQueries({ queryKey: integrationKeys.schedule(connector.id) });
  const save = useMutation({
    mutationFn: () =>
      unwrap(api.PUT('/v1/connectors/{id}/schedule', { params: { path: { id: connector.id } }, body: { every: `${shownAmount}${shownUnit}` } })),
    onSuccess: async (answer) => {
      notify({ color: '#237032', message: `Syncs every ${answer.schedule.every}` });
      setAmount('');
      setUnit(null);
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/connectors/{id}/schedule', { params: { path: { id: connector.id } } })),
    onSuccess: async () => {
      removeModal.close();
      notify({ message: 'Schedule removed: syncs run only by hand' });
      await refresh();
    },
    onError: (error) => notify({ color: 'red', title: 'Could not remove the schedule', message: errorMessage(error) }),
  });
  const everyError =
    save.error instanceof ApiError && Array.isArray(save.error.details)
      ? (save.error.details as Array<{ path?: string; message?: string }>).find((detail) => detail.path === 'body.every')?.message
      : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="schedule-heading">
      <Stack gap="sm">
        <Title order={3} size="h4" id="schedule-heading">
          Schedule
        </Title>
        {schedule.isPending && <Skeleton h={40} />}
        <ErrorAlert error={schedule.error} title="Could not load the schedule" />
        {schedule.isSuccess && (
          <Text size="sm" data-testid="schedule-summary">
            {schedule.data
              ? `Every ${schedule.data.every}${schedule.data.paused ? ' — paused' : ''}; next run ${schedule.data.paused ? 'when resumed' : formatDateTime(schedule.data.nextRunAt)}${schedule.data.reconcile ? `; reconcile every ${schedule.data.reconcile.every}` : ''}`
              : 'No schedule: syncs run only when started by hand.'}
          </Text>
        )}
        {canEdit && schedule.isSuccess && (
          <form onSubmit={submit} aria-label="Set the schedule">
            <Group align="flex-end" gap="sm">
              <NumberInput
                label="Sync every"
                min={1}
                allowDecimal={false}
                w={140}
                value={shownAmount}
                onChange={(value) => setAmount(typeof value === 'number' ? value : '')}
                error={everyError}
                required
              />
              <Select label="Unit" data={UNITS} value={shownUnit} onChange={setUnit} w={140} allowDeselect={false} />
              <Button type="submit" loading={save.isPending} disabled={shownAmount === ''}>
                {schedule.data ? 'Change schedule' : 'Set schedule'}
              </Button>
              {schedule.data && (
                <Button variant="default" color="red" onClick={removeModal.open}>
                  Remove schedule
                </Button>
              )}
            </Group>
            {save.error && !everyError && <ErrorAlert error={save.error} title="Could not set the schedule" />}
          </form>
        )}
      </Stack>
      <Modal opened={confirmingRemove} onClose={removeModal.close} closeButtonProps={{ 'aria-label': 'Close' }} title="Remove the schedule?">
        <Stack>
          <Text size="sm">The Temporal Schedule is deleted; a sync in progress continues. You can still sync by hand.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={removeModal.close}>
              Keep it
            </Button>
            <Button color="red.9" onClick={() => remove.mutate()} loading={remove.isPending}>
              Remove schedule
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}
