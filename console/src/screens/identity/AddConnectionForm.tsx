import { Button, FileInput, Group, PasswordInput, SegmentedControl, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrors } from '../../ui/fieldErrors';
import type { IdentityConnection, NewConnection } from './identityTypes';

/** Adds an OIDC connection (issuer, client id, write-only secret) or a SAML one (IdP metadata by URL or uploaded XML). */
export function AddConnectionForm({ onAdded, onCancel }: { onAdded: (connection: IdentityConnection) => void; onCancel: () => void }) {
  const [type, setType] = useState<'oidc' | 'saml'>('oidc');
  const [name, setName] = useState('');
  const [issuer, setIssuer] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [groupsClaim, setGroupsClaim] = useState('');
  const [metadataSource, setMetadataSource] = useState<'url' | 'xml'>('url');
  const [metadataUrl, setMetadataUrl] = useState('');
  const [metadataXml, setMetadataXml] = useState('');
  const add = useMutation({
    mutationFn: () => {
      const body: NewConnection =
        type === 'oidc'
          ? { type, name, issuer, clientId, ...(clientSecret ? { clientSecret } : {}), ...(groupsClaim ? { groupsClaim } : {}) }
          : { type, name, ...(metadataSource === 'url' ? { idpMetadataUrl: metadataUrl } : { idpMetadataXml: metadataXml }) };
      return unwrap(api.POST('/v1/identity/connections', { body }));
    },
    onSuccess: (created) => onAdded(created.connection),
  });
  const errors = fieldErrors(add.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate();
  };

  return (
    <form onSubmit={submit} aria-label="Add an identity connection">
      <Stack gap="sm">
        <SegmentedControl
          aria-label="Protocol"
          value={type}
          onChange={(value) => setType(value as 'oidc' | 'saml')}
          data={[
            { value: 'oidc', label: 'OpenID Connect' },
            { value: 'saml', label: 'SAML 2.0' },
          ]}
        />
        <TextInput
          label="Name"
          description="Shown to your people, e.g. Okta"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
        />
        {type === 'oidc' ? (
          <>
            <TextInput
              label="Issuer"
              description="The identity provider's issuer URL; its /.well-known/openid-configuration is read"
              required
              value={issuer}
              onChange={(e) => setIssuer(e.currentTarget.value.trim())}
              error={errors.issuer}
            />
            <TextInput label="Client ID" required value={clientId} onChange={(e) => setClientId(e.currentTarget.value.trim())} error={errors.clientId} />
            <PasswordInput
              label="Client secret"
              description="Stored sealed and never shown again; leave empty for a public client (PKCE only)"
              value={clientSecret}
              onChange={(e) => setClientSecret(e.currentTarget.value)}
              error={errors.clientSecret}
              autoComplete="off"
            />
            <TextInput
              label="Groups claim"
              description="The ID-token claim listing the person's groups (e.g. groups), for the role mapping"
              value={groupsClaim}
              onChange={(e) => setGroupsClaim(e.currentTarget.value.trim())}
              error={errors.groupsClaim}
            />
          </>
        ) : (
          <>
            <SegmentedControl
              aria-label="IdP metadata source"
              value={metadataSource}
              onChange={(value) => setMetadataSource(value as 'url' | 'xml')}
              data={[
                { value: 'url', label: 'Metadata URL' },
                { value: 'xml', label: 'Upload metadata XML' },
              ]}
            />
            {metadataSource === 'url' ? (
              <TextInput
                label="IdP metadata URL"
                required
                value={metadataUrl}
                onChange={(e) => setMetadataUrl(e.currentTarget.value.trim())}
                error={errors.idpMetadataUrl}
              />
            ) : (
              <>
                <FileInput
                  label="IdP metadata file"
                  accept=".xml,application/xml,text/xml"
                  onChange={(file) => void file?.text().then(setMetadataXml)}
                  clearable
                />
                <Textarea
                  label="IdP metadata XML"
                  description="Filled from the file, or paste it here"
                  required
                  autosize
                  minRows={3}
                  maxRows={8}
                  value={metadataXml}
                  onChange={(e) => setMetadataXml(e.currentTarget.value)}
                  error={errors.idpMetadataXml}
                />
              </>
            )}
          </>
        )}
        {Object.keys(errors).length === 0 && <ErrorAlert error={add.error} title="The connection was not added" />}
        {Object.keys(errors).length > 0 && (
          <Text size="sm" c="red.8" role="alert">
            Correct the fields marked above.
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={add.isPending}>
            Add connection
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
