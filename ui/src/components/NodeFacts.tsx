// Every fact of a Kubernetes Node, as the details view's Kubernetes section shows them.

import type { KubernetesNodeInfo } from '@sss/protocol';
import { now } from '../clock';
import { bytes, dateTime } from '../format';
import { ago, duration, t } from '../i18n';
import { BADGE_LABELS, nodeAge, readyBadge, taintText } from '../node';
import { type Fact, Facts } from './Facts';

export function NodeFacts(props: { node: KubernetesNodeInfo }) {
  const facts = (): Fact[] => {
    const node = props.node;
    const ready = t(BADGE_LABELS[readyBadge(node)]);
    const facts: Fact[] = [
      { key: 'nodeName', label: t('nodeName'), value: node.nodeName },
      { key: 'ready', label: t('status'), value: ready },
    ];
    if (node.readySince !== undefined) {
      facts.push({
        key: 'readySince',
        label: t('stateSince', { state: ready }),
        value: ago(node.readySince, now()),
        title: dateTime(node.readySince),
      });
    }
    if (node.readyReason) {
      facts.push({ key: 'readyReason', label: t('readyReason'), value: node.readyReason, wide: true });
    }
    facts.push(
      {
        key: 'problems',
        label: t('problems'),
        value: node.problems.map((p) => t(BADGE_LABELS[p])).join(', ') || t('none'),
      },
      {
        key: 'scheduling',
        label: t('scheduling'),
        value: node.unschedulable ? t('cordoned') : t('schedulable'),
      },
      { key: 'roles', label: t('roles'), value: node.roles.join(', ') || t('none') },
      { key: 'zone', label: t('zone'), value: node.zone ?? '' },
      { key: 'region', label: t('region'), value: node.region ?? '' },
      { key: 'instanceType', label: t('instanceType'), value: node.instanceType ?? '' },
      { key: 'internalIP', label: t('internalIP'), value: node.internalIP ?? '' },
      { key: 'kubeletVersion', label: t('kubeletVersion'), value: node.kubeletVersion },
      { key: 'containerRuntime', label: t('containerRuntime'), value: node.containerRuntime },
      { key: 'osImage', label: t('osImage'), value: node.osImage },
      { key: 'kernelVersion', label: t('kernel'), value: node.kernelVersion },
      { key: 'architecture', label: t('arch'), value: node.architecture },
      {
        key: 'age',
        label: t('age'),
        value: duration(nodeAge(node.createdAt, now())),
        title: dateTime(node.createdAt),
      },
      { key: 'cpuCapacity', label: t('cpuCapacity'), value: t('cores', { n: node.capacity.cpu }) },
      { key: 'memoryCapacity', label: t('memoryCapacity'), value: bytes(node.capacity.memory) },
      { key: 'podCapacity', label: t('podCapacity'), value: String(node.capacity.pods) },
      { key: 'taints', label: t('taints'), value: node.taints.map(taintText), wide: true },
    );
    return facts;
  };
  return <Facts facts={facts()} />;
}
