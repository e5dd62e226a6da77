import { Badge, Group, Paper, Table, Title } from '@mantine/core';
import type { ResponseBody } from '../../api/types';
import { formatNumber } from '../../ui/format';

type Tenant = ResponseBody<'/v1/tenant', 'get'>['tenant'];

/** The plan and the limits in force (read-only: plans change through the operator, limits are capped by the plan). */
export function PlanLimitsPanel({ tenant }: { tenant: Tenant }) {
  const rows: Array<[string, string]> = [
    ['Requests per second', formatNumber(tenant.planLimits.requestsPerSecond)],
    ['API calls per month', formatNumber(tenant.planLimits.apiCallsPerMonth)],
    ['Past the monthly quota', tenant.planLimits.quotaPolicy === 'refuse' ? 'calls are refused' : 'calls are billed as overage'],
    ['Seats included', formatNumber(tenant.planLimits.includedSeats)],
    ['Jobs running at once', formatNumber(tenant.settings.limits.maxConcurrentJobs)],
    ['Jobs started per day', formatNumber(tenant.settings.limits.maxJobsPerDay)],
    ['Syncs running at once', formatNumber(tenant.settings.limits.maxConcurrentSyncs)],
  ];
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="plan-limits">
      <Group justify="space-between" mb="sm">
        <Title order={2} size="h4" id="plan-limits">
          Plan and limits
        </Title>
        <Group gap="xs">
          <Badge color="indigo.9" variant="filled" data-testid="tenant-plan">
            {tenant.plan}
          </Badge>
          <Badge color={tenant.status === 'active' ? '#1e6b34' : 'red.9'} variant="filled">
            {tenant.status}
          </Badge>
        </Group>
      </Group>
      <Table aria-label="Plan and limits">
        <Table.Tbody>
          {rows.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th scope="row" w="50%">
                {label}
              </Table.Th>
              <Table.Td>{value}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
