import { Button, Group, NumberInput, Paper, Stack, Switch, Textarea, Title } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import type { ResponseBody } from '../../api/types';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrorsOf } from './fieldErrors';
import { useTenantUpdate } from './useTenantUpdate';

type Security = ResponseBody<'/v1/tenant', 'get'>['tenant']['settings']['security'];

const PREFIX = 'body.settings.security';

/** A number field's value for the merge patch: empty removes the setting (back to the default). */
function numberOrNull(value: number | string): number | null {
  return value === '' ? null : Number(value);
}

/** IP allowlist, console session timeouts, required MFA and the longest API key lifetime. */
export function SecurityForm({ current, canEdit }: { current: Security; canEdit: boolean }) {
  const [allowlist, setAllowlist] = useState(current.ipAllowlist.join('\n'));
  const [idleMinutes, setIdleMinutes] = useState<number | string>(current.sessionIdleTimeoutMinutes ?? '');
  const [lifetimeHours, setLifetimeHours] = useState<number | string>(current.sessionLifetimeHours ?? '');
  const [keyDays, setKeyDays] = useState<number | string>(current.keyMaxLifetimeDays ?? '');
  const [mfaRequired, setMfaRequired] = useState(current.mfaRequired);
  const update = useTenantUpdate('Security settings');
  const fieldErrors = fieldErrorsOf(update.error, PREFIX);
  // The lockout refusal names no field: it is about the allowlist.
  if (update.error instanceof ApiError && update.error.code === 'IP_ALLOWLIST_LOCKOUT') fieldErrors.ipAllowlist = update.error.message;

  function save() {
    update.mutate({
      settings: {
        security: {
          ipAllowlist: allowlist
            .split(/[\s,]+/)
            .map((entry) => entry.trim())
            .filter(Boolean),
          sessionIdleTimeoutMinutes: numberOrNull(idleMinutes),
          sessionLifetimeHours: numberOrNull(lifetimeHours),
          keyMaxLifetimeDays: numberOrNull(keyDays),
          mfaRequired,
        },
      },
    });
  }

  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="security-settings">
      <Title order={2} size="h4" id="security-settings" mb="sm">
        Security
      </Title>
      {Object.keys(fieldErrors).length === 0 && <ErrorAlert error={update.error} title="Not saved" />}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          save();
        }}
      >
        <Stack gap="md">
          <Textarea
            label="IP allowlist"
            description="CIDRs, one per line (203.0.113.0/24, 2001:db8::/32); when not empty, calls from other addresses are refused. Include your own."
            autosize
            minRows={2}
            value={allowlist}
            onChange={(event) => setAllowlist(event.currentTarget.value)}
            error={fieldErrors.ipAllowlist}
            disabled={!canEdit}
            classNames={{ input: 'hub-mono' }}
          />
          <Group grow align="flex-start">
            <NumberInput
              label="Session idle timeout (minutes)"
              description="Console sessions end after this long without a request (1–1,440); empty for the default"
              value={idleMinutes}
              onChange={setIdleMinutes}
              allowDecimal={false}
              error={fieldErrors.sessionIdleTimeoutMinutes}
              disabled={!canEdit}
            />
            <NumberInput
              label="Session lifetime (hours)"
              description="Console sessions end this long after sign-in (1–720); empty for the default"
              value={lifetimeHours}
              onChange={setLifetimeHours}
              allowDecimal={false}
              error={fieldErrors.sessionLifetimeHours}
              disabled={!canEdit}
            />
            <NumberInput
              label="API key maximum lifetime (days)"
              description="New API keys must expire within this many days (1–3,650); empty for no limit"
              value={keyDays}
              onChange={setKeyDays}
              allowDecimal={false}
              error={fieldErrors.keyMaxLifetimeDays}
              disabled={!canEdit}
            />
          </Group>
          <Switch
            label="Require MFA for every user"
            description="Users without TOTP must enrol right after signing in"
            checked={mfaRequired}
            onChange={(event) => setMfaRequired(event.currentTarget.checked)}
            error={fieldErrors.mfaRequired}
            disabled={!canEdit}
          />
          {canEdit && (
            <Group>
              <Button type="submit" loading={update.isPending}>
                Save security settings
              </Button>
            </Group>
          )}
        </Stack>
      </form>
    </Paper>
  );
}
