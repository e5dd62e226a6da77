import { PageHeader } from '../ui/PageHeader';

/** ResetPasswordPage (being built). */
export default function ResetPasswordPage() {
  return <PageHeader title="ResetPasswordPage" />;
}
