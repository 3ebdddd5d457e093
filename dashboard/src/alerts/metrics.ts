// The alert families of /metrics, written at scrape time from the evaluator and the notifier, as the per-server
// families are: `sss_alert_firing` (1 per firing alert, labelled as the alert is) and the notification counters.

import { label } from '../metrics/server-metrics';
import type { AlertEvaluator } from './evaluator';
import type { Notifier, ReceiverStats } from './notify';

const COUNTERS: { name: string; help: string; stat: keyof ReceiverStats }[] = [
  {
    name: 'sss_notifications_sent_total',
    help: 'Alert notifications delivered, by receiver (one per alert and state change; Alertmanager re-sends too).',
    stat: 'sent',
  },
  {
    name: 'sss_notifications_failed_total',
    help: 'Notification requests that failed (error, timeout or non-2xx answer), by receiver; each is retried.',
    stat: 'failed',
  },
  {
    name: 'sss_notifications_dropped_total',
    help: "Alert notifications given up because the receiver's queue was full, by receiver.",
    stat: 'dropped',
  },
];

export function alertExposition(evaluator: AlertEvaluator, notifier: Notifier): string {
  let out =
    "# HELP sss_alert_firing An alert of the dashboard's own rules (SSS_CONFIG alerts) that is firing: 1 per alert.\n" +
    '# TYPE sss_alert_firing gauge\n';
  for (const alert of evaluator.firing()) {
    const labels = Object.keys(alert.labels)
      .sort()
      .map((name) => label(name, alert.labels[name] ?? ''))
      .join(',');
    out += `sss_alert_firing{${labels}} 1\n`;
  }
  for (const { name, help, stat } of COUNTERS) {
    out += `# HELP ${name} ${help}\n# TYPE ${name} counter\n`;
    for (const r of notifier.receivers)
      out += `${name}{${label('receiver', r.config.name)}} ${r.stats[stat]}\n`;
  }
  out +=
    '# HELP sss_notification_queue_length Alert notifications waiting to be sent, by receiver.\n' +
    '# TYPE sss_notification_queue_length gauge\n';
  for (const r of notifier.receivers)
    out += `sss_notification_queue_length{${label('receiver', r.config.name)}} ${r.length}\n`;
  return out;
}
