import { Badge, Button, Card, Group, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import type { ConnectorType } from './integrationTypes';

/** The connector-type catalogue as cards: what each type syncs, and "Add" for roles that may. */
export function ConnectorTypeCatalogue({
  types,
  loading,
  canAdd,
  onAdd,
}: {
  types: ConnectorType[] | undefined;
  loading: boolean;
  canAdd: boolean;
  onAdd(type: ConnectorType): void;
}) {
  return (
    <section aria-labelledby="catalogue-heading">
      <Title order={2} size="h3" id="catalogue-heading" mb="sm">
        Catalogue
      </Title>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        {loading && Array.from({ length: 3 }, (_, index) => <Skeleton key={index} h={150} radius="md" />)}
        {types?.map((type) => (
          <Card key={type.type} withBorder radius="md" padding="md" component="article" aria-label={type.displayName}>
            <Stack gap="xs" h="100%" justify="space-between">
              <Stack gap={4}>
                <Group justify="space-between" wrap="nowrap">
                  <Title order={3} size="h4">
                    {type.displayName}
                  </Title>
                  <Text size="xs" className="hub-mono">
                    {type.type}
                  </Text>
                </Group>
                <Text size="sm">{type.streams.length > 0 ? `Streams: ${type.streams.length}` : 'Streams come from its configuration'}</Text>
                <Group gap={4}>
                  {type.streams.slice(0, 6).map((stream) => (
                    <Badge key={stream.name} variant="outline" color="gray.8" size="sm">
                      {stream.name}
                    </Badge>
                  ))}
                  {type.streams.length > 6 && <Text size="xs">+{type.streams.length - 6} more</Text>}
                </Group>
              </Stack>
              {canAdd && (
                <Button variant="light" size="xs" onClick={() => onAdd(type)} aria-label={`Add ${type.displayName}`}>
                  Add
                </Button>
              )}
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
    </section>
  );
}
