import type { SystemInfo } from '../../../common/contract/system';
import { formatBytes } from '../../../common/format';
import { command, printResult, shared } from '../args';
import { cliRuntime } from '../client';

export const info = command({
  summary: 'Show versions, the data folder and the compute backends that load here',
  usage: 'oodlab info [--json]',
  options: shared.json,
  async run({ values }, io) {
    printResult(io, values.json, await cliRuntime().api.invoke('system.info', {}), describe);
    return 0;
  },
});

const describe = (s: SystemInfo) =>
  [
    `OODLab ${s.app.version} (Node ${s.versions.node}, ${s.platform}/${s.arch})`,
    `CPU      ${s.cpu.model} x ${s.cpu.cores}`,
    `Memory   ${formatBytes(s.memory.totalBytes)}`,
    `Data     ${s.dataDir}`,
    'Backends',
    ...s.backends.map(
      (b) =>
        `  ${b.available ? '✓' : '✗'} ${b.name.padEnd(15)} ${b.available ? (b.device ?? '') : (b.reason ?? '')}`,
    ),
  ].join('\n');
