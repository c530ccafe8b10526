// In-process notice that this process just sent messages to a queue. The dev harness listens to poll that queue
// at once (as the host's SharedQueueWatcher does for output bindings); in Azure nobody listens and it costs nothing.
type Listener = (queueName: string) => void;

const listeners = new Set<Listener>();

export const queueActivity = {
  notify(queueName: string): void {
    for (const listener of listeners) listener(queueName);
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
