import fs from 'node:fs';
import { parentPidOf } from './procStat';

/** This process's ancestors below init, nearest first (npm → sh → tsx → us, typically). */
function ancestors(limit = 6): number[] {
  const chain: number[] = [];
  let pid: number | undefined = process.ppid;
  while (pid !== undefined && pid > 1 && chain.length < limit) {
    chain.push(pid);
    pid = parentPidOf(pid);
  }
  return chain;
}

/**
 * Calls `onGone` once when the process that launched us dies: the parent pid changes, or (on
 * Linux) any ancestor such as `npm` disappears. `npm start` uses it so that killing npm, or closing
 * the terminal, never leaves Postgres, Temporal, the worker or the API behind.
 */
export function onParentExit(onGone: () => void, intervalMs = 1_000): void {
  const parent = process.ppid;
  const watched = ancestors();
  const timer = setInterval(() => {
    const ancestorGone = watched.some((pid) => !fs.existsSync(`/proc/${pid}`)) && fs.existsSync('/proc/self');
    if (process.ppid !== parent || ancestorGone) {
      clearInterval(timer);
      onGone();
    }
  }, intervalMs);
  timer.unref();
}
