//go:build tools

// Package tools pins the etcd server the cluster tests build (scripts/install-tools.sh).
package tools

import _ "go.etcd.io/etcd/server/v3"
