import { createTheme } from '@mantine/core';

/**
 * The console's Mantine theme. Tenant branding arrives as CSS custom properties from
 * /v1/tenant/theme.css (see console.css), so a tenant's colours apply without a rebuild.
 */
export const consoleTheme = createTheme({
  primaryColor: 'indigo',
  // Shade 8 keeps white text on buttons and links on white above WCAG AA's 4.5:1.
  primaryShade: 8,
  defaultRadius: 'md',
  // Users who ask their system for less motion get no fades or slides.
  respectReducedMotion: true,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
});
