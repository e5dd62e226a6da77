import { Alert, Button, Group, Modal, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { notify } from '../../ui/notify';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { roleAtLeast, type Role } from '../../session/roles';
import { fieldErrors } from './fieldErrors';
import { ROLES, useRefreshUsers, useSendInvitation, type ListedUser } from './usersQueries';

/** Why an invite e-mail did not go out, in words an admin can act on. */
function invitationRefusal(error: unknown): { title: string; message: string } {
  if (error instanceof ApiError && error.code === 'MAIL_UNAVAILABLE') {
    return { title: 'The invite e-mail could not be sent', message: `The hub's mail server is not available (${error.code}). Retry in a moment.` };
  }
  if (error instanceof ApiError && error.code === 'EMAIL_REJECTED') {
    return { title: 'The mail server refused this address', message: `${error.message}. Correct the address: remove this user and invite again.` };
  }
  return { title: 'The invite e-mail was not sent', message: errorMessage(error) };
}

/**
 * Invite a user: creates the user (`POST /v1/users`, status invited), then e-mails the one-time
 * link (`POST /v1/users/:id/invitation`). When the e-mail fails the user exists already, so the
 * modal says so and offers to send it again rather than creating a duplicate.
 */
export function InviteUserModal({ opened, onClose, callerRole }: { opened: boolean; onClose: () => void; callerRole: Role }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [created, setCreated] = useState<ListedUser | undefined>();
  const refresh = useRefreshUsers();
  const sendInvitation = useSendInvitation();

  const reset = () => {
    setEmail('');
    setName('');
    setRole('member');
    setCreated(undefined);
    createUser.reset();
    sendInvitation.reset();
  };
  const close = () => {
    reset();
    onClose();
  };

  const invite = (user: ListedUser) =>
    sendInvitation.mutate(user.id, {
      onSuccess: () => {
        notify({ title: 'Invite sent', message: `${user.email} will get an e-mail with a link to set a password.` });
        close();
      },
    });

  const createUser = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/users', { body: { email: email.trim(), name: name.trim(), role } })),
    onSuccess: ({ user }) => {
      setCreated(user);
      void refresh();
      invite(user);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (created) invite(created);
    else createUser.mutate();
  };

  const errors = fieldErrors(createUser.error);
  const generalError = createUser.error && Object.keys(errors).length === 0 ? createUser.error : undefined;
  const refusal = sendInvitation.error ? invitationRefusal(sendInvitation.error) : undefined;
  const pending = createUser.isPending || sendInvitation.isPending;

  return (
    <Modal opened={opened} onClose={close} title="Invite a user" centered closeButtonProps={{ 'aria-label': 'Close dialog' }}>
      {/* Mantine's error red (red 6) is 3.3:1 on white; red 9 passes WCAG AA for the inline errors. */}
      <form onSubmit={submit} aria-label="Invite a user" noValidate style={{ ['--mantine-color-error' as string]: 'var(--mantine-color-red-9)' }}>
        <Stack>
          <ErrorAlert error={generalError} title="The user was not created" />
          {refusal && created && (
            <Alert color="red" role="alert" title={refusal.title}>
              <Text size="sm">
                {created.email} was added as invited, but no e-mail went out. {refusal.message}
              </Text>
            </Alert>
          )}
          <TextInput
            label="E-mail"
            type="email"
            required
            disabled={Boolean(created)}
            value={email}
            onChange={(event) => setEmail(event.currentTarget.value)}
            error={errors.email}
            autoComplete="off"
          />
          <TextInput
            label="Name"
            required
            disabled={Boolean(created)}
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            error={errors.name}
          />
          <NativeSelect
            label="Role"
            description="What the user may do; you can invite up to your own role"
            disabled={Boolean(created)}
            value={role}
            onChange={(event) => setRole(event.currentTarget.value as Role)}
            data={ROLES.filter((option) => roleAtLeast(callerRole, option))}
            error={errors.role}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              {created ? 'Close' : 'Cancel'}
            </Button>
            <Button type="submit" loading={pending}>
              {created ? 'Send the invite again' : 'Send invite'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
