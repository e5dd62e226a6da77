import { PageHeader } from '../../ui/PageHeader';

/** Audit log (being built). */
export default function AuditLogPage() {
  return <PageHeader title="Audit log" />;
}
