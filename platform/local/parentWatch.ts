/**
 * Calls `onGone` once when the process that started us dies. `npm start` spawns its API and
 * worker with an IPC channel: the channel closes (`disconnect`) when that one process exits, however
 * it dies, and never because some other ancestor (the launching shell, npm) went away.
 * Without a channel, a change of parent pid (re-parented to init or a subreaper) is the signal.
 */
export function onParentExit(onGone: () => void, intervalMs = 1_000): void {
  let gone = false;
  const fire = () => {
    if (gone) return;
    gone = true;
    clearInterval(timer);
    onGone();
  };
  if (process.channel) {
    // The channel must not keep the process alive on its own, only tell us when it closes.
    process.channel.unref();
    process.once('disconnect', fire);
  }
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) fire();
  }, intervalMs);
  timer.unref();
}
