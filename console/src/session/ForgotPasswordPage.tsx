import { PageHeader } from '../ui/PageHeader';

/** ForgotPasswordPage (being built). */
export default function ForgotPasswordPage() {
  return <PageHeader title="ForgotPasswordPage" />;
}
