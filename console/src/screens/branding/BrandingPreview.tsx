import { Box, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { readableTextOn } from './brandingColours';

/** What the live preview renders: the values being edited, already checked to be usable. */
export interface PreviewValues {
  companyName: string;
  primaryColor: string;
  secondaryColor: string;
  logoUrl: string | undefined;
}

/**
 * A miniature of the console's header and sign-in card, drawn with the values being edited (not
 * the saved ones), so every keystroke shows. Inert: nothing in it can be focused or submitted.
 */
export function BrandingPreview({ values }: { values: PreviewValues }) {
  const logo = values.logoUrl ? (
    <img src={values.logoUrl} alt="" width={24} height={24} style={{ objectFit: 'contain', borderRadius: 4 }} />
  ) : (
    <Box w={24} h={24} style={{ borderRadius: 4, background: values.primaryColor }} aria-hidden="true" />
  );
  return (
    <Paper withBorder radius="md" data-testid="branding-preview" aria-label="Live preview" role="region" inert style={{ overflow: 'hidden' }}>
      <Group gap="sm" px="md" h={44} style={{ background: values.secondaryColor, color: readableTextOn(values.secondaryColor) }} data-testid="preview-header">
        {logo}
        <Text fw={700} size="sm" inherit>
          {values.companyName}
        </Text>
      </Group>
      <Box p="lg" bg="var(--mantine-color-gray-0)">
        <Paper withBorder p="md" radius="md" maw={300} mx="auto">
          <Stack gap="xs">
            <Group gap="xs">
              {logo}
              <Text fw={600} size="sm">
                {values.companyName}
              </Text>
            </Group>
            <Title order={2} size="h4">
              Sign in
            </Title>
            <TextInput label="E-mail" size="xs" readOnly value="jane@example.com" tabIndex={-1} />
            <Button
              size="xs"
              fullWidth
              tabIndex={-1}
              data-testid="preview-primary-button"
              style={{ background: values.primaryColor, color: readableTextOn(values.primaryColor) }}
            >
              Sign in
            </Button>
          </Stack>
        </Paper>
      </Box>
    </Paper>
  );
}
