import { ActionIcon, Badge, Menu, NativeSelect, Table, Text, VisuallyHidden } from '@mantine/core';
import { roleAtLeast, type Role } from '../../session/roles';
import { formatDateTime } from '../../ui/format';
import { ROLES, type ListedUser, type UserChange, type UserStatus } from './usersQueries';

const STATUS_COLOURS: Record<UserStatus, string> = { active: 'green', invited: 'blue', suspended: 'gray' };

export interface UserRowActions {
  change(user: ListedUser, change: UserChange): void;
  resendInvite(user: ListedUser): void;
  remove(user: ListedUser): void;
}

/**
 * The users of one page. Mutation controls appear only for a caller who may manage users
 * (manager and up) and only on rows whose role is within the caller's own (the API's ceiling).
 */
export function UsersTable({
  users,
  callerRole,
  canManage,
  actions,
  busyUserId,
  caption,
}: {
  users: readonly ListedUser[];
  callerRole: Role;
  canManage: boolean;
  actions: UserRowActions;
  busyUserId?: string;
  caption: string;
}) {
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table aria-label="Users" striped highlightOnHover verticalSpacing="xs" captionSide="bottom">
        <Table.Caption>{caption}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Name</Table.Th>
            <Table.Th scope="col">E-mail</Table.Th>
            <Table.Th scope="col">Role</Table.Th>
            <Table.Th scope="col">Status</Table.Th>
            <Table.Th scope="col">Last active</Table.Th>
            <Table.Th scope="col">Added</Table.Th>
            {canManage && (
              <Table.Th scope="col">
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            )}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {users.map((user) => {
            const manageable = canManage && roleAtLeast(callerRole, user.role);
            const busy = busyUserId === user.id;
            return (
              <Table.Tr key={user.id}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {user.name}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{user.email}</Text>
                </Table.Td>
                <Table.Td>
                  {manageable ? (
                    <NativeSelect
                      size="xs"
                      aria-label={`Role of ${user.email}`}
                      value={user.role}
                      disabled={busy}
                      data={ROLES.filter((role) => roleAtLeast(callerRole, role))}
                      onChange={(event) => actions.change(user, { role: event.currentTarget.value as Role })}
                    />
                  ) : (
                    <Text size="sm">{user.role}</Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge variant="dot" color={STATUS_COLOURS[user.status]} data-testid="user-status">
                    {user.status}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(user.lastActiveAt)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(user.createdAt)}</Text>
                </Table.Td>
                {canManage && (
                  <Table.Td>
                    {manageable && (
                      <Menu position="bottom-end" withinPortal>
                        <Menu.Target>
                          <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${user.email}`} loading={busy}>
                            <span aria-hidden="true">⋯</span>
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          {user.status === 'invited' && <Menu.Item onClick={() => actions.resendInvite(user)}>Resend invite</Menu.Item>}
                          {user.status === 'suspended' ? (
                            <Menu.Item onClick={() => actions.change(user, { status: 'active' })}>Reactivate</Menu.Item>
                          ) : (
                            <Menu.Item onClick={() => actions.change(user, { status: 'suspended' })}>Suspend</Menu.Item>
                          )}
                          <Menu.Divider />
                          <Menu.Item color="red" onClick={() => actions.remove(user)}>
                            Remove…
                          </Menu.Item>
                        </Menu.Dropdown>
                      </Menu>
                    )}
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
