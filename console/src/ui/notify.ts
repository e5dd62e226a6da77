import { notifications } from '@mantine/notifications';

/**
 * Shows a notification that passes WCAG AA: Mantine's default gives the close button no name
 * and the message under a title a grey of about 3:1 on white, so both are set here. Toasts sit
 * bottom right (main.tsx), clear of the header's actions.
 */
export function notify({ title, message, color = 'green' }: { title?: string; message: string; color?: string }): void {
  notifications.show({
    color,
    title,
    message,
    closeButtonProps: { 'aria-label': 'Dismiss notification' },
    styles: { description: { color: 'var(--mantine-color-gray-8)' } },
  });
}
