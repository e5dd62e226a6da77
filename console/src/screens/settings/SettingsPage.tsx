import { PageHeader } from '../../ui/PageHeader';

/** Settings (being built). */
export default function SettingsPage() {
  return <PageHeader title="Settings" />;
}
