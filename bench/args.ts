// Command-line options of the benchmark scripts, declared by their defaults: a number default parses the option as a
// number, a string default keeps it a string, a boolean makes it a flag, and null an optional string.
import { parseArgs } from 'node:util';

type Default = number | string | boolean | null;
export type Options<T extends Record<string, Default>> = {
  [K in keyof T]: T[K] extends number
    ? number
    : T[K] extends boolean
      ? boolean
      : T[K] extends null
        ? string | undefined
        : string;
};

export function benchOptions<T extends Record<string, Default>>(defaults: T, args?: string[]): Options<T> {
  const options = Object.fromEntries(
    Object.entries(defaults).map(([k, v]) => [
      k,
      typeof v === 'boolean'
        ? { type: 'boolean' as const, default: v }
        : v === null
          ? { type: 'string' as const }
          : { type: 'string' as const, default: String(v) },
    ]),
  );
  const { values } = parseArgs({ args, options });
  return Object.fromEntries(
    Object.entries(defaults).map(([k, v]) => [k, typeof v === 'number' ? Number(values[k]) : values[k]]),
  ) as Options<T>;
}
