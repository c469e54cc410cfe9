//go:build !windows || wsaemu

package windows

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/printer"
	"go/token"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// extraNames are this package's exported names that golang.org/x/sys/windows
// (v0.49.0) lacks, each with why it is here. Everything else this package
// exports x/sys has too, with the same kind and, for functions, the same
// parameter and result types (TestNamesMatchXSys).
var extraNames = map[string]string{
	// Emulator-only: the machine.
	"Run":         "runs a body as the first emulated thread (native: calls it)",
	"Go":          "starts an emulated thread (native: a go statement)",
	"RunMachine":  "Run on a machine the caller built (emulated side only)",
	"Machine":     "the running machine (emulated side only)",
	"RecordTrace": "records a real run as a trace (native side; the emulated side's does nothing)",

	// Calls the emulator has that x/sys does not declare; the signatures
	// are the ones x/sys's generator would give them.
	"QueueUserAPC":                "kernel32 QueueUserAPC",
	"WaitForSingleObjectEx":       "kernel32 WaitForSingleObjectEx (alertable waits)",
	"WaitForMultipleObjectsEx":    "kernel32 WaitForMultipleObjectsEx (alertable waits)",
	"GetQueuedCompletionStatusEx": "kernel32 GetQueuedCompletionStatusEx",
	"ReadFileEx":                  "kernel32 ReadFileEx (completion routines on pipes)",
	"WriteFileEx":                 "kernel32 WriteFileEx",
	"WSAEventSelect":              "ws2_32 WSAEventSelect",
	"DisconnectEx":                "mswsock DisconnectEx, through its extension pointer",
	"OverlappedEntry":             "OVERLAPPED_ENTRY, for GetQueuedCompletionStatusEx",

	// Header names x/sys does not spell.
	"SOCKET_ERROR":               "winsock2.h",
	"SO_ERROR":                   "winsock2.h",
	"SO_TYPE":                    "winsock2.h",
	"SO_DONTLINGER":              "winsock2.h",
	"SD_RECEIVE":                 "winsock2.h (x/sys spells them SHUT_*)",
	"SD_SEND":                    "winsock2.h",
	"SD_BOTH":                    "winsock2.h",
	"FIONBIO":                    "winsock2.h",
	"FIONREAD":                   "winsock2.h",
	"SIO_FLUSH":                  "winsock2.h",
	"FD_READ":                    "winsock2.h, for WSAEventSelect",
	"FD_WRITE":                   "winsock2.h",
	"FD_OOB":                     "winsock2.h",
	"FD_ACCEPT":                  "winsock2.h",
	"FD_CONNECT":                 "winsock2.h",
	"FD_CLOSE":                   "winsock2.h",
	"WSA_IO_PENDING":             "winsock2.h alias of ERROR_IO_PENDING",
	"WSA_IO_INCOMPLETE":          "winsock2.h alias of ERROR_IO_INCOMPLETE",
	"WSA_OPERATION_ABORTED":      "winsock2.h alias of ERROR_OPERATION_ABORTED",
	"WSAID_ACCEPTEX":             "mswsock.h",
	"WSAID_GETACCEPTEXSOCKADDRS": "mswsock.h",
	"WSAID_DISCONNECTEX":         "mswsock.h",
	"WSAID_TRANSMITFILE":         "mswsock.h",
}

// decl is one exported top-level declaration.
type decl struct {
	kind    string   // func, type, const, var
	params  []string // funcs: parameter types as printed
	results []string
	fields  []string // struct types: "Name Type" of exported fields
	alias   bool
}

// exported parses the package in dir as GOOS/GOARCH would build it and
// returns its exported top-level declarations.
func exported(t *testing.T, dir, goos string, tags []string) map[string]decl {
	t.Helper()
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH, ctx.BuildTags, ctx.CgoEnabled = goos, "amd64", tags, false
	pkg, err := ctx.ImportDir(dir, 0)
	if err != nil {
		t.Fatalf("ImportDir(%s): %v", dir, err)
	}
	fset := token.NewFileSet()
	str := func(e ast.Expr) string {
		var b strings.Builder
		printer.Fprint(&b, fset, e)
		return b.String()
	}
	list := func(fl *ast.FieldList) []string {
		var out []string
		if fl == nil {
			return nil
		}
		for _, f := range fl.List {
			n := max(len(f.Names), 1)
			for i := 0; i < n; i++ {
				out = append(out, str(f.Type))
			}
		}
		return out
	}
	out := map[string]decl{}
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					out[d.Name.Name] = decl{kind: "func", params: list(d.Type.Params), results: list(d.Type.Results)}
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						dd := decl{kind: "type", alias: s.Assign.IsValid()}
						if st, ok := s.Type.(*ast.StructType); ok {
							for _, f := range st.Fields.List {
								for _, n := range f.Names {
									if n.IsExported() {
										dd.fields = append(dd.fields, n.Name+" "+str(f.Type))
									}
								}
							}
						}
						out[s.Name.Name] = dd
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								out[n.Name] = decl{kind: d.Tok.String()}
							}
						}
					}
				}
			}
		}
	}
	return out
}

