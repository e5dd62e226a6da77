import { processCpuMicros } from '../../bench/harness';

/** Keeps this process's CPU busy for `milliseconds` of wall time. */
function burn(milliseconds: number): void {
  const until = Date.now() + milliseconds;
  let sink = 0;
  while (Date.now() < until) sink += Math.sqrt(sink + 1);
  if (sink < 0) throw new Error('unreachable');
}

describe("processCpuMicros (the benchmarks' server CPU per request)", () => {
  it("reads a process's CPU time from /proc in microseconds: it agrees with the process's own count", () => {
    const ownBefore = process.cpuUsage();
    const before = processCpuMicros(process.pid)!;
    burn(300);
    const after = processCpuMicros(process.pid)!;
    const own = process.cpuUsage(ownBefore);
    const ownMicros = own.user + own.system;
    expect(ownMicros).toBeGreaterThan(50_000);
    // /proc counts in ticks of 10 ms, and other threads of this process may run meanwhile.
    expect(after - before).toBeGreaterThanOrEqual(ownMicros - 30_000);
    expect(after - before).toBeLessThanOrEqual(ownMicros * 2 + 30_000);
  });

  it('answers undefined for a process that does not exist', () => {
    // Linux never hands out pids above 2^22.
    expect(processCpuMicros(2 ** 22 + 1)).toBeUndefined();
  });
});
