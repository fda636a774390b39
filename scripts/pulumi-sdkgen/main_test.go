package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestLanguageComesFromTheExecutableName(t *testing.T) {
	for exe, want := range map[string]string{
		"/x/pulumi-language-python": "python",
		"pulumi-language-go":        "go",
	} {
		if got, err := languageOf(exe); err != nil || got != want {
			t.Errorf("languageOf(%q) = %q, %v; want %q", exe, got, err, want)
		}
	}
	for _, exe := range []string{"pulumi-sdkgen", "pulumi-language-nodejs", "pulumi-language-"} {
		if _, err := languageOf(exe); err == nil || !strings.Contains(err.Error(), "pulumi-language-python") {
			t.Errorf("languageOf(%q): got %v, want an error naming the accepted names", exe, err)
		}
	}
}

func TestRunRefusesNamingTheOfficialHost(t *testing.T) {
	_, err := (&sdkgenHost{language: "python"}).Run(context.Background(), &pulumirpc.RunRequest{})
	if err == nil || !strings.Contains(err.Error(), "official python language host") {
		t.Fatalf("got %v", err)
	}
}

// noLoader: the test schema references no other package.
type noLoader struct{}

var errNoLoad = errors.New("no other packages in this test")

func (noLoader) LoadPackage(string, *semver.Version) (*schema.Package, error) { return nil, errNoLoad }
func (noLoader) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errNoLoad
}
func (noLoader) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return nil, errNoLoad
}
func (noLoader) LoadPackageReferenceV2(context.Context, *schema.PackageDescriptor) (schema.PackageReference, error) {
	return nil, errNoLoad
}

const tinySchema = `{
  "name": "tiny", "version": "1.2.3", "repository": "https://github.com/example/pulumi-tiny",
  "meta": {"supportPack": true},
  "language": {"go": {"importBasePath": "github.com/example/pulumi-tiny/sdk/go/tiny",
                      "modulePath": "github.com/example/pulumi-tiny/sdk/go"}},
  "resources": {"tiny:index:Thing": {
    "inputProperties": {"servers": {"type": "array", "items": {"type": "string"}}},
    "requiredInputs": ["servers"],
    "properties": {"servers": {"type": "array", "items": {"type": "string"}}},
    "requiredOutputs": ["servers"]}}
}`

func TestGeneratesEachLanguageIntoTheDirectory(t *testing.T) {
	for language, want := range map[string]string{
		"python": filepath.Join("pulumi_tiny", "thing.py"),
		"go":     "go.mod",
	} {
		dir := t.TempDir()
		resp, err := generateInto(&pulumirpc.GeneratePackageRequest{Directory: dir, Schema: tinySchema},
			noLoader{}, generators[language])
		if err != nil || len(resp.GetDiagnostics()) != 0 {
			t.Fatalf("%s: %v %v", language, err, resp.GetDiagnostics())
		}
		b, err := os.ReadFile(filepath.Join(dir, want))
		if err != nil {
			t.Fatalf("%s: %s was not written: %v", language, want, err)
		}
		if language == "go" && !strings.Contains(string(b), "module github.com/example/pulumi-tiny/sdk/go") {
			t.Errorf("go.mod does not declare the schema's modulePath:\n%s", b)
		}
	}
}
