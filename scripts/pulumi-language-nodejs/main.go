// pulumi-language-nodejs: a small Node.js language host for the Pulumi CLI.
//
// Built by scripts/install-pulumi.sh into .cache/pulumi/bin (see README.md here).
// Upstream's host is its own Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), which
// the Go module proxy reachable here does not serve (403 "This module version
// is not available"). This host implements the part of the LanguageRuntime
// protocol that preview/up/refresh/destroy, `pulumi about`, plugins written in
// Node.js and `pulumi package gen-sdk --language nodejs` need, the way
// upstream does it: programs run through @pulumi/pulumi's own cmd/run script
// and plugins through cmd/run-plugin (both resolved from the program's
// directory), with the run request passed on as flags and environment
// variables; SDKs come from pkg/v3's Node.js code generator. It builds
// against pkg/v3 and sdk/v3 of the same release as the CLI.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	nodejscodegen "github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// Exit code of @pulumi/pulumi's run scripts when the program failed and the
// user was already shown an actionable message: the engine then bails quietly.
const exitedAfterUserActionableMessage = 32

func main() {
	// Flags the engine may pass to any plugin (logging, tracing), and the ones
	// upstream's host accepts; only -tracing has an effect here. The logging
	// flags may already be registered by a dependency (glog).
	tracing := flag.String("tracing", "", "Zipkin-compatible tracing endpoint, passed on to the program")
	if flag.Lookup("logtostderr") == nil {
		flag.Bool("logtostderr", false, "accepted for compatibility")
	}
	if flag.Lookup("v") == nil {
		flag.Int("v", 0, "accepted for compatibility")
	}
	flag.Bool("logflow", false, "accepted for compatibility")
	flag.String("root", "", "accepted for compatibility")
	flag.Bool("typescript", true, "accepted for compatibility (use runtime.options.typescript)")
	flag.Parse()

	var engineAddress string
	if flag.NArg() > 0 {
		engineAddress = flag.Arg(0)
	}
	host := &nodeHost{engineAddress: engineAddress, tracing: *tracing}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.TracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the RPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: RPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	tracing       string
}

// runtimeOptions are the `runtime.options` of Pulumi.yaml that this host honours.
type runtimeOptions struct {
	typescript bool     // default true, as upstream
	nodeargs   []string // extra arguments for node
	tsconfig   string   // PULUMI_NODEJS_TSCONFIG_PATH
}

func parseOptions(info *pulumirpc.ProgramInfo) runtimeOptions {
	opts := runtimeOptions{typescript: true}
	if info == nil || info.GetOptions() == nil {
		return opts
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"].(bool); ok {
		opts.typescript = v
	}
	if v, ok := m["nodeargs"].(string); ok {
		opts.nodeargs = strings.Fields(v)
	}
	if v, ok := m["tsconfig"].(string); ok {
		opts.tsconfig = v
	}
	return opts
}

func programDir(info *pulumirpc.ProgramInfo, pwd string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	return pwd
}