// xsysDir is the directory of golang.org/x/sys/windows in the module
// cache, "" when it is not there.
func xsysDir(t *testing.T) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "golang.org/x/sys").Output()
	if err != nil {
		return ""
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "windows")
	if _, err := build.Default.ImportDir(dir, build.FindOnly); err != nil {
		return ""
	}
	return dir
}

// The drift check: every exported name this package shares with
// golang.org/x/sys/windows has x/sys's kind and, for a function, x/sys's
// parameter and result types; a struct declared here has x/sys's exported
// fields in x/sys's order; and every other name is in extraNames.
func TestNamesMatchXSys(t *testing.T) {
	dir := xsysDir(t)
	if dir == "" {
		t.Skip("the source of golang.org/x/sys is not in the module cache (go mod download golang.org/x/sys): nothing to compare with")
	}
	xs := exported(t, dir, "windows", nil)
	ours := exported(t, ".", "linux", nil)
	var extra []string
	for name, d := range ours {
		x, ok := xs[name]
		if !ok {
			extra = append(extra, name)
			continue
		}
		if x.kind != d.kind {
			t.Errorf("%s: a %s here, a %s in x/sys", name, d.kind, x.kind)
			continue
		}
		if d.kind == "func" && (!reflect.DeepEqual(x.params, d.params) || !reflect.DeepEqual(x.results, d.results)) {
			t.Errorf("%s: func(%s) (%s) here, func(%s) (%s) in x/sys", name,
				strings.Join(d.params, ", "), strings.Join(d.results, ", "),
				strings.Join(x.params, ", "), strings.Join(x.results, ", "))
		}
		if d.kind == "type" && !d.alias && len(d.fields) > 0 && !reflect.DeepEqual(x.fields, d.fields) {
			t.Errorf("%s: fields %v here, %v in x/sys", name, d.fields, x.fields)
		}
	}
	// The comparison did see the package: the core names are shared.
	for _, name := range []string{"WSARecv", "GetQueuedCompletionStatus", "Overlapped", "WSABuf", "ERROR_IO_PENDING", "WSAID_CONNECTEX"} {
		if _, ok := xs[name]; !ok {
			t.Errorf("x/sys/windows as parsed has no %s", name)
		}
		if _, ok := ours[name]; !ok {
			t.Errorf("this package as parsed has no %s", name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		if _, ok := extraNames[name]; !ok {
			t.Errorf("%s: x/sys/windows has no such name and extraNames does not list it", name)
		}
	}
	for name := range extraNames {
		if _, ok := ours[name]; !ok {
			t.Errorf("extraNames lists %s, which this package does not export", name)
		} else if _, ok := xs[name]; ok {
			t.Errorf("extraNames lists %s, which x/sys/windows has", name)
		}
	}
}

// The aliased record types have x/sys's layout: the emulator writes the
// program's Overlapped in place, so its fields must be x/sys's, in order.
func TestOverlappedLayout(t *testing.T) {
	want := []string{"Internal uintptr", "InternalHigh uintptr", "Offset uint32", "OffsetHigh uint32", "HEvent Handle"}
	typ := reflect.TypeOf(Overlapped{})
	var got []string
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tn := f.Type.Name()
		got = append(got, f.Name+" "+tn)
	}
	if !reflect.DeepEqual(got, want) || typ.Size() != 32 {
		t.Errorf("Overlapped: %v (%d bytes), want %v (32 bytes, as OVERLAPPED on 64-bit Windows)", got, typ.Size(), want)
	}
	if dir := xsysDir(t); dir != "" {
		if x := exported(t, dir, "windows", nil)["Overlapped"]; !reflect.DeepEqual(x.fields, want) {
			t.Errorf("x/sys's Overlapped is %v now, the test's %v", x.fields, want)
		}
	}
}
