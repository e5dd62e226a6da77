import { useEffect } from 'react';
import { useQueryClient, useQuery } from '@tanstack/react-query';

/** The query key whose value versions the tenant stylesheet; bump it (after saving branding) to reload it. */
export const THEME_VERSION_KEY = ['tenant', 'theme-version'] as const;

/**
 * Puts the tenant's /v1/tenant/theme.css in the page (a <link>, allowed by the console's CSP as
 * 'self'), and reloads it when the branding changes.
 */
export function TenantTheme() {
  const queryClient = useQueryClient();
  const version = useQuery({ queryKey: THEME_VERSION_KEY, queryFn: () => Date.now(), staleTime: Infinity }).data;
  useEffect(() => {
    if (version === undefined) return;
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = `/v1/tenant/theme.css?v=${version}`;
    link.dataset.tenantTheme = 'true';
    document.head.append(link);
    // The new sheet replaces the old one once loaded, so colours never flash back to the defaults.
    link.onload = () => document.querySelectorAll(`link[data-tenant-theme]`).forEach((other) => other !== link && other.remove());
    return () => {
      if (!link.sheet) link.remove();
    };
  }, [version, queryClient]);
  return null;
}
