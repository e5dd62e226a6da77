import { PageHeader } from '../../ui/PageHeader';

/** Bulk jobs (being built). */
export default function JobsPage() {
  return <PageHeader title="Bulk jobs" />;
}
