import { Pager } from '../../ui/Pager';
import { Badge, Button, Group, Skeleton, Stack, Table, Text } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../session/SessionProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime, formatNumber } from '../../ui/format';
import { PageHeader } from '../../ui/PageHeader';
import { fieldErrorsOf } from '../settings/fieldErrors';
import { type AuditFilter, filterFromSearch, filterQuery } from './auditFilter';
import { AuditFilterForm } from './AuditFilterForm';

const PAGE_SIZE = 25;

function detailsText(details: Record<string, unknown>): string {
  const text = JSON.stringify(details);
  return text === '{}' ? '' : text;
}

/** Who did what and when, filtered and paged by the API, exported as CSV with the same filter. */
export default function AuditLogPage() {
  const { can } = useSession();
  const allowed = can('admin'); // GET /v1/audit-logs is admin-only in the access table
  const [search, setSearch] = useSearchParams();
  const filter = filterFromSearch(search);
  const page = Math.max(1, Number(search.get('page') ?? 1) || 1);
  const query = filterQuery(filter);

  const entries = useQuery({
    queryKey: ['audit-logs', query, page],
    queryFn: () => unwrap(api.GET('/v1/audit-logs', { params: { query: { ...query, page, limit: PAGE_SIZE } } })),
    enabled: allowed,
    placeholderData: keepPreviousData,
  });

  function apply(next: AuditFilter) {
    setSearch(new URLSearchParams(filterQuery(next)));
  }
  function goTo(nextPage: number) {
    setSearch(new URLSearchParams({ ...query, page: String(nextPage) }));
  }
  // A download, not a call openapi-fetch can make: the browser sends the session cookie with the link.
  const exportHref = `/v1/audit-logs/export?${new URLSearchParams(query).toString()}`;
  const total = entries.data?.pagination.total;

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change, by whom, from where; hash-chained, so a gap or an edit is detected."
        actions={
          allowed && (
            <Button component="a" href={exportHref} download variant="default">
              Export CSV
            </Button>
          )
        }
      />
      {!allowed ? (
        <ErrorAlert error={new Error('Only admins read the audit log.')} title="Not allowed" />
      ) : (
        <>
          {/* Keyed by the applied filter, so Back/Forward show their filter in the inputs. */}
          <AuditFilterForm key={search.toString()} applied={filter} error={entries.error} onApply={apply} />
          {Object.keys(fieldErrorsOf(entries.error, 'query')).length === 0 && <ErrorAlert error={entries.error} title="The audit log could not load" />}
          {entries.isPending ? (
            <Stack gap="xs">
              <Skeleton h={28} />
              <Skeleton h={28} />
              <Skeleton h={28} />
            </Stack>
          ) : entries.data && entries.data.data.length === 0 ? (
            <Text size="sm">{Object.keys(query).length > 0 ? 'No entry matches this filter: widen the time range or clear the filter.' : 'No entry yet.'}</Text>
          ) : (
            entries.data && (
              <>
                <Text size="sm" mb="xs" data-testid="audit-total">
                  {formatNumber(total)} entries
                </Text>
                <Table aria-label="Audit log entries" striped>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>When</Table.Th>
                      <Table.Th>Action</Table.Th>
                      <Table.Th>Actor</Table.Th>
                      <Table.Th>Target</Table.Th>
                      <Table.Th>Details</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {entries.data.data.map((entry) => (
                      <Table.Tr key={entry.id}>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(entry.occurredAt)}</Table.Td>
                        <Table.Td>
                          <Badge variant="light" color="indigo.9" tt="none" data-testid="audit-action">
                            {entry.action}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">
                            {entry.actor.type}
                            {entry.actor.role ? ` (${entry.actor.role})` : ''}
                          </Text>
                          {entry.actor.id && <Text className="hub-mono">{entry.actor.id}</Text>}
                          {entry.actor.ip && <Text size="xs">from {entry.actor.ip}</Text>}
                        </Table.Td>
                        <Table.Td>{entry.target ? <Text className="hub-mono">{`${entry.target.type} ${entry.target.id}`}</Text> : '—'}</Table.Td>
                        <Table.Td maw={360}>
                          <Text className="hub-mono" lineClamp={2} title={detailsText(entry.details)}>
                            {detailsText(entry.details) || '—'}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
                {entries.data.pagination.totalPages > 1 && (
                  <Group justify="center" mt="md">
                    <Pager total={entries.data.pagination.totalPages} value={page} onChange={goTo} label="Audit log pages" />
                  </Group>
                )}
              </>
            )
          )}
        </>
      )}
    </>
  );
}
