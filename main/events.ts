import type { EventChannel, EventOf } from '../common/contract';

export type EventListener = <E extends EventChannel>(channel: E, payload: EventOf<E>) => void;

/** Pushed events leave main/ through here; each transport (IPC, WebSocket) subscribes once. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventChannel>(channel: E, payload: EventOf<E>): void {
    for (const l of this.listeners) l(channel, payload);
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
