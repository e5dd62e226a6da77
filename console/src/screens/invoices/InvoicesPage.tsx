import { Pager } from '../../ui/Pager';
import { Anchor, Group, Paper, Skeleton, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { formatDateTime, formatMoney } from '../../ui/format';
import { PageHeader } from '../../ui/PageHeader';
import { InvoiceLinesTable } from './InvoiceLinesTable';
import { InvoiceStatusBadge } from './InvoiceStatusBadge';

const PAGE_SIZE = 12;

/** The upcoming invoice (this month so far) with its lines, and every issued invoice with its payment status and documents. */
export default function InvoicesPage() {
  const [page, setPage] = useState(1);
  const upcoming = useQuery({ queryKey: ['invoices', 'upcoming'], queryFn: () => unwrap(api.GET('/v1/invoices/upcoming')), refetchInterval: 15_000 });
  const invoices = useQuery({
    queryKey: ['invoices', 'list', page],
    queryFn: () => unwrap(api.GET('/v1/invoices', { params: { query: { page, limit: PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
  });
  const preview = upcoming.data?.invoice;

  return (
    <>
      <PageHeader title="Invoices" description="What this month costs so far, and the invoices issued at each month's end." />
      <Paper withBorder p="md" radius="md" mb="lg" component="section" aria-labelledby="upcoming-invoice">
        <Group justify="space-between" mb="sm">
          <Title order={2} size="h4" id="upcoming-invoice">
            Upcoming invoice{preview ? ` · ${preview.period}` : ''}
          </Title>
          {preview && (
            <Text size="sm">
              As of {formatDateTime(preview.asOf)} · plan {preview.plan}
            </Text>
          )}
        </Group>
        <ErrorAlert error={upcoming.error} title="The upcoming invoice could not load" />
        {preview ? (
          <InvoiceLinesTable label="Upcoming invoice lines" lines={preview.lines} totalCents={preview.totalCents} currency={preview.currency} />
        ) : (
          !upcoming.error && <Skeleton h={160} />
        )}
      </Paper>

      <Title order={2} size="h4" mb="sm">
        Issued invoices
      </Title>
      <ErrorAlert error={invoices.error} title="Invoices could not load" />
      {invoices.isPending ? (
        <Stack gap="xs">
          <Skeleton h={28} />
          <Skeleton h={28} />
          <Skeleton h={28} />
        </Stack>
      ) : invoices.data && invoices.data.data.length === 0 ? (
        <Text size="sm">No invoice yet: the first is issued when this month is billed, from the figures above.</Text>
      ) : (
        invoices.data && (
          <>
            <Table aria-label="Invoices" striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Period</Table.Th>
                  <Table.Th>Number</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right">Total</Table.Th>
                  <Table.Th ta="right">Amount due</Table.Th>
                  <Table.Th>Issued</Table.Th>
                  <Table.Th>Documents</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {invoices.data.data.map((invoice) => (
                  <Table.Tr key={invoice.id}>
                    <Table.Td>{invoice.period}</Table.Td>
                    <Table.Td>{invoice.stripe.number ?? '—'}</Table.Td>
                    <Table.Td>
                      <InvoiceStatusBadge status={invoice.status} />
                      {invoice.lastPaymentError && (
                        <Text size="xs" c="red.9">
                          {invoice.lastPaymentError}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td ta="right">{formatMoney(invoice.totalCents, invoice.currency)}</Table.Td>
                    <Table.Td ta="right">{formatMoney(invoice.amountDueCents, invoice.currency)}</Table.Td>
                    <Table.Td>{formatDateTime(invoice.finalizedAt ?? invoice.createdAt)}</Table.Td>
                    <Table.Td>
                      <Group gap="sm">
                        {invoice.invoicePdfUrl && (
                          <Anchor href={invoice.invoicePdfUrl} target="_blank" rel="noopener noreferrer" size="sm">
                            PDF<VisuallyHidden component="span"> of the {invoice.period} invoice</VisuallyHidden>
                          </Anchor>
                        )}
                        {invoice.hostedInvoiceUrl && (
                          <Anchor href={invoice.hostedInvoiceUrl} target="_blank" rel="noopener noreferrer" size="sm">
                            Pay or view online<VisuallyHidden component="span"> ({invoice.period})</VisuallyHidden>
                          </Anchor>
                        )}
                        {!invoice.invoicePdfUrl && !invoice.hostedInvoiceUrl && <Text size="sm">—</Text>}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            {invoices.data.pagination.totalPages > 1 && (
              <Pager mt="md" total={invoices.data.pagination.totalPages} value={page} onChange={setPage} label="Invoice pages" />
            )}
          </>
        )
      )}
    </>
  );
}
