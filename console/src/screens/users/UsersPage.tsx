import { Pager } from '../../ui/Pager';
import { Button, Center, Group, Loader, NativeSelect, Paper, Skeleton, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notify } from '../../ui/notify';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { useSession } from '../../session/SessionProvider';
import type { Role } from '../../session/roles';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatNumber } from '../../ui/format';
import { PageHeader } from '../../ui/PageHeader';
import { ImportUsersModal } from './ImportUsersModal';
import { InviteUserModal } from './InviteUserModal';
import { RemoveUserModal } from './RemoveUserModal';
import { UsersTable, type UserRowActions } from './UsersTable';
import { ROLES, USER_STATUSES, USERS_PAGE_SIZE, useChangeUser, useSendInvitation, useUsersPage, type ListedUser, type UserStatus } from './usersQueries';

const SEARCH_DEBOUNCE_MS = 300;

/** The filter as the address bar holds it, so a filtered page can be shared and survives a reload. */
function useUsersFilterParams() {
  const [params, setParams] = useSearchParams();
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  const role = ROLES.find((candidate) => candidate === params.get('role'));
  const status = USER_STATUSES.find((candidate) => candidate === params.get('status'));
  const q = params.get('q') ?? '';
  const update = (changes: Partial<{ page: number; q: string; role: Role | undefined; status: UserStatus | undefined }>) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [name, value] of Object.entries(changes)) {
          if (value === undefined || value === '' || (name === 'page' && value === 1)) next.delete(name);
          else next.set(name, String(value));
        }
        // A new search or filter starts again at the first page.
        if (!('page' in changes)) next.delete('page');
        return next;
      },
      { replace: true },
    );
  return { page, role, status, q, update };
}

