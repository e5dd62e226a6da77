import { EXPORT_DATASETS, EXPORT_FORMATS, type ExportDataset, type ExportFormat, type Job } from './jobTypes';

/** One line about what a job does, from its parameters. */
export function jobSummary(job: Pick<Job, 'kind' | 'params'>): string {
  const params = job.params;
  switch (job.kind) {
    case 'export':
      return `${EXPORT_DATASETS[params.dataset as ExportDataset] ?? String(params.dataset)} as ${EXPORT_FORMATS[params.format as ExportFormat] ?? String(params.format)}`;
    case 'migration':
      return `${params.dryRun === true ? 'Dry run into' : 'Into'} ${String(params.target ?? 'users')}`;
    case 'restore':
      return `Backup ${String(params.backupId).slice(0, 8)}…`;
    case 'batch_scan':
      return Array.isArray(params.items) ? `${params.items.length} items` : 'Items from an upload';
    case 'sync':
      return params.stream ? `Stream ${String(params.stream)}` : 'All streams';
    default:
      return '';
  }
}
