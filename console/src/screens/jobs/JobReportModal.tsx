import { Badge, Code, Group, Modal, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { formatNumber } from '../../ui/format';
import { JOB_KINDS, rowErrorsOf, type Job, type JobKindName } from './jobTypes';

/** The figures of a job's result (rows, valid, invalid…), shown beside the error table. */
function resultFigures(job: Job): Array<[string, number]> {
  return Object.entries(job.result ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === 'number');
}

/** A finished job's report: its figures and, for imports and migrations (dry runs too), the invalid rows by line and column. */
export function JobReportModal({ job, onClose }: { job: Job | null; onClose: () => void }) {
  const errors = job ? rowErrorsOf(job) : [];
  const title = job ? `${JOB_KINDS[job.kind as JobKindName]?.label ?? job.kind}${job.result?.dryRun === true ? ' (dry run)' : ''} report` : '';
  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={job !== null} onClose={onClose} title={title} size="xl">
      {job && (
        <Stack>
          <Group gap="xs">
            {resultFigures(job).map(([name, value]) => (
              <Badge key={name} variant="default" tt="none">
                {name}: {formatNumber(value)}
              </Badge>
            ))}
          </Group>
          {job.error && (
            <Text size="sm" role="alert">
              {job.error.message} <Code>{job.error.code}</Code>
            </Text>
          )}
          {errors.length === 0 ? (
            <Text size="sm">No row errors.</Text>
          ) : (
            <ScrollArea.Autosize mah={420}>
              <Table striped withTableBorder aria-label="Row errors">
                <caption>
                  {formatNumber(errors.length)} invalid row{errors.length === 1 ? '' : 's'}
                </caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Line</Table.Th>
                    <Table.Th>Column</Table.Th>
                    <Table.Th>Error</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {errors.map((error, index) => (
                    <Table.Tr key={`${error.line}-${index}`}>
                      <Table.Td>{formatNumber(error.line)}</Table.Td>
                      <Table.Td>{error.column ?? '—'}</Table.Td>
                      <Table.Td>{error.message}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea.Autosize>
          )}
        </Stack>
      )}
    </Modal>
  );
}
