import { Alert, Button, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrors } from '../../ui/fieldErrors';
import { formatDateTime } from '../../ui/format';
import { useStartJob } from './useStartJob';

/**
 * Restore: a completed backup into this organisation, overwriting its data (and signing everyone
 * out). The admin types the organisation's slug to confirm; only then is `confirm: true` sent.
 */
export function RestoreJobForm({ onStarted }: { onStarted: () => void }) {
  const tenant = useQuery({ queryKey: ['tenant'], queryFn: () => unwrap(api.GET('/v1/tenant')), staleTime: 60_000 });
  const backups = useQuery({
    queryKey: ['jobs', 'backups'],
    queryFn: () => unwrap(api.GET('/v1/jobs', { params: { query: { kind: 'backup', status: 'completed', limit: 100 } } })),
  });
  const [backupId, setBackupId] = useState<string | null>(null);
  const [typed, setTyped] = useState('');
  const start = useStartJob(onStarted);
  const errors = fieldErrors(start.error, 'body.params.');
  const slug = tenant.data?.tenant.slug;
  const confirmed = slug !== undefined && typed.trim() === slug;
  const options = (backups.data?.data ?? []).map((job) => ({ value: job.id, label: `Backup of ${formatDateTime(job.finishedAt ?? job.createdAt)}` }));

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (backupId && confirmed) start.mutate({ kind: 'restore', params: { backupId, confirm: true } });
      }}
    >
      <Stack>
        <Alert color="red" title="This overwrites the organisation's data">
          Every table is replaced by the backup's contents, and everyone (you too) is signed out when it finishes.
        </Alert>
        <Select
          label="Backup"
          description={options.length === 0 && !backups.isLoading ? 'No completed backup yet: start a backup first' : 'A completed backup of this organisation'}
          placeholder={backups.isLoading ? 'Loading backups…' : 'Pick a backup'}
          data={options}
          value={backupId}
          onChange={setBackupId}
          error={errors.backupId}
          withAsterisk
        />
        <TextInput
          label="Type the organisation's slug to confirm"
          // The mismatch is a hint, not an error: the field is simply not confirmed yet.
          description={slug ? (typed.length > 0 && !confirmed ? `Does not match the slug: type ${slug}` : `Type ${slug}`) : undefined}
          value={typed}
          onChange={(event) => setTyped(event.currentTarget.value)}
          error={errors.confirm}
          autoComplete="off"
          withAsterisk
        />
        <ErrorAlert error={Object.keys(errors).length ? null : start.error} title="The restore was not started" />
        <Group justify="flex-end">
          <Text size="xs">{confirmed ? 'Confirmed' : 'Not confirmed yet'}</Text>
          <Button type="submit" color="red" loading={start.isPending} disabled={!backupId || !confirmed}>
            Restore backup
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
