import { Alert, Code, CopyButton, Button, Group, Stack, Text } from '@mantine/core';

/**
 * A secret the API shows once (an API key, a webhook signing secret): displayed with a copy
 * button and never kept anywhere but this component's props, so it is gone once dismissed.
 */
export function SecretOnce({ label, secret, onDone }: { label: string; secret: string; onDone: () => void }) {
  return (
    // The title in the text colour: Mantine's green title on the light green background is below AA contrast.
    <Alert color="green" title={label} role="status" styles={{ title: { color: 'var(--mantine-color-text)' } }}>
      <Stack gap="xs">
        <Text size="sm">Copy it now: it will not be shown again.</Text>
        <Code block data-testid="secret-once">
          {secret}
        </Code>
        <Group gap="xs">
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" variant="subtle" onClick={onDone}>
            Done
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
