import { PageHeader } from '../../ui/PageHeader';

/** API keys (being built). */
export default function ApiKeysPage() {
  return <PageHeader title="API keys" />;
}
