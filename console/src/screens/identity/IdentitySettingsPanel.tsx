import { ActionIcon, Button, Group, Paper, Select, Skeleton, Stack, Switch, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrors } from '../../ui/fieldErrors';
import { notify } from '../../ui/notify';
import type { IdentitySettings } from './identityTypes';

const ROLE_OPTIONS = ['viewer', 'member', 'manager', 'admin'].map((role) => ({ value: role, label: role }));
type Role = IdentitySettings['defaultRole'];

/** SSO required (with its break-glass admin), just-in-time provisioning, the default role and the group → role mapping. */
export function IdentitySettingsPanel() {
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ['identity', 'settings'], queryFn: () => unwrap(api.GET('/v1/identity/settings')) });
  const admins = useQuery({
    queryKey: ['identity', 'admins'],
    queryFn: () => unwrap(api.GET('/v1/users', { params: { query: { role: 'admin', status: 'active', limit: 100 } } })),
  });
  const [draft, setDraft] = useState<IdentitySettings | null>(null);
  useEffect(() => {
    if (settings.data && !draft) setDraft(settings.data);
  }, [settings.data, draft]);
  const save = useMutation({
    mutationFn: (body: IdentitySettings) => unwrap(api.PUT('/v1/identity/settings', { body })),
    onSuccess: (saved) => {
      queryClient.setQueryData(['identity', 'settings'], saved);
      setDraft(saved);
      notify({ title: 'Identity settings saved', message: 'They apply from the next sign-in.' });
    },
  });
  const errors = fieldErrors(save.error);
  const update = (change: Partial<IdentitySettings>) => setDraft((current) => current && { ...current, ...change });
  const setRow = (index: number, change: Partial<IdentitySettings['groupRoles'][number]>) =>
    update({ groupRoles: draft!.groupRoles.map((row, at) => (at === index ? { ...row, ...change } : row)) });

  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="sm">
        Settings
      </Title>
      <ErrorAlert error={settings.error} title="The identity settings could not be loaded" />
      {!draft ? (
        settings.isLoading && <Skeleton height={160} aria-label="Loading the identity settings" />
      ) : (
        <form
          aria-label="Identity settings"
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate(draft);
          }}
        >
          <Stack gap="sm">
            <Switch
              label="SSO required"
              description="Password sign-in is refused for users of verified domains, except the break-glass admin."
              checked={draft.ssoRequired}
              onChange={(event) => update({ ssoRequired: event.currentTarget.checked })}
            />
            <Select
              label="Break-glass admin"
              description="An admin who may still sign in with a password when SSO is required (for when the identity provider is down)."
              placeholder="No break-glass admin"
              clearable
              data={(admins.data?.data ?? []).map((user) => ({ value: user.id, label: `${user.name} (${user.email})` }))}
              value={draft.breakGlassUserId}
              onChange={(value) => update({ breakGlassUserId: value })}
              error={errors.breakGlassUserId}
            />
            <Switch
              label="Just-in-time provisioning"
              description="A person of a verified domain who signs in through SSO for the first time gets a user."
              checked={draft.jitProvisioning}
              onChange={(event) => update({ jitProvisioning: event.currentTarget.checked })}
            />
            <Select
              label="Default role"
              description="The role of a person none of whose groups is mapped below."
              data={ROLE_OPTIONS}
              allowDeselect={false}
              value={draft.defaultRole}
              onChange={(value) => value && update({ defaultRole: value as Role })}
              error={errors.defaultRole}
            />
            <Text fw={600} size="sm">
              Group → role mapping
            </Text>
            {draft.groupRoles.length === 0 ? (
              <Text size="sm">No group is mapped: everyone signing in through SSO gets the default role. Add a row to map an identity provider group.</Text>
            ) : (
              <Table aria-label="Group to role mapping">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Identity provider group</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {draft.groupRoles.map((row, index) => (
                    <Table.Tr key={index}>
                      <Table.Td>
                        <TextInput
                          aria-label={`Group ${index + 1}`}
                          value={row.group}
                          onChange={(event) => setRow(index, { group: event.currentTarget.value })}
                          error={errors[`groupRoles.${index}.group`]}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Select
                          aria-label={`Role of group ${index + 1}`}
                          data={ROLE_OPTIONS}
                          allowDeselect={false}
                          value={row.role}
                          onChange={(value) => value && setRow(index, { role: value as Role })}
                        />
                      </Table.Td>
                      <Table.Td>
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={`Remove group ${index + 1}`}
                          onClick={() => update({ groupRoles: draft.groupRoles.filter((_, at) => at !== index) })}
                        >
                          ×
                        </ActionIcon>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {errors.groupRoles && (
              <Text c="red.8" size="sm" role="alert">
                {errors.groupRoles}
              </Text>
            )}
            <ErrorAlert error={save.error} title="The settings were not saved" />
            <Group gap="sm">
              <Button variant="light" onClick={() => update({ groupRoles: [...draft.groupRoles, { group: '', role: draft.defaultRole }] })}>
                Add group mapping
              </Button>
              <Button type="submit" loading={save.isPending}>
                Save settings
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Paper>
  );
}
