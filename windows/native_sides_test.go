package windows_test

import (
	"go/ast"
	"go/build"
	"go/constant"
	"go/importer"
	"go/parser"
	"go/printer"
	"go/token"
	"go/types"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// emulatorOnly are the exported names only the emulated side has, each with
// why. A program that uses one of them is a test of the emulator, not a
// Windows program, so the native build does not need it.
var emulatorOnly = map[string]string{
	"RunMachine": "runs a body on a machine the caller built (*emu.System)",
	"Machine":    "the running machine, for tests that inspect it",
}

// sideDecl is one exported top-level declaration of one side of the package.
type sideDecl struct {
	kind    string // func, type, const, var
	file    string
	params  []string // func declarations: parameter types as written
	results []string
}

// sideNames parses the package in this directory the way the go command
// builds it for goos with tags, without compiling it (so it runs on any
// host), and returns its exported top-level declarations.
func sideNames(t *testing.T, goos string, tags ...string) map[string]sideDecl {
	t.Helper()
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH, ctx.BuildTags, ctx.CgoEnabled = goos, "amd64", tags, false
	pkg, err := ctx.ImportDir(".", 0)
	if err != nil {
		t.Fatalf("GOOS=%s tags %v: %v", goos, tags, err)
	}
	fset := token.NewFileSet()
	typeList := func(fl *ast.FieldList) []string {
		if fl == nil {
			return nil
		}
		var out []string
		for _, f := range fl.List {
			var b strings.Builder
			printer.Fprint(&b, fset, f.Type)
			for i := 0; i < max(len(f.Names), 1); i++ {
				out = append(out, b.String())
			}
		}
		return out
	}
	out := map[string]sideDecl{}
	add := func(name string, d sideDecl) {
		if prev, ok := out[name]; ok {
			t.Errorf("GOOS=%s tags %v: %s declared in %s and %s", goos, tags, name, prev.file, d.file)
		}
		out[name] = d
	}
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(".", name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					add(d.Name.Name, sideDecl{kind: "func", file: name, params: typeList(d.Type.Params), results: typeList(d.Type.Results)})
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							add(s.Name.Name, sideDecl{kind: "type", file: name})
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								add(n.Name, sideDecl{kind: d.Tok.String(), file: name})
							}
						}
					}
				}
			}
		}
	}
	return out
}

// The promise of the package (issue 14): a program that imports it compiles
// on Windows, where it is golang.org/x/sys/windows itself, and everywhere
// else, where it is the emulator, without a change. So every exported name
// exists on both sides (but the few emulatorOnly ones), a type on one side
// is a type on the other, and a function this package declares on both
// sides (the calls x/sys lacks) has the same parameter and result types.
// Names the native side takes from x/sys keep x/sys's signatures by
// construction; the emulated side's are checked against x/sys by
// TestNamesMatchXSys.
func TestNativeAndEmulatedSidesMatch(t *testing.T) {
	native := sideNames(t, "windows")
	emulated := sideNames(t, "linux")
	emulatedOnWindows := sideNames(t, "windows", "wsaemu")
	if !reflect.DeepEqual(keys(emulated), keys(emulatedOnWindows)) {
		t.Errorf("the emulated side differs between GOOS=linux and GOOS=windows -tags wsaemu:\n linux only: %v\n windows+wsaemu only: %v",
			missing(emulated, emulatedOnWindows), missing(emulatedOnWindows, emulated))
	}
	// The comparison did see both sides.
	for _, name := range []string{"WSARecv", "GetQueuedCompletionStatus", "Overlapped", "ERROR_IO_PENDING", "Run", "Go"} {
		if _, ok := native[name]; !ok {
			t.Errorf("the native side as parsed has no %s", name)
		}
		if _, ok := emulated[name]; !ok {
			t.Errorf("the emulated side as parsed has no %s", name)
		}
	}
	for _, name := range missing(emulated, native) {
		if _, ok := emulatorOnly[name]; !ok {
			t.Errorf("%s (%s, %s) is on the emulated side only: add it to native_windows.go", name, emulated[name].kind, emulated[name].file)
		}
	}
	for _, name := range missing(native, emulated) {
		t.Errorf("%s (%s) is on the native side only: the emulated side lacks it", name, native[name].kind)
	}
	for name := range emulatorOnly {
		if _, ok := emulated[name]; !ok {
			t.Errorf("emulatorOnly lists %s, which the emulated side does not export", name)
		}
		if _, ok := native[name]; ok {
			t.Errorf("emulatorOnly lists %s, which the native side exports too", name)
		}
	}
	for _, name := range keys(native) {
		n, e := native[name], emulated[name]
		if e.kind == "" {
			continue
		}
		if (n.kind == "type") != (e.kind == "type") {
			t.Errorf("%s: a %s on the native side, a %s on the emulated side", name, n.kind, e.kind)
		}
		if n.kind == "func" && e.kind == "func" && (!reflect.DeepEqual(n.params, e.params) || !reflect.DeepEqual(n.results, e.results)) {
			t.Errorf("%s: func(%s) (%s) on the native side, func(%s) (%s) on the emulated side", name,
				strings.Join(n.params, ", "), strings.Join(n.results, ", "),
				strings.Join(e.params, ", "), strings.Join(e.results, ", "))
		}
	}
}

