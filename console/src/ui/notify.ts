import { notifications } from '@mantine/notifications';

/**
 * Shows a notification that passes WCAG AA: Mantine's default gives the close button no name
 * and the message under a title a grey of 2.9:1, so both are set here.
 */
export function notify({ color, title, message }: { color: 'green' | 'red' | 'yellow'; title: string; message: string }): void {
  notifications.show({
    color,
    title,
    message,
    closeButtonProps: { 'aria-label': 'Close notification' },
    styles: { description: { color: 'var(--mantine-color-gray-8)' } },
  });
}
