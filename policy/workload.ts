// The workload a pod belongs to, from its name alone, the way flow logs aggregate pods (Calico's
// `*_name_aggr`): controllers name pods `<owner>-<suffix>`, with suffixes drawn from Kubernetes'
// vowel-free alphabet (apimachinery's rand.String / SafeEncodeString: "bcdfghjklmnpqrstvwxz2456789"),
// 5 characters, after a 6 to 10 character pod-template-hash for a Deployment's pods. Both are cut, so
// a Deployment's pods group under the Deployment across its ReplicaSets (rollouts). A pod named by
// hand (or a StatefulSet's, whose ordinal names one identity) is its own workload.
const SUFFIX = '[bcdfghjklmnpqrstvwxz2456789]';
const GENERATED = new RegExp(`^(.+?)(-${SUFFIX}{6,10})?-${SUFFIX}{5}$`);

/** `namespace/controller-*` for a generated pod name, `namespace/name` otherwise. */
export function workloadOf(namespace: string, podName: string): string {
  const generated = GENERATED.exec(podName);
  return generated ? `${namespace}/${generated[1]}-*` : `${namespace}/${podName}`;
}
