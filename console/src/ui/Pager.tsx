import { Pagination, type PaginationProps } from '@mantine/core';

/**
 * Mantine's Pagination with accessible names: its previous/next/first/last controls are icon-only
 * buttons (axe: "buttons must have discernible text"), and page buttons say which page they are.
 * `label` names the whole pager ("Pages of users").
 */
export function Pager({ label, value, ...props }: Omit<PaginationProps, 'getControlProps' | 'getItemProps'> & { label: string; value: number }) {
  return (
    <Pagination
      aria-label={label}
      value={value}
      getControlProps={(control) =>
        ({
          first: { 'aria-label': 'First page' },
          previous: { 'aria-label': 'Previous page' },
          next: { 'aria-label': 'Next page' },
          last: { 'aria-label': 'Last page' },
        })[control]
      }
      getItemProps={(item) => ({ 'aria-label': `Page ${item}`, 'aria-current': item === value ? 'page' : undefined })}
      {...props}
    />
  );
}
