// The JSON-lines protocol between the lab (parent) and a pod agent (child inside a pod netns).
// One line per message; requests carry an id so many probes can be in flight on one pipe.

export type ProbeProtocol = 'TCP' | 'UDP';

export interface ServePort {
  port: number;
  protocol: ProbeProtocol;
}

/** argv[2] of the agent, as JSON. */
export interface AgentConfig {
  /** "ns/pod", for error messages. */
  key: string;
  serve: ServePort[];
}

export interface ProbeRequest {
  id: number;
  host: string;
  port: number;
  protocol: ProbeProtocol;
  timeoutMs: number;
}

/**
 * connected: TCP handshake completed / UDP echo came back.
 * timeout: nothing within the timeout (what a dropped packet looks like).
 * refused: TCP RST or ICMP port unreachable: the path is open but nothing listens.
 * unreachable: no route / ICMP host unreachable.
 */
export type ProbeReason = 'connected' | 'timeout' | 'refused' | 'unreachable' | 'error';

export interface ProbeAnswer {
  connected: boolean;
  reason: ProbeReason;
  /** Time to the verdict, measured inside the pod. */
  ms: number;
  detail?: string;
}

export type AgentMessage = { type: 'ready'; serving: ServePort[] } | { type: 'fatal'; message: string } | ({ type: 'reply'; id: number } & ProbeAnswer);
