import { type FaultInjector } from './faults';

/** A running peer: a local stand-in for an external system, on 127.0.0.1. */
export interface RunningPeer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  faults: FaultInjector;
  /** What a person needs to use it by hand (printed by `npm run peer`), e.g. an access token. */
  info?: Record<string, string>;
  stop(): Promise<void>;
}

/** Starts a peer; `port` 0 picks a free one. Peers take their own extra options. */
export type PeerStarter = (options: { port: number; seed?: number } & Record<string, unknown>) => Promise<RunningPeer>;
