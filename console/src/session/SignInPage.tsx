import { Alert, Anchor, Button, Center, Divider, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { api, ApiError, unwrap } from '../api/client';
import { BrandMark, useCustomDomainBranding } from '../screens/branding/customDomainBranding';
import { SESSION_QUERY_KEY, useSessionState } from './SessionProvider';

const ENDED_MESSAGES: Record<string, string> = {
  SESSION_EXPIRED: 'Your session ended (idle too long, expired or signed out elsewhere). Sign in again.',
};

/** E-mail + password (tenant by slug), then the authenticator code when the user has MFA. */
export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { current, endedBecause } = useSessionState();
  const [tenant, setTenant] = useState(params.get('tenant') ?? '');
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [secondFactor, setSecondFactor] = useState<'none' | 'totp' | 'recovery'>('none');
  const [code, setCode] = useState('');
  const next = params.get('next') ?? '/';
  // Where the visitor came from: an accepted invite or a finished password reset.
  const arrival =
    params.get('welcome') === '1'
      ? 'Your password is set. Sign in with it to open the console.'
      : params.get('reset') === '1'
        ? 'Your password is changed and your other sessions are signed out. Sign in with the new password.'
        : undefined;
  // On a tenant's approved custom domain: its logo, name and colours, and its slug filled in.
  const brand = useCustomDomainBranding();
  useEffect(() => {
    if (brand) setTenant((typed) => typed || brand.tenant.slug);
  }, [brand]);

  const signIn = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/v1/auth/sign-in', {
          body: {
            tenant,
            email,
            password,
            ...(secondFactor === 'totp' ? { totpCode: code } : secondFactor === 'recovery' ? { recoveryCode: code } : {}),
          },
        }),
      ),
    onSuccess: (answer) => {
      queryClient.setQueryData(SESSION_QUERY_KEY, { user: answer.user, session: answer.session, csrfToken: answer.csrfToken });
      queryClient.removeQueries({ queryKey: ['auth', 'ended'] });
      void navigate(answer.session.mfaPending ? '/mfa/enrol' : next.startsWith('/') ? next : '/', { replace: true });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'MFA_REQUIRED') {
        setSecondFactor('totp');
        setCode('');
      }
    },
  });

  // Home-realm discovery: the e-mail's verified domain names the organisation and its identity provider.
  const sso = useMutation({
    mutationFn: () => unwrap(api.POST('/v1/auth/sso/discovery', { body: { email: email.trim() } })),
    onSuccess: (answer) => {
      const first = answer.connections[0];
      if (first) window.location.assign(`${first.startUrl}&next=${encodeURIComponent(next.startsWith('/') ? next : '/')}`);
    },
  });

  if (current) return <Navigate to={next.startsWith('/') ? next : '/'} replace />;

  const refusal = signIn.error instanceof ApiError && signIn.error.code !== 'MFA_REQUIRED' ? signIn.error : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate();
  };

  return (
    <Center mih="100vh" bg="var(--mantine-color-gray-0)">
      <Paper component="main" withBorder shadow="sm" p="xl" radius="md" w={400}>
        <form onSubmit={submit} aria-label="Sign in">
          <Stack>
            <BrandMark brand={brand} />
            <Title order={1} size="h2">
              Sign in
            </Title>
            {endedBecause && ENDED_MESSAGES[endedBecause] && !refusal && (
              <Alert color="yellow" role="status">
                {ENDED_MESSAGES[endedBecause]}
              </Alert>
            )}
            {!endedBecause && !refusal && arrival && (
              <Alert color="green" role="status">
                {arrival}
              </Alert>
            )}
            {refusal && (
              <Alert color="red" role="alert" title={refusal.code === 'SIGN_IN_LOCKED' ? 'Sign-in locked' : 'Sign-in refused'}>
                {refusal.message}
              </Alert>
            )}
            {secondFactor === 'none' ? (
              <>
                <TextInput
                  label="Organisation"
                  description="Your organisation's short name (slug)"
                  required
                  value={tenant}
                  onChange={(event) => setTenant(event.currentTarget.value.trim())}
                  autoComplete="organization"
                />
                <TextInput
                  label="E-mail"
                  type="email"
                  required
                  value={email}
                  onChange={(event) => setEmail(event.currentTarget.value)}
                  autoComplete="username"
                />
                <PasswordInput
                  label="Password"
                  required
                  value={password}
                  onChange={(event) => setPassword(event.currentTarget.value)}
                  autoComplete="current-password"
                />
              </>
            ) : secondFactor === 'totp' ? (
              <Stack gap={4}>
                <TextInput
                  label="Code from your authenticator app"
                  description="The 6 digits it shows now"
                  required
                  autoFocus
                  value={code}
                  onChange={(event) => setCode(event.currentTarget.value.replace(/\s/g, ''))}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={6}
                />
                <Anchor
                  component="button"
                  type="button"
                  size="sm"
                  onClick={() => {
                    setSecondFactor('recovery');
                    setCode('');
                  }}
                >
                  Use a recovery code instead
                </Anchor>
              </Stack>
            ) : (
              <TextInput
                label="Recovery code"
                required
                value={code}
                onChange={(event) => setCode(event.currentTarget.value.trim())}
                autoComplete="one-time-code"
              />
            )}
            <Button type="submit" loading={signIn.isPending} fullWidth>
              {secondFactor === 'none' ? 'Sign in' : 'Verify'}
            </Button>
            {secondFactor === 'none' && (
              <>
                <Divider label="or" labelPosition="center" />
                {sso.error && (
                  <Alert color="red" role="alert" title="Single sign-on is not available" styles={{ title: { color: 'var(--mantine-color-gray-9)' } }}>
                    {sso.error instanceof ApiError && sso.error.code === 'SSO_NOT_CONFIGURED'
                      ? 'No single sign-on is set up for this e-mail address. Sign in with your password instead.'
                      : sso.error.message}
                  </Alert>
                )}
                <Button
                  type="button"
                  variant="light"
                  fullWidth
                  loading={sso.isPending || sso.isSuccess}
                  disabled={!email.includes('@')}
                  onClick={() => sso.mutate()}
                  title="Type your work e-mail above first"
                >
                  Continue with single sign-on (SSO)
                </Button>
              </>
            )}
            <Anchor component={Link} to={`/forgot-password?${new URLSearchParams({ tenant, email }).toString()}`} size="sm">
              Forgot your password?
            </Anchor>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