func keys(m map[string]sideDecl) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// missing is the names of a that b lacks, sorted.
func missing(a, b map[string]sideDecl) []string {
	var out []string
	for _, k := range keys(a) {
		if _, ok := b[k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

// constValues type-checks the files of the package in dir as goos builds
// them and returns the value of each exported constant, as text. Imports
// are type-checked from source for the host; errors are tolerated, so a
// constant whose declaration needs what the host lacks is left out.
func constValues(t *testing.T, dir, goos string) map[string]string {
	t.Helper()
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH, ctx.CgoEnabled = goos, "amd64", false
	pkg, err := ctx.ImportDir(dir, 0)
	if err != nil {
		t.Fatalf("%s for GOOS=%s: %v", dir, goos, err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil), Error: func(error) {}}
	tp, _ := conf.Check(pkg.ImportPath, fset, files, nil)
	out := map[string]string{}
	for _, name := range tp.Scope().Names() {
		if c, ok := tp.Scope().Lookup(name).(*types.Const); ok && c.Exported() && c.Val().Kind() != constant.Unknown {
			out[name] = c.Val().ExactString()
		}
	}
	return out
}

// The values behind the names: every constant the emulated side shares
// with golang.org/x/sys/windows, which the native side re-exports, has
// x/sys's value (error codes, flags, option levels: the issue's "error
// values"), so code that compares against them means the same thing on
// both sides.
func TestEmulatedConstantsHaveXSysValues(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/sys").Output()
	if err != nil {
		t.Skipf("go list -m golang.org/x/sys: %v (the module is not available: nothing to compare with)", err)
	}
	xs := constValues(t, filepath.Join(strings.TrimSpace(string(out)), "windows"), "windows")
	emulated := constValues(t, ".", "linux")
	shared := 0
	for _, name := range keysOf(emulated) {
		x, ok := xs[name]
		if !ok {
			continue
		}
		shared++
		if x != emulated[name] {
			t.Errorf("%s = %s on the emulated side, %s in x/sys/windows", name, emulated[name], x)
		}
	}
	// The check did see both: the core error codes are among the shared.
	for _, name := range []string{"ERROR_IO_PENDING", "WSAECONNRESET", "SO_UPDATE_ACCEPT_CONTEXT", "FILE_SKIP_COMPLETION_PORT_ON_SUCCESS"} {
		if xs[name] == "" || emulated[name] == "" {
			t.Errorf("%s: x/sys %q, emulated %q; want both", name, xs[name], emulated[name])
		}
	}
	t.Logf("%d constants shared with x/sys/windows compared", shared)
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
