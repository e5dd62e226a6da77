import { Button, PasswordInput, Stack } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { fieldError } from './fieldError';

/** The API's rule for a new password (newPasswordSchema): 12–256 characters. */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

/** Why a new password cannot be used, or undefined when it can. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters`;
  return undefined;
}

/**
 * A new password typed twice, checked here first (length, both the same) and then by the API,
 * whose 400 details land under the field they concern.
 */
export function NewPasswordForm({
  label,
  submitLabel,
  pending,
  error,
  onSubmit,
  children,
}: {
  label: string;
  submitLabel: string;
  pending: boolean;
  error: unknown;
  onSubmit: (password: string) => void;
  children?: ReactNode;
}) {
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [checked, setChecked] = useState(false);
  const problem = checked ? passwordProblem(password) : undefined;
  const mismatch = checked && confirmation !== password ? 'The two passwords differ' : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (passwordProblem(password) || confirmation !== password) return;
    onSubmit(password);
  };

  return (
    <form onSubmit={submit} aria-label={label} noValidate>
      <Stack>
        {children}
        <PasswordInput
          label="New password"
          description={`${PASSWORD_MIN}–${PASSWORD_MAX} characters; a passphrase of a few words is easy to remember`}
          required
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          error={problem ?? fieldError(error, 'password')}
          autoComplete="new-password"
          maxLength={PASSWORD_MAX}
        />
        <PasswordInput
          label="Repeat the password"
          required
          value={confirmation}
          onChange={(event) => setConfirmation(event.currentTarget.value)}
          error={mismatch}
          autoComplete="new-password"
          maxLength={PASSWORD_MAX}
        />
        <Button type="submit" loading={pending} fullWidth>
          {submitLabel}
        </Button>
      </Stack>
    </form>
  );
}
