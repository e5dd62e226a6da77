import { Pager } from '../../ui/Pager';
import { Button, Group, Menu, Modal, Select, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/SessionProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatNumber } from '../../ui/format';
import { PageHeader } from '../../ui/PageHeader';
import { BackupJobForm } from './BackupJobForm';
import { BatchScanJobForm } from './BatchScanJobForm';
import { CancelJobModal } from './CancelJobModal';
import { ExportJobForm } from './ExportJobForm';
import { JobReportModal } from './JobReportModal';
import { JobsTable } from './JobsTable';
import { isActive, JOB_KINDS, JOB_STATUSES, optionsOf, type Job, type JobKindName, type ListJobsQuery } from './jobTypes';
import { MigrationJobForm } from './MigrationJobForm';
import { RestoreJobForm } from './RestoreJobForm';
import { UserImportJobForm } from './UserImportJobForm';

const PAGE_SIZE = 20;
/** How often the list refreshes while a job on the page is still running. */
const LIVE_INTERVAL_MS = 1_000;

const FORMS: Record<JobKindName, (props: { onStarted: () => void }) => React.ReactNode> = {
  export: ExportJobForm,
  user_import: UserImportJobForm,
  batch_scan: BatchScanJobForm,
  migration: MigrationJobForm,
  backup: BackupJobForm,
  restore: RestoreJobForm,
};

/** Bulk jobs: start exports, imports, migrations, backups, restores and batch scans; follow, cancel and download them. */
export default function JobsPage() {
  const session = useSession();
  const [kind, setKind] = useState<string | null>(null);
  const [status, setStatus] = useState<ListJobsQuery['status'] | null>(null);
  const [page, setPage] = useState(1);
  const [starting, setStarting] = useState<JobKindName | null>(null);
  const [cancelling, setCancelling] = useState<Job | null>(null);
  const [reporting, setReporting] = useState<Job | null>(null);

  const jobs = useQuery({
    queryKey: ['jobs', 'list', { kind, status, page }],
    queryFn: () => unwrap(api.GET('/v1/jobs', { params: { query: { page, limit: PAGE_SIZE, ...(kind ? { kind } : {}), ...(status ? { status } : {}) } } })),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.data.some(isActive) ? LIVE_INTERVAL_MS : false),
  });
  const startable = (Object.keys(JOB_KINDS) as JobKindName[]).filter((name) => session.can(JOB_KINDS[name].minRole));
  const StartForm = starting ? FORMS[starting] : null;
  const total = jobs.data?.pagination.total ?? 0;

  return (
    <>
      <PageHeader
        title="Bulk jobs"
        description="Exports, imports, migrations, backups, restores and batch scans, with their live progress and outputs."
        actions={
          startable.length > 0 && (
            <Menu position="bottom-end">
              <Menu.Target>
                <Button>Start a job</Button>
              </Menu.Target>
              <Menu.Dropdown>
                {startable.map((name) => (
                  <Menu.Item key={name} onClick={() => setStarting(name)}>
                    {JOB_KINDS[name].label}
                  </Menu.Item>
                ))}
              </Menu.Dropdown>
            </Menu>
          )
        }
      />
      <Group mb="md" align="flex-end">
        <Select
          label="Kind"
          placeholder="Every kind"
          data={[...optionsOf(Object.fromEntries(Object.entries(JOB_KINDS).map(([name, entry]) => [name, entry.label]))), { value: 'sync', label: 'Sync' }]}
          value={kind}
          onChange={(value) => {
            setKind(value);
            setPage(1);
          }}
          clearable
        />
        <Select
          label="Status"
          placeholder="Every status"
          data={optionsOf(Object.fromEntries(Object.entries(JOB_STATUSES).map(([name, entry]) => [name, entry.label])))}
          value={status}
          onChange={(value) => {
            setStatus(value as ListJobsQuery['status'] | null);
            setPage(1);
          }}
          clearable
        />
        <Text size="sm" ml="auto">
          {formatNumber(total)} job{total === 1 ? '' : 's'}
        </Text>
      </Group>
      <ErrorAlert error={jobs.error} title="The jobs could not be loaded" />
      {jobs.data && jobs.data.data.length === 0 ? (
        <Text size="sm" my="xl">
          {kind || status
            ? 'No job matches these filters.'
            : startable.length > 0
              ? 'No jobs yet. Start one with “Start a job”: an export is a good first one.'
              : 'No jobs yet. A manager or admin starts exports and other jobs here.'}
        </Text>
      ) : (
        <JobsTable jobs={jobs.data?.data} loading={jobs.isLoading} onCancel={setCancelling} onReport={setReporting} />
      )}
      {(jobs.data?.pagination.totalPages ?? 0) > 1 && (
        <Group justify="center" mt="md">
          <Pager label="Pages of jobs" total={jobs.data!.pagination.totalPages} value={page} onChange={setPage} />
        </Group>
      )}
      <Modal
        closeButtonProps={{ 'aria-label': 'Close' }}
        opened={starting !== null}
        onClose={() => setStarting(null)}
        title={starting ? `Start: ${JOB_KINDS[starting].label}` : ''}
        size="lg"
      >
        {StartForm && <StartForm onStarted={() => setStarting(null)} />}
      </Modal>
      <CancelJobModal job={cancelling} onClose={() => setCancelling(null)} />
      <JobReportModal job={reporting} onClose={() => setReporting(null)} />
    </>
  );
}
