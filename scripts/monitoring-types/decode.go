// Package monitoringtypes decodes Prometheus Operator objects strictly into
// the operator's published Go types: a field the types do not have is an
// error, as are a wrong kind or apiVersion. See README.md.
package monitoringtypes

import (
	"bytes"
	"encoding/json"
	"fmt"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
)

// typeMeta is read first to pick the Go type.
type typeMeta struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
}

// Decode reads one object (JSON) into the operator type its kind names,
// refusing unknown fields and trailing data.
func Decode(data []byte) (any, error) {
	var meta typeMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	if meta.APIVersion != monitoringv1.SchemeGroupVersion.String() {
		return nil, fmt.Errorf("apiVersion %q, want %q", meta.APIVersion, monitoringv1.SchemeGroupVersion.String())
	}
	var target any
	switch meta.Kind {
	case monitoringv1.PrometheusRuleKind:
		target = &monitoringv1.PrometheusRule{}
	case monitoringv1.PodMonitorsKind:
		target = &monitoringv1.PodMonitor{}
	default:
		return nil, fmt.Errorf("kind %q is not one this project renders (PrometheusRule, PodMonitor)", meta.Kind)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(target); err != nil {
		return nil, fmt.Errorf("%s: %w", meta.Kind, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON value", meta.Kind)
	}
	return target, nil
}
