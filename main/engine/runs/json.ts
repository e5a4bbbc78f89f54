// Reading a JSON file that a crash, a full disk or a hand edit may have cut short: the message names the file and
// what to do, instead of a bare "Unexpected end of JSON input" that says neither.
import { OodlabError } from '../../../common/contract/errors';

export function parseJsonFile(text: string, path: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new OodlabError(
      'failed',
      `${what} (${path}) is not valid JSON (${(err as Error).message}): it was cut short or edited by hand.`,
    );
  }
}
