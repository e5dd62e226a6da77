import { Client } from 'pg';
import { type Logger } from '../logger';

/** What a {@link listenOnChannel} caller hears about. */
export interface ChannelListenerOptions {
  url: string;
  channel: string;
  /** `application_name` of the connection (shows in pg_stat_activity). */
  applicationName: string;
  logger: Logger;
  /** Logged at warn (with the error and the retry delay) whenever the connection is lost. */
  lostMessage: string;
  /** A notification on the channel with a payload. */
  onNotification(payload: string): void;
  /** LISTEN is active (again). */
  onListening?(): void;
  /** The connection was lost; notifications are missed until onListening. */
  onLost?(): void;
}

/**
 * Holds one dedicated connection (outside the pool) that LISTENs on a channel, re-established with
 * exponential backoff (250 ms up to 30 s) whenever it fails or ends. Callers that cache must treat
 * the time between `onLost` and `onListening` as blind.
 */
export function listenOnChannel(options: ChannelListenerOptions): { stop(): Promise<void> } {
  const { logger } = options;
  let client: Client | undefined;
  let stopped = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  const discard = (current: Client | undefined) => {
    if (!current) return Promise.resolve();
    current.removeAllListeners();
    current.on('error', () => undefined);
    return current.end().catch(() => undefined);
  };

  const fail = (error: unknown) => {
    options.onLost?.();
    const current = client;
    client = undefined;
    void discard(current);
    if (stopped) return;
    attempt += 1;
    const delay = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
    logger.warn({ err: error, retryInMs: delay }, options.lostMessage);
    retryTimer = setTimeout(() => void connect(), delay);
    retryTimer.unref();
  };

  const connect = async () => {
    if (stopped) return;
    const next = new Client({ connectionString: options.url, application_name: options.applicationName, connectionTimeoutMillis: 5_000 });
    client = next;
    next.on('error', fail);
    next.on('end', () => {
      if (client === next) fail(new Error('connection ended'));
    });
    next.on('notification', (message) => {
      if (message.channel === options.channel && message.payload) options.onNotification(message.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${options.channel}`);
      if (client !== next || stopped) return;
      attempt = 0;
      options.onListening?.();
    } catch (error) {
      if (client === next) fail(error);
    }
  };

  void connect();

  return {
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      await discard(current);
    },
  };
}
