import { Anchor, Badge, Button, Group, Skeleton, Stack, Table, Text } from '@mantine/core';
import { useSession } from '../../session/SessionProvider';
import { formatDateTime } from '../../ui/format';
import { TemporalLink } from '../../ui/TemporalLink';
import { JobProgress } from './JobProgress';
import { jobSummary } from './jobSummary';
import { hasOutputFile, isActive, JOB_KINDS, JOB_STATUSES, minRoleOf, rowErrorsOf, type Job, type JobKindName } from './jobTypes';

/** The jobs of one page, with their live progress and what the role may do with each. */
export function JobsTable({
  jobs,
  loading,
  onCancel,
  onReport,
}: {
  jobs: Job[] | undefined;
  loading: boolean;
  onCancel: (job: Job) => void;
  onReport: (job: Job) => void;
}) {
  const session = useSession();
  if (loading && !jobs) return <Skeleton height={240} aria-label="Loading jobs" />;
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped highlightOnHover aria-label="Bulk jobs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Job</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Progress</Table.Th>
            <Table.Th>Started</Table.Th>
            <Table.Th>Finished</Table.Th>
            <Table.Th>Actions</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(jobs ?? []).map((job) => {
            const allowed = session.can(minRoleOf(job));
            const status = JOB_STATUSES[job.status];
            const reportable = rowErrorsOf(job).length > 0 || job.kind === 'migration' || job.kind === 'user_import' || job.error !== null;
            return (
              <Table.Tr key={job.id} data-testid={`job-row-${job.id}`} data-status={job.status}>
                <Table.Td>
                  <Stack gap={0}>
                    <Text size="sm" fw={600}>
                      {JOB_KINDS[job.kind as JobKindName]?.label ?? job.kind}
                    </Text>
                    <Text size="xs">{jobSummary(job)}</Text>
                  </Stack>
                </Table.Td>
                <Table.Td>
                  <Badge color={status.color} variant="dot" data-testid={`job-status-${job.id}`}>
                    {status.label}
                  </Badge>
                  {job.error && (
                    <Text size="xs" c="red.9" mt={2}>
                      {job.error.message}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <JobProgress job={job} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(job.startedAt ?? job.createdAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(job.finishedAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap">
                    {allowed && hasOutputFile(job) && (
                      <Anchor href={`/v1/jobs/${job.id}/download`} download size="sm" aria-label={`Download the output of job ${job.id}`}>
                        Download
                      </Anchor>
                    )}
                    {reportable && !isActive(job) && (
                      <Button size="compact-xs" variant="light" onClick={() => onReport(job)} aria-label={`Report of job ${job.id}`}>
                        Report
                      </Button>
                    )}
                    {allowed && isActive(job) && (
                      <Button size="compact-xs" color="red" variant="light" onClick={() => onCancel(job)} aria-label={`Cancel job ${job.id}`}>
                        Cancel
                      </Button>
                    )}
                    <TemporalLink href={job.temporalUiUrl} label="Temporal" />
                  </Group>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
