{{/*
The dashboard's pod template (metadata and spec), the one pod spec of both workloads: the Deployment, and the
StatefulSet that replaces it with replicas > 1 and persistence.enabled. Pass the root context; the StatefulSet's
pods get their data volume from its volumeClaimTemplates, so it is left out here then.
*/}}
{{- define "sss.dashboard.podTemplate" -}}
{{- $auth := include "sss.authSecretDir" . }}
{{- $persistence := .Values.dashboard.persistence }}
{{- $config := include "sss.dashboardConfig" . }}
{{- $redis := .Values.dashboard.redis }}
{{- $redisCa := or $redis.tls.caSecret $redis.tls.caConfigMap }}
{{- $selector := include "sss.selectorLabels" (dict "ctx" $ "component" "dashboard") -}}
metadata:
  labels:
    {{- include "sss.labels" (dict "ctx" $ "component" "dashboard") | nindent 4 }}
    {{- with .Values.dashboard.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if or .Values.dashboard.podAnnotations $config }}
  annotations:
    {{- if $config }}
    # The dashboard reads its config at start: a changed server list, rule or receiver rolls the pod.
    checksum/config: {{ $config | sha256sum }}
    {{- end }}
    {{- with .Values.dashboard.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
spec:
  serviceAccountName: {{ include "sss.dashboard.serviceAccountName" . }}
  # The token is used to watch Nodes (ClusterRole: nodes get/list/watch); not mounted when that is off.
  automountServiceAccountToken: {{ ne .Values.dashboard.kubernetes "off" }}
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.dashboard.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.dashboard.terminationGracePeriodSeconds }}
  securityContext:
    {{- toYaml .Values.dashboard.podSecurityContext | nindent 4 }}
  containers:
    - name: dashboard
      image: {{ include "sss.image" (dict "image" .Values.dashboard.image "ctx" $) | quote }}
      imagePullPolicy: {{ .Values.dashboard.image.pullPolicy }}
      securityContext:
        {{- toYaml .Values.dashboard.securityContext | nindent 8 }}
      env:
        - name: SSS_PORT
          value: {{ .Values.dashboard.port | quote }}
        - name: SSS_AUTH_SECRET_FILE
          value: {{ printf "%s/%s" $auth .Values.auth.secretKey | quote }}
        - name: SSS_INTERVAL
          value: {{ .Values.reportInterval | quote }}
        - name: SSS_LOG_LEVEL
          value: {{ .Values.logLevel | quote }}
        - name: SSS_KUBERNETES
          value: {{ .Values.dashboard.kubernetes | quote }}
        - name: SSS_ID_POLICY
          value: {{ .Values.dashboard.idPolicy | quote }}
        {{- with .Values.dashboard.limits }}
        - name: SSS_HEADER_TIMEOUT
          value: {{ .headerTimeout | quote }}
        - name: SSS_KEEPALIVE_TIMEOUT
          value: {{ .keepAliveTimeout | quote }}
        - name: SSS_MAX_CONNECTIONS_PER_ADDRESS
          value: {{ .maxConnectionsPerAddress | quote }}
        - name: SSS_DESCRIPTOR_HEADROOM
          value: {{ .descriptorHeadroom | quote }}
        - name: SSS_MAX_SERVERS
          value: {{ .maxServers | quote }}
        {{- end }}
        {{- with .Values.dashboard.trustedProxies }}
        - name: SSS_TRUSTED_PROXIES
          value: {{ join "," . | quote }}
        {{- end }}
        {{- if .Values.metrics.token.enabled }}
        - name: SSS_METRICS_TOKEN_FILE
          value: {{ printf "/etc/sss/metrics/%s" .Values.metrics.token.secretKey | quote }}
        {{- end }}
        - name: SSS_DATA_DIR
          value: /var/lib/sss
        {{- if $config }}
        - name: SSS_CONFIG
          value: /etc/sss/config/config.yaml
        {{- end }}
        {{- if $redis.url }}
        - name: SSS_REDIS_URL
          value: {{ $redis.url | quote }}
        - name: SSS_REDIS_PREFIX
          value: {{ $redis.prefix | default (printf "sss:%s:%s" .Release.Namespace (include "sss.fullname" .)) | quote }}
        # The pod's name identifies this replica on the bus.
        - name: SSS_REPLICA_ID
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
        {{- if $redis.existingSecret }}
        - name: SSS_REDIS_PASSWORD_FILE
          value: {{ printf "/etc/sss/redis/%s" $redis.passwordKey | quote }}
        {{- end }}
        {{- if $redisCa }}
        - name: SSS_REDIS_CA_FILE
          value: {{ printf "/etc/sss/redis-ca/%s" $redis.tls.caKey | quote }}
        {{- end }}
        {{- end }}
        {{- with .Values.dashboard.frontendToken }}
        {{- if .existingSecret }}
        - name: SSS_FRONTEND_TOKEN
          valueFrom:
            secretKeyRef:
              name: {{ .existingSecret }}
              key: {{ .secretKey }}
        {{- end }}
        {{- end }}
      ports:
        - name: http
          containerPort: {{ .Values.dashboard.port }}
          protocol: TCP
      livenessProbe:
        httpGet:
          path: /healthz
          port: http
        {{- toYaml .Values.dashboard.livenessProbe | nindent 8 }}
      readinessProbe:
        httpGet:
          path: /readyz
          port: http
        {{- toYaml .Values.dashboard.readinessProbe | nindent 8 }}
      resources:
        {{- toYaml .Values.dashboard.resources | nindent 8 }}
      volumeMounts:
        - name: auth
          mountPath: {{ $auth }}
          readOnly: true
        {{- if .Values.metrics.token.enabled }}
        - name: metrics-token
          mountPath: /etc/sss/metrics
          readOnly: true
        {{- end }}
        {{- if $config }}
        - name: config
          mountPath: /etc/sss/config
          readOnly: true
        {{- end }}
        {{- range $i, $name := .Values.dashboard.notificationSecrets }}
        - name: notify-{{ $i }}
          mountPath: /etc/sss/notifications/{{ $name }}
          readOnly: true
        {{- end }}
        {{- if and $redis.url $redis.existingSecret }}
        - name: redis-password
          mountPath: /etc/sss/redis
          readOnly: true
        {{- end }}
        {{- if and $redis.url $redisCa }}
        - name: redis-ca
          mountPath: /etc/sss/redis-ca
          readOnly: true
        {{- end }}
        - name: tmp
          mountPath: /tmp
        - name: data
          mountPath: /var/lib/sss
  volumes:
    {{- include "sss.authSecretVolume" . | nindent 4 }}
    {{- if .Values.metrics.token.enabled }}
    - name: metrics-token
      secret:
        secretName: {{ include "sss.metricsTokenSecretName" . }}
        defaultMode: 288
        items:
          - key: {{ .Values.metrics.token.secretKey }}
            path: {{ .Values.metrics.token.secretKey }}
    {{- end }}
    {{- if $config }}
    - name: config
      secret:
        secretName: {{ include "sss.dashboard.fullname" . }}-config
        defaultMode: 288
    {{- end }}
    {{- range $i, $name := .Values.dashboard.notificationSecrets }}
    # The receivers' addresses and tokens (urlFile, bearerTokenFile), re-read at every send.
    - name: notify-{{ $i }}
      secret:
        secretName: {{ $name }}
        defaultMode: 288
    {{- end }}
    {{- if and $redis.url $redis.existingSecret }}
    - name: redis-password
      secret:
        secretName: {{ $redis.existingSecret }}
        defaultMode: 288
        items:
          - key: {{ $redis.passwordKey }}
            path: {{ $redis.passwordKey }}
    {{- end }}
    {{- if and $redis.url $redisCa }}
    - name: redis-ca
      {{- if $redis.tls.caSecret }}
      secret:
        secretName: {{ $redis.tls.caSecret }}
      {{- else }}
      configMap:
        name: {{ $redis.tls.caConfigMap }}
      {{- end }}
        defaultMode: 292
        items:
          - key: {{ $redis.tls.caKey }}
            path: {{ $redis.tls.caKey }}
    {{- end }}
    # The root filesystem is read-only; this is the only writable place.
    - name: tmp
      emptyDir:
        sizeLimit: 16Mi
    {{- if include "sss.dashboard.statefulSet" . }}
    # data: each replica's own claim, data-<pod name>, from the StatefulSet's volumeClaimTemplates.
    {{- else }}
    - name: data
      {{- if $persistence.enabled }}
      persistentVolumeClaim:
        claimName: {{ $persistence.existingClaim | default (printf "%s-data" (include "sss.dashboard.fullname" .)) }}
      {{- else }}
      # Kept across container restarts, lost with the pod (dashboard.persistence.enabled keeps it).
      emptyDir: {}
      {{- end }}
    {{- end }}
  {{- with .Values.dashboard.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.dashboard.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- if .Values.dashboard.affinity }}
  affinity:
    {{- toYaml .Values.dashboard.affinity | nindent 4 }}
  {{- else if and (gt (int .Values.dashboard.replicas) 1) (ne .Values.dashboard.podAntiAffinity "none") }}
  affinity:
    # Replicas on different nodes (dashboard.podAntiAffinity), so one node going down takes one replica at most.
    podAntiAffinity:
      {{- $term := dict "topologyKey" .Values.dashboard.podAntiAffinityTopologyKey "labelSelector" (dict "matchLabels" ($selector | fromYaml)) }}
      {{- if eq .Values.dashboard.podAntiAffinity "hard" }}
      requiredDuringSchedulingIgnoredDuringExecution:
        {{- list $term | toYaml | nindent 8 }}
      {{- else }}
      preferredDuringSchedulingIgnoredDuringExecution:
        {{- list (dict "weight" 100 "podAffinityTerm" $term) | toYaml | nindent 8 }}
      {{- end }}
  {{- end }}
  {{- with .Values.dashboard.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- range . }}
    {{- $constraint := . }}
    {{- if not .labelSelector }}
    {{- $constraint = merge (dict "labelSelector" (dict "matchLabels" ($selector | fromYaml))) . }}
    {{- end }}
    {{- list $constraint | toYaml | nindent 4 }}
    {{- end }}
  {{- end }}
{{- end }}
