/** Reported with every status, so the console can tell which agents need an upgrade. */
export const AGENT_VERSION = '0.1.0';