// resolveModule asks node where a module resolves from dir (as `require` in a
// program there would), so a hoisted or symlinked node_modules, or NODE_PATH,
// work as they do for the program itself.
func resolveModule(ctx context.Context, node, dir, module string) (string, error) {
	cmd := exec.CommandContext(ctx, node, "-e", "console.log(require.resolve(process.argv[1]))", module)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("cannot resolve %s from %s (is @pulumi/pulumi installed there? run npm install): %v: %s",
			module, dir, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *nodeHost) Handshake(
	ctx context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on PATH: %w", err)
	}
	dir := programDir(req.GetInfo(), req.GetPwd())
	runPath, err := resolveModule(ctx, node, dir, "@pulumi/pulumi/cmd/run")
	if err != nil {
		return nil, err
	}
	opts := parseOptions(req.GetInfo())

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	flagIf := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagIf("monitor", req.GetMonitorAddress())
	flagIf("engine", h.engineAddress)
	flagIf("organization", req.GetOrganization())
	flagIf("project", req.GetProject())
	flagIf("stack", req.GetStack())
	flagIf("pwd", req.GetPwd())
	if req.GetInfo() != nil {
		flagIf("root-directory", req.GetInfo().GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagIf("parallel", strconv.Itoa(int(req.GetParallel())))
	flagIf("tracing", h.tracing)
	program := req.GetProgram()
	if req.GetInfo() != nil && req.GetInfo().GetEntryPoint() != "" {
		program = req.GetInfo().GetEntryPoint()
	}
	if program == "" {
		program = "." // cmd/run then uses package.json's exports/main, or index.js
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	configMap := req.GetConfig()
	if configMap == nil {
		configMap = map[string]string{} // cmd/run expects an object
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}
	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(opts.typescript),
	)
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	cmd := exec.Command(node, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitedAfterUserActionableMessage {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// RunPlugin runs a plugin written in Node.js (a PulumiPlugin.yaml with
// runtime nodejs) through @pulumi/pulumi/cmd/run-plugin, streaming its output.
func (h *nodeHost) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on PATH: %w", err)
	}
	dir := programDir(req.GetInfo(), req.GetPwd())
	runPath, err := resolveModule(server.Context(), node, dir, "@pulumi/pulumi/cmd/run-plugin")
	if err != nil {
		return err
	}
	opts := parseOptions(req.GetInfo())
	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath, dir)
	args = append(args, req.GetArgs()...)

	cmd := exec.Command(node, args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = req.GetEnv()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	sends := make(chan *pulumirpc.RunPluginResponse)
	pump := func(r io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse) {
		buf := make([]byte, 32*1024)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				sends <- wrap(append([]byte(nil), buf[:n]...))
			}
			if err != nil {
				sends <- nil
				return
			}
		}
	}
	go pump(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	})
	go pump(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	})
	var sendErr error
	for open := 2; open > 0; {
		msg := <-sends
		if msg == nil {
			open--
			continue
		}
		if sendErr == nil {
			sendErr = server.Send(msg)
		}
	}
	code := 0
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		code = exitErr.ExitCode()
	}
	if sendErr != nil {
		return sendErr
	}
	return server.Send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)},
	})
}

// InstallDependencies is what the CLI calls before it runs a program or a
// plugin from a directory (`pulumi install`, `pulumi package get-schema
// <dir>`, a plugin given by path). Upstream always runs the package manager;
// here it runs `npm install` only when a dependency of package.json is not
// installed (resolvable from the directory, as node would), so runs with
// installed dependencies stay offline and leave node_modules alone.
func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir := programDir(req.GetInfo(), req.GetDirectory())
	p, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return fmt.Errorf("installing dependencies in %s: %w", dir, err)
	}
	var missing []string
	for _, m := range []map[string]string{p.Dependencies, p.DevDependencies} {
		for name := range m {
			if !installed(dir, name) {
				missing = append(missing, name)
			}
		}
	}
	if len(missing) == 0 {
		return server.Send(&pulumirpc.InstallDependenciesResponse{
			Stdout: []byte("pulumi-language-nodejs: dependencies already installed in " + dir + "\n"),
		})
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("%s needs %s installed and npm is not on PATH: %w", dir, strings.Join(missing, ", "), err)
	}
	cmd := exec.CommandContext(server.Context(), npm, "install", "--no-audit", "--no-fund")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	runErr := cmd.Run()
	if err := server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: out.Bytes()}); err != nil {
		return err
	}
	if runErr != nil {
		return fmt.Errorf("npm install in %s: %w", dir, runErr)
	}
	return nil
}

// installed tells whether `require(name)` from dir would find the package.
func installed(dir, name string) bool {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "node_modules", name, "package.json")); err == nil {
			return true
		}
		if filepath.Dir(d) == d {
			return false
		}
	}
}

// GeneratePackage writes a Node.js SDK for a package schema (what
// `pulumi package gen-sdk --language nodejs` asks for), with pkg/v3's code
// generator, as upstream's host does.
func (h *nodeHost) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	var spec schema.PackageSpec
	if err := json.Unmarshal([]byte(req.GetSchema()), &spec); err != nil {
		return nil, fmt.Errorf("parsing the schema: %w", err)
	}
	pkg, diags, err := schema.BindSpec(spec, loader, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return nil, err
	}
	rpcDiags := plugin.HclDiagnosticsToRPCDiagnostics(diags)
	if diags.HasErrors() {
		return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiags}, nil
	}
	files, err := nodejscodegen.GeneratePackage("pulumi-language-nodejs", pkg,
		req.GetExtraFiles(), req.GetLocalDependencies(), req.GetLocal(), loader)
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		path := filepath.Join(req.GetDirectory(), name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiags}, nil
}

// packageJSON is the part of a package.json this host reads.
type packageJSON struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Pulumi          struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &p, nil
}

