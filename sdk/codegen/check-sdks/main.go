// Generates the Python and Go SDKs from a schema with Pulumi's own codegen
// packages (pkg/v3/codegen/python and codegen/go), without the language
// plugins the CLI's `package gen-sdk` needs. Built inside a module that
// requires github.com/pulumi/pulumi/pkg/v3 (see docs/other-languages.md).
// Usage: gensdk <schema.json> <out dir>
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

type noLoader struct{}

var errNoLoad = errors.New("no external packages in this check")

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

func main() {
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		panic(err)
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		panic(err)
	}
	pkg, diags, err := schema.BindSpec(spec, noLoader{}, schema.ValidationOptions{})
	if err != nil {
		fmt.Println("bind error:", err)
		os.Exit(1)
	}
	for _, d := range diags {
		fmt.Println("diag:", d.Error())
	}
	if diags.HasErrors() {
		os.Exit(1)
	}
	out := os.Args[2]
	write := func(lang string, files map[string][]byte) {
		for name, content := range files {
			p := filepath.Join(out, lang, name)
			_ = os.MkdirAll(filepath.Dir(p), 0o755)
			_ = os.WriteFile(p, content, 0o644)
		}
		fmt.Printf("%s: %d files\n", lang, len(files))
	}
	if files, err := python.GeneratePackage("gensdk", pkg, nil, noLoader{}); err != nil {
		fmt.Println("python error:", err)
	} else {
		write("python", files)
	}
	if files, err := gogen.GeneratePackage("gensdk", pkg, nil); err != nil {
		fmt.Println("go error:", err)
	} else {
		write("go", files)
	}
}
