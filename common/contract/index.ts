import type { z } from 'zod';
import { systemRequests, systemEvents } from './system';
import { jobsRequests, jobsEvents } from './jobs';
import { datasetsRequests, datasetsEvents } from './datasets';
import { trainRequests, trainEvents } from './train';
import { runsRequests, runsEvents } from './runs';
import { oodRequests, oodEvents } from './ood';
import { ncRequests, ncEvents } from './nc';
import { reportRequests, reportEvents } from './report';
import { clusterRequests, clusterEvents } from './cluster';
import { modelsRequests, modelsEvents } from './models';

/** Request channel -> { request schema, response schema }. The one request map. */
export const requests = {
  ...systemRequests,
  ...jobsRequests,
  ...datasetsRequests,
  ...trainRequests,
  ...runsRequests,
  ...oodRequests,
  ...ncRequests,
  ...reportRequests,
  ...clusterRequests,
  ...modelsRequests,
};

/** Push-event channel -> payload schema. The one event map. */
export const events = {
  ...systemEvents,
  ...jobsEvents,
  ...datasetsEvents,
  ...trainEvents,
  ...runsEvents,
  ...oodEvents,
  ...ncEvents,
  ...reportEvents,
  ...clusterEvents,
  ...modelsEvents,
};

export type Channel = keyof typeof requests;
export type EventChannel = keyof typeof events;
export type RequestOf<C extends Channel> = z.input<(typeof requests)[C]['request']>;
export type ParsedRequestOf<C extends Channel> = z.output<(typeof requests)[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<(typeof requests)[C]['response']>;
export type EventOf<E extends EventChannel> = z.output<(typeof events)[E]>;

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(requests, name);
}

/** What window.oodlab (Electron) and the WebSocket client (browser mode) both implement. */
export interface OodlabApi {
  invoke<C extends Channel>(channel: C, req: RequestOf<C>): Promise<ResponseOf<C>>;
  on<E extends EventChannel>(channel: E, listener: (payload: EventOf<E>) => void): () => void;
}

export * from './errors';
export type { JobInfo, JobKind, JobLog, JobProgress, JobState } from './jobs';
export { ipcChannels } from './ipc';
