import { Alert, Button, Checkbox, CopyButton, Group, List, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';

const FILE_NAME = 'integration-hub-recovery-codes.txt';

/** Offers the codes as a text file through a Blob URL (no server round trip, nothing stored), revoked soon after. */
function downloadCodes(codes: string[]): void {
  const text = `Integration Hub recovery codes\nEach code signs you in once, instead of the authenticator app's code.\n\n${codes.join('\n')}\n`;
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = FILE_NAME;
  link.click();
  // Revoked later, not at once: the download reads the Blob after this click returns.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/**
 * Recovery codes the API shows once: listed with copy and download, kept only in this component's
 * props, and left behind with "Continue" once the user says they saved them.
 */
export function RecoveryCodesOnce({ codes, onDone, doneLabel = 'Continue' }: { codes: string[]; onDone: () => void; doneLabel?: string }) {
  const [saved, setSaved] = useState(false);
  // The codes are in the page only while this is shown; warn before a reload or close loses them.
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);
  return (
    <Alert color="green" title="Your recovery codes" role="status">
      <Stack gap="sm">
        <Text size="sm">Each code signs you in once if you lose your authenticator app. Save them somewhere safe now: they will not be shown again.</Text>
        <List listStyleType="none" spacing={2} aria-label="Recovery codes" className="hub-mono" data-testid="recovery-codes">
          {codes.map((code) => (
            <List.Item key={code} data-testid="recovery-code">
              {code}
            </List.Item>
          ))}
        </List>
        <Group gap="xs">
          <CopyButton value={codes.join('\n')}>
            {({ copied, copy }) => (
              <Button size="xs" variant="default" onClick={copy}>
                {copied ? 'Copied' : 'Copy all'}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" variant="default" onClick={() => downloadCodes(codes)}>
            Download as .txt
          </Button>
        </Group>
        <Checkbox label="I have saved these codes" checked={saved} onChange={(event) => setSaved(event.currentTarget.checked)} />
        <Group>
          <Button onClick={onDone} disabled={!saved}>
            {doneLabel}
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}
