import { AppShell, Burger, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { Link, Outlet, useLocation } from 'react-router';
import { api, unwrap } from '../api/client';
import { useSession } from '../session/SessionProvider';
import { useSignOut } from '../session/useSignOut';
import { NAVIGATION } from './navigation';
import { TenantTheme } from './TenantTheme';

/** The tenant console's frame: header with the tenant and the user menu, side navigation, the screen. */
export function ConsoleShell() {
  const [opened, { toggle, close }] = useDisclosure();
  const session = useSession();
  const location = useLocation();
  const tenant = useQuery({ queryKey: ['tenant'], queryFn: () => unwrap(api.GET('/v1/tenant')), staleTime: 60_000 });
  const signOut = useSignOut();
  const branding = tenant.data?.tenant.branding;
  const title = branding?.companyName ?? tenant.data?.tenant.name ?? 'Integration Hub';

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="lg">
      <TenantTheme />
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <div className="hub-brand-logo" aria-hidden="true" />
            <Text fw={700} data-testid="tenant-title">
              {title}
            </Text>
          </Group>
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <UnstyledButton title="Account menu">
                <Text size="sm">
                  {session.user.name} · <span data-testid="session-role">{session.user.role}</span>
                </Text>
              </UnstyledButton>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>{session.user.email}</Menu.Label>
              <Menu.Item component={Link} to="/account">
                Account and security
              </Menu.Item>
              <Menu.Item onClick={() => signOut.mutate('here')}>Sign out</Menu.Item>
              <Menu.Item color="red" onClick={() => signOut.mutate('everywhere')}>
                Sign out everywhere
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Console">
        <ScrollArea>
          {NAVIGATION.filter((entry) => session.can(entry.minRole)).map((entry) => {
            const active = entry.path === '/' ? location.pathname === '/' : location.pathname.startsWith(entry.path);
            return (
              <NavLink
                key={entry.path}
                component={Link}
                to={entry.path}
                label={entry.label}
                active={active}
                aria-current={active ? 'page' : undefined}
                className="hub-nav-link"
                onClick={close}
              />
            );
          })}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
