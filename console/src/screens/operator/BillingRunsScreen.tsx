import { Button, Checkbox, Group, Paper, Progress, Skeleton, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import type { ResponseBody } from '../../api/types';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime, formatMoney, formatNumber } from '../../ui/format';
import { PageHeader } from '../../ui/PageHeader';
import { StatusBadge } from '../../ui/StatusBadge';
import { TemporalLink } from '../../ui/TemporalLink';
import { fieldErrors } from '../../ui/fieldErrors';
import { useOperatorHeaders } from './operatorSession';
import { notify } from '../../ui/notify';

type BillingRun = ResponseBody<'/v1/admin/billing/runs', 'get'>['data'][number];

const ACTIVE = new Set<BillingRun['status']>(['queued', 'running']);
const STATUS_COLOURS: Partial<Record<BillingRun['status'], string>> = { completed: 'green', failed: 'red', running: 'blue', queued: 'gray' };

/** The month before this one (UTC), YYYY-MM: the month a run usually bills. */
function lastMonth(): string {
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return month.toISOString().slice(0, 7);
}

/** Monthly billing runs: start one for a month, follow its progress live, open its Temporal history. */
export function BillingRunsScreen() {
  const queryClient = useQueryClient();
  const headers = useOperatorHeaders();
  const [period, setPeriod] = useState(lastMonth());
  const [force, setForce] = useState(false);
  const [only, setOnly] = useState('');
  const runs = useQuery({
    queryKey: ['operator', 'billing-runs'],
    queryFn: () => unwrap(api.GET('/v1/admin/billing/runs', { params: { query: { limit: 25 } } })),
    // Live while any run goes on; quiet once all have ended.
    refetchInterval: (query) => (query.state.data?.data.some((run) => ACTIVE.has(run.status)) ? 1_000 : false),
  });
  const start = useMutation({
    mutationFn: () => {
      const tenants = only
        .split(/[\s,]+/)
        .map((slug) => slug.trim())
        .filter(Boolean);
      return unwrap(
        api.POST('/v1/admin/billing/runs', { body: { period, ...(tenants.length > 0 ? { tenants } : {}), ...(force ? { force: true } : {}) }, headers }),
      );
    },
    onSuccess: ({ job }) => {
      notify({
        color: 'green',
        message: `Billing run of ${String(job.params.period)} started`,
      });
      void queryClient.invalidateQueries({ queryKey: ['operator', 'billing-runs'] });
    },
  });
  const errors = fieldErrors(start.error);
  const periodError = errors.period ?? (start.error instanceof ApiError && start.error.code === 'BILLING_RUN_IN_PROGRESS' ? start.error.message : undefined);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start.mutate();
  };

  return (
    <>
      <PageHeader
        title="Billing runs"
        description="Each run invoices every active tenant for a month (the monthlyBilling workflow); running a month again invoices nobody twice."
      />
      <Paper withBorder p="md" radius="md" mb="lg">
        <form onSubmit={submit} aria-label="Start a billing run">
          <Stack gap="sm">
            {!periodError && <ErrorAlert error={start.error} title="Run not started" />}
            <Group align="flex-end">
              <TextInput
                label="Month"
                description="YYYY-MM (UTC)"
                required
                value={period}
                onChange={(event) => setPeriod(event.currentTarget.value.trim())}
                error={periodError}
                w={200}
              />
              <TextInput
                label="Only these tenants"
                description="Slugs, comma-separated; empty: every active tenant"
                value={only}
                onChange={(event) => setOnly(event.currentTarget.value)}
                error={errors.tenants ?? errors['tenants.0']}
                w={320}
              />
              <Button type="submit" loading={start.isPending}>
                Start billing run
              </Button>
            </Group>
            <Checkbox
              label="Bill it even if the month has not ended (usage after the run is never billed for that month)"
              checked={force}
              onChange={(event) => setForce(event.currentTarget.checked)}
            />
          </Stack>
        </form>
      </Paper>
      <ErrorAlert error={runs.error} />
      {runs.isPending ? (
        <Skeleton height={200} radius="md" aria-label="Loading billing runs" />
      ) : runs.data && runs.data.data.length === 0 ? (
        <Text>No billing run yet: start one above (a Temporal Schedule also runs one on the 1st of each month).</Text>
      ) : runs.data ? (
        <Table.ScrollContainer minWidth={800}>
          <Table striped aria-label="Billing runs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Month</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Progress</Table.Th>
                <Table.Th>Result</Table.Th>
                <Table.Th>Started</Table.Th>
                <Table.Th>Temporal</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.data.map((run) => (
                <BillingRunRow key={run.id} run={run} />
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : null}
    </>
  );
}

function BillingRunRow({ run }: { run: BillingRun }) {
  const done = run.progress?.done ?? 0;
  const total = run.progress?.total ?? null;
  const result = (run.result ?? run.progress ?? {}) as { invoiced?: number; alreadyInvoiced?: number; failed?: number; invoicedCents?: number };
  return (
    <Table.Tr data-testid={`billing-run-${String(run.params.period)}`} data-run-id={run.id}>
      <Table.Td>
        {String(run.params.period)}
        {run.params.force === true && (
          <StatusBadge ml="xs" size="sm" color="orange">
            forced
          </StatusBadge>
        )}
      </Table.Td>
      <Table.Td>
        <StatusBadge color={STATUS_COLOURS[run.status] ?? 'yellow'} data-testid="billing-run-status">
          {run.status.replaceAll('_', ' ')}
        </StatusBadge>
      </Table.Td>
      <Table.Td miw={180}>
        <Stack gap={4}>
          <Progress
            value={total ? (100 * done) / total : run.status === 'completed' ? 100 : 0}
            animated={ACTIVE.has(run.status)}
            aria-label={`Tenants billed for ${String(run.params.period)}`}
          />
          <Text size="xs" data-testid="billing-run-progress">
            {formatNumber(done)} of {total === null ? '…' : formatNumber(total)} tenants
          </Text>
        </Stack>
      </Table.Td>
      <Table.Td>
        <Text size="xs">
          {formatNumber(result.invoiced ?? 0)} invoiced · {formatNumber(result.alreadyInvoiced ?? 0)} already · {formatNumber(result.failed ?? 0)} failed
          {typeof result.invoicedCents === 'number' ? ` · ${formatMoney(result.invoicedCents)}` : ''}
        </Text>
        {run.error && (
          <Text size="xs" c="red.9">
            {run.error.message}
          </Text>
        )}
      </Table.Td>
      <Table.Td>{formatDateTime(run.startedAt ?? run.createdAt)}</Table.Td>
      <Table.Td>
        <TemporalLink href={run.temporalUiUrl} />
      </Table.Td>
    </Table.Tr>
  );
}
