{{- /*
The rule groups of the PrometheusRule (templates/prometheusrule.yaml renders this file with tpl). The tests render
that template and give its groups to promtool (check rules, test rules) and to a real Prometheus, so this file is
the one source of the rules. Prometheus' own templates, such as {{ $labels.server_id }}, are written as helm
string literals below so that helm passes them through. Every replica of the dashboard exports every server,
so the per-server rules aggregate away `instance`, `pod`, `service` and `endpoint` (the labels a ServiceMonitor
gives each replica and each Service or port it is scraped through): one alert per server, however many replicas
run and however the scrape is set up.
*/ -}}
{{- $r := .Values.metrics.prometheusRule -}}
{{- $rules := $r.rules -}}
{{- $ns := .Release.Namespace -}}
{{- $dashboard := include "sss.dashboard.fullname" . -}}
{{- $agents := printf "app.kubernetes.io/instance=%s,app.kubernetes.io/component=agent" .Release.Name -}}
{{- $scrape := default (printf "job=%q,namespace=%q" $dashboard $ns) $r.scrapeSelector -}}
{{- $ui := printf "kubectl -n %s port-forward svc/%s %v, then http://localhost:%v" $ns $dashboard .Values.dashboard.service.port .Values.dashboard.service.port -}}
{{- $server := "{{ $labels.server_name }} ({{ $labels.server_id }})" -}}
{{- $id := "{{ $labels.server_id }}" -}}
{{- $node := "{{ $labels.node }}" -}}
{{- $path := "{{ $labels.path }}" -}}
{{- $value := "{{ $value | humanizePercentage }}" -}}
groups:
  - name: simple-server-status
    {{- with $r.interval }}
    interval: {{ . }}
    {{- end }}
    rules:
      {{- with $rules.serverDown }}
      {{- if .enabled }}
      - alert: SSSServerDown
        expr: max without (instance, pod, service, endpoint) (sss_server_up) == 0
        for: {{ .for }}
        labels:
          severity: {{ .severity }}
          {{- with $r.additionalAlertLabels }}
          {{- toYaml . | nindent 10 }}
          {{- end }}
        annotations:
          summary: {{ printf "Server %s has not reported for %s" $server .for | quote }}
          description: >-
            What it means: the dashboard has no current report from {{ $server }} (group "{{ "{{ $labels.group }}" }}"):
            its agent closed the connection or missed 3 report intervals. The host is down, cut off from the
            dashboard, or its agent stopped.

            What to check: whether the host answers at all. In Kubernetes the server id is the Node name:
            `kubectl get node {{ $id }}` (Ready?), its agent pod
            `kubectl -n {{ $ns }} get pods -o wide -l {{ $agents }} --field-selector spec.nodeName={{ $id }}`
            and that pod's `kubectl -n {{ $ns }} logs`. On a plain host: `systemctl status sss-agent` and
            `journalctl -u sss-agent`.

            In the ui ({{ $ui }}) the server shows as offline with the time of its last report.
      {{- end }}
      {{- end }}
      {{- with $rules.nodeAgentMissing }}
      {{- if .enabled }}
      - alert: SSSNodeAgentMissing
        # server_id as well as node, so that an Alertmanager inhibit rule can match it with SSSServerDown.
        expr: >-
          label_replace(max without (instance, pod, service, endpoint) (sss_kubernetes_node_agent_reporting) == 0,
          "server_id", "$1", "node", "(.+)")
        for: {{ .for }}
        labels:
          severity: {{ .severity }}
          {{- with $r.additionalAlertLabels }}
          {{- toYaml . | nindent 10 }}
          {{- end }}
        annotations:
          summary: {{ printf "No agent reports for Node %s" $node | quote }}
          description: >-
            What it means: Node {{ $node }} is in the cluster but no agent has reported for it for {{ .for }}:
            the agent pod is not scheduled there (agent.nodeSelector, agent.tolerations), not running (Pending,
            CrashLoopBackOff, evicted), cannot reach the dashboard, or the Node itself is down.

            What to check: `kubectl get node {{ $node }}` (Ready?), the agent pod on it
            `kubectl -n {{ $ns }} get pods -o wide -l {{ $agents }} --field-selector spec.nodeName={{ $node }}`
            (none: `kubectl -n {{ $ns }} describe daemonset {{ include "sss.agent.fullname" $ }}` says why), then
            `kubectl -n {{ $ns }} describe pod` and `logs` of that pod.

            In the ui ({{ $ui }}) the Node shows as "missing agent" with its Kubernetes facts.
      {{- end }}
      {{- end }}
      {{- with $rules.filesystemFillingUp }}
      {{- if .enabled }}
      - alert: SSSFilesystemFillingUp
        expr: >-
          max without (instance, pod, service, endpoint) (
            predict_linear(sss_server_filesystem_free_bytes[{{ .lookback }}], {{ .hours }} * 3600)
          ) < 0
          and
          max without (instance, pod, service, endpoint) (sss_server_filesystem_free_bytes / sss_server_filesystem_size_bytes)
          < {{ .freeBelow }}
        for: {{ .for }}
        labels:
          severity: {{ .severity }}
          {{- with $r.additionalAlertLabels }}
          {{- toYaml . | nindent 10 }}
          {{- end }}
        annotations:
          summary: {{ printf "%s on %s will be full within %v h" $path $server .hours | quote }}
          description: >-
            What it means: at the rate of the last {{ .lookback }}, the free space of {{ $path }} on {{ $server }}
            runs out within {{ .hours }} h, and less than {{ round (mulf .freeBelow 100) 2 }} % of it is free now.

            What to check: what grows, e.g. `du -xh --max-depth=2 {{ $path }} | sort -h | tail` on the host (on a
            Node: `kubectl debug node/{{ $id }} -it --image=busybox`, the host's / is under /host): logs,
            container images (`crictl rmi --prune`), volumes, core dumps. Rotate, delete or grow the filesystem.

            In the ui ({{ $ui }}) the server's details list every filesystem; its history shows the trend.
      {{- end }}
      {{- end }}
      {{- with $rules.filesystemAlmostFull }}
      {{- if .enabled }}
      - alert: SSSFilesystemAlmostFull
        expr: >-
          max without (instance, pod, service, endpoint) (1 - sss_server_filesystem_free_bytes / sss_server_filesystem_size_bytes)
          > {{ .threshold }}
        for: {{ .for }}
        labels:
          severity: {{ .severity }}
          {{- with $r.additionalAlertLabels }}
          {{- toYaml . | nindent 10 }}
          {{- end }}
        annotations:
          summary: {{ printf "%s on %s is %s full" $path $server $value | quote }}
          description: >-
            What it means: {{ $path }} on {{ $server }} has been over {{ round (mulf .threshold 100) 2 }} % full (counting the
            blocks reserved for root as used, as unprivileged writers see it) for {{ .for }}; writes fail once it
            is full, and a Node's kubelet starts evicting pods before that.

            What to check: the largest directories, `du -xh --max-depth=2 {{ $path }} | sort -h | tail` on the host
            (on a Node: `kubectl debug node/{{ $id }} -it --image=busybox`, the host's / is under /host), and on a
            Node `kubectl describe node {{ $id }}` for DiskPressure. Delete, rotate or grow the filesystem.

            In the ui ({{ $ui }}) the server's disk bar is red; its details list every filesystem.
      {{- end }}
      {{- end }}
      {{- with $rules.memoryHigh }}
      {{- if .enabled }}
      - alert: SSSMemoryHigh
        expr: >-
          max without (instance, pod, service, endpoint) (sss_server_memory_used_bytes / sss_server_memory_total_bytes)
          > {{ .threshold }}
        for: {{ .for }}
        labels:
          severity: {{ .severity }}
          {{- with $r.additionalAlertLabels }}
          {{- toYaml . | nindent 10 }}
          {{- end }}
        annotations:
          summary: {{ printf "Memory of %s is %s used" $server $value | quote }}
          description: >-
            What it means: more than {{ round (mulf .threshold 100) 2 }} % of the memory of {{ $server }} has been in use
            (total minus available) for {{ .for }}; the kernel's OOM killer or, on a Node, the kubelet's
            evictions come next.

            What to check: the largest processes, `ps aux --sort=-rss | head` on the host; on a Node
            `kubectl describe node {{ $id }}` (MemoryPressure, the pods on it and their memory requests and limits).

            In the ui ({{ $ui }}) the server's memory bar, swap and history show when it started.
      {{- end }}
      {{- end }}
      {{- with $rules.cpuSaturated }}
      {{- if .enabled }}
      - alert: SSSCPUSaturated
        expr: >-
          max without (instance, pod, service, endpoint) (avg_over_time(sss_server_cpu_usage_ratio[{{ .window }}]))
          > {{ .threshold }}
        for: {{ .for }}
        labels:
          severity: {{ .severity }}
          {{- with $r.additionalAlertLabels }}
          {{- toYaml . | nindent 10 }}
          {{- end }}
        annotations:
          summary: {{ printf "CPU of %s is %s busy" $server $value | quote }}
          description: >-
            What it means: the CPUs of {{ $server }} have been more than {{ round (mulf .threshold 100) 2 }} % busy (averaged
            over {{ .window }}) for {{ .for }}; everything on it runs slower.

            What to check: the busiest processes, `ps -eo pcpu,pid,user,comm --sort=-pcpu | head` on the host; on
            a Node `kubectl describe node {{ $id }}` (the pods on it and their CPU requests and limits).

            In the ui ({{ $ui }}) the server's CPU bar, load averages and history show when it started.
      {{- end }}
      {{- end }}
      {{- with $rules.dashboardScrapeLost }}
      {{- if .enabled }}
      - alert: SSSDashboardScrapeLost
        expr: up{ {{- $scrape -}} } == 0 or absent(up{ {{- $scrape -}} })
        for: {{ .for }}
        labels:
          severity: {{ .severity }}
          {{- with $r.additionalAlertLabels }}
          {{- toYaml . | nindent 10 }}
          {{- end }}
        annotations:
          summary: "Prometheus cannot scrape the SimpleServerStatus dashboard"
          description: >-
            What it means: Prometheus has not scraped the dashboard's /metrics ({{ $scrape }}) for {{ .for }}: the
            target fails or is gone. The other SSS alerts are blind meanwhile, since every sss_* series goes stale.

            What to check: the dashboard pod, `kubectl -n {{ $ns }} get pods -l app.kubernetes.io/instance={{ $.Release.Name }},app.kubernetes.io/component=dashboard`,
            and its endpoints, `kubectl -n {{ $ns }} get endpoints {{ $dashboard }}`; Prometheus' Status > Targets
            page; the ServiceMonitor's labels against Prometheus' serviceMonitorSelector; a NetworkPolicy that
            keeps Prometheus out (networkPolicy.allowExternal and networkPolicy.from).

            By hand: {{ $ui }}/metrics.
      {{- end }}
      {{- end }}
