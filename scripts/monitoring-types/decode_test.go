package monitoringtypes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
)

const validRule = `{"apiVersion":"monitoring.coreos.com/v1","kind":"PrometheusRule",
 "metadata":{"name":"r","namespace":"nats"},
 "spec":{"groups":[{"name":"g","rules":[{"alert":"A","expr":"up == 0","for":"2m",
   "labels":{"severity":"critical"},"annotations":{"summary":"s"}}]}]}}`

func TestDecodesAValidPrometheusRule(t *testing.T) {
	obj, err := Decode([]byte(validRule))
	if err != nil {
		t.Fatal(err)
	}
	rule := obj.(*monitoringv1.PrometheusRule)
	if got := rule.Spec.Groups[0].Rules[0]; got.Alert != "A" || got.For == nil || *got.For != "2m" {
		t.Fatalf("decoded %+v", got)
	}
}

func TestRefusesUnknownFields(t *testing.T) {
	for name, doc := range map[string]string{
		"misspelt rule field":   strings.Replace(validRule, `"for":"2m"`, `"for_":"2m"`, 1),
		"field of another kind": strings.Replace(validRule, `"groups":`, `"podMetricsEndpoints":[],"groups":`, 1),
		"unknown PodMonitor field": `{"apiVersion":"monitoring.coreos.com/v1","kind":"PodMonitor","metadata":{"name":"p"},
			"spec":{"selector":{},"podMetricsEndpoints":[{"port":"prom-metrics","scrapeEvery":"30s"}]}}`,
	} {
		if _, err := Decode([]byte(doc)); err == nil || !strings.Contains(err.Error(), "unknown field") {
			t.Errorf("%s: got %v, want an unknown-field error", name, err)
		}
	}
}

func TestRefusesWrongKindOrVersion(t *testing.T) {
	for _, doc := range []string{
		strings.Replace(validRule, `"PrometheusRule"`, `"AlertRule"`, 1),
		strings.Replace(validRule, `monitoring.coreos.com/v1`, `monitoring.coreos.com/v1alpha1`, 1),
	} {
		if _, err := Decode([]byte(doc)); err == nil {
			t.Errorf("accepted %s", doc)
		}
	}
}

// TestRenderedObjects decodes the objects this project renders, written as
// JSON files into $MONITORING_OBJECTS by tests/monitoring/operator-types.test.ts
// (which runs this test). Run alone, there is nothing rendered to check.
func TestRenderedObjects(t *testing.T) {
	dir := os.Getenv("MONITORING_OBJECTS")
	if dir == "" {
		t.Skip("MONITORING_OBJECTS unset: tests/monitoring/operator-types.test.ts renders the objects and runs this test")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		obj, err := Decode(data)
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(file), err)
			continue
		}
		switch o := obj.(type) {
		case *monitoringv1.PrometheusRule:
			kinds["PrometheusRule"]++
			if len(o.Spec.Groups) == 0 {
				t.Errorf("%s: no rule groups", filepath.Base(file))
			}
		case *monitoringv1.PodMonitor:
			kinds["PodMonitor"]++
			if len(o.Spec.PodMetricsEndpoints) == 0 {
				t.Errorf("%s: no endpoints", filepath.Base(file))
			}
		}
	}
	if kinds["PrometheusRule"] == 0 || kinds["PodMonitor"] == 0 {
		t.Fatalf("%s holds %v: want at least one PrometheusRule and one PodMonitor", dir, kinds)
	}
	t.Logf("decoded strictly: %v", kinds)
}
