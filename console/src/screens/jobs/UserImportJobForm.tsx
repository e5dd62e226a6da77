import { Button, Group, Select, Stack } from '@mantine/core';
import { useState } from 'react';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrors } from '../../ui/fieldErrors';
import { FileUploadField } from './FileUploadField';
import { optionsOf, USER_IMPORT_FORMATS, type ParamsOf } from './jobTypes';
import { useStartJob } from './useStartJob';
import type { Upload } from './uploadFile';

type ImportFormat = NonNullable<ParamsOf<'user_import'>['format']>;

/** User import: upload a CSV or XLSX of users (email, name, role), then start the import of it. */
export function UserImportJobForm({ onStarted }: { onStarted: () => void }) {
  const [upload, setUpload] = useState<Upload | null>(null);
  const [format, setFormat] = useState<ImportFormat | null>(null);
  const start = useStartJob(onStarted);
  const errors = fieldErrors(start.error, 'body.params.');

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (upload) start.mutate({ kind: 'user_import', params: { uploadId: upload.id, ...(format ? { format } : {}) } });
      }}
    >
      <Stack>
        <FileUploadField
          label="Users file"
          description="CSV or XLSX with the columns email, name, role"
          accept=".csv,.xlsx,text/csv"
          error={errors.uploadId}
          onUploaded={setUpload}
        />
        <Select
          label="Format"
          description="Leave empty to go by the file's content"
          data={optionsOf(USER_IMPORT_FORMATS)}
          value={format}
          onChange={(value) => setFormat(value as ImportFormat | null)}
          clearable
          error={errors.format}
        />
        <ErrorAlert error={Object.keys(errors).length ? null : start.error} title="The import was not started" />
        <Group justify="flex-end">
          <Button type="submit" loading={start.isPending} disabled={!upload}>
            Start import
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
