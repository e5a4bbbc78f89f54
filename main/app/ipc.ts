import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { ipcChannels, type Envelope } from '../../common/contract';
import type { Api } from '../api';
import type { EventBus } from '../events';
import { isTrustedRendererUrl } from './security';

export interface IpcOptions {
  rendererDir: string;
  devServerUrl?: string;
}

/** Every IPC message's sender frame must be our renderer's main frame at our own URL. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>, opts: IpcOptions): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent) return false;
  return isTrustedRendererUrl(frame.url, opts.rendererDir, opts.devServerUrl);
}

/** Wires the contract to ipcMain: one invoke channel for requests, one push channel for events. */
export function wireIpc(
  api: Api,
  bus: EventBus,
  target: () => WebContents | undefined,
  opts: IpcOptions,
): () => void {
  ipcMain.handle(
    ipcChannels.invoke,
    async (event, channel: unknown, payload: unknown): Promise<Envelope<unknown>> => {
      if (!isTrustedSender(event, opts))
        return { error: { code: 'forbidden', message: 'IPC refused: the sender is not the OODLab window.' } };
      if (typeof channel !== 'string')
        return { error: { code: 'invalid_request', message: 'Channel must be a string.' } };
      return api.call(channel, payload);
    },
  );
  const unsubscribe = bus.subscribe((channel, payload) => {
    const wc = target();
    if (wc && !wc.isDestroyed()) wc.send(ipcChannels.event, channel, payload);
  });
  return () => {
    unsubscribe();
    ipcMain.removeHandler(ipcChannels.invoke);
  };
}
