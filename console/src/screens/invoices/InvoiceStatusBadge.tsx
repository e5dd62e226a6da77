import { Badge } from '@mantine/core';
import type { ResponseBody } from '../../api/types';

type InvoiceStatus = ResponseBody<'/v1/invoices', 'get'>['data'][number]['status'];

const LOOK: Record<InvoiceStatus, { color: string; label: string }> = {
  draft: { color: 'gray', label: 'Draft' },
  open: { color: 'blue', label: 'Open' },
  past_due: { color: 'orange', label: 'Past due' },
  paid: { color: 'green', label: 'Paid' },
  void: { color: 'gray', label: 'Void' },
  uncollectible: { color: 'red', label: 'Uncollectible' },
};

/** An invoice's payment status as a coloured badge (dark shades, for contrast). */
export function InvoiceStatusBadge({ status }: { status: InvoiceStatus }) {
  const look = LOOK[status];
  return (
    <Badge color={`${look.color}.9`} variant="filled" data-testid="invoice-status">
      {look.label}
    </Badge>
  );
}
