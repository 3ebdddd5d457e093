// The restricted Pod Security Standard (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
// the checks that apply to what the chart renders, as a list of violations of one pod spec.
import type { K8sObject } from './chart';

const restrictedVolumeTypes = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/** Why a pod spec fails the restricted profile; empty when it passes. */
export function restrictedViolations(spec: K8sObject): string[] {
  const found: string[] = [];
  const pod = spec.securityContext ?? {};
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[field]) found.push(`${field} is set`);
  for (const volume of (spec.volumes ?? []) as K8sObject[]) {
    const types = Object.keys(volume).filter((key) => key !== 'name');
    for (const type of types)
      if (!restrictedVolumeTypes.has(type)) found.push(`volume ${volume.name} is a ${type}`);
  }
  if (pod.runAsUser === 0) found.push('pod runs as uid 0');
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])] as K8sObject[];
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (sc.privileged) found.push(`${where} is privileged`);
    if (sc.allowPrivilegeEscalation !== false) found.push(`${where} may escalate privileges`);
    if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) found.push(`${where} may run as root`);
    if (sc.runAsUser === 0) found.push(`${where} runs as uid 0`);
    const seccomp = (sc.seccompProfile ?? pod.seccompProfile)?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost')
      found.push(`${where} has seccomp ${seccomp}`);
    if (!sc.capabilities?.drop?.includes('ALL')) found.push(`${where} does not drop ALL capabilities`);
    for (const added of sc.capabilities?.add ?? [])
      if (added !== 'NET_BIND_SERVICE') found.push(`${where} adds ${added}`);
    for (const port of c.ports ?? [])
      if (port.hostPort) found.push(`${where} uses host port ${port.hostPort}`);
  }
  return found;
}
