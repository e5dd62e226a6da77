import { Badge, type BadgeProps } from '@mantine/core';

/**
 * A light badge with dark text: Mantine's light badge text (the colour's shade 6, and for greens
 * and yellows even shade 9) falls below WCAG AA contrast on its own tinted background.
 */
export function StatusBadge({ color, children, ...props }: Omit<BadgeProps, 'variant' | 'c'> & { color: string; 'data-testid'?: string }) {
  return (
    <Badge variant="light" color={color} c="dark.8" {...props}>
      {children}
    </Badge>
  );
}
