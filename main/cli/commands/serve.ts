import { startHost } from '../../host/server';
import { rendererDir } from '../../host/paths';
import { createRuntime } from '../../runtime';
import { networkInterfaces } from 'node:os';
import { command } from '../args';

/** The external IPv4 addresses of this machine: what a browser elsewhere can open when bound to 0.0.0.0. */
function reachableAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .filter((a) => a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
}

export const serve = command({
  summary: 'Browser mode: serve the UI and the API on 127.0.0.1 (use an SSH tunnel for a remote GPU server)',
  usage: 'oodlab serve [--port 7420] [--host 127.0.0.1] [--token T (16+ characters)] [--allow-host NAME ...]',
  options: {
    port: { type: 'string', default: '7420' },
    host: { type: 'string', default: '127.0.0.1' },
    token: { type: 'string' },
    'allow-host': { type: 'string', multiple: true },
  },
  async run({ values }, io) {
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--port must be 0..65535, got '${values.port}'.`);
    const rt = createRuntime({ mode: 'browser' });
    const host = await startHost(rt, {
      port,
      host: values.host,
      token: values.token,
      staticDir: rendererDir(),
      allowHosts: values['allow-host'],
    });
    if (values.host !== '127.0.0.1' && values.host !== 'localhost')
      io.err(
        `warning: listening on ${values.host}: anyone who can reach it and has the token can use the API.`,
      );
    io.out(`OODLab is serving at ${host.url}`);
    if (values.host === '0.0.0.0' || values.host === '::')
      for (const a of reachableAddresses())
        io.out(`  reachable at http://${a}:${host.port}/?token=${host.token}`);
    io.out(`Data folder: ${rt.ctx.home}`);
    io.out('Press Ctrl-C to stop.');
    const stop = () => {
      void (async () => {
        await rt.jobs.shutdown();
        await host.close();
        process.exit(0);
      })();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return -1;
  },
});
