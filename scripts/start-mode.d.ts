// Types of start-mode.js (plain JavaScript: it runs before anything is built).
export function noDesktopReason(env?: NodeJS.ProcessEnv, platform?: NodeJS.Platform): string | null;
export function browserCommand(
  url: string,
  env?: NodeJS.ProcessEnv,
  platform?: NodeJS.Platform,
  has?: (cmd: string) => boolean,
): { cmd: string; args: string[] } | null;
export function servedUrl(text: string): string | null;
