// `oodlab aggregate GROUP`: reads every task's run (its summary.json as the pipeline exported it, else one built
// from the run folder, and training_history.json), aggregates over seeds and writes the group's summary.json
// atomically. Runs that have not finished training are left out and named, so a partial aggregate never passes
// for a complete one.
import { access } from 'node:fs/promises';
import { GroupSummary } from '../../../common/contract/cluster';
import { OodlabError } from '../../../common/contract/errors';
import type { Summary } from '../../../common/contract/report';
import { buildSummary, readSummary, summaryPath } from '../report/summary';
import { writeJsonAtomic } from '../runs/atomic';
import { readHistory, readManifest } from '../runs/store';
import { aggregate, type SeedResult } from './aggregate';
import { groupFiles, readGroup } from './group';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function runSummary(home: string, runId: string, appVersion?: string): Promise<Summary> {
  const path = summaryPath(home, runId);
  return (await exists(path)) ? readSummary(path) : buildSummary(home, runId, { appVersion });
}

/**
 * Which of the group's runs finished training (`done`), and which are not finished: not trained yet, or (with
 * `pipeline`) trained but without the summary.json the pipeline exports as its last step.
 */
export async function groupProgress(home: string, id: string, o: { pipeline?: boolean } = {}) {
  const g = await readGroup(home, id);
  const done: { seed: number; runId: string }[] = [];
  const missing: string[] = [];
  for (const t of g.tasks) {
    const m = await readManifest(home, t.runId).catch(() => null);
    if (m?.state === 'done' && o.pipeline && !(await exists(summaryPath(home, t.runId))))
      missing.push(`${t.runId} (trained, pipeline not finished)`);
    else if (m?.state === 'done') done.push(t);
    else missing.push(`${t.runId} (${m ? `${m.state}, ${m.epochsDone}/${m.epochs} epochs` : 'not started'})`);
  }
  return { group: g, done, missing };
}

export async function aggregateGroup(home: string, id: string, appVersion?: string): Promise<GroupSummary> {
  const { done, missing } = await groupProgress(home, id);
  if (!done.length)
    throw new OodlabError('not_found', `Group ${id} has no finished run yet: ${missing.join(', ')}.`);
  const results: SeedResult[] = [];
  for (const t of done)
    results.push({
      seed: t.seed,
      summary: await runSummary(home, t.runId, appVersion),
      history: await readHistory(home, t.runId),
    });
  const summary = GroupSummary.parse(aggregate(id, results));
  await writeJsonAtomic(groupFiles(home, id).summary, summary);
  return summary;
}
