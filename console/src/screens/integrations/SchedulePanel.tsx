import { Button, Group, Modal, NumberInput, Paper, SegmentedControl, Select, Skeleton, Stack, Text, TextInput, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime } from '../../ui/format';
import { integrationKeys, useSchedule } from './integrationQueries';
import type { Connector } from './integrationTypes';
import { notify } from '../../ui/notify';
import { scheduleTiming } from './scheduleText';

const UNITS = [
  { value: 'm', label: 'minutes' },
  { value: 'h', label: 'hours' },
  { value: 'd', label: 'days' },
];

function splitEvery(every: string | null | undefined): { amount: number; unit: string } {
  const match = /^(\d+)([mhd])$/.exec(every ?? '');
  return match ? { amount: Number(match[1]), unit: match[2]! } : { amount: 60, unit: 'm' };
}

function detailFor(error: unknown, path: string): string | undefined {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return undefined;
  return (error.details as Array<{ path?: string; message?: string }>).find((detail) => detail.path === path)?.message;
}

/**
 * The connector's schedule: shown with its next run, set as "every N minutes/hours/days" or as a
 * cron expression (UTC), removed with confirmation. Pausing the connector pauses it.
 */
export function SchedulePanel({ connector, canEdit }: { connector: Connector; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const schedule = useSchedule(connector.id);
  const kindLabel = useId();
  const [confirmingRemove, removeModal] = useDisclosure(false);
  const current = schedule.data;
  const initial = splitEvery(current?.every);
  const [kind, setKind] = useState<'interval' | 'cron' | null>(null);
  const [amount, setAmount] = useState<number | ''>('');
  const [unit, setUnit] = useState<string | null>(null);
  const [cron, setCron] = useState<string | null>(null);
  const shownKind = kind ?? (current?.cron ? 'cron' : 'interval');
  const shownAmount = amount === '' && current?.every ? initial.amount : amount;
  const shownUnit = unit ?? initial.unit;
  const shownCron = cron ?? current?.cron ?? '';

  const refresh = () => queryClient.invalidateQueries({ queryKey: integrationKeys.schedule(connector.id) });
  const reset = () => {
    setKind(null);
    setAmount('');
    setUnit(null);
    setCron(null);
  };
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/v1/connectors/{id}/schedule', {
          params: { path: { id: connector.id } },
          body: shownKind === 'cron' ? { cron: shownCron.trim() } : { every: `${shownAmount}${shownUnit}` },
        }),
      ),
    onSuccess: async (answer) => {
      notify({ color: '#237032', message: `Syncs ${scheduleTiming(answer.schedule)}` });
      reset();
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/connectors/{id}/schedule', { params: { path: { id: connector.id } } })),
    onSuccess: async () => {
      removeModal.close();
      reset();
      notify({ message: 'Schedule removed: syncs run only by hand' });
      await refresh();
    },
    onError: (error) => notify({ color: 'red', title: 'Could not remove the schedule', message: errorMessage(error) }),
  });
  const everyError = detailFor(save.error, 'body.every');
  const cronError = detailFor(save.error, 'body.cron');

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
            {current
              ? `Syncs ${scheduleTiming(current)}${current.paused ? ' — paused' : ''}; next run ${current.paused ? 'when resumed' : formatDateTime(current.nextRunAt)}${current.reconcile ? `; reconcile every ${current.reconcile.every}` : ''}`
              : 'No schedule: syncs run only when started by hand.'}
          </Text>
        )}
        {canEdit && schedule.isSuccess && (
          <form onSubmit={submit} aria-label="Set the schedule" noValidate>
            <Stack gap="sm">
              <div role="radiogroup" aria-labelledby={kindLabel}>
                <Text size="sm" fw={500} id={kindLabel}>
                  Run
                </Text>
                <SegmentedControl
                  value={shownKind}
                  onChange={(value) => setKind(value as 'interval' | 'cron')}
                  data={[
                    { value: 'interval', label: 'At an interval' },
                    { value: 'cron', label: 'By cron expression' },
                  ]}
                />
              </div>
              <Group align="flex-start" gap="sm">
                {shownKind === 'interval' ? (
                  <>
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
                  </>
                ) : (
                  <TextInput
                    label="Cron expression"
                    description="Five fields in UTC: minute, hour, day of month, month, day of week — e.g. 0 */6 * * *"
                    className="hub-mono"
                    w={360}
                    value={shownCron}
                    onChange={(event) => setCron(event.currentTarget.value)}
                    error={cronError}
                    required
                    autoComplete="off"
                  />
                )}
              </Group>
              <Group gap="sm">
                <Button type="submit" loading={save.isPending} disabled={shownKind === 'interval' ? shownAmount === '' : shownCron.trim() === ''}>
                  {current ? 'Change schedule' : 'Set schedule'}
                </Button>
                {current && (
                  <Button variant="default" onClick={removeModal.open}>
                    Remove schedule
                  </Button>
                )}
              </Group>
              {save.error && !everyError && !cronError && <ErrorAlert error={save.error} title="Could not set the schedule" />}
            </Stack>
          </form>
        )}
      </Stack>
      <Modal
        opened={confirmingRemove}
        onClose={removeModal.close}
        className="hub-integrations"
        closeButtonProps={{ 'aria-label': 'Close' }}
        title="Remove the schedule?"
      >
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
