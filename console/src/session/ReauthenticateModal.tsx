import { Button, Group, Modal, PasswordInput, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '../api/client';
import type { RequestBody } from '../api/types';
import { ErrorAlert } from '../ui/ErrorAlert';

/** What a change of one's own security is proven with (the API's reauthentication body). */
export type Reauthentication = RequestBody<'/v1/auth/mfa', 'delete'>;

/**
 * A confirmation dialog that also asks for the current password or a code from the authenticator
 * app: the API refuses these changes to a session alone (a wrong answer counts as a failed sign-in).
 */
export function ReauthenticateModal({
  opened,
  title,
  explanation,
  confirmLabel,
  danger = false,
  pending,
  error,
  onClose,
  onConfirm,
}: {
  opened: boolean;
  title: string;
  explanation: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  pending: boolean;
  error: unknown;
  onClose: () => void;
  onConfirm: (proof: Reauthentication) => void;
}) {
  const [method, setMethod] = useState<'password' | 'totp'>('password');
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string>();
  const refused = error instanceof ApiError && error.code === 'REAUTHENTICATION_FAILED' ? error.message : undefined;

  const close = () => {
    setValue('');
    setProblem(undefined);
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (method === 'password' ? value.length === 0 : !/^\d{6}$/.test(value)) {
      setProblem(method === 'password' ? 'Enter your password' : 'Enter the 6 digits your app shows');
      return;
    }
    setProblem(undefined);
    onConfirm(method === 'password' ? { password: value } : { totpCode: value });
  };

  return (
    <Modal opened={opened} onClose={close} title={title} closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} aria-label={title} noValidate>
        <Stack>
          <Text size="sm">{explanation}</Text>
          <SegmentedControl
            aria-label="Confirm with"
            value={method}
            onChange={(next) => {
              setMethod(next as 'password' | 'totp');
              setValue('');
              setProblem(undefined);
            }}
            data={[
              { value: 'password', label: 'Password' },
              { value: 'totp', label: 'Authenticator code' },
            ]}
          />
          {method === 'password' ? (
            <PasswordInput
              label="Current password"
              required
              value={value}
              onChange={(event) => setValue(event.currentTarget.value)}
              error={problem ?? refused}
              autoComplete="current-password"
              data-autofocus
            />
          ) : (
            <TextInput
              label="Code from your authenticator app"
              required
              value={value}
              onChange={(event) => setValue(event.currentTarget.value.replace(/\s/g, ''))}
              error={problem ?? refused}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              data-autofocus
            />
          )}
          <ErrorAlert error={refused ? undefined : error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" color={danger ? 'red' : undefined} loading={pending}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
