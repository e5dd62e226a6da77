import { PageHeader } from '../ui/PageHeader';

/** AccountPage (being built). */
export default function AccountPage() {
  return <PageHeader title="AccountPage" />;
}