/** Users: the tenant's users, searched and paged by the server; invite, change, remove, bulk import. */
export default function UsersPage() {
  const session = useSession();
  const callerRole = session.user.role;
  const canManage = session.can('manager');
  const canImport = session.can('admin');
  const filterParams = useUsersFilterParams();
  const [search, setSearch] = useState(filterParams.q);
  const [debouncedSearch] = useDebouncedValue(search.trim(), SEARCH_DEBOUNCE_MS);
  const [inviting, setInviting] = useState(false);
  const [importing, setImporting] = useState(false);
  const [removing, setRemoving] = useState<ListedUser | undefined>();
  const [rowError, setRowError] = useState<{ user: ListedUser; error: unknown } | undefined>();

  useEffect(() => {
    if (debouncedSearch !== filterParams.q) filterParams.update({ q: debouncedSearch });
    // Only a settled search changes the address (and the query).
  }, [debouncedSearch]);

  const filter = useMemo(
    () => ({ page: filterParams.page, q: filterParams.q, role: filterParams.role, status: filterParams.status }),
    [filterParams.page, filterParams.q, filterParams.role, filterParams.status],
  );
  const users = useUsersPage(filter);
  const changeUser = useChangeUser();
  const sendInvitation = useSendInvitation();

  const actions: UserRowActions = {
    change: (user, change) => {
      setRowError(undefined);
      changeUser.mutate(
        { user, change },
        {
          onSuccess: ({ user: changed }) => notify({ title: 'User updated', message: `${changed.email} is now ${changed.role}, ${changed.status}.` }),
          onError: (error) => setRowError({ user, error }),
        },
      );
    },
    resendInvite: (user) => {
      setRowError(undefined);
      sendInvitation.mutate(user.id, {
        onSuccess: () => notify({ title: 'Invite sent again', message: `A new link went to ${user.email}; the old one stops working.` }),
        onError: (error) => setRowError({ user, error }),
      });
    },
    remove: (user) => {
      setRowError(undefined);
      setRemoving(user);
    },
  };

  const page = users.data;
  const filtered = Boolean(filterParams.q || filterParams.role || filterParams.status);
  const first = page && page.pagination.total > 0 ? (page.pagination.page - 1) * USERS_PAGE_SIZE + 1 : 0;
  const last = page ? first + page.data.length - (page.data.length ? 1 : 0) : 0;
  const caption = page ? `Users ${formatNumber(first)}–${formatNumber(last)} of ${formatNumber(page.pagination.total)}` : '';
  const busyUserId = changeUser.isPending ? changeUser.variables?.user.id : sendInvitation.isPending ? sendInvitation.variables : undefined;

  return (
    <>
      <PageHeader
        title="Users"
        description="People who sign in to this organisation's console, and what each may do."
        actions={
          <>
            {canImport && (
              <Button variant="default" onClick={() => setImporting(true)}>
                Import users
              </Button>
            )}
            {canManage && <Button onClick={() => setInviting(true)}>Invite user</Button>}
          </>
        }
      />

      <Group align="flex-end" mb="md" wrap="wrap" role="search" aria-label="Find users">
        <TextInput
          label="Search"
          description="A part of the name or e-mail"
          placeholder="jane, @acme.com…"
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          w={300}
          type="search"
        />
        <NativeSelect
          label="Role"
          value={filterParams.role ?? ''}
          onChange={(event) => filterParams.update({ role: ROLES.find((role) => role === event.currentTarget.value) })}
          data={[{ value: '', label: 'All roles' }, ...ROLES]}
        />
        <NativeSelect
          label="Status"
          value={filterParams.status ?? ''}
          onChange={(event) => filterParams.update({ status: USER_STATUSES.find((status) => status === event.currentTarget.value) })}
          data={[{ value: '', label: 'All statuses' }, ...USER_STATUSES]}
        />
        {users.isFetching && page && <Loader size="sm" aria-label="Loading users" />}
      </Group>

      {rowError && (
        <ErrorAlert
          error={rowError.error}
          title={
            rowError.error instanceof ApiError && rowError.error.code === 'LAST_ADMIN'
              ? `${rowError.user.email} is the last active admin`
              : `${rowError.user.email} was not changed`
          }
        />
      )}
      <ErrorAlert error={users.error} title="The users could not be loaded" />

      {!page && users.isPending && (
        <Stack gap="xs" aria-busy="true" aria-label="Loading users">
          {Array.from({ length: 8 }, (_, index) => (
            <Skeleton key={index} height={34} />
          ))}
        </Stack>
      )}

      {page && page.data.length === 0 && (
        <Paper withBorder p="xl" radius="md">
          <Center>
            <Stack align="center" gap="sm">
              <Text fw={500}>{filtered ? 'No user matches this search' : 'No users yet'}</Text>
              {filtered ? (
                <Button
                  variant="light"
                  onClick={() => {
                    setSearch('');
                    filterParams.update({ q: '', role: undefined, status: undefined });
                  }}
                >
                  Clear the search and filters
                </Button>
              ) : (
                canManage && <Button onClick={() => setInviting(true)}>Invite the first user</Button>
              )}
            </Stack>
          </Center>
        </Paper>
      )}

      {page && page.data.length > 0 && (
        <>
          <UsersTable users={page.data} callerRole={callerRole} canManage={canManage} actions={actions} busyUserId={busyUserId} caption={caption} />
          <Group justify="space-between" mt="md">
            <Text size="sm" data-testid="users-total">
              {formatNumber(page.pagination.total)} {page.pagination.total === 1 ? 'user' : 'users'}
            </Text>
            {page.pagination.totalPages > 1 && (
              <Pager
                total={page.pagination.totalPages}
                value={filterParams.page}
                onChange={(next) => filterParams.update({ page: next })}
                label="Pages of users"
                withEdges
              />
            )}
          </Group>
        </>
      )}

      {canManage && <InviteUserModal opened={inviting} onClose={() => setInviting(false)} callerRole={callerRole} />}
      {canImport && <ImportUsersModal opened={importing} onClose={() => setImporting(false)} />}
      {canManage && <RemoveUserModal user={removing} onClose={() => setRemoving(undefined)} />}
    </>
  );
}
