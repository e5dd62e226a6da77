import { PageHeader } from '../../ui/PageHeader';

/** Integrations (being built). */
export default function IntegrationsPage() {
  return <PageHeader title="Integrations" />;
}
