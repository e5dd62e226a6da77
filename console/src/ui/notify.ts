import { notifications } from '@mantine/notifications';

/**
 * Shows a notification that passes axe: Mantine's close button has no accessible name, and its
 * description under a title is grey 6 (3.3:1 on white), so both are set here.
 */
export function notify({ title, message, color = 'green' }: { title: string; message: string; color?: string }): void {
  notifications.show({
    title,
    message,
    color,
    closeButtonProps: { 'aria-label': 'Dismiss notification' },
    styles: { description: { color: 'var(--mantine-color-gray-8)' } },
  });
}
