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

/** /console/invite#token=…: the invited user chooses a password, then signs in with the tenant and e-mail filled in. */
export default function AcceptInvitePage() {
  const token = useLinkToken();
  const navigate = useNavigate();
  const accept = useMutation({
    mutationFn: (password: string) => unwrap(api.POST('/v1/auth/invitations/accept', { body: { token: token ?? '', password } })),
    onSuccess: (answer) => {
      const params = new URLSearchParams({ tenant: answer.tenant.slug, email: answer.user.email, welcome: '1' });
      void navigate(`/sign-in?${params.toString()}`, { replace: true });
    },
  });
  const linkInvalid = !token || (accept.error instanceof ApiError && accept.error.code === 'LINK_INVALID');

  return (
    <AuthCard title="Accept your invite">
      {linkInvalid ? (
        <LinkInvalidAlert kind="invite" />
      ) : (
        <>
          <Text size="sm">Choose the password you will sign in to the console with.</Text>
          <ErrorAlert error={fieldError(accept.error, 'password') ? undefined : accept.error} title="The invite could not be accepted" />
          <NewPasswordForm
            label="Set your password"
            submitLabel="Set password"
            pending={accept.isPending}
            error={accept.error}
            onSubmit={(password) => accept.mutate(password)}
          />
        </>
      )}
    </AuthCard>
  );
}
