import { Button, Group, NumberInput, Select, Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrors } from '../../ui/fieldErrors';
import { FileUploadField } from './FileUploadField';
import { useStartJob } from './useStartJob';
import type { Upload } from './uploadFile';

/** Batch scan: medication items from an uploaded CSV/NDJSON through the scan connector (optionally written back to FHIR). */
export function BatchScanJobForm({ onStarted }: { onStarted: () => void }) {
  const connectors = useQuery({ queryKey: ['connectors', 'all'], queryFn: () => unwrap(api.GET('/v1/connectors', { params: { query: { limit: 100 } } })) });
  const [upload, setUpload] = useState<Upload | null>(null);
  const [connectorId, setConnectorId] = useState<string | null>(null);
  const [fhirConnectorId, setFhirConnectorId] = useState<string | null>(null);
  const [concurrency, setConcurrency] = useState<number | string>('');
  const start = useStartJob(onStarted);
  const errors = fieldErrors(start.error, 'body.params.');
  const options = (connectors.data?.data ?? []).map((connector) => ({ value: connector.id, label: `${connector.name} (${connector.type})` }));

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (!upload) return;
        start.mutate({
          kind: 'batch_scan',
          params: {
            uploadId: upload.id,
            ...(connectorId ? { connectorId } : {}),
            ...(fhirConnectorId ? { fhirConnectorId } : {}),
            ...(typeof concurrency === 'number' ? { concurrency } : {}),
          },
        });
      }}
    >
      <Stack>
        <FileUploadField
          label="Items file"
          description="CSV with a header row, or NDJSON: id, medication or ndc, patientRef"
          accept=".csv,.ndjson,.jsonl,text/csv"
          error={errors.uploadId ?? errors['']}
          onUploaded={setUpload}
        />
        <Select
          label="Scan connector"
          description="Leave empty for the organisation's only scan connector"
          data={options}
          value={connectorId}
          onChange={setConnectorId}
          clearable
          error={errors.connectorId}
        />
        <Select
          label="Write back to FHIR connector"
          description="Optional: scanned items become Observations there"
          data={options}
          value={fhirConnectorId}
          onChange={setFhirConnectorId}
          clearable
          error={errors.fhirConnectorId}
        />
        <NumberInput
          label="Concurrency"
          description="Chunks scanned at once (1–16)"
          min={1}
          max={16}
          value={concurrency}
          onChange={setConcurrency}
          error={errors.concurrency}
        />
        <ErrorAlert error={Object.keys(errors).length ? null : start.error} title="The scan was not started" />
        <Group justify="flex-end">
          <Button type="submit" loading={start.isPending} disabled={!upload}>
            Start batch scan
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
