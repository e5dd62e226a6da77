import { PageHeader } from '../../ui/PageHeader';

/** Dashboard (being built). */
export default function DashboardPage() {
  return <PageHeader title="Dashboard" />;
}
