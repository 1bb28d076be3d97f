// Usage: the plan's limits against what the tenant uses (where the API counts usage), the other
// limits the plan sets, which the API enforces per write, and per-pod bandwidth counters where agents
// report them, with their throughput over time while the page is open.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { LazyTimeChart } from '../charts/lazy-chart.tsx';
import { api } from '../client/client.ts';
import { listAll } from '../client/resources.ts';
import type { AgentStatus, Cluster, TenantWithUsage } from '../client/types.ts';
import { Empty, ErrorNotice, Loading, Show, useLoad } from '../components/async-state.tsx';
import { TableHead } from '../components/table-head.tsx';
import { bitRate, bytes } from '../format.ts';
import { type BandwidthHistory, type PodBandwidth, podBandwidth, recordReadings, throughputSeries } from '../usage/bandwidth.ts';

function Meter(props: { label: string; used: number; limit: number }) {
  const share = props.limit > 0 ? Math.min(1, props.used / props.limit) : 0;
  return (
    <div class="meter-row">
      <span>{props.label}</span>
      <meter min={0} max={props.limit} value={props.used} high={props.limit * 0.8} aria-label={`${props.label}: ${props.used} of ${props.limit}`} />
      <span>
        {props.used} of {props.limit} ({Math.round(share * 100)}%)
      </span>
    </div>
  );
}

const gbit = (bits: number) => `${(bits / 1e9).toLocaleString()} Gbit/s`;

/** Agents report every few seconds; reading as often shows each report once. */
const BANDWIDTH_POLL_MS = 5_000;

/** Every cluster's agents' bandwidth counters, read now and every BANDWIDTH_POLL_MS, with their history. */
function useBandwidth() {
  const [state, setState] = useState<{ rows?: PodBandwidth[]; history: BandwidthHistory; error?: Error }>({ history: new Map() });
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      try {
        const clusters = await listAll<Cluster>('/v1/clusters');
        const perCluster = await Promise.all(
          clusters.map(async (cluster) => podBandwidth(cluster.name, await listAll<AgentStatus>(`/v1/clusters/${cluster.id}/agents`))),
        );
        const rows = perCluster.flat();
        if (!stopped) setState((current) => ({ rows, history: recordReadings(current.history, rows) }));
      } catch (error) {
        if (!stopped) setState((current) => ({ ...current, error: error as Error }));
      }
      if (!stopped) timer = setTimeout(read, BANDWIDTH_POLL_MS);
    };
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return state;
}

function PodBandwidthSection() {
  const { rows, history, error } = useBandwidth();
  const series = useMemo(() => throughputSeries(history), [history]);
  return (
    <section aria-labelledby="bandwidth-title">
      <h2 id="bandwidth-title">Bandwidth per pod</h2>
      {error && !rows && <ErrorNotice error={error} />}
      {!rows && !error && <Loading what="bandwidth counters" />}
      {rows && rows.length === 0 && (
        <Empty>
          <p>No agent reports bandwidth counters: they appear here for pods a BandwidthPolicy, a bandwidth annotation or the plan's ceiling limits.</p>
        </Empty>
      )}
      {rows && rows.length > 0 && (
        <>
          {series.labels.length > 0 && (
            <LazyTimeChart
              caption="Throughput per pod's own bucket (passed bytes between agent reports, while this page is open)"
              labels={series.labels}
              data={series.data}
              format={bitRate}
            />
          )}
          <div class="scroll">
            <table class="bandwidth">
              <caption>Token buckets per pod and direction, counters as last reported</caption>
              <TableHead columns={['Cluster', 'Node', 'Pod', 'Direction', 'Limit (set by)', 'Passed', 'Dropped over the limit']} />
              <tbody>
                {rows.map((row) => (
                  <tr key={row.key}>
                    <td>{row.cluster}</td>
                    <td>{row.node}</td>
                    <td>{row.pod}</td>
                    <td>{row.direction}</td>
                    <td>
                      {bitRate(row.rateBitsPerSecond)} ({row.source || row.bucket}){row.shared && <span class="badge">shared</span>}
                    </td>
                    <td>
                      {row.passedPackets} packets · {bytes(row.passedBytes)}
                    </td>
                    <td>
                      {row.droppedPackets} packets · {bytes(row.droppedBytes)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

export function UsagePage() {
  const tenant = useLoad(() => api<TenantWithUsage>('/v1/tenant'), []);
  return (
    <>
      <h1>Usage</h1>
      <Show loaded={tenant} what="usage">
        {(data) => (
          <>
            <p>
              Plan <strong>{data.plan}</strong>.
            </p>
            <section class="card" aria-label="Usage against limits">
              <Meter label="Clusters" used={data.usage.clusters} limit={data.limits.clusters} />
              <Meter label="Policies" used={data.usage.policies} limit={data.limits.policies} />
            </section>
            <table>
              <caption>Limits checked on every write</caption>
              <tbody>
                <tr>
                  <th scope="row">Rules per policy</th>
                  <td>{data.limits.rulesPerPolicy}</td>
                </tr>
                <tr>
                  <th scope="row">Rules per endpoint (after selector expansion)</th>
                  <td>{data.limits.rulesPerEndpoint}</td>
                </tr>
                <tr>
                  <th scope="row">CIDRs per network set</th>
                  <td>{data.limits.cidrsPerSet}</td>
                </tr>
                <tr>
                  <th scope="row">Bandwidth ceiling per node and direction</th>
                  <td>{gbit(data.limits.bandwidthCeilingBitsPerSecond)}</td>
                </tr>
              </tbody>
            </table>
          </>
        )}
      </Show>
      <PodBandwidthSection />
    </>
  );
}
