import { Badge } from '@mantine/core';

// Filled badges in dark shades (hex where Mantine's darkest is too light): white text on them passes WCAG AA (4.5:1) at badge size.
const COLOURS: Record<string, string> = {
  active: '#237032',
  completed: '#237032',
  running: 'blue.9',
  queued: 'gray.7',
  pending: 'gray.7',
  paused: '#9a3c00',
  failed: 'red.9',
  cancelled: 'gray.7',
};

/** A connector's or a run's status as a coloured badge. */
export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <Badge color={COLOURS[status] ?? 'gray.7'} variant="filled" data-testid={testId}>
      {status}
    </Badge>
  );
}
