import { Button, Group, Select, Stack } from '@mantine/core';
import { useState } from 'react';
import { useSession } from '../../session/SessionProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrors } from '../../ui/fieldErrors';
import { EXPORT_DATASET_ROLE, EXPORT_DATASETS, EXPORT_FORMATS, optionsOf, type ExportDataset, type ExportFormat } from './jobTypes';
import { useStartJob } from './useStartJob';

/** Export: a dataset in a format; the file is downloadable from the job once it completes. */
export function ExportJobForm({ onStarted }: { onStarted: () => void }) {
  const session = useSession();
  const [dataset, setDataset] = useState<ExportDataset>('users');
  const [format, setFormat] = useState<ExportFormat>('csv');
  const start = useStartJob(onStarted);
  const errors = fieldErrors(start.error, 'body.params.');
  const datasets = optionsOf(EXPORT_DATASETS).map((option) => ({ ...option, disabled: !session.can(EXPORT_DATASET_ROLE[option.value]) }));

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        start.mutate({ kind: 'export', params: { dataset, format } });
      }}
    >
      <Stack>
        <Select
          label="Dataset"
          description="What to export (the audit log needs an admin)"
          data={datasets}
          value={dataset}
          onChange={(value) => value && setDataset(value as ExportDataset)}
          allowDeselect={false}
          error={errors.dataset}
          withAsterisk
        />
        <Select
          label="Format"
          description="The file's format"
          data={optionsOf(EXPORT_FORMATS)}
          value={format}
          onChange={(value) => value && setFormat(value as ExportFormat)}
          allowDeselect={false}
          error={errors.format}
          withAsterisk
        />
        <ErrorAlert error={Object.keys(errors).length ? null : start.error} title="The export was not started" />
        <Group justify="flex-end">
          <Button type="submit" loading={start.isPending}>
            Start export
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
