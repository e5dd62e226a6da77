import { Button, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import type { RequestBody, ResponseBody } from '../../api/types';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { fieldErrors } from '../../ui/fieldErrors';
import { useOperatorHeaders } from './operatorSession';

type NewTenant = RequestBody<'/v1/admin/tenants', 'post'>;
export type CreatedTenant = ResponseBody<'/v1/admin/tenants', 'post'>;

const PLANS: Array<{ value: NewTenant['plan']; label: string }> = [
  { value: 'starter', label: 'Starter' },
  { value: 'professional', label: 'Professional' },
  { value: 'enterprise', label: 'Enterprise (white-label)' },
];

/** Creates a tenant (the onboarding workflow runs before it answers) and hands the answer, with its one-time admin key, back. */
export function CreateTenantModal({ opened, onClose, onCreated }: { opened: boolean; onClose: () => void; onCreated: (created: CreatedTenant) => void }) {
  const queryClient = useQueryClient();
  const headers = useOperatorHeaders();
  const [form, setForm] = useState<NewTenant>({ name: '', slug: '', plan: 'starter', adminEmail: '' });
  const create = useMutation({
    mutationFn: (body: NewTenant) => unwrap(api.POST('/v1/admin/tenants', { body, headers })),
    onSuccess: (created) => {
      void queryClient.invalidateQueries({ queryKey: ['operator', 'tenants'] });
      setForm({ name: '', slug: '', plan: 'starter', adminEmail: '' });
      create.reset();
      onCreated(created);
    },
  });
  const errors = fieldErrors(create.error);
  if (create.error instanceof ApiError && create.error.code === 'TENANT_SLUG_TAKEN') errors.slug = create.error.message;
  const shownElsewhere = Object.keys(errors).length > 0;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ ...form, name: form.name.trim(), adminEmail: form.adminEmail.trim() });
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Create a tenant" centered closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} aria-label="Create a tenant">
        <Stack>
          {!shownElsewhere && <ErrorAlert error={create.error} title="Tenant not created" />}
          <TextInput
            label="Name"
            required
            data-autofocus
            value={form.name}
            onChange={(event) => setForm({ ...form, name: event.currentTarget.value })}
            error={errors.name}
          />
          <TextInput
            label="Slug"
            description="Lowercase letters, digits and dashes; users type it to sign in"
            required
            value={form.slug}
            onChange={(event) => setForm({ ...form, slug: event.currentTarget.value.trim().toLowerCase() })}
            error={errors.slug}
          />
          <Select
            label="Plan"
            required
            allowDeselect={false}
            data={PLANS}
            value={form.plan}
            onChange={(value) => value && setForm({ ...form, plan: value as NewTenant['plan'] })}
            error={errors.plan}
          />
          <TextInput
            label="Admin e-mail"
            description="The tenant's first admin user"
            type="email"
            required
            value={form.adminEmail}
            onChange={(event) => setForm({ ...form, adminEmail: event.currentTarget.value })}
            error={errors.adminEmail}
          />
          {create.isPending && (
            <Text size="sm" role="status">
              Onboarding the tenant (a Temporal workflow)…
            </Text>
          )}
          <Button type="submit" loading={create.isPending}>
            Create tenant
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}