// nodeModulesDir is the node_modules that `require` from dir would search
// first: dir's own, or the nearest one above it.
func nodeModulesDir(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		nm := filepath.Join(d, "node_modules")
		if fi, err := os.Stat(nm); err == nil && fi.IsDir() {
			return nm
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// pluginPackages lists the installed packages that declare a resource plugin
// (`"pulumi": {"resource": true}` in their package.json), as upstream does:
// every package in node_modules, nested node_modules included.
func pluginPackages(dir string) []*pulumirpc.PackageDependency {
	nm := nodeModulesDir(dir)
	if nm == "" {
		return nil
	}
	seen := map[string]bool{}  // real paths of visited directories
	found := map[string]bool{} // name@version already listed
	var deps []*pulumirpc.PackageDependency
	var visit func(nodeModules string)
	visitPackage := func(pkgDir string) {
		real, err := filepath.EvalSymlinks(pkgDir)
		if err != nil || seen[real] {
			return
		}
		seen[real] = true
		if p, err := readPackageJSON(filepath.Join(real, "package.json")); err == nil && p.Pulumi.Resource {
			name := p.Pulumi.Name
			if name == "" {
				name = strings.TrimPrefix(strings.TrimPrefix(p.Name, "@pulumi/"), "@")
			}
			ver := p.Pulumi.Version
			if ver == "" {
				ver = p.Version
			}
			if ver != "" && !strings.HasPrefix(ver, "v") {
				ver = "v" + ver
			}
			if name != "" && !found[name+"@"+ver] {
				found[name+"@"+ver] = true
				deps = append(deps, &pulumirpc.PackageDependency{
					Name: name, Kind: "resource", Version: ver, Server: p.Pulumi.Server,
				})
			}
		}
		visit(filepath.Join(real, "node_modules"))
	}
	visit = func(nodeModules string) {
		entries, err := os.ReadDir(nodeModules)
		if err != nil {
			return
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") {
				continue
			}
			if strings.HasPrefix(name, "@") {
				scoped, err := os.ReadDir(filepath.Join(nodeModules, name))
				if err != nil {
					continue
				}
				for _, s := range scoped {
					visitPackage(filepath.Join(nodeModules, name, s.Name()))
				}
				continue
			}
			visitPackage(filepath.Join(nodeModules, name))
		}
	}
	visit(nm)
	return deps
}

// acquisitionDisabled: with PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION set,
// the host reports no required packages. A deviation from upstream, for
// offline use: `pulumi up` already skips plugin downloads then, but the
// CLI's installation of a plugin given by path (`pulumi package get-schema
// <dir>`, gen-sdk) downloads every reported package regardless, which fails
// offline for installed-but-unused packages such as @pulumi/aws. Provider
// plugins load lazily by the version in each registration, so nothing else
// depends on this list here.
func acquisitionDisabled() bool {
	v, err := strconv.ParseBool(os.Getenv("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"))
	return err == nil && v
}

func (h *nodeHost) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	if acquisitionDisabled() {
		return &pulumirpc.GetRequiredPackagesResponse{}, nil
	}
	return &pulumirpc.GetRequiredPackagesResponse{
		Packages: pluginPackages(programDir(req.GetInfo(), "")),
	}, nil
}

func (h *nodeHost) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest, //nolint:staticcheck
) (*pulumirpc.GetRequiredPluginsResponse, error) { //nolint:staticcheck
	if acquisitionDisabled() {
		return &pulumirpc.GetRequiredPluginsResponse{}, nil //nolint:staticcheck
	}
	dir := programDir(req.GetInfo(), req.GetPwd())
	var plugins []*pulumirpc.PluginDependency
	for _, p := range pluginPackages(dir) {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil //nolint:staticcheck
}

func (h *nodeHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on PATH: %w", err)
	}
	out, err := exec.CommandContext(ctx, node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
		Metadata:   map[string]string{"host": "pulumi-nats scripts/install-pulumi.sh"},
	}, nil
}

// GetProgramDependencies lists the program's package.json dependencies with
// the versions installed in node_modules.
func (h *nodeHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd())
	p, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	nm := nodeModulesDir(dir)
	var deps []*pulumirpc.DependencyInfo
	for _, m := range []map[string]string{p.Dependencies, p.DevDependencies} {
		for name, spec := range m {
			ver := spec
			if nm != "" {
				if dp, err := readPackageJSON(filepath.Join(nm, name, "package.json")); err == nil {
					ver = dp.Version
				}
			}
			deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: ver})
		}
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}
