/** Electron IPC transport channels: the only two ipcMain / ipcRenderer channels. Kept apart so preload stays tiny. */
export const ipcChannels = { invoke: 'oodlab:invoke', event: 'oodlab:event' } as const;
