import { Anchor } from '@mantine/core';

/** A link to a run's page in the Temporal UI, where operators read its full history. */
export function TemporalLink({ href, label = 'Temporal history' }: { href: string | null | undefined; label?: string }) {
  if (!href) return null;
  return (
    <Anchor href={href} target="_blank" rel="noopener noreferrer" size="sm">
      {label} ↗
    </Anchor>
  );
}
