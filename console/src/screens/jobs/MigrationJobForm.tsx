import { ActionIcon, Button, Checkbox, Fieldset, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrors } from '../../ui/fieldErrors';
import { FileUploadField } from './FileUploadField';
import { MIGRATION_TARGETS, optionsOf, type MigrationTarget, type ParamsOf } from './jobTypes';
import { useStartJob } from './useStartJob';
import type { Upload } from './uploadFile';

interface MappingRow {
  target: string;
  source: string;
}

/** The fields a mapping starts with for each target: the ones the API requires (the form lets the user add more). */
const REQUIRED_MAPPING: Record<MigrationTarget, string[]> = { users: ['email', 'name'], records: ['externalId'] };

/**
 * Migration: a legacy file into users or records, mapped field by field. A dry run (the default)
 * checks every row and reports the invalid ones by line and column, writing nothing.
 */
export function MigrationJobForm({ onStarted }: { onStarted: () => void }) {
  const connectors = useQuery({ queryKey: ['connectors', 'all'], queryFn: () => unwrap(api.GET('/v1/connectors', { params: { query: { limit: 100 } } })) });
  const [upload, setUpload] = useState<Upload | null>(null);
  const [target, setTarget] = useState<MigrationTarget>('users');
  const [mapping, setMapping] = useState<MappingRow[]>(REQUIRED_MAPPING.users.map((field) => ({ target: field, source: '' })));
  const [recordsConnectorId, setRecordsConnectorId] = useState<string | null>(null);
  const [recordsStream, setRecordsStream] = useState('');
  const [dryRun, setDryRun] = useState(true);
  const start = useStartJob(onStarted);
  const errors = fieldErrors(start.error, 'body.params.');

  const changeTarget = (next: MigrationTarget) => {
    setTarget(next);
    setMapping(REQUIRED_MAPPING[next].map((field) => ({ target: field, source: '' })));
  };
  const updateRow = (index: number, change: Partial<MappingRow>) => setMapping((rows) => rows.map((row, at) => (at === index ? { ...row, ...change } : row)));

  const submit = () => {
    if (!upload) return;
    const params: ParamsOf<'migration'> = {
      uploadId: upload.id,
      target,
      mapping: Object.fromEntries(mapping.filter((row) => row.target.trim()).map((row) => [row.target.trim(), row.source.trim()])),
      dryRun,
      ...(target === 'records' && recordsConnectorId ? { records: { connectorId: recordsConnectorId, stream: recordsStream.trim() } } : {}),
    };
    start.mutate({ kind: 'migration', params });
  };

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <Stack>
        <FileUploadField
          label="Legacy file"
          description="CSV with a header row, NDJSON or XLSX"
          accept=".csv,.ndjson,.jsonl,.xlsx,text/csv"
          error={errors.uploadId}
          onUploaded={setUpload}
        />
        <Select
          label="Migrate into"
          data={optionsOf(MIGRATION_TARGETS)}
          value={target}
          onChange={(value) => value && changeTarget(value as MigrationTarget)}
          allowDeselect={false}
          error={errors.target}
          withAsterisk
        />
        {target === 'records' && (
          <Group grow align="flex-start">
            <Select
              label="Records connector"
              description="The connector the records belong to"
              data={(connectors.data?.data ?? []).map((connector) => ({ value: connector.id, label: connector.name }))}
              value={recordsConnectorId}
              onChange={setRecordsConnectorId}
              error={errors.records ?? errors['records.connectorId']}
              withAsterisk
            />
            <TextInput
              label="Records stream"
              value={recordsStream}
              onChange={(event) => setRecordsStream(event.currentTarget.value)}
              error={errors['records.stream']}
              withAsterisk
            />
          </Group>
        )}
        <Fieldset legend="Field mapping (target field ← column of the file)">
          <Stack gap="xs">
            {mapping.map((row, index) => (
              <Group key={index} align="flex-start" wrap="nowrap">
                <TextInput
                  label={`Target field ${index + 1}`}
                  value={row.target}
                  onChange={(event) => updateRow(index, { target: event.currentTarget.value })}
                  error={errors[`mapping.${row.target}`]}
                  style={{ flex: 1 }}
                />
                <TextInput
                  label={`Source column ${index + 1}`}
                  value={row.source}
                  onChange={(event) => updateRow(index, { source: event.currentTarget.value })}
                  style={{ flex: 1 }}
                />
                <ActionIcon
                  mt={26}
                  variant="subtle"
                  color="red"
                  aria-label={`Remove mapping ${index + 1}`}
                  onClick={() => setMapping((rows) => rows.filter((_, at) => at !== index))}
                >
                  ×
                </ActionIcon>
              </Group>
            ))}
            {errors.mapping && (
              <Text size="sm" c="red.9" role="alert">
                {errors.mapping}
              </Text>
            )}
            <Group>
              <Button variant="light" size="xs" onClick={() => setMapping((rows) => [...rows, { target: '', source: '' }])}>
                Add a field
              </Button>
            </Group>
          </Stack>
        </Fieldset>
        <Checkbox
          label="Dry run"
          description="Check every row and report the invalid ones; write nothing"
          checked={dryRun}
          onChange={(event) => setDryRun(event.currentTarget.checked)}
        />
        <ErrorAlert error={Object.keys(errors).length ? null : start.error} title="The migration was not started" />
        <Group justify="flex-end">
          <Button type="submit" loading={start.isPending} disabled={!upload}>
            {dryRun ? 'Start dry run' : 'Start migration'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
