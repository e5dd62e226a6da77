import { ConfigError } from './config';

/**
 * Runs a process entry point. A configuration error or any startup failure ends the process with
 * exit code 1 and one line on stderr, never a stack trace (set DEBUG_STACK=1 to see one).
 */
export function runMain(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    const line = error instanceof ConfigError ? message : `${name}: ${message}`;
    process.stderr.write(`${line.split('\n')[0]}\n`);
    if (process.env.DEBUG_STACK === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
}
