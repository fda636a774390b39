// pulumi-sdkgen: SDK generation for `pulumi package gen-sdk --language python`
// and `--language go` where the official Python and Go language hosts cannot
// be built (the Go module proxy refuses their modules: 403). It serves only
// the LanguageRuntime methods gen-sdk calls (Handshake, GetPluginInfo,
// GeneratePackage) with pkg/v3's own Python and Go code generators, the ones
// the official hosts call; it runs no programs. scripts/check-sdks.sh builds
// it into .cache/pulumi/sdkgen-bin as pulumi-language-python and
// pulumi-language-go (the binary's name picks the language) and puts that
// folder on PATH for gen-sdk only. See README.md.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// generator writes one language's SDK files for a bound schema.
type generator func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader) (map[string][]byte, error)

var generators = map[string]generator{
	"python": func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader) (map[string][]byte, error) {
		return python.GeneratePackage("pulumi-language-python", pkg, req.GetExtraFiles(), loader)
	},
	"go": func(pkg *schema.Package, req *pulumirpc.GeneratePackageRequest, _ schema.ReferenceLoader) (map[string][]byte, error) {
		return gogen.GeneratePackage("pulumi-language-go", pkg, req.GetLocalDependencies())
	},
}

// languageOf reads the language from the executable's name, pulumi-language-<language>.
func languageOf(executable string) (string, error) {
	name := strings.TrimSuffix(filepath.Base(executable), filepath.Ext(executable))
	language := strings.TrimPrefix(name, "pulumi-language-")
	if _, ok := generators[language]; !ok || language == name {
		return "", fmt.Errorf("run as pulumi-language-python or pulumi-language-go, not %s", name)
	}
	return language, nil
}

func main() {
	// Flags the engine passes to every plugin; none has an effect here.
	flag.String("tracing", "", "accepted for compatibility")
	if flag.Lookup("logtostderr") == nil {
		flag.Bool("logtostderr", false, "accepted for compatibility")
	}
	if flag.Lookup("v") == nil {
		flag.Int("v", 0, "accepted for compatibility")
	}
	flag.Bool("logflow", false, "accepted for compatibility")
	flag.String("root", "", "accepted for compatibility")
	flag.Parse()

	language, err := languageOf(os.Args[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-sdkgen: %v\n", err)
		os.Exit(1)
	}
	host := &sdkgenHost{language: language, generate: generators[language]}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-sdkgen: could not start the RPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-sdkgen: RPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

type sdkgenHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	language string
	generate generator
}

func (h *sdkgenHost) Handshake(
	context.Context, *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *sdkgenHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// Run refuses plainly: this host generates SDKs only.
func (h *sdkgenHost) Run(context.Context, *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	return nil, fmt.Errorf("this pulumi-language-%s (pulumi-nats scripts/pulumi-sdkgen) only generates SDKs: "+
		"install Pulumi's official %s language host to run programs", h.language, h.language)
}

// GeneratePackage binds the schema with the CLI's loader (for packages it
// references) and writes the SDK files into the requested directory.
func (h *sdkgenHost) GeneratePackage(
	ctx context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	loader, err := schema.NewLoaderClient(req.GetLoaderTarget())
	if err != nil {
		return nil, err
	}
	defer loader.Close()
	return generateInto(req, loader, h.generate)
}

func generateInto(
	req *pulumirpc.GeneratePackageRequest, loader schema.ReferenceLoader, generate generator,
) (*pulumirpc.GeneratePackageResponse, error) {
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
	files, err := generate(pkg, req, loader)
	if err != nil {
		return nil, err
	}
	for name, data := range files {
		path := filepath.Join(req.GetDirectory(), name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return nil, err
		}
	}
	return &pulumirpc.GeneratePackageResponse{Diagnostics: rpcDiags}, nil
}
