import { PageHeader } from '../ui/PageHeader';

/** MfaEnrolmentPage (being built). */
export default function MfaEnrolmentPage() {
  return <PageHeader title="MfaEnrolmentPage" />;
}
