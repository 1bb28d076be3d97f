// The `xdp` key and its table (bench/xdp.ts): medians with their spread, and the tc/XDP ratios of
// the same run as the baseline comparison.
import { round, withSpread } from './stats.ts';
import type { XdpBench } from './xdp.ts';

export const XDP_NOTES = [
  "xdp (issue 13 item 3): the same deny (source net 203.0.113.0/24) as a doNotTrack rule compiled to XDP on a host interface, and first in a pod's tracked policy compiled to the agent's tc program. denyNs/tcDenyNs: BPF_PROG_TEST_RUN mean per packet (a TCP SYN from the net). Softirq: a UDP flood from outside (bench/loadgen.c, every datagram a new flow from the denied net) at a veth host interface, the XDP program attached by the eBPF dataplane, then the tc program on tcx ingress instead; /proc/stat softirq seconds of all CPUs during the flood over the packets each program dropped. Ticks are 10 ms and the other work on the machine counts too: read the spread.",
];

export function xdpJson(x: XdpBench): Record<string, unknown> {
  return {
    denyNs: round(x.denyNs.median),
    tcDenyNs: round(x.tcDenyNs.median),
    tcOverXdpRatio: round(x.tcDenyNs.median / x.denyNs.median, 3),
    xdpSoftirqSecPerMillion: round(x.xdpSoftirqPerMillion.median, 3),
    tcSoftirqSecPerMillion: round(x.tcSoftirqPerMillion.median, 3),
    softirqTcOverXdpRatio: round(x.tcSoftirqPerMillion.median / x.xdpSoftirqPerMillion.median, 3),
    floodPackets: x.floodPackets,
    xdpMode: x.xdpMode,
    runs: { denyNs: x.denyNs.runs, tcDenyNs: x.tcDenyNs.runs, xdpSoftirq: x.xdpSoftirqPerMillion.runs, tcSoftirq: x.tcSoftirqPerMillion.runs },
  };
}

export function xdpMarkdown(x: XdpBench): string {
  return [
    `| same deny (source net) | XDP (${x.xdpMode}) | tc | tc / XDP |`,
    '| --- | --- | --- | --- |',
    `| ns per packet (BPF_PROG_TEST_RUN) | ${withSpread(x.denyNs)} | ${withSpread(x.tcDenyNs)} | ${round(x.tcDenyNs.median / x.denyNs.median)} |`,
    `| softirq s per million dropped (flood of ~${x.floodPackets} packets) | ${withSpread(x.xdpSoftirqPerMillion, 3)} | ${withSpread(x.tcSoftirqPerMillion, 3)} | ${round(x.tcSoftirqPerMillion.median / x.xdpSoftirqPerMillion.median)} |`,
    '',
  ].join('\n');
}
