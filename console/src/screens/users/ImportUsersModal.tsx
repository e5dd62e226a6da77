import { Alert, Badge, Button, FileButton, Group, Modal, Paper, Progress, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useState, type DragEvent } from 'react';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatNumber } from '../../ui/format';
import { TemporalLink } from '../../ui/TemporalLink';
import { importPercent, importSummary, isJobActive, startUserImport, useImportJob, type ImportJob, type ImportSummary } from './importJob';
import { uploadWithProgress } from './uploadWithProgress';
import { useRefreshUsers } from './usersQueries';

const ACCEPTED = /\.(csv|xlsx)$/i;
const ACCEPT_ATTRIBUTE = '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Bulk import: pick or drop a CSV/XLSX file (columns email, name, role) → upload with a progress
 * bar → the `user_import` job's live progress → its counts, the refused rows and the full error
 * report to download. The users table refreshes once the job ends.
 */
export function ImportUsersModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const [file, setFile] = useState<File | undefined>();
  const [pickError, setPickError] = useState<string | undefined>();
  const [sent, setSent] = useState<{ sent: number; total: number }>({ sent: 0, total: 0 });
  const [jobId, setJobId] = useState<string | undefined>();
  const [dragging, setDragging] = useState(false);
  const refresh = useRefreshUsers();

  const upload = useMutation({
    mutationFn: async (chosen: File) => {
      const stored = await uploadWithProgress(chosen, (bytes, total) => setSent({ sent: bytes, total }));
      return startUserImport(stored.id);
    },
    onSuccess: ({ job }) => setJobId(job.id),
  });
  const jobQuery = useImportJob(jobId);
  const job = jobQuery.data?.job;
  const finished = job !== undefined && !isJobActive(job);

  useEffect(() => {
    if (finished) void refresh();
    // Refresh once when the job ends, not on every poll.
  }, [finished]);

  const choose = (chosen: File | null) => {
    if (!chosen) return;
    if (!ACCEPTED.test(chosen.name)) {
      setPickError(`${chosen.name} is not a .csv or .xlsx file`);
      return;
    }
    setPickError(undefined);
    setFile(chosen);
    setSent({ sent: 0, total: chosen.size });
    upload.mutate(chosen);
  };
  const drop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setDragging(false);
    choose(event.dataTransfer.files.item(0));
  };
  const startOver = () => {
    setFile(undefined);
    setJobId(undefined);
    setPickError(undefined);
    upload.reset();
  };
  const close = () => {
    if (finished || !jobId) startOver();
    onClose();
  };

  const uploading = upload.isPending || (upload.isSuccess && !job);
  const uploadPercent = sent.total ? Math.round((sent.sent / sent.total) * 100) : 0;

  return (
    <Modal opened={opened} onClose={close} title="Import users" size="lg" centered closeButtonProps={{ 'aria-label': 'Close dialog' }}>
      <Stack>
        {!file && (
          <>
            <Text size="sm">
              A CSV or XLSX file with the columns <strong>email</strong>, <strong>name</strong> and <strong>role</strong> (viewer, member, manager or admin).
              New users are invited; existing e-mail addresses are updated.
            </Text>
            <Paper
              withBorder
              p="xl"
              radius="md"
              style={{ borderStyle: 'dashed', borderWidth: 2, background: dragging ? 'var(--mantine-color-indigo-0)' : undefined }}
              onDragOver={(event) => {
                event.preventDefault();
                setDragging(true);
              }}
              onDragLeave={() => setDragging(false)}
              onDrop={drop}
              data-testid="import-drop-zone"
            >
              <Stack align="center" gap="sm">
                <Text size="sm">Drop the file here, or</Text>
                <FileButton onChange={choose} accept={ACCEPT_ATTRIBUTE} inputProps={{ 'aria-label': 'CSV or XLSX file' }}>
                  {(props) => <Button {...props}>Choose a file</Button>}
                </FileButton>
              </Stack>
            </Paper>
            {pickError && (
              <Alert color="red" role="alert" title="Not an importable file">
                {pickError}
              </Alert>
            )}
          </>
        )}

        {file && (
          <Text size="sm">
            File: <strong>{file.name}</strong> ({formatNumber(file.size)} bytes)
          </Text>
        )}

        {file && uploading && (
          <Stack gap={4}>
            <Text size="sm" id="upload-progress-label">
              Uploading… {uploadPercent}%
            </Text>
            <Progress value={uploadPercent} aria-label="Upload progress" data-testid="upload-progress" transitionDuration={100} />
          </Stack>
        )}

        <ErrorAlert error={upload.error} title="The import did not start" />
        <ErrorAlert error={jobQuery.error} title="The import's progress could not be read" />

        {job && <ImportJobProgress job={job} />}
        {job && finished && <ImportJobResult job={job} />}

        <Group justify="flex-end">
          {(upload.isError || finished) && (
            <Button variant="default" onClick={startOver}>
              Import another file
            </Button>
          )}
          <Button variant={finished ? 'filled' : 'default'} onClick={close}>
            {job && !finished ? 'Close (the import continues)' : 'Close'}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

const PHASES: Record<string, string> = {
  starting: 'Starting',
  validate: 'Checking every row',
  apply: 'Importing valid rows',
  cleanup: 'Finishing',
};
const STATUS_COLOURS: Partial<Record<ImportJob['status'], string>> = { completed: 'green', completed_with_errors: 'yellow', failed: 'red', cancelled: 'gray' };

function ImportJobProgress({ job }: { job: ImportJob }) {
  const percent = importPercent(job);
  const active = isJobActive(job);
  const phase = typeof job.progress?.phase === 'string' ? (PHASES[job.progress.phase] ?? job.progress.phase) : 'Queued';
  return (
    <Stack gap={4} data-testid="import-job">
      <Group justify="space-between">
        <Group gap="xs">
          <Text size="sm" fw={500}>
            Import job
          </Text>
          <Badge color={STATUS_COLOURS[job.status] ?? 'blue'} variant="dot" data-testid="import-status">
            {job.status.replaceAll('_', ' ')}
          </Badge>
        </Group>
        <TemporalLink href={job.temporalUiUrl} />
      </Group>
      {active && (
        <>
          <Text size="sm" id="import-progress-label" aria-live="polite">
            {phase}
            {percent !== undefined && job.progress ? ` — ${formatNumber(job.progress.done)} of ${formatNumber(job.progress.total)} rows (${percent}%)` : '…'}
          </Text>
          <Progress value={percent ?? 100} animated={percent === undefined} striped={percent === undefined} aria-label="Import progress" />
        </>
      )}
    </Stack>
  );
}

function ImportJobResult({ job }: { job: ImportJob }) {
  const summary = importSummary(job);
  if (!summary) {
    return (
      <Alert color="red" role="alert" title="The import failed">
        {job.error ? `${job.error.message} (${job.error.code})` : `The job ended ${job.status}.`}
      </Alert>
    );
  }
  return (
    <Stack gap="sm">
      <Alert
        color={summary.failed ? 'yellow' : 'green'}
        role="status"
        title={summary.failed ? 'Imported with errors' : 'Import complete'}
        // The light variant's yellow and green titles fall below 4.5:1; the colour stays in the icon and background.
        styles={{ title: { color: 'var(--mantine-color-gray-9)' } }}
      >
        {formatNumber(summary.imported)} of {formatNumber(summary.rows)} rows imported as new users
        {summary.failed ? `; ${formatNumber(summary.failed)} rows were refused` : ''}.
      </Alert>
      <SimpleGrid cols={5} spacing="xs">
        <Counter label="Rows" value={summary.rows} testId="import-rows" />
        <Counter label="Imported" value={summary.imported} testId="import-imported" />
        <Counter label="Updated" value={summary.updated} testId="import-updated" />
        <Counter label="Unchanged" value={summary.unchanged} testId="import-unchanged" />
        <Counter label="Refused" value={summary.failed} testId="import-failed" />
      </SimpleGrid>
      {summary.errors.length > 0 && <ImportErrors summary={summary} />}
      {summary.hasReport && summary.failed > 0 && (
        <Group>
          {/* A plain link: the browser downloads with the session cookie; GET needs no CSRF token. */}
          <Button component="a" href={`/v1/jobs/${encodeURIComponent(job.id)}/download`} download variant="light">
            Download the error report (CSV)
          </Button>
        </Group>
      )}
    </Stack>
  );
}

function Counter({ label, value, testId }: { label: string; value: number; testId: string }) {
  return (
    <Paper withBorder p="xs" radius="sm">
      <Text size="xs">{label}</Text>
      <Text fw={700} data-testid={testId}>
        {formatNumber(value)}
      </Text>
    </Paper>
  );
}

function ImportErrors({ summary }: { summary: ImportSummary }) {
  return (
    <Table.ScrollContainer minWidth={400} mah={240}>
      <Table aria-label="Rows not imported" striped verticalSpacing={4}>
        <Table.Caption>
          {summary.errors.length < summary.failed
            ? `The first ${formatNumber(summary.errors.length)} of ${formatNumber(summary.failed)} refused rows; the report has all of them`
            : 'Every refused row'}
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Line</Table.Th>
            <Table.Th scope="col">Column</Table.Th>
            <Table.Th scope="col">Problem</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {summary.errors.map((error) => (
            <Table.Tr key={`${error.line}-${error.column ?? ''}`}>
              <Table.Td>{formatNumber(error.line)}</Table.Td>
              <Table.Td>{error.column ?? '—'}</Table.Td>
              <Table.Td>{error.message}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
