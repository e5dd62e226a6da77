import { PageHeader } from '../../ui/PageHeader';

/** Users (being built). */
export default function UsersPage() {
  return <PageHeader title="Users" />;
}
