import { Alert, Stack } from '@mantine/core';
import { useSession } from '../../session/SessionProvider';
import { PageHeader } from '../../ui/PageHeader';
import { ConnectionsPanel } from './ConnectionsPanel';
import { DomainsPanel } from './DomainsPanel';
import { IdentitySettingsPanel } from './IdentitySettingsPanel';

/**
 * Identity (SSO): the organisation's verified e-mail domains, its identity provider connections
 * with what to copy into them and a test sign-in, and the sign-in rules. Admins only (the access table).
 */
export default function IdentityPage() {
  const session = useSession();
  return (
    <>
      <PageHeader
        title="Identity (SSO)"
        description="Set up single sign-on: verify your e-mail domains, connect your identity provider (OpenID Connect or SAML 2.0), test it, then choose the sign-in rules."
      />
      {!session.can('admin') ? (
        <Alert color="blue" title="Identity settings are for admins">
          Your role ({session.user.role}) cannot see or change single sign-on; ask an admin of your organisation.
        </Alert>
      ) : (
        <Stack gap="lg">
          <DomainsPanel />
          <ConnectionsPanel />
          <IdentitySettingsPanel />
        </Stack>
      )}
    </>
  );
}
