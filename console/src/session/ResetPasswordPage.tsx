import { Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, ApiError, unwrap } from '../api/client';
import { ErrorAlert } from '../ui/ErrorAlert';
import { AuthCard } from './AuthCard';
import { fieldError } from './fieldError';
import { LinkInvalidAlert } from './LinkInvalidAlert';
import { useLinkToken } from './linkToken';
import { NewPasswordForm } from './NewPasswordForm';

/** /console/reset-password#token=…: a new password from the e-mailed link; every session of the user is signed out. */
export default function ResetPasswordPage() {
  const token = useLinkToken();
  const navigate = useNavigate();
  const reset = useMutation({
    mutationFn: (password: string) => unwrap(api.POST('/v1/auth/password-resets/complete', { body: { token: token ?? '', password } })),
    onSuccess: () => void navigate('/sign-in?reset=1', { replace: true }),
  });
  const linkInvalid = !token || (reset.error instanceof ApiError && reset.error.code === 'LINK_INVALID');

  return (
    <AuthCard title="Choose a new password">
      {linkInvalid ? (
        <LinkInvalidAlert kind="reset" />
      ) : (
        <>
          <Text size="sm">After the change, every device signed in with your old password is signed out.</Text>
          <ErrorAlert error={fieldError(reset.error, 'password') ? undefined : reset.error} title="The password could not be changed" />
          <NewPasswordForm
            label="Choose a new password"
            submitLabel="Change password"
            pending={reset.isPending}
            error={reset.error}
            onSubmit={(password) => reset.mutate(password)}
          />
        </>
      )}
    </AuthCard>
  );
}
