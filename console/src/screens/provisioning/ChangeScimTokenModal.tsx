import { Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { ErrorAlert } from '../../ui/ErrorAlert';
import type { ScimToken } from './scimTypes';

/**
 * Confirms rotating or revoking the live SCIM token: either way the identity provider's requests
 * with it are refused at once, so the admin is told before it happens.
 */
export function ChangeScimTokenModal({
  action,
  token,
  pending,
  error,
  onConfirm,
  onClose,
}: {
  action: 'rotate' | 'revoke' | null;
  token: ScimToken | null;
  pending: boolean;
  error: unknown;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const rotating = action === 'rotate';
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={action !== null}
      onClose={onClose}
      title={rotating ? 'Rotate the SCIM token?' : 'Revoke the SCIM token?'}
    >
      {token && (
        <Stack>
          <Text size="sm">
            The identity provider&apos;s requests with the token ending <Code>{token.hint}</Code> are refused from now on.{' '}
            {rotating
              ? 'A new token is shown once: paste it into the identity provider straight away.'
              : 'Provisioning stops until you create a new token and give it to the identity provider.'}
          </Text>
          <ErrorAlert error={error} title={rotating ? 'The token was not rotated' : 'The token was not revoked'} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Keep it
            </Button>
            <Button color="red" loading={pending} onClick={onConfirm}>
              {rotating ? 'Rotate token' : 'Revoke token'}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
