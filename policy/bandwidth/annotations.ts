// The bandwidth annotations users already put on pods, read as the limit of each direction:
// - `kubernetes.io/ingress-bandwidth`, `kubernetes.io/egress-bandwidth` (the CNI bandwidth plugin's);
// - `qos.projectcalico.org/ingressBandwidth`, `egressBandwidth`, `ingressBurst`, `egressBurst`
//   (Calico's QoS controls; libcalico-go handleQoSControlsAnnotations).
// Rates are bits per second, bursts bits, both Kubernetes quantities (./quantity.ts). "Ingress" is
// traffic into the pod, "egress" out of it, as in policy.
//
// Where this differs from Calico: Calico lets its own rate annotation override the Kubernetes one
// and clamps an out-of-range value to the bound. Here, when both rates are written the stricter one
// holds (whoever wrote the other expected at most that, and with the CNI bandwidth plugin chained
// both would be enforced anyway), and a value that does not parse or is out of range is reported
// and ignored: a clamped value would be a limit nobody wrote.
import type { BandwidthLimit, Direction } from '../ir.ts';
import { invalidValue } from '../validation/field-errors.ts';
import { burstBytesFromBits, defaultBurstBytes } from './burst.ts';
import { parseBitRate, parseBurstBits } from './quantity.ts';

export const BANDWIDTH_ANNOTATIONS = {
  ingress: {
    kubernetesRate: 'kubernetes.io/ingress-bandwidth',
    calicoRate: 'qos.projectcalico.org/ingressBandwidth',
    calicoBurst: 'qos.projectcalico.org/ingressBurst',
  },
  egress: {
    kubernetesRate: 'kubernetes.io/egress-bandwidth',
    calicoRate: 'qos.projectcalico.org/egressBandwidth',
    calicoBurst: 'qos.projectcalico.org/egressBurst',
  },
} as const satisfies Record<Direction, Record<string, string>>;

export const BANDWIDTH_ANNOTATION_NAMES: readonly string[] = Object.values(BANDWIDTH_ANNOTATIONS).flatMap((names) => Object.values(names));

/** Only the bandwidth annotations of a pod: what the inventory keeps of its annotations. */
export function bandwidthAnnotationsOf(annotations: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of BANDWIDTH_ANNOTATION_NAMES) {
    const value = annotations?.[name];
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
}

/** A limit with the annotation whose rate it carries (bucket sources name it). */
export interface AnnotatedLimit extends BandwidthLimit {
  source: string;
}

export interface AnnotationIssue {
  annotation: string;
  message: string;
}

export interface AnnotatedBandwidth {
  ingress?: AnnotatedLimit;
  egress?: AnnotatedLimit;
  /** Annotations that were ignored, and why. */
  issues: AnnotationIssue[];
}

/** Lower rate first, then the smaller burst: the limit that lets less through. */
export function stricterLimit<T extends BandwidthLimit>(a: T, b: T): T {
  if (a.rateBitsPerSecond !== b.rateBitsPerSecond) return a.rateBitsPerSecond < b.rateBitsPerSecond ? a : b;
  return b.burstBytes < a.burstBytes ? b : a;
}

function directionLimit(
  annotations: Readonly<Record<string, string>>,
  names: (typeof BANDWIDTH_ANNOTATIONS)[Direction],
  issues: AnnotationIssue[],
): AnnotatedLimit | undefined {
  const read = (name: string, parse: typeof parseBitRate): number | undefined => {
    const text = annotations[name];
    if (text === undefined) return undefined;
    const parsed = parse(text);
    if (parsed.ok) return parsed.value;
    issues.push({ annotation: name, message: invalidValue(text, parsed.message) });
    return undefined;
  };
  const burstBits = read(names.calicoBurst, parseBurstBits);
  const rates = [names.kubernetesRate, names.calicoRate].flatMap((name) => {
    const rate = read(name, parseBitRate);
    return rate === undefined ? [] : [{ name, rate }];
  });
  if (rates.length === 0) {
    // Calico refuses a burst without a rate too: a burst alone limits nothing.
    if (burstBits !== undefined) {
      issues.push({
        annotation: names.calicoBurst,
        message: invalidValue(annotations[names.calicoBurst], `needs a rate (${names.calicoRate} or ${names.kubernetesRate})`),
      });
    }
    return undefined;
  }
  // Calico pairs its burst with whichever rate is in force, the Kubernetes one included.
  const limits = rates.map(
    ({ name, rate }): AnnotatedLimit => ({
      rateBitsPerSecond: rate,
      burstBytes: burstBits === undefined ? defaultBurstBytes(rate) : burstBytesFromBits(burstBits),
      source: name,
    }),
  );
  return limits.reduce(stricterLimit);
}

/** Each direction's limit from a pod's annotations; directions without a valid rate have none. */
export function bandwidthFromAnnotations(annotations: Readonly<Record<string, string>> | undefined): AnnotatedBandwidth {
  const issues: AnnotationIssue[] = [];
  const result: AnnotatedBandwidth = { issues };
  if (!annotations) return result;
  for (const direction of ['ingress', 'egress'] as const) {
    const limit = directionLimit(annotations, BANDWIDTH_ANNOTATIONS[direction], issues);
    if (limit) result[direction] = limit;
  }
  return result;
}
