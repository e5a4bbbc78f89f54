import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { createClient } from '../common/contract/client';
import type { Envelope } from '../common/contract/errors';
import { ipcChannels } from '../common/contract/ipc';

// Imports only the zod-free parts of the contract: a sandboxed preload cannot require packages.
// Exposes the contract as window.oodlab and nothing else: one invoke, one event subscription.
const api = createClient({
  request: (channel, req) =>
    ipcRenderer.invoke(ipcChannels.invoke, channel, req) as Promise<Envelope<unknown>>,
  listen(listener) {
    const wrapped = (_e: IpcRendererEvent, ch: string, payload: unknown) => listener(ch, payload);
    ipcRenderer.on(ipcChannels.event, wrapped);
    return () => ipcRenderer.removeListener(ipcChannels.event, wrapped);
  },
});

contextBridge.exposeInMainWorld('oodlab', api);

// A file chosen in an <input type="file"> has no path in a sandboxed page; the import form needs one (the model is
// read by main/, never uploaded). Only this one function is exposed beside the contract.
contextBridge.exposeInMainWorld('oodlabFiles', { pathFor: (file: File) => webUtils.getPathForFile(file) });
