import { Alert, Anchor, Button, Stack, Text, TextInput } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { ErrorAlert } from '../ui/ErrorAlert';
import { AuthCard } from './AuthCard';
import { fieldError } from './fieldError';

/** Asks for a reset link. The answer is the same whether the e-mail is known or not, so the page always says "check your e-mail". */
export default function ForgotPasswordPage() {
  const [params] = useSearchParams();
  const [tenant, setTenant] = useState(params.get('tenant') ?? '');
  const [email, setEmail] = useState(params.get('email') ?? '');
  const request = useMutation({ mutationFn: () => unwrap(api.POST('/v1/auth/password-resets', { body: { tenant, email } })) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    request.mutate();
  };
  const signInLink = `/sign-in?${new URLSearchParams({ tenant, email }).toString()}`;

  return (
    <AuthCard title="Reset your password">
      {request.isSuccess ? (
        <>
          <Alert color="green" role="status" title="Check your e-mail">
            If {email} belongs to an active user of {tenant}, a link to choose a new password is on its way. It works once, for an hour. Nothing arrived? Check
            the spam folder, or ask an administrator of your organisation.
          </Alert>
          <Anchor component={Link} to={signInLink} size="sm">
            Back to sign-in
          </Anchor>
        </>
      ) : (
        <form onSubmit={submit} aria-label="Request a password reset">
          <Stack>
            <Text size="sm">We will e-mail you a link to choose a new password.</Text>
            <ErrorAlert error={request.error} title="The request failed" />
            <TextInput
              label="Organisation"
              description="Your organisation's short name (slug)"
              required
              value={tenant}
              onChange={(event) => setTenant(event.currentTarget.value.trim())}
              error={fieldError(request.error, 'tenant')}
              autoComplete="organization"
            />
            <TextInput
              label="E-mail"
              type="email"
              required
              value={email}
              onChange={(event) => setEmail(event.currentTarget.value)}
              error={fieldError(request.error, 'email')}
              autoComplete="username"
            />
            <Button type="submit" loading={request.isPending} fullWidth>
              Send reset link
            </Button>
            <Anchor component={Link} to={signInLink} size="sm">
              Back to sign-in
            </Anchor>
          </Stack>
        </form>
      )}
    </AuthCard>
  );
}
