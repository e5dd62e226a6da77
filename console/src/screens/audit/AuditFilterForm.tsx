import { Button, Group, TextInput } from '@mantine/core';
import { useState } from 'react';
import { fieldErrorsOf } from '../settings/fieldErrors';
import { type AuditFilter, EMPTY_FILTER, isoToLocalInput, localInputToIso } from './auditFilter';

/** The filter inputs; applying sends them to the API (which filters server-side) and shows its 400 details inline. */
export function AuditFilterForm({ applied, error, onApply }: { applied: AuditFilter; error: unknown; onApply: (filter: AuditFilter) => void }) {
  const [draft, setDraft] = useState({ ...applied, from: isoToLocalInput(applied.from), to: isoToLocalInput(applied.to) });
  const fieldErrors = fieldErrorsOf(error, 'query');
  const set = (field: keyof AuditFilter) => (event: React.ChangeEvent<HTMLInputElement>) => setDraft({ ...draft, [field]: event.currentTarget.value });

  return (
    <form
      role="search"
      aria-label="Filter the audit log"
      onSubmit={(event) => {
        event.preventDefault();
        onApply({ action: draft.action.trim(), actor: draft.actor.trim(), from: localInputToIso(draft.from), to: localInputToIso(draft.to) });
      }}
    >
      <Group align="flex-end" gap="sm" mb="md" wrap="wrap">
        <TextInput
          label="Action"
          description="exact, or a prefix: user.*"
          placeholder="user.updated"
          value={draft.action}
          onChange={set('action')}
          error={fieldErrors.action}
          w={200}
        />
        <TextInput label="Actor" description="a user or API key id" value={draft.actor} onChange={set('actor')} error={fieldErrors.actor} w={300} />
        <TextInput label="From" description="inclusive, local time" type="datetime-local" value={draft.from} onChange={set('from')} error={fieldErrors.from} />
        <TextInput label="To" description="exclusive, local time" type="datetime-local" value={draft.to} onChange={set('to')} error={fieldErrors.to} />
        <Button type="submit">Apply filters</Button>
        <Button
          variant="default"
          onClick={() => {
            setDraft(EMPTY_FILTER);
            onApply(EMPTY_FILTER);
          }}
        >
          Clear
        </Button>
      </Group>
    </form>
  );
}
