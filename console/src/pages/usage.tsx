// Usage: the plan's limits against what the tenant uses (where the API counts usage), and the other
// limits the plan sets, which the API enforces per write.
import { api } from '../client/client.ts';
import type { TenantWithUsage } from '../client/types.ts';
import { Show, useLoad } from '../components/async-state.tsx';

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
    </>
  );
}
