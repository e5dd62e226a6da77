import { PageHeader } from '../../ui/PageHeader';

/** Integration (being built). */
export default function IntegrationPage() {
  return <PageHeader title="Integration" />;
}
