import { Table } from '@mantine/core';
import type { ResponseBody } from '../../api/types';
import { formatMoney, formatNumber } from '../../ui/format';

type InvoiceLine = ResponseBody<'/v1/invoices/upcoming', 'get'>['invoice']['lines'][number];

/** An invoice's lines with quantity, unit price and amount, and its total. */
export function InvoiceLinesTable({ label, lines, totalCents, currency }: { label: string; lines: InvoiceLine[]; totalCents: number; currency: string }) {
  return (
    <Table aria-label={label} striped>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Item</Table.Th>
          <Table.Th ta="right">Quantity</Table.Th>
          <Table.Th ta="right">Unit price</Table.Th>
          <Table.Th ta="right">Amount</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {lines.map((line) => (
          <Table.Tr key={line.code}>
            <Table.Td>{line.description}</Table.Td>
            <Table.Td ta="right">{formatNumber(line.quantity)}</Table.Td>
            <Table.Td ta="right">{formatMoney(line.unitAmountCents, currency)}</Table.Td>
            <Table.Td ta="right">{formatMoney(line.amountCents, currency)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
      <Table.Tfoot>
        <Table.Tr>
          <Table.Th colSpan={3}>Total</Table.Th>
          <Table.Th ta="right" data-testid="invoice-total">
            {formatMoney(totalCents, currency)}
          </Table.Th>
        </Table.Tr>
      </Table.Tfoot>
    </Table>
  );
}
