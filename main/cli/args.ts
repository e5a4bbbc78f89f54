// What every command's flags have in common, written once: parsing (node:util's parseArgs, strict), the options
// several commands take (--json, --checkpoint, --backend, --out, --features), and the usual checks and prints. A
// command declares only its own options and what it does with them.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CliIO, Command } from './io';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

/** Options more than one command takes: spread the ones a command has into its own. */
export const shared = {
  json: { json: { type: 'boolean', default: false } },
  checkpoint: { checkpoint: { type: 'string' } },
  backend: { backend: { type: 'string' } },
  out: { out: { type: 'string' } },
  features: { features: { type: 'string' } },
} as const;

/** Options that take a value and have no default, by name. */
export function strings<const N extends string>(...names: N[]): { [K in N]: { type: 'string' } } {
  return Object.fromEntries(names.map((n) => [n, { type: 'string' }])) as { [K in N]: { type: 'string' } };
}

/** Flags -> values; positionals only where the command takes them (otherwise one is an error). */
export function parseFlags<O extends Options>(argv: string[], options: O, positionals = false): Parsed<O> {
  return parseArgs({ args: argv, options, allowPositionals: positionals, strict: true });
}

/** A command from its summary, usage, own options and body; `positionals`: it takes arguments besides flags. */
export function command<O extends Options>(spec: {
  summary: string;
  usage: string;
  options: O;
  positionals?: boolean;
  run(args: Parsed<O>, io: CliIO, usage: string): Promise<number>;
}): Command {
  return {
    summary: spec.summary,
    usage: spec.usage,
    run: (argv, io) => spec.run(parseFlags(argv, spec.options, spec.positionals), io, spec.usage),
  };
}

/** `--checkpoint best|last|N`: an epoch number when it is one. */
export function checkpointArg(cp: string | undefined): string | number | undefined {
  return cp ? (/^\d+$/.test(cp) ? Number(cp) : cp) : undefined;
}

/** The one run id a command works on, or the usage. */
export function oneRunId(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new Error(`give one run id\nusage: ${usage}`);
  return positionals[0];
}

/** A result as JSON (--json) or as the command's text. */
export function printResult<T>(io: CliIO, json: boolean, value: T, text: (v: T) => string): void {
  io.out(json ? JSON.stringify(value, null, 2) : text(value));
}
