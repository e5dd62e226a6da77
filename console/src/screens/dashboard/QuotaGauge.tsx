import { Group, Paper, RingProgress, Skeleton, Stack, Text } from '@mantine/core';
import { formatNumber } from '../../ui/format';

/** API calls this month against the plan's quota, as a ring. */
export function QuotaGauge({ used, limit, percentUsed, loading }: { used: number; limit: number; percentUsed: number; loading: boolean }) {
  const color = percentUsed >= 100 ? 'red.8' : percentUsed >= 80 ? 'orange.8' : 'indigo.8';
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="API calls this month">
      <Text size="sm" fw={600}>
        API calls this month
      </Text>
      {loading ? (
        <Skeleton h={88} mt={6} />
      ) : (
        <Group gap="md" wrap="nowrap">
          <RingProgress
            size={88}
            thickness={10}
            roundCaps
            sections={[{ value: Math.min(100, percentUsed), color }]}
            label={
              <Text ta="center" size="sm" fw={700} data-testid="stat-quota-percent">
                {percentUsed.toFixed(1)}%
              </Text>
            }
            role="img"
            aria-label={`${percentUsed.toFixed(1)}% of the monthly quota used`}
          />
          <Stack gap={0}>
            <Text fz={22} fw={700} data-testid="stat-api-calls">
              {formatNumber(used)}
            </Text>
            <Text size="xs" c="dimmed">
              of {formatNumber(limit)} included
            </Text>
          </Stack>
        </Group>
      )}
    </Paper>
  );
}
