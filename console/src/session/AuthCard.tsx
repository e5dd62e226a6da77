import { Center, Paper, Stack, Title } from '@mantine/core';
import { useEffect, type ReactNode } from 'react';

/** The frame of the pages a visitor sees before signing in: a centred card with the page's one h1. */
export function AuthCard({ title, children, width = 420 }: { title: string; children: ReactNode; width?: number }) {
  useEffect(() => {
    document.title = `${title} · Integration Hub`;
  }, [title]);
  return (
    <Center mih="100vh" bg="var(--mantine-color-gray-0)" p="md">
      <Paper component="main" withBorder shadow="sm" p="xl" radius="md" w={width} maw="100%">
        <Stack>
          <div className="hub-brand-logo" aria-hidden="true" />
          <Title order={1} size="h2">
            {title}
          </Title>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}
