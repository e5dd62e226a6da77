import { Alert, Anchor, Text } from '@mantine/core';
import { Link } from 'react-router';

/** Why a one-time link did not work (LINK_INVALID: malformed, unknown, expired or used) and what to do next. */
export function LinkInvalidAlert({ kind }: { kind: 'invite' | 'reset' }) {
  return (
    <Alert color="red" role="alert" title="This link no longer works">
      <Text size="sm">
        {kind === 'invite'
          ? 'Invite links work once and expire after a few days; sending the invite again also retires the earlier link.'
          : 'Reset links work once and expire after an hour; asking for another reset also retires the earlier link.'}
      </Text>
      <Text size="sm" mt="xs">
        {kind === 'invite' ? (
          <>
            Ask an administrator of your organisation to send the invite again. If you already set your password,{' '}
            <Anchor component={Link} to="/sign-in">
              sign in
            </Anchor>
            .
          </>
        ) : (
          <>
            <Anchor component={Link} to="/forgot-password">
              Ask for a new reset link
            </Anchor>{' '}
            or{' '}
            <Anchor component={Link} to="/sign-in">
              sign in
            </Anchor>
            .
          </>
        )}
      </Text>
    </Alert>
  );
}
