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
  // Out of the address bar, history and bookmarks once read (this tab keeps it in sessionStorage for reloads).
  if (params.has('token')) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', `${location.pathname}${rest ? `?${rest}` : ''}${location.hash}`);
  }
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return createWsClient(`${proto}//${location.host}/ws?token=${encodeURIComponent(token)}`);
}

export const api: OodlabApi = connect();
