import { notifications } from '@mantine/notifications';

/** A toast whose close button has a name (Mantine's has none, which axe counts as critical). */
export function notify(options: { message: string; title?: string; color?: string }): void {
  notifications.show({ ...options, closeButtonProps: { 'aria-label': 'Dismiss' } });
}
