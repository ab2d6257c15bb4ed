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

/** Errors of a write to a reader that has gone away (`| head -1`, a closed terminal). */
const CLOSED = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/**
 * The process's stream, except that once its reader has gone away (`list | head -1`)
 * further output is dropped instead of crashing with an EPIPE stack trace: the command
 * finishes what it was doing (an apply is never cut short by a closed pipe) and exits
 * with its usual code, silently, as git and npm do.
 */
export function closedPipeTolerant(stream: NodeJS.WriteStream): OutputStream {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (CLOSED.has(error.code ?? '')) closed = true;
    else throw error;
  });
  return {
    write(chunk: string) {
      if (closed) return false;
      return stream.write(chunk);
    },
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
}

let processStreams: { stdout: OutputStream; stderr: OutputStream } | undefined;

export function processIO(): CliIO {
  processStreams ??= { stdout: closedPipeTolerant(process.stdout), stderr: closedPipeTolerant(process.stderr) };
  return {
    ...processStreams,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
  };
}
