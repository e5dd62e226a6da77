import { PageHeader } from '../../ui/PageHeader';

/** Invoices (being built). */
export default function InvoicesPage() {
  return <PageHeader title="Invoices" />;
}
