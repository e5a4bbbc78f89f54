// Exiting without losing output. process.exit() does not wait for stdout: when it is a pipe, writes are
// asynchronous and whatever is still queued is dropped (a --json result was cut at 65,536 bytes when piped into
// python). So the CLI waits until both streams have handed every byte to the OS, then exits. A reader that went
// away (`| head`) gives EPIPE: nothing more can be delivered, so exit at once with the same code.
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.once('error', () => resolve());
    // An empty write's callback runs after every write queued before it.
    stream.write('', () => resolve());
  });
}

export async function exitAfterFlush(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}
