import { OodlabError } from '../../common/contract/errors';
import { commands } from './commands';
import { processIO } from './io';

function help(): string {
  const names = Object.keys(commands);
  const w = Math.max(...names.map((n) => n.length));
  return [
    'usage: oodlab <command> [options]',
    '',
    ...names.map((n) => `  ${n.padEnd(w)}  ${commands[n].summary}`),
    '',
    "Data lives in $OODLAB_HOME (default: the OS's user data folder). 'oodlab <command> --help' for details.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    processIO.out(help());
    return 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    processIO.err(`oodlab: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    processIO.out(`usage: ${cmd.usage}\n\n${cmd.summary}`);
    return 0;
  }
  try {
    return await cmd.run(rest, processIO);
  } catch (err) {
    // What main refused (a request of the typed client) reads as in the UI; anything else names the command.
    if (err instanceof OodlabError) processIO.err(`error: ${err.message}`);
    else processIO.err(`oodlab ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}
