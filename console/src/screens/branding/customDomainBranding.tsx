import { Group, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api } from '../../api/client';
import type { ResponseBody } from '../../api/types';

export type CustomDomainBranding = ResponseBody<'/v1/auth/branding', 'get'>;

/**
 * The branding of the tenant whose approved custom domain this page was opened on (null on any
 * other host). Its colours become the page's CSS custom properties, so every Mantine primary
 * control of the sign-in page takes the tenant's colour.
 */
export function useCustomDomainBranding(): CustomDomainBranding | null | undefined {
  const { data } = useQuery({
    queryKey: ['auth', 'custom-domain-branding'],
    queryFn: async () => (await api.GET('/v1/auth/branding')).data ?? null,
    staleTime: Infinity,
    retry: false,
  });
  useEffect(() => {
    const root = document.documentElement.style;
    if (data?.branding.primaryColor) root.setProperty('--hub-color-primary', data.branding.primaryColor);
    if (data?.branding.secondaryColor) root.setProperty('--hub-color-secondary', data.branding.secondaryColor);
  }, [data]);
  return data;
}

/** The tenant's logo and name on its own domain, else the hub's plain mark. */
export function BrandMark({ brand }: { brand: CustomDomainBranding | null | undefined }) {
  if (!brand) return <div className="hub-brand-logo" aria-hidden="true" />;
  const name = brand.branding.companyName ?? brand.tenant.name;
  return (
    <Group gap="sm" data-testid="sign-in-brand">
      {brand.branding.logoUrl ? (
        <img src={brand.branding.logoUrl} alt="" width={32} height={32} style={{ objectFit: 'contain' }} />
      ) : (
        <div className="hub-brand-logo" aria-hidden="true" />
      )}
      <Text fw={700}>{name}</Text>
    </Group>
  );
}
