import { AppShell, Button, Center, Group, Loader, NavLink, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { api, onSessionEnded, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { BillingRunsScreen } from './BillingRunsScreen';
import { OperatorSignIn } from './OperatorSignIn';
import { OPERATOR_SESSION_KEY, useOperatorHeaders, useOperatorSession } from './operatorSession';
import { TenantsScreen } from './TenantsScreen';

const SECTIONS = [
  { path: '/operator', label: 'Tenants' },
  { path: '/operator/billing', label: 'Billing runs' },
];

/** The platform operator's part of the console (/console/operator/*), outside any tenant. */
export default function OperatorPage() {
  const session = useOperatorSession();
  const queryClient = useQueryClient();
  const location = useLocation();
  const headers = useOperatorHeaders();

  // An admin call answering 401 means the operator session ended (expired, token rotated): ask again.
  useEffect(() => onSessionEnded(() => void queryClient.invalidateQueries({ queryKey: OPERATOR_SESSION_KEY })), [queryClient]);

  const signOut = useMutation({
    mutationFn: () => unwrap(api.DELETE('/v1/admin/sessions/current', { headers })),
    onSettled: () => {
      queryClient.setQueryData(OPERATOR_SESSION_KEY, { session: null, csrfToken: null });
      queryClient.removeQueries({ queryKey: ['operator'] });
    },
  });

  if (session.isPending) {
    return (
      <Center h="60vh" aria-busy="true">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (session.isError) return <ErrorAlert error={session.error} />;
  if (!session.data.session) return <OperatorSignIn />;

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 200, breakpoint: 'sm' }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Text fw={700}>Integration Hub · Platform operator</Text>
          <Button variant="default" size="xs" onClick={() => signOut.mutate()} loading={signOut.isPending}>
            Sign out
          </Button>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Operator">
        {SECTIONS.map((section) => {
          const active = location.pathname === section.path || (section.path !== '/operator' && location.pathname.startsWith(section.path));
          return (
            <NavLink
              key={section.path}
              component={Link}
              to={section.path}
              label={section.label}
              active={active}
              aria-current={active ? 'page' : undefined}
              // Filled dark: no tenant theme here, and Mantine's light primary text is below AA contrast.
              variant="filled"
              color="dark"
              className="hub-nav-link"
            />
          );
        })}
      </AppShell.Navbar>
      <AppShell.Main>
        <Routes>
          <Route index element={<TenantsScreen />} />
          <Route path="billing" element={<BillingRunsScreen />} />
          <Route path="*" element={<Navigate to="/operator" replace />} />
        </Routes>
      </AppShell.Main>
    </AppShell>
  );
}
