import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { notify } from '../../ui/notify';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { useRemoveUser, type ListedUser } from './usersQueries';

/** Confirms removing a user; the API's refusal (the last active admin) is shown in the modal. */
export function RemoveUserModal({ user, onClose }: { user: ListedUser | undefined; onClose: () => void }) {
  const removeUser = useRemoveUser();
  const close = () => {
    removeUser.reset();
    onClose();
  };
  const lastAdmin = removeUser.error instanceof ApiError && removeUser.error.code === 'LAST_ADMIN';
  return (
    <Modal opened={Boolean(user)} onClose={close} title="Remove user" centered closeButtonProps={{ 'aria-label': 'Close dialog' }}>
      {user && (
        <Stack>
          <Text size="sm">
            Remove <strong>{user.name}</strong> ({user.email})? They lose access at once and their seat is freed. This cannot be undone; you can invite them
            again later.
          </Text>
          <ErrorAlert error={removeUser.error} title={lastAdmin ? 'This is the last active admin' : 'The user was not removed'} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              color="red"
              loading={removeUser.isPending}
              disabled={lastAdmin}
              onClick={() =>
                removeUser.mutate(user, {
                  onSuccess: () => {
                    notify({ title: 'User removed', message: `${user.email} no longer has access.` });
                    close();
                  },
                })
              }
            >
              Remove user
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
