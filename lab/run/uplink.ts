// The node netns' way to the control plane: a veth pair between the root namespace and the run's
// node netns, with a /30 carved from the top of the run's own /24 (reserved for this run alone by
// lab/net/addresses.ts, so no other run or host network can hold these addresses). The control
// plane listens on the root side; the agent, in the node netns, reaches it over the connected /30.
// The node gets no default route: pods and agent reach exactly this address outside the node.
// Deleting the node netns destroys the pair, so a crashed run leaves nothing in the root namespace
// once lab/net's sweep has removed its netns.
import { spawnSync } from 'node:child_process';
import { ipBatch } from '../net/exec.ts';
import type { Topology } from '../net/topology.ts';
import { RunError } from './errors.ts';

/** Hosts .253 (root) and .254 (node) of the run's /24; pods take .1 upwards. */
export const UPLINK_FIRST_HOST = 252;
export const NODE_UPLINK_IF = 'uplink';

export interface Uplink {
  /** The root-side interface: `<runId>-up`, unique because run ids are. */
  rootIf: string;
  rootAddress: string;
  nodeAddress: string;
  remove(): Promise<void>;
  removeSync(): void;
}

export async function createUplink(topology: Topology): Promise<Uplink> {
  const base = topology.subnet4.replace(/\.0\/24$/, '');
  if (base === topology.subnet4) throw new RunError('setup_failed', `unexpected run subnet ${topology.subnet4}`);
  if (topology.pods.size >= UPLINK_FIRST_HOST) {
    throw new RunError('setup_failed', `a case with ${topology.pods.size} pods leaves no room for the uplink in ${topology.subnet4}`);
  }
  const rootIf = `${topology.runId}-up`;
  const rootAddress = `${base}.${UPLINK_FIRST_HOST + 1}`;
  const nodeAddress = `${base}.${UPLINK_FIRST_HOST + 2}`;
  const root = await ipBatch([
    `link add name ${rootIf} type veth peer name ${NODE_UPLINK_IF} netns ${topology.nodeNetns}`,
    `addr add ${rootAddress}/30 dev ${rootIf}`,
    `link set ${rootIf} up`,
  ]);
  if (!root.ok) throw new RunError('setup_failed', `uplink: ${root.error.message}`);
  const node = await ipBatch([`addr add ${nodeAddress}/30 dev ${NODE_UPLINK_IF}`, `link set ${NODE_UPLINK_IF} up`], { netns: topology.nodeNetns });
  const removeSync = () => void spawnSync('ip', ['link', 'del', rootIf], { stdio: 'ignore' });
  if (!node.ok) {
    removeSync();
    throw new RunError('setup_failed', `uplink: ${node.error.message}`);
  }
  return {
    rootIf,
    rootAddress,
    nodeAddress,
    removeSync,
    remove: async () => {
      await ipBatch([`link del ${rootIf}`], { force: true });
    },
  };
}
