import { Alert, Badge, Button, Card, Group, Modal, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { ErrorAlert } from '../ui/ErrorAlert';
import { formatDateTime, formatNumber } from '../ui/format';
import { PageHeader } from '../ui/PageHeader';
import { MFA_QUERY_KEY, SESSIONS_QUERY_KEY } from './queryKeys';
import { ReauthenticateModal, type Reauthentication } from './ReauthenticateModal';
import { RecoveryCodesOnce } from './RecoveryCodesOnce';
import { useSession } from './SessionProvider';
import { useSignOut } from './useSignOut';
import { notify } from '../ui/notify';

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="sm" fw={500}>
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </Stack>
  );
}

/** Two-factor authentication: its state, set-up, new recovery codes (shown once), turning it off. */
function MfaCard() {
  const queryClient = useQueryClient();
  const status = useQuery({ queryKey: MFA_QUERY_KEY, queryFn: () => unwrap(api.GET('/v1/auth/mfa')) });
  const [dialog, setDialog] = useState<'disable' | 'regenerate'>();
  const [codes, setCodes] = useState<string[]>();
  const closeDialog = () => {
    setDialog(undefined);
    disable.reset();
    regenerate.reset();
  };
  const disable = useMutation({
    mutationFn: (proof: Reauthentication) => unwrap(api.DELETE('/v1/auth/mfa', { body: proof })),
    onSuccess: async () => {
      closeDialog();
      notify({ color: 'green', message: 'Two-factor authentication is off' });
      await queryClient.invalidateQueries({ queryKey: MFA_QUERY_KEY });
    },
  });
  const regenerate = useMutation({
    mutationFn: (proof: Reauthentication) => unwrap(api.POST('/v1/auth/mfa/recovery-codes', { body: proof })),
    onSuccess: (answer) => {
      closeDialog();
      setCodes(answer.recoveryCodes);
    },
  });

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="mfa-heading">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4" id="mfa-heading">
            Two-factor authentication
          </Title>
          {status.data && (
            <Badge color={status.data.enabled ? 'teal.9' : 'gray.7'} variant="filled" data-testid="mfa-status">
              {status.data.enabled ? 'On' : 'Off'}
            </Badge>
          )}
        </Group>
        <ErrorAlert error={status.error} />
        {status.isPending && <Skeleton height={60} />}
        {codes && (
          <RecoveryCodesOnce
            codes={codes}
            doneLabel="Done"
            onDone={() => {
              setCodes(undefined);
              void queryClient.invalidateQueries({ queryKey: MFA_QUERY_KEY });
            }}
          />
        )}
        {status.data && !codes && !status.data.enabled && (
          <>
            <Text size="sm">Sign-in asks only for your password. Add a code from an authenticator app so a stolen password is not enough.</Text>
            <Group>
              <Button component={Link} to="/mfa/enrol?next=/account">
                Set up two-factor authentication
              </Button>
            </Group>
          </>
        )}
        {status.data && !codes && status.data.enabled && (
          <>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <Field label="Turned on">{formatDateTime(status.data.enabledAt)}</Field>
              <Field label="Unused recovery codes">
                <span data-testid="recovery-codes-left">{formatNumber(status.data.recoveryCodesLeft)}</span>
              </Field>
            </SimpleGrid>
            {status.data.recoveryCodesLeft <= 3 && (
              <Alert color="yellow" role="status">
                Few recovery codes are left: make new ones so you can still sign in without your phone.
              </Alert>
            )}
            {status.data.requiredByTenant && <Text size="sm">Your organisation requires two-factor authentication, so it cannot be turned off.</Text>}
            <Group>
              <Button variant="light" onClick={() => setDialog('regenerate')}>
                New recovery codes
              </Button>
              <Button variant="outline" color="red" disabled={status.data.requiredByTenant} onClick={() => setDialog('disable')}>
                Turn off
              </Button>
            </Group>
          </>
        )}
      </Stack>
      <ReauthenticateModal
        opened={dialog === 'regenerate'}
        title="New recovery codes"
        explanation="Your current recovery codes stop working and ten new ones are shown once."
        confirmLabel="Make new codes"
        pending={regenerate.isPending}
        error={regenerate.error}
        onClose={closeDialog}
        onConfirm={(proof) => regenerate.mutate(proof)}
      />
      <ReauthenticateModal
        opened={dialog === 'disable'}
        title="Turn off two-factor authentication"
        explanation="Sign-in will ask only for your password, and your recovery codes stop working."
        confirmLabel="Turn off"
        danger
        pending={disable.isPending}
        error={disable.error}
        onClose={closeDialog}
        onConfirm={(proof) => disable.mutate(proof)}
      />
    </Card>
  );
}

