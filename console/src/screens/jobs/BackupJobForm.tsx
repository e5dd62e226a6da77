import { Button, Group, Stack, Text } from '@mantine/core';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { useStartJob } from './useStartJob';

/** Backup: every table of the tenant as gzip NDJSON with a manifest, downloadable and restorable. */
export function BackupJobForm({ onStarted }: { onStarted: () => void }) {
  const start = useStartJob(onStarted);
  return (
    <Stack>
      <Text size="sm">
        A logical backup reads every table of this organisation into a downloadable archive. A completed backup can be restored from the Restore form.
      </Text>
      <ErrorAlert error={start.error} title="The backup was not started" />
      <Group justify="flex-end">
        <Button loading={start.isPending} onClick={() => start.mutate({ kind: 'backup', params: {} })}>
          Start backup
        </Button>
      </Group>
    </Stack>
  );
}
