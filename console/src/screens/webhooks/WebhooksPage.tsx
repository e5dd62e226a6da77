import { PageHeader } from '../../ui/PageHeader';

/** Webhooks (being built). */
export default function WebhooksPage() {
  return <PageHeader title="Webhooks" />;
}
