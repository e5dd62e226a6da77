import { Alert, Button, Fieldset, Group, Stack, Text, TextInput } from '@mantine/core';
import { notify } from '../../ui/notify';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap } from '../../api/client';
import type { RequestBody } from '../../api/types';
import { integrationKeys } from './integrationQueries';
import type { Connector, ConnectorType } from './integrationTypes';
import { apiFieldErrors } from './schemaForm/apiFieldErrors';
import { asSchema, initialValues, missingRequired, valuesToSend, type FieldErrors, type FormValues } from './schemaForm/jsonSchema';
import { SchemaFields } from './schemaForm/SchemaFields';

interface ConnectorFormProps {
  type: ConnectorType;
  /** The connector being edited; absent when adding one. */
  connector?: Connector;
  onSaved(connector: Connector): void;
  onCancel?(): void;
}

/**
 * The add/edit form of a connector, generated from its type's JSON Schemas: configuration, then
 * write-only credentials. On edit the stored credentials are never shown: they are "set" and can
 * only be replaced. The API's 400 details show under the fields they name.
 */
export function ConnectorForm({ type, connector, onSaved, onCancel }: ConnectorFormProps) {
  const queryClient = useQueryClient();
  const configSchema = asSchema(type.configSchema);
  const credentialsSchema = asSchema(type.credentialsSchema);
  const [name, setName] = useState(connector?.name ?? '');
  const [config, setConfig] = useState<FormValues>(() => (connector ? { ...connector.config } : initialValues(configSchema)));
  const [credentials, setCredentials] = useState<FormValues>(() => initialValues(credentialsSchema));
  const [replacingCredentials, setReplacingCredentials] = useState(!connector);
  const [ownErrors, setOwnErrors] = useState<{ name?: string; config: FieldErrors; credentials: FieldErrors }>({ config: {}, credentials: {} });

  const save = useMutation({
    mutationFn: async () => {
      const sentConfig = valuesToSend(configSchema, config);
      const sentCredentials = replacingCredentials ? valuesToSend(credentialsSchema, credentials) : undefined;
      if (!connector) {
        const body = { type: type.type, name: name.trim(), config: sentConfig, credentials: sentCredentials ?? {} } as RequestBody<'/v1/connectors', 'post'>;
        return (await unwrap(api.POST('/v1/connectors', { body }))).connector;
      }
      const body: RequestBody<'/v1/connectors/{id}', 'patch'> = {
        name: name.trim(),
        config: sentConfig,
        ...(sentCredentials ? { credentials: sentCredentials } : {}),
      };
      return (await unwrap(api.PATCH('/v1/connectors/{id}', { params: { path: { id: connector.id } }, body }))).connector;
    },
    onSuccess: async (saved) => {
      notify({ color: '#237032', message: connector ? `Saved ${saved.name}` : `Added ${saved.name}` });
      await queryClient.invalidateQueries({ queryKey: integrationKeys.connectors });
      onSaved(saved);
    },
  });

  const placed = apiFieldErrors(save.error, ['name', 'config', 'credentials']);
  const errors = {
    name: ownErrors.name ?? placed.bySection.name?.[''],
    config: { ...placed.bySection.config, ...ownErrors.config },
    credentials: { ...placed.bySection.credentials, ...ownErrors.credentials },
  };
  const sectionError = (section: 'config' | 'credentials') => errors[section][''];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const missing = {
      name: name.trim() === '' ? 'Required' : undefined,
      config: missingRequired(configSchema, config),
      credentials: replacingCredentials ? missingRequired(credentialsSchema, credentials) : {},
    };
    setOwnErrors(missing);
    if (missing.name || Object.keys(missing.config).length > 0 || Object.keys(missing.credentials).length > 0) return;
    save.mutate();
  };

  return (
    <form onSubmit={submit} noValidate aria-label={connector ? `Edit ${connector.name}` : `Add ${type.displayName} integration`}>
      <Stack>
        <TextInput
          label="Name"
          description="How this integration is called in the console and the API"
          required
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          error={errors.name}
          autoComplete="off"
        />
        <Fieldset legend="Configuration">
          {sectionError('config') && (
            <Text c="red.9" size="sm" mb="xs">
              {sectionError('config')}
            </Text>
          )}
          <SchemaFields schema={configSchema} values={config} onChange={setConfig} errors={errors.config} prefix="" />
        </Fieldset>
        <Fieldset legend="Credentials">
          <Text size="sm" mb="xs">
            Write-only: stored encrypted and never shown again, not even to admins.
          </Text>
          {sectionError('credentials') && (
            <Text c="red.9" size="sm" mb="xs" role="alert">
              {sectionError('credentials')}
            </Text>
          )}
          {replacingCredentials ? (
            <Stack gap="xs">
              <SchemaFields schema={credentialsSchema} values={credentials} onChange={setCredentials} errors={errors.credentials} secret />
              {connector && (
                <Button variant="subtle" size="xs" w="fit-content" onClick={() => setReplacingCredentials(false)}>
                  Keep the stored credentials
                </Button>
              )}
            </Stack>
          ) : (
            <Group gap="sm" data-testid="credentials-set">
              <Text size="sm" fw={500}>
                Set
              </Text>
              <Button variant="light" size="xs" onClick={() => setReplacingCredentials(true)}>
                Replace credentials
              </Button>
            </Group>
          )}
        </Fieldset>
        {save.error && (
          <Alert color="red" title="The integration was not saved" role="alert">
            {errorMessage(save.error)}
            {hasPlaced(placed.bySection) && ' — see the marked fields.'}
            {placed.unplaced.length > 0 && ` ${placed.unplaced.join('; ')}`}
          </Alert>
        )}
        <Group justify="flex-end">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={save.isPending}>
            {connector ? 'Save changes' : 'Add integration'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function hasPlaced(bySection: Record<string, FieldErrors>): boolean {
  return Object.values(bySection).some((errors) => Object.keys(errors).length > 0);
}
