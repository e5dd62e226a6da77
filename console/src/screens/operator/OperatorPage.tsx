import { PageHeader } from '../../ui/PageHeader';

/** Operator (being built). */
export default function OperatorPage() {
  return <PageHeader title="Operator" />;
}
