import { Alert, Skeleton, Stack } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/SessionProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageHeader } from '../../ui/PageHeader';
import { NotificationsForm } from './NotificationsForm';
import { PlanLimitsPanel } from './PlanLimitsPanel';
import { SecurityForm } from './SecurityForm';

/** The tenant's plan and limits (read-only), notification preferences and security settings (admins change them). */
export default function SettingsPage() {
  const { can } = useSession();
  const canEdit = can('admin'); // PATCH /v1/tenant is admin-only in the access table
  const tenant = useQuery({ queryKey: ['tenant'], queryFn: () => unwrap(api.GET('/v1/tenant')) });
  const current = tenant.data?.tenant;

  return (
    <>
      <PageHeader title="Settings" description={current ? `${current.name} (${current.slug})` : undefined} />
      <ErrorAlert error={tenant.error} title="Settings could not load" />
      {!canEdit && current && (
        <Alert color="blue" mb="md" title="Read-only">
          Only admins change settings; ask one of your admins.
        </Alert>
      )}
      {current ? (
        <Stack gap="lg">
          <PlanLimitsPanel tenant={current} />
          {/* Keyed by updatedAt: a saved change (or one made elsewhere) resets the forms to what the API holds. */}
          <NotificationsForm key={`n-${current.updatedAt}`} current={current.settings.notifications} canEdit={canEdit} />
          <SecurityForm key={`s-${current.updatedAt}`} current={current.settings.security} canEdit={canEdit} />
        </Stack>
      ) : (
        !tenant.error && (
          <Stack>
            <Skeleton h={200} />
            <Skeleton h={200} />
          </Stack>
        )
      )}
    </>
  );
}
