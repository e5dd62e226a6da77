import { Alert } from '@mantine/core';
import { ApiError, errorMessage } from '../api/client';

/** A failed load or action, with the API's code; nothing when there is no error. */
export function ErrorAlert({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  if (!error) return null;
  const forbidden = error instanceof ApiError && error.status === 403;
  return (
    // The default title colour (yellow or red on its light tint) is below WCAG AA's 4.5:1.
    <Alert
      color={forbidden ? 'yellow' : 'red'}
      title={forbidden ? 'Not allowed' : title}
      role="alert"
      my="sm"
      styles={{ title: { color: 'var(--mantine-color-gray-9)' } }}
    >
      {errorMessage(error)}
    </Alert>
  );
}
