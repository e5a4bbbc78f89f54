import { createRuntime } from '../../runtime';
import type { Command } from '../io';
import { formatBytes } from '../../../common/format';
import type { SystemInfo } from '../../../common/contract/system';

export const info: Command = {
  summary: 'Show versions, the data folder and the compute backends that load here',
  usage: 'oodlab info [--json]',
  async run(argv, io) {
    const rt = createRuntime({ mode: 'browser' });
    const res = await rt.api.call('system.info', {});
    if (res.error) {
      io.err(`error: ${res.error.message}`);
      return 1;
    }
    const s = res.result as SystemInfo;
    if (argv.includes('--json')) {
      io.out(JSON.stringify(s, null, 2));
      return 0;
    }
    io.out(`OODLab ${s.app.version} (Node ${s.versions.node}, ${s.platform}/${s.arch})`);
    io.out(`CPU      ${s.cpu.model} x ${s.cpu.cores}`);
    io.out(`Memory   ${formatBytes(s.memory.totalBytes)}`);
    io.out(`Data     ${s.dataDir}`);
    io.out('Backends');
    for (const b of s.backends)
      io.out(
        `  ${b.available ? '✓' : '✗'} ${b.name.padEnd(15)} ${b.available ? (b.device ?? '') : (b.reason ?? '')}`,
      );
    return 0;
  },
};
