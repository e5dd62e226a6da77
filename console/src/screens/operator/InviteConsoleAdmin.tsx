import { Alert, Anchor, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrors } from '../../ui/fieldErrors';

/**
 * Right after a tenant is created: invites a console admin of it (you), acting with the tenant's
 * new admin key, which exists only in the component that shows it once.
 */
export function InviteConsoleAdmin({ tenantSlug, apiKey }: { tenantSlug: string; apiKey: string }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const invite = useMutation({
    mutationFn: async () => {
      const headers = { 'X-API-Key': apiKey };
      const created = await unwrap(api.POST('/v1/users', { body: { email: email.trim(), name: name.trim(), role: 'admin' }, headers }));
      await unwrap(api.POST('/v1/users/{id}/invitation', { params: { path: { id: created.user.id } }, headers }));
      return created.user.email;
    },
  });
  const errors = fieldErrors(invite.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    invite.mutate();
  };

  if (invite.data) {
    return (
      <Alert color="green" title="Invite sent" role="status" styles={{ title: { color: 'var(--mantine-color-text)' } }}>
        <Text size="sm">
          {invite.data} gets a one-time link to set a password (with <code>npm start</code> the e-mail is saved as an .eml file under the data directory's{' '}
          <code>mail/</code> folder). Then sign in to{' '}
          <Anchor component={Link} to={`/sign-in?tenant=${encodeURIComponent(tenantSlug)}`}>
            {tenantSlug}
          </Anchor>
          .
        </Text>
      </Alert>
    );
  }
  return (
    <form onSubmit={submit} aria-label="Invite a console admin">
      <Stack gap="xs">
        <Text fw={600} size="sm">
          Invite yourself (or the tenant's administrator) to the console as an admin of {tenantSlug}
        </Text>
        {Object.keys(errors).length === 0 && <ErrorAlert error={invite.error} title="Invite not sent" />}
        <Group grow align="flex-start">
          <TextInput label="Name" required value={name} onChange={(event) => setName(event.currentTarget.value)} error={errors.name} />
          <TextInput label="E-mail" type="email" required value={email} onChange={(event) => setEmail(event.currentTarget.value)} error={errors.email} />
        </Group>
        <Group>
          <Button type="submit" loading={invite.isPending}>
            Send invite
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
