import { Paper, Skeleton, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** One headline figure: a label, the value (a skeleton while loading) and a line of context. */
export function StatCard({ label, value, hint, testId, loading }: { label: string; value: ReactNode; hint?: ReactNode; testId: string; loading: boolean }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label={label}>
      <Text size="sm" fw={600}>
        {label}
      </Text>
      {loading ? (
        <Skeleton h={32} mt={6} w="60%" />
      ) : (
        <Text fz={28} fw={700} lh={1.3} data-testid={testId}>
          {value}
        </Text>
      )}
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}
