import { Alert, Anchor, Button, Code, Group, Loader, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, ApiError, unwrap } from '../api/client';
import { ErrorAlert } from '../ui/ErrorAlert';
import { AuthCard } from './AuthCard';
import { MFA_QUERY_KEY } from './queryKeys';
import { RecoveryCodesOnce } from './RecoveryCodesOnce';
import { SESSION_QUERY_KEY, useSession } from './SessionProvider';
import { TotpQrCode } from './TotpQrCode';
import { useSignOut } from './useSignOut';

/** The base32 secret in groups of four, easier to type into an app by hand. */
const grouped = (secret: string) => secret.replace(/(.{4})/g, '$1 ').trim();

/**
 * /console/mfa/enrol: TOTP set-up. Start (the API makes a secret), scan the QR code or type the
 * secret, confirm with a code, save the recovery codes (shown once), continue. A session whose
 * tenant requires MFA is sent here and can do nothing else until it is done.
 */
export default function MfaEnrolmentPage() {
  const session = useSession();
  const [params] = useSearchParams();
  const next = params.get('next')?.startsWith('/') ? params.get('next')! : '/';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const signOut = useSignOut();
  const [code, setCode] = useState('');
  const [codeProblem, setCodeProblem] = useState<string>();
  const status = useQuery({ queryKey: MFA_QUERY_KEY, queryFn: () => unwrap(api.GET('/v1/auth/mfa')) });
  const start = useMutation({ mutationFn: () => unwrap(api.POST('/v1/auth/mfa/enrolment')) });
  const confirm = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/auth/mfa/enrolment/confirm', { body: { totpCode: code } })),
    onSuccess: () => setCode(''),
  });

  const finish = async () => {
    await queryClient.invalidateQueries({ queryKey: SESSION_QUERY_KEY });
    await queryClient.invalidateQueries({ queryKey: MFA_QUERY_KEY });
    void navigate(next, { replace: true });
  };
  const submitCode = (event: FormEvent) => {
    event.preventDefault();
    if (!/^\d{6}$/.test(code)) {
      setCodeProblem('Enter the 6 digits your app shows');
      return;
    }
    setCodeProblem(undefined);
    confirm.mutate();
  };
  const confirmRefusal = confirm.error instanceof ApiError && confirm.error.code === 'MFA_CODE_INVALID' ? confirm.error.message : undefined;

  let body;
  if (confirm.data) {
    body = <RecoveryCodesOnce codes={confirm.data.recoveryCodes} onDone={() => void finish()} />;
  } else if (status.isPending) {
    body = <Loader aria-label="Loading" />;
  } else if (status.data?.enabled) {
    body = (
      <Alert color="green" role="status" title="Two-factor authentication is on">
        <Anchor component={Link} to="/account">
          Manage it on your account page
        </Anchor>
      </Alert>
    );
  } else if (!start.data) {
    body = (
      <Stack>
        <ErrorAlert error={status.error ?? start.error} />
        <Text size="sm">
          After your password, sign-in will also ask for a 6-digit code from an authenticator app on your phone (Google Authenticator, Microsoft Authenticator,
          1Password, Authy…).
        </Text>
        <Group>
          <Button onClick={() => start.mutate()} loading={start.isPending}>
            Start setup
          </Button>
        </Group>
      </Stack>
    );
  } else {
    body = (
      <Stack>
        <Text size="sm">1. Scan this QR code with your authenticator app.</Text>
        <TotpQrCode uri={start.data.otpauthUri} />
        <Text size="sm">Cannot scan it? Add an account by hand with this key (time-based, 6 digits):</Text>
        <Code block data-testid="totp-secret" aria-label="Setup key">
          {grouped(start.data.secret)}
        </Code>
        <form onSubmit={submitCode} aria-label="Confirm two-factor authentication" noValidate>
          <Stack>
            <TextInput
              label="2. Code from your authenticator app"
              description="The 6 digits it shows now"
              required
              value={code}
              onChange={(event) => setCode(event.currentTarget.value.replace(/\s/g, ''))}
              error={codeProblem ?? confirmRefusal}
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
            />
            <ErrorAlert error={confirmRefusal ? undefined : confirm.error} />
            <Button type="submit" loading={confirm.isPending}>
              Turn on two-factor authentication
            </Button>
          </Stack>
        </form>
      </Stack>
    );
  }

  return (
    <AuthCard title="Set up two-factor authentication" width={520}>
      {session.session.mfaPending && !confirm.data && (
        <Alert color="blue" role="status">
          Your organisation requires two-factor authentication. Set it up to continue to the console.
        </Alert>
      )}
      {body}
      {!confirm.data && (
        <Group gap="md">
          {!session.session.mfaPending && (
            <Anchor component={Link} to={next} size="sm">
              Not now
            </Anchor>
          )}
          <Anchor component="button" type="button" size="sm" onClick={() => signOut.mutate('here')}>
            Sign out
          </Anchor>
        </Group>
      )}
    </AuthCard>
  );
}
