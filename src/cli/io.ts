/**
 * Everything the command reads from or writes to its process, in one object, so that tests
 * can run a command in-process with fake streams and a fake terminal.
 */

/** A stream the command writes to. */
export interface OutputStream {
  write(chunk: string): unknown;
  /** True when it is a terminal. */
  isTTY?: boolean;
  /** Terminal width, when it is one. */
  columns?: number;
}

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** The clock: plans get their `createdAt` from it. */
  now: () => Date;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
  };
}
