import { PageHeader } from '../ui/PageHeader';

/** AcceptInvitePage (being built). */
export default function AcceptInvitePage() {
  return <PageHeader title="AcceptInvitePage" />;
}
