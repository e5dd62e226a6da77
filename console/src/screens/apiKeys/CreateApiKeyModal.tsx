import { Button, Group, Modal, NumberInput, Select, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/SessionProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrors } from '../../ui/fieldErrors';
import { formatDateTime, formatNumber } from '../../ui/format';
import { SecretOnce } from '../../ui/SecretOnce';
import { API_KEY_ROLES, type ApiKeyRole, type CreateApiKeyBody } from './apiKeyTypes';

const DAY_MS = 86_400_000;

/**
 * Creates a key (name, role up to the user's own, optional scopes and expiry within the tenant's
 * keyMaxLifetimeDays). The answer carries the secret this once: shown until Done, then the
 * mutation is reset so it is kept nowhere.
 */
export function CreateApiKeyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const tenant = useQuery({ queryKey: ['tenant'], queryFn: () => unwrap(api.GET('/v1/tenant')), staleTime: 60_000 });
  const maxDays = tenant.data?.tenant.settings.security.keyMaxLifetimeDays ?? null;
  const [name, setName] = useState('');
  const [role, setRole] = useState<ApiKeyRole>('viewer');
  const [scopes, setScopes] = useState<string[]>([]);
  const [days, setDays] = useState<number | string>('');
  const create = useMutation({
    mutationFn: (body: CreateApiKeyBody) => unwrap(api.POST('/v1/api-keys', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['apiKeys'] }),
  });
  const errors = fieldErrors(create.error);
  const scopeError = errors.scopes ?? Object.entries(errors).find(([field]) => field.startsWith('scopes.'))?.[1];
  const created = create.data?.apiKey;
  const roles = (Object.entries(API_KEY_ROLES) as Array<[ApiKeyRole, string]>).map(([value, label]) => ({ value, label, disabled: !session.can(value) }));

  const close = () => {
    create.reset();
    setName('');
    setRole('viewer');
    setScopes([]);
    setDays('');
    onClose();
  };

  return (
    <Modal closeButtonProps={{ 'aria-label': 'Close' }} opened={opened} onClose={close} title="Create an API key" size="lg">
      {created ? (
        <Stack>
          <SecretOnce label={`API key “${created.name}”`} secret={created.key} onDone={close} />
          <Text size="sm">Expires: {created.expiresAt ? formatDateTime(created.expiresAt) : 'never'}</Text>
        </Stack>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate({
              name: name.trim(),
              role,
              ...(scopes.length ? { scopes } : {}),
              ...(typeof days === 'number' ? { expiresAt: new Date(Date.now() + days * DAY_MS).toISOString() } : {}),
            });
          }}
        >
          <Stack>
            <TextInput
              label="Name"
              description="What uses the key (an integration, a script)"
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              error={errors.name}
              withAsterisk
            />
            <Select
              label="Role"
              description="At most your own role"
              data={roles}
              value={role}
              onChange={(value) => value && setRole(value as ApiKeyRole)}
              allowDeselect={false}
              error={errors.role}
              withAsterisk
            />
            <TagsInput
              label="Scopes"
              description="Optional: narrow the key below its role, e.g. users:read, records:*, *:read (Enter after each)"
              value={scopes}
              onChange={setScopes}
              error={scopeError}
            />
            <NumberInput
              label="Expires in (days)"
              description={
                maxDays === null
                  ? 'Optional: empty for a key that does not expire'
                  : `This organisation's keys expire within ${formatNumber(maxDays)} days (empty: the longest allowed)`
              }
              min={1}
              max={maxDays ?? undefined}
              value={days}
              onChange={setDays}
              error={errors.expiresAt}
              data-testid="key-max-lifetime"
              data-max-days={maxDays ?? ''}
            />
            <ErrorAlert error={Object.keys(errors).length ? null : create.error} title="The key was not created" />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
                Create key
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
