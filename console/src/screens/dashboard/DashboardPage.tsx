import { Alert, Group, Paper, SegmentedControl, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/SessionProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatMoney, formatNumber } from '../../ui/format';
import { PageHeader } from '../../ui/PageHeader';
import { QuotaGauge } from './QuotaGauge';
import { StatCard } from './StatCard';
import { UPlotChart, type ChartSeries } from './UPlotChart';
import { dailySeries } from './usageSeries';

/** Figures stay live: every query polls at this pace while the dashboard is open. */
const REFRESH_MS = 12_000;
const DAY_MS = 86_400_000;
const TOP_ENDPOINTS = 8;
const KIND_COLORS = ['#364fc7', '#087f5b', '#c92a2a', '#862e9c', '#d9480f', '#1864ab'];
const KIND_LABELS: Record<string, string> = { api_call: 'API calls', sync_records: 'Synced records', scan: 'Scans' };

function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`;
}

/** The start of the trend charts: the last `days` UTC days, today included (they run to now). */
function trendStart(days: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * DAY_MS);
}

/** Headline figures, the quota gauge and the usage trend charts, refreshed live. */
export default function DashboardPage() {
  const { can } = useSession();
  const reports = can('manager');
  const [days, setDays] = useState<'30' | '90'>('30');

  const dashboard = useQuery({
    queryKey: ['analytics', 'dashboard'],
    queryFn: () => unwrap(api.GET('/v1/analytics/dashboard')),
    enabled: reports,
    refetchInterval: REFRESH_MS,
  });
  const upcoming = useQuery({
    queryKey: ['invoices', 'upcoming'],
    queryFn: () => unwrap(api.GET('/v1/invoices/upcoming')),
    enabled: reports,
    refetchInterval: REFRESH_MS,
  });
  const running = useQuery({
    queryKey: ['jobs', { status: 'running', limit: 1 }],
    queryFn: () => unwrap(api.GET('/v1/jobs', { params: { query: { status: 'running', limit: 1 } } })),
    refetchInterval: REFRESH_MS,
  });
  const from = useMemo(() => trendStart(Number(days)).toISOString(), [days]);
  const daily = useQuery({
    queryKey: ['usage', 'day', from],
    queryFn: () => unwrap(api.GET('/v1/usage', { params: { query: { groupBy: 'day', from } } })),
    // The charts ask once the headline figures are in: the numbers are what the first screen is for.
    enabled: reports && dashboard.isFetched,
    refetchInterval: REFRESH_MS,
  });
  const endpoints = useQuery({
    queryKey: ['usage', 'endpoint', from],
    queryFn: () => unwrap(api.GET('/v1/usage', { params: { query: { groupBy: 'endpoint', kind: 'api_call', from } } })),
    enabled: reports && dashboard.isFetched,
    refetchInterval: REFRESH_MS,
  });

  const figures = dashboard.data;
  const shown = figures !== undefined && upcoming.data !== undefined && running.data !== undefined;
  useEffect(() => {
    // For bench/consoleSpeed: the moment the dashboard's numbers are on screen, once per page load.
    if (shown && performance.getEntriesByName('hub:dashboard-figures').length === 0) performance.mark('hub:dashboard-figures');
  }, [shown]);

  const trend = useMemo(() => (daily.data ? dailySeries(daily.data.data, new Date(daily.data.from), new Date(daily.data.to)) : undefined), [daily.data]);
  const callSeries = useMemo<ChartSeries[]>(
    () =>
      trend
        ? [
            { label: 'API calls', color: KIND_COLORS[0]!, values: trend.apiCalls },
            { label: 'Errors', color: KIND_COLORS[2]!, values: trend.apiErrors },
          ]
        : [],
    [trend],
  );
  const kindSeries = useMemo<ChartSeries[]>(
    () =>
      trend
        ? [...trend.byKind.entries()].map(([kind, values], index) => ({
            label: KIND_LABELS[kind] ?? kind,
            color: KIND_COLORS[index % KIND_COLORS.length]!,
            values,
          }))
        : [],
    [trend],
  );
  const topEndpoints = useMemo(
    () => [...(endpoints.data?.data ?? [])].sort((a, b) => b.events - a.events || a.key.localeCompare(b.key)).slice(0, TOP_ENDPOINTS),
    [endpoints.data],
  );
  const endpointX = useMemo(() => topEndpoints.map((_, index) => index), [topEndpoints]);
  const endpointLabels = useMemo(() => topEndpoints.map((group) => group.key), [topEndpoints]);
  const endpointSeries = useMemo<ChartSeries[]>(
    () => [{ label: 'Calls', color: KIND_COLORS[0]!, values: topEndpoints.map((group) => group.events) }],
    [topEndpoints],
  );

  const totalCalls = trend ? trend.apiCalls.reduce((sum, value) => sum + value, 0) : 0;
  const peak = trend ? Math.max(0, ...trend.apiCalls) : 0;

  return (
    <>
      <PageHeader title="Dashboard" description="This month so far, refreshed every few seconds." />
      {!reports && (
        <Alert color="blue" title="Usage figures need the manager role" mb="md">
          Ask an admin for the manager role to see usage, costs and invoices.
        </Alert>
      )}
      <ErrorAlert error={dashboard.error ?? upcoming.error ?? running.error} title="The dashboard could not load" />
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} mb="lg">
        {reports && (
          <>
            <StatCard
              label="Active users"
              testId="stat-active-users"
              loading={!figures}
              value={formatNumber(figures?.activeUsers)}
              hint={figures && `${formatNumber(figures.users.invited)} invited · ${formatNumber(figures.users.includedSeats)} seats included`}
            />
            <QuotaGauge loading={!figures} used={figures?.quota.used ?? 0} limit={figures?.quota.limit ?? 0} percentUsed={figures?.quota.percentUsed ?? 0} />
            <StatCard
              label="Cost so far this month"
              testId="stat-month-cost"
              loading={!figures}
              value={figures && formatMoney(figures.monthToDateCost.totalCents, figures.monthToDateCost.currency)}
              hint={figures && `plan ${formatMoney(figures.monthToDateCost.planCents)} + overage`}
            />
            <StatCard
              label="Upcoming invoice"
              testId="stat-upcoming-invoice"
              loading={!upcoming.data}
              value={upcoming.data && formatMoney(upcoming.data.invoice.totalCents, upcoming.data.invoice.currency)}
              hint={upcoming.data && `for ${upcoming.data.invoice.period}, if the month ended now`}
            />
            <StatCard
              label="Sync success rate"
              testId="stat-sync-success"
              loading={!figures}
              value={percent(figures?.syncSuccessRate)}
              hint={figures && (figures.syncs.total > 0 ? `${formatNumber(figures.syncs.total)} syncs ended this month` : 'no sync has ended this month')}
            />
          </>
        )}
        <StatCard
          label="Jobs running"
          testId="stat-jobs-running"
          loading={!running.data}
          value={formatNumber(running.data?.pagination.total)}
          hint="exports, imports, syncs and other jobs in progress"
        />
      </SimpleGrid>

      {reports && (
        <Paper withBorder p="md" radius="md" component="section" aria-labelledby="usage-trends">
          <Stack gap="md">
            <Group justify="space-between">
              <Title order={2} size="h4" id="usage-trends">
                Usage trends
              </Title>
              <SegmentedControl
                aria-label="Trend range"
                value={days}
                onChange={(value) => setDays(value as '30' | '90')}
                data={[
                  { value: '30', label: '30 days' },
                  { value: '90', label: '90 days' },
                ]}
              />
            </Group>
            <ErrorAlert error={daily.error ?? endpoints.error} title="Usage could not load" />
            <Title order={3} size="h5">
              API calls per day
            </Title>
            {trend ? (
              <UPlotChart
                title="API calls per day"
                summary={`${formatNumber(totalCalls)} API calls over the last ${days} days, at most ${formatNumber(peak)} in a day.`}
                x={trend.x}
                xLabels={trend.days}
                series={callSeries}
                formatValue={formatNumber}
              />
            ) : (
              <Skeleton h={220} />
            )}
            <Title order={3} size="h5">
              Usage by kind
            </Title>
            {trend ? (
              kindSeries.length > 0 ? (
                <UPlotChart
                  title="Usage by kind"
                  summary={kindSeries.map((one) => `${one.label}: ${formatNumber(one.values.reduce((sum, value) => sum + value, 0))}`).join('; ')}
                  x={trend.x}
                  xLabels={trend.days}
                  series={kindSeries}
                  formatValue={formatNumber}
                />
              ) : (
                <Text size="sm">No metered usage in this range yet: make an API call or run a sync and it shows here.</Text>
              )
            ) : (
              <Skeleton h={220} />
            )}
            <Title order={3} size="h5">
              API calls by endpoint
            </Title>
            {endpoints.data ? (
              topEndpoints.length > 0 ? (
                <UPlotChart
                  title="API calls by endpoint"
                  summary={topEndpoints.map((group) => `${group.key}: ${formatNumber(group.events)}`).join('; ')}
                  x={endpointX}
                  xLabels={endpointLabels}
                  series={endpointSeries}
                  bars
                  height={260}
                  formatValue={formatNumber}
                />
              ) : (
                <Text size="sm">No API calls in this range yet.</Text>
              )
            ) : (
              <Skeleton h={260} />
            )}
          </Stack>
        </Paper>
      )}
    </>
  );
}
