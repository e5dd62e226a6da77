import { Alert, Button, Center, Code, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { OPERATOR_SESSION_KEY } from './operatorSession';

/**
 * The platform operator signs in by exchanging the admin token for an HttpOnly session cookie. The
 * token lives only in this form's state while it is typed and is dropped once the exchange is done
 * (or fails): it never reaches web storage or the URL.
 */
export function OperatorSignIn() {
  const queryClient = useQueryClient();
  const [token, setToken] = useState('');
  // Handed to the call through a ref, not as the mutation's variables (which TanStack Query keeps).
  const presented = useRef('');
  const exchange = useMutation({
    mutationFn: () => {
      const body = { token: presented.current };
      presented.current = '';
      return unwrap(api.POST('/v1/admin/sessions', { body }));
    },
    onSuccess: (answer) => queryClient.setQueryData(OPERATOR_SESSION_KEY, { session: answer.session, csrfToken: answer.csrfToken }),
  });
  useEffect(() => {
    document.title = 'Operator sign-in · Integration Hub';
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    presented.current = token;
    setToken('');
    exchange.mutate();
  };
  const refusal = exchange.error instanceof ApiError ? exchange.error : undefined;

  return (
    <Center mih="100vh" bg="var(--mantine-color-gray-0)">
      <Paper component="main" withBorder shadow="sm" p="xl" radius="md" w={440}>
        <form onSubmit={submit} aria-label="Operator sign-in">
          <Stack>
            <Title order={1} size="h2">
              Platform operator
            </Title>
            <Text size="sm">
              Sign in with the platform admin token (<Code>HUB_ADMIN_TOKEN</Code>; <Code>npm start</Code> prints it). It is exchanged for a session that ends
              after an hour and is not kept by this page.
            </Text>
            {refusal && (
              <Alert color="red" role="alert" title={refusal.status === 429 ? 'Too many attempts' : 'Sign-in refused'}>
                {refusal.message}
              </Alert>
            )}
            <PasswordInput label="Admin token" required autoComplete="off" value={token} onChange={(event) => setToken(event.currentTarget.value)} />
            <Button type="submit" loading={exchange.isPending} fullWidth>
              Sign in as operator
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
