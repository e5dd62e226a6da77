import { Progress, Stack, Text } from '@mantine/core';
import { formatNumber } from '../../ui/format';
import { isActive, type Job } from './jobTypes';

/** A job's progress: a bar of done/total (striped while it runs; indeterminate without a total). */
export function JobProgress({ job }: { job: Job }) {
  const progress = job.progress;
  if (!progress) return <Text size="sm">{isActive(job) ? 'Waiting to start' : '—'}</Text>;
  const total = progress.total;
  const finished = job.status === 'completed' || job.status === 'completed_with_errors';
  const percent = total ? Math.min(100, (progress.done / total) * 100) : finished ? 100 : 50;
  const label = total ? `${formatNumber(progress.done)} of ${formatNumber(total)}` : `${formatNumber(progress.done)} done`;
  return (
    <Stack gap={2} miw={140}>
      <Progress
        value={percent}
        animated={isActive(job)}
        striped={isActive(job)}
        color={job.status === 'failed' ? 'red' : finished ? 'green' : 'blue'}
        aria-label={`Progress of job ${job.id}: ${label}`}
      />
      <Text size="xs" data-testid={`job-progress-${job.id}`}>
        {label}
      </Text>
    </Stack>
  );
}
