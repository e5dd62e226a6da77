import { notifications } from '@mantine/notifications';

/**
 * A toast for these screens: bottom right, so it never covers the header's actions (sync, pause,
 * resume sit top right), and with a named close button (Mantine's has none, which axe counts as critical).
 */
export function notify(options: { message: string; title?: string; color?: string }): void {
  notifications.show({ ...options, position: 'bottom-right', closeButtonProps: { 'aria-label': 'Dismiss' } });
}
