import { PageHeader } from '../../ui/PageHeader';

/** White-label (being built). */
export default function BrandingPage() {
  return <PageHeader title="White-label" />;
}