/** The user's live sessions, this one marked. */
function SessionsCard() {
  const sessions = useQuery({ queryKey: SESSIONS_QUERY_KEY, queryFn: () => unwrap(api.GET('/v1/auth/sessions')) });
  const signOut = useSignOut();
  const [confirming, setConfirming] = useState(false);
  const others = sessions.data ? sessions.data.data.filter((row) => !row.current).length : 0;

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="sessions-heading">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4" id="sessions-heading">
            Signed-in sessions
          </Title>
          <Group gap="xs">
            <Button variant="default" onClick={() => signOut.mutate('here')} loading={signOut.isPending && signOut.variables === 'here'}>
              Sign out
            </Button>
            <Button color="red" variant="light" onClick={() => setConfirming(true)}>
              Sign out everywhere
            </Button>
          </Group>
        </Group>
        <ErrorAlert error={sessions.error} />
        {sessions.isPending ? (
          <Skeleton height={80} />
        ) : sessions.data ? (
          <Table.ScrollContainer minWidth={560}>
            <Table aria-label="Your signed-in sessions" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Signed in</Table.Th>
                  <Table.Th>Last active</Table.Th>
                  <Table.Th>From address</Table.Th>
                  <Table.Th>Ends at the latest</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {sessions.data.data.map((row) => (
                  <Table.Tr key={row.id}>
                    <Table.Td>
                      {formatDateTime(row.createdAt)}{' '}
                      {row.current && (
                        <Badge size="sm" color="indigo.9" variant="filled" ml={4}>
                          This session
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td>{formatDateTime(row.lastSeenAt)}</Table.Td>
                    <Table.Td className="hub-mono">{row.ip ?? '—'}</Table.Td>
                    <Table.Td>{formatDateTime(row.expiresAt)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : null}
      </Stack>
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Sign out everywhere" closeButtonProps={{ 'aria-label': 'Close' }}>
        <Stack>
          <Text size="sm">
            Ends this session and {others === 1 ? 'one other' : `${formatNumber(others)} others`} on every device; you will sign in again here.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button color="red" onClick={() => signOut.mutate('everywhere')} loading={signOut.isPending}>
              Sign out everywhere
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}

/** /console/account: who is signed in, two-factor authentication, sessions and sign-out. */
export default function AccountPage() {
  const { user } = useSession();
  return (
    <>
      <PageHeader title="Account and security" description="Your profile, two-factor authentication and where you are signed in." />
      <Stack gap="lg" maw={900}>
        <Card withBorder padding="lg" component="section" aria-labelledby="profile-heading">
          <Stack>
            <Title order={2} size="h4" id="profile-heading">
              Profile
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Field label="Name">{user.name}</Field>
              <Field label="E-mail">{user.email}</Field>
              <Field label="Role">
                <span data-testid="account-role">{user.role}</span>
              </Field>
            </SimpleGrid>
            <Text size="sm">An administrator of your organisation changes names and roles on the Users page.</Text>
          </Stack>
        </Card>
        <MfaCard />
        <SessionsCard />
      </Stack>
    </>
  );
}
