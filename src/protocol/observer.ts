// What the core reports for metrics, without knowing about Prometheus.
export interface CoreObserver {
  /** one log row stored for a command (PRIVMSG, JOIN, 353, …) */
  messageStored(command: string): void;
  /** how many sessions a stored channel or DM message is addressed to */
  fanout(recipientSessions: number): void;
}

export const noopObserver: CoreObserver = {
  messageStored: () => {},
  fanout: () => {},
};
