import { Alert, Button, ColorInput, Grid, Group, Paper, Skeleton, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import type { RequestBody, ResponseBody } from '../../api/types';
import { useSession } from '../../session/SessionProvider';
import { THEME_VERSION_KEY } from '../../shell/TenantTheme';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageHeader } from '../../ui/PageHeader';
import { StatusBadge } from '../../ui/StatusBadge';
import { BrandingPreview } from './BrandingPreview';
import { contrastOnWhite, isHexColour } from './brandingColours';
import { notify } from '../../ui/notify';

type Tenant = ResponseBody<'/v1/tenant', 'get'>['tenant'];
type BrandingPatch = NonNullable<RequestBody<'/v1/tenant', 'patch'>['branding']>;

interface BrandingForm {
  companyName: string;
  primaryColor: string;
  secondaryColor: string;
  logoUrl: string;
  customDomain: string;
}

const FIELDS = ['companyName', 'primaryColor', 'secondaryColor', 'logoUrl', 'customDomain'] as const;
/** The hub's own colours (api/tenants/getThemeCss.ts), shown while a field is empty. */
const DEFAULT_PRIMARY = '#1a56db';
const DEFAULT_SECONDARY = '#64748b';
/**
 * Suggestions under the colour fields (each a button named by its hex value). Mantine's picker
 * area and sliders are left out: ColorInput gives them no accessible name.
 */
const PRIMARY_SWATCHES = ['#1a56db', '#0b6e4f', '#6d28d9', '#b91c1c', '#c2410c', '#0f766e', '#1f2937'];
const SECONDARY_SWATCHES = ['#64748b', '#1f2937', '#0f172a', '#e2e8f0', '#f1f5f9', '#ecfdf5', '#eff6ff'];

function formOf(tenant: Tenant): BrandingForm {
  const branding = tenant.branding;
  return {
    companyName: branding.companyName ?? '',
    primaryColor: branding.primaryColor ?? '',
    secondaryColor: branding.secondaryColor ?? '',
    logoUrl: branding.logoUrl ?? '',
    customDomain: branding.customDomain ?? '',
  };
}

/** A merge patch of what changed: an emptied field is removed (null), an unchanged one not sent. */
function patchOf(saved: BrandingForm, edited: BrandingForm): BrandingPatch {
  const patch: Record<string, string | null> = {};
  for (const field of FIELDS) {
    const value = edited[field].trim();
    if (value !== saved[field]) patch[field] = value === '' ? null : value;
  }
  return patch as BrandingPatch;
}

/** The API's 400 details by form field (`body.branding.primaryColor` → primaryColor). */
function fieldErrors(error: unknown): Partial<Record<keyof BrandingForm, string>> {
  if (!(error instanceof ApiError) || !Array.isArray(error.details)) return {};
  const found: Partial<Record<keyof BrandingForm, string>> = {};
  for (const detail of error.details as Array<{ path?: string; message?: string }>) {
    const field = FIELDS.find((name) => detail.path === `body.branding.${name}`);
    if (field && detail.message) found[field] = detail.message;
  }
  return found;
}

