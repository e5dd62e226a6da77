import { Badge } from '@mantine/core';
import type { ResponseBody } from '../../api/types';

type InvoiceStatus = ResponseBody<'/v1/invoices', 'get'>['data'][number]['status'];

const LOOK: Record<InvoiceStatus, { color: string; label: string }> = {
  draft: { color: 'gray.7', label: 'Draft' },
  open: { color: 'blue.9', label: 'Open' },
  past_due: { color: '#a34700', label: 'Past due' },
  paid: { color: '#1e6b34', label: 'Paid' },
  void: { color: 'gray.7', label: 'Void' },
  uncollectible: { color: 'red.9', label: 'Uncollectible' },
};

/** An invoice's payment status as a coloured badge (shades dark enough for white text at 4.5:1). */
export function InvoiceStatusBadge({ status }: { status: InvoiceStatus }) {
  const look = LOOK[status];
  return (
    <Badge color={look.color} variant="filled" data-testid="invoice-status">
      {look.label}
    </Badge>
  );
}
