import type { OodlabApi } from '../../../common/contract';
import { createWsClient } from './ws-client';

declare global {
  interface Window {
    oodlab?: OodlabApi;
  }
}

/**
 * The one way the UI reaches main/: window.oodlab under Electron (preload), else the WebSocket of browser
 * mode, authenticated by the token the printed URL carries.
 */
function connect(): OodlabApi {
  if (window.oodlab) return window.oodlab;
  const params = new URLSearchParams(location.search);
  const token = params.get('token') ?? sessionStorage.getItem('oodlab.token') ?? '';
  sessionStorage.setItem('oodlab.token', token);
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return createWsClient(`${proto}//${location.host}/ws?token=${encodeURIComponent(token)}`);
}

export const api: OodlabApi = connect();