/** White-label: the tenant's name, colours, logo and custom domain, with a live preview. */
export default function BrandingPage() {
  const session = useSession();
  const queryClient = useQueryClient();
  const canEdit = session.can('admin');
  const tenant = useQuery({ queryKey: ['tenant'], queryFn: () => unwrap(api.GET('/v1/tenant')), staleTime: 60_000 });
  const [form, setForm] = useState<BrandingForm | undefined>();

  useEffect(() => {
    if (tenant.data && form === undefined) setForm(formOf(tenant.data.tenant));
  }, [tenant.data, form]);

  const save = useMutation({
    mutationFn: (patch: BrandingPatch) => unwrap(api.PATCH('/v1/tenant', { body: { branding: patch } })),
    onSuccess: (answer) => {
      queryClient.setQueryData(['tenant'], answer);
      setForm(formOf(answer.tenant));
      // A new ?v= makes the console load the tenant's stylesheet again (it is cached for 5 minutes).
      queryClient.setQueryData(THEME_VERSION_KEY, Date.now());
      notify({ color: 'green', message: 'Branding saved: the console now uses it.' });
    },
  });

  if (tenant.isPending || !form) {
    return (
      <>
        <PageHeader title="White-label" description="Your organisation's name, colours, logo and domain." />
        <ErrorAlert error={tenant.error} />
        {!tenant.error && <Skeleton height={320} radius="md" aria-label="Loading branding" />}
      </>
    );
  }

  const saved = formOf(tenant.data!.tenant);
  const patch = patchOf(saved, form);
  const changed = Object.keys(patch).length > 0;
  const errors = fieldErrors(save.error);
  const refusal = save.error && Object.keys(errors).length === 0 ? save.error : undefined;
  const primary = isHexColour(form.primaryColor) ? form.primaryColor : saved.primaryColor || DEFAULT_PRIMARY;
  const secondary = isHexColour(form.secondaryColor) ? form.secondaryColor : saved.secondaryColor || DEFAULT_SECONDARY;
  const logoUrl = /^https:\/\/[^\s]+$/i.test(form.logoUrl.trim()) ? form.logoUrl.trim() : undefined;
  const set = (field: keyof BrandingForm) => (value: string) => setForm({ ...form, [field]: value });
  const lowContrast = isHexColour(form.primaryColor) && contrastOnWhite(form.primaryColor) < 4.5;
  const domainApproved = tenant.data!.tenant.customDomainApproved && saved.customDomain === form.customDomain.trim();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(patch);
  };

  return (
    <>
      <PageHeader title="White-label" description="Your organisation's name, colours, logo and domain: the console and your sign-in page use them." />
      {!canEdit && (
        <Alert color="blue" mb="md" role="status">
          Only admins can change the branding.
        </Alert>
      )}
      <Grid gap="xl">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <form onSubmit={submit} aria-label="Branding">
            <Stack>
              <ErrorAlert error={refusal} title="Branding not saved" />
              <TextInput
                label="Company name"
                description="Shown in the console's header and on the sign-in page"
                value={form.companyName}
                onChange={(event) => set('companyName')(event.currentTarget.value)}
                error={errors.companyName}
                disabled={!canEdit}
                maxLength={120}
              />
              <ColorInput
                label="Primary colour"
                description="Buttons and links (#rrggbb)"
                placeholder={DEFAULT_PRIMARY}
                format="hex"
                withEyeDropper={false}
                withPicker={false}
                swatches={PRIMARY_SWATCHES}
                closeOnColorSwatchClick
                value={form.primaryColor}
                onChange={set('primaryColor')}
                error={errors.primaryColor ?? (lowContrast ? 'White text on this colour is below WCAG AA contrast (4.5:1); pick a darker one' : undefined)}
                disabled={!canEdit}
              />
              <ColorInput
                label="Secondary colour"
                description="The header band (#rrggbb)"
                placeholder={DEFAULT_SECONDARY}
                format="hex"
                withEyeDropper={false}
                withPicker={false}
                swatches={SECONDARY_SWATCHES}
                closeOnColorSwatchClick
                value={form.secondaryColor}
                onChange={set('secondaryColor')}
                error={errors.secondaryColor}
                disabled={!canEdit}
              />
              <TextInput
                label="Logo URL"
                description="An https address of an image (square works best)"
                placeholder="https://cdn.example.com/logo.svg"
                value={form.logoUrl}
                onChange={(event) => set('logoUrl')(event.currentTarget.value)}
                error={errors.logoUrl}
                disabled={!canEdit}
              />
              <TextInput
                label="Custom domain"
                description="Serve your sign-in page from your own domain (enterprise plan). A platform admin approves it before it is used."
                placeholder="portal.example.com"
                value={form.customDomain}
                onChange={(event) => set('customDomain')(event.currentTarget.value)}
                error={errors.customDomain}
                disabled={!canEdit}
                rightSectionWidth={saved.customDomain ? 110 : undefined}
                rightSection={
                  saved.customDomain && saved.customDomain === form.customDomain.trim() ? (
                    <StatusBadge size="sm" color={domainApproved ? 'green' : 'yellow'} data-testid="custom-domain-status">
                      {domainApproved ? 'Approved' : 'Awaiting approval'}
                    </StatusBadge>
                  ) : undefined
                }
              />
              <Group>
                <Button type="submit" disabled={!canEdit || !changed} loading={save.isPending}>
                  Save branding
                </Button>
                <Button variant="default" disabled={!changed || save.isPending} onClick={() => setForm(saved)}>
                  Discard changes
                </Button>
              </Group>
            </Stack>
          </form>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="xs">
            <Title order={2} size="h4">
              Live preview
            </Title>
            <Text size="sm" c="dimmed">
              How the console's header and your sign-in page will look; it follows your edits as you type.
            </Text>
            <BrandingPreview
              values={{ companyName: form.companyName.trim() || tenant.data!.tenant.name, primaryColor: primary, secondaryColor: secondary, logoUrl }}
            />
            {changed && (
              <Paper p="xs" radius="sm" withBorder>
                <Text size="sm">Unsaved changes: save to apply them to the console.</Text>
              </Paper>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}
