package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestParseOptionsReadsRuntimeOptions(t *testing.T) {
	if got := parseOptions(nil); !got.typescript || got.nodeargs != nil || got.tsconfig != "" {
		t.Fatalf("defaults: got %+v, want typescript on and nothing else", got)
	}
	opts, err := structpb.NewStruct(map[string]any{
		"typescript": false,
		"nodeargs":   "--max-old-space-size=4096  --enable-source-maps",
		"tsconfig":   "tsconfig.build.json",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := parseOptions(&pulumirpc.ProgramInfo{Options: opts})
	if got.typescript {
		t.Error("typescript: false was not honoured")
	}
	if strings.Join(got.nodeargs, "|") != "--max-old-space-size=4096|--enable-source-maps" {
		t.Errorf("nodeargs split into %q", got.nodeargs)
	}
	if got.tsconfig != "tsconfig.build.json" {
		t.Errorf("tsconfig = %q", got.tsconfig)
	}
}

// A node_modules tree with resource-plugin packages at the top, under a scope
// and nested, plus a package that is not a plugin and a symlink loop guard.
func pluginTree(t *testing.T) string {
	dir := t.TempDir()
	nm := filepath.Join(dir, "node_modules")
	writeFile(t, filepath.Join(nm, "@pulumi", "kubernetes", "package.json"),
		`{"name":"@pulumi/kubernetes","version":"4.34.2","pulumi":{"resource":true}}`)
	writeFile(t, filepath.Join(nm, "plain", "package.json"), `{"name":"plain","version":"1.0.0"}`)
	writeFile(t, filepath.Join(nm, "plain", "node_modules", "@acme", "thing", "package.json"),
		`{"name":"@acme/thing","version":"0.1.0","pulumi":{"resource":true,"name":"acme","version":"v2.0.0","server":"https://example.invalid"}}`)
	if err := os.Symlink(filepath.Join(nm, "plain"), filepath.Join(nm, "plain-again")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestPluginPackagesListsResourcePluginsOnce(t *testing.T) {
	dir := pluginTree(t)
	var got []string
	for _, p := range pluginPackages(filepath.Join(dir)) {
		got = append(got, p.Name+"@"+p.Version+" "+p.Kind+" "+p.Server)
	}
	sort.Strings(got)
	want := []string{"acme@v2.0.0 resource https://example.invalid", "kubernetes@v4.34.2 resource "}
	if strings.Join(got, ";") != strings.Join(want, ";") {
		t.Fatalf("pluginPackages = %q, want %q", got, want)
	}
}

func TestRequiredPackagesAreEmptyWhenAcquisitionIsDisabled(t *testing.T) {
	dir := pluginTree(t)
	info := &pulumirpc.ProgramInfo{ProgramDirectory: dir, RootDirectory: dir}
	h := &nodeHost{}

	t.Setenv("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true")
	resp, err := h.GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{Info: info})
	if err != nil || len(resp.GetPackages()) != 0 {
		t.Fatalf("offline: got %v, %v; want no packages", resp.GetPackages(), err)
	}
	t.Setenv("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "false")
	resp, err = h.GetRequiredPackages(context.Background(), &pulumirpc.GetRequiredPackagesRequest{Info: info})
	if err != nil || len(resp.GetPackages()) != 2 {
		t.Fatalf("online: got %v, %v; want the 2 plugin packages", resp.GetPackages(), err)
	}
}

func TestProgramDependenciesReportInstalledVersions(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "package.json"),
		`{"dependencies":{"@pulumi/pulumi":"^3.0.0","missing":"1.x"},"devDependencies":{"typescript":"5.9.3"}}`)
	writeFile(t, filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "package.json"), `{"version":"3.260.0"}`)
	writeFile(t, filepath.Join(dir, "node_modules", "typescript", "package.json"), `{"version":"5.9.3"}`)
	if !installed(dir, "@pulumi/pulumi") || installed(dir, "missing") {
		t.Fatal("installed() does not follow node_modules")
	}
	resp, err := (&nodeHost{}).GetProgramDependencies(context.Background(),
		&pulumirpc.GetProgramDependenciesRequest{Info: &pulumirpc.ProgramInfo{ProgramDirectory: dir}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range resp.GetDependencies() {
		got = append(got, d.GetName()+"="+d.GetVersion())
	}
	sort.Strings(got)
	want := "@pulumi/pulumi=3.260.0;missing=1.x;typescript=5.9.3"
	if strings.Join(got, ";") != want {
		t.Fatalf("dependencies = %q, want %s", got, want)
	}
}

// runStub is @pulumi/pulumi/cmd/run as node resolves it from the program
// directory: it records what the host passed and exits with the code the
// stack config asks for, as a failing program would.
const runStub = `
const fs = require("fs");
const config = JSON.parse(process.env.PULUMI_CONFIG);
fs.writeFileSync("run.json", JSON.stringify({
  argv: process.argv.slice(2),
  config,
  secretKeys: JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS),
  typescript: process.env.PULUMI_NODEJS_TYPESCRIPT,
}));
process.exit(Number(config["test:exit"] || 0));
`

func TestRunStartsCmdRunWithTheRequestAndMapsExitCodes(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "package.json"),
		`{"name":"@pulumi/pulumi","version":"3.260.0"}`)
	writeFile(t, filepath.Join(dir, "node_modules", "@pulumi", "pulumi", "cmd", "run", "index.js"), runStub)
	opts, _ := structpb.NewStruct(map[string]any{"typescript": false})
	run := func(exit string) *pulumirpc.RunResponse {
		t.Helper()
		resp, err := (&nodeHost{engineAddress: "127.0.0.1:1"}).Run(context.Background(), &pulumirpc.RunRequest{
			Project: "p", Stack: "s", Pwd: dir, MonitorAddress: "127.0.0.1:2", DryRun: true, Parallel: 4,
			Config:           map[string]string{"test:exit": exit, "test:password": "x"},
			ConfigSecretKeys: []string{"test:password"},
			Info: &pulumirpc.ProgramInfo{
				ProgramDirectory: dir, RootDirectory: dir, EntryPoint: "index.js", Options: opts,
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}

	if resp := run("0"); resp.GetError() != "" || resp.GetBail() {
		t.Fatalf("exit 0: got %+v", resp)
	}
	var rec struct {
		Argv       []string          `json:"argv"`
		Config     map[string]string `json:"config"`
		SecretKeys []string          `json:"secretKeys"`
		Typescript string            `json:"typescript"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	argv := strings.Join(rec.Argv, " ")
	for _, want := range []string{
		"--monitor 127.0.0.1:2", "--engine 127.0.0.1:1", "--project p", "--stack s", "--dry-run", "--parallel 4",
	} {
		if !strings.Contains(argv, want) {
			t.Errorf("cmd/run argv %q lacks %q", argv, want)
		}
	}
	if rec.Argv[len(rec.Argv)-1] != "index.js" {
		t.Errorf("the entry point is not the last argument: %q", argv)
	}
	if rec.Config["test:password"] != "x" || strings.Join(rec.SecretKeys, ",") != "test:password" {
		t.Errorf("config %v / secret keys %v not passed on", rec.Config, rec.SecretKeys)
	}
	if rec.Typescript != "false" {
		t.Errorf("PULUMI_NODEJS_TYPESCRIPT = %q, want false", rec.Typescript)
	}

	if resp := run("32"); !resp.GetBail() || resp.GetError() != "" {
		t.Errorf("exit 32 (message already shown): got %+v, want bail", resp)
	}
	if resp := run("3"); resp.GetError() != "Program exited with non-zero exit code: 3" {
		t.Errorf("exit 3: got %+v", resp)
	}
}

func TestRunNamesTheMissingSDK(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	dir := t.TempDir()
	_, err := (&nodeHost{}).Run(context.Background(), &pulumirpc.RunRequest{Pwd: dir})
	if err == nil || !strings.Contains(err.Error(), "is @pulumi/pulumi installed there? run npm install") {
		t.Fatalf("got %v, want an error telling to install @pulumi/pulumi", err)
	}
}
