// A run that will take more than a day on this machine is said so plainly, with the alternatives, as soon as its
// speed is measured (the paper preset on 2 CPU cores needs about 360 h): the user may well want something else.
// The run goes on unless stopped; stopping leaves it resumable.
export const LONG_RUN_SECONDS = 24 * 3600;

export function longRunWarning(imagesPerSecond: number, imagesLeft: number, backend: string): string | null {
  if (!(imagesPerSecond > 0)) return null;
  const seconds = imagesLeft / imagesPerSecond;
  if (seconds <= LONG_RUN_SECONDS) return null;
  const hours = Math.round(seconds / 3600);
  return (
    `At ${imagesPerSecond.toFixed(1)} images/s on ${backend}, this run needs about ${hours} h ` +
    `(${(hours / 24).toFixed(1)} days). Alternatives: the quick preset (--preset quick), a GPU backend ` +
    '(webgpu or tensorflow-gpu; `oodlab info` lists what loads here), or a cluster (`oodlab cluster`). ' +
    'It keeps training unless you stop it; a stopped run resumes with `oodlab train --resume RUN`.'
  );
}
