package emu

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 10 and DESIGN.md ("kernel layer ... No socket branches"): sockets
// are kernel objects that own their close, cancel and thread-exit
// behaviour, so the kernel's files (every non-test file of the package but
// the ws2 layer's ws2_*.go) never name the socket object, its kind, the
// provider interface or a provider's SOCKET. The kernel reaches the ws2
// layer only through the object, fileLike and device interfaces and the
// thread-exit notifier.
func TestKernelFilesHaveNoSocketBranches(t *testing.T) {
	forbidden := map[string]bool{
		"socket": true, "kindSocket": true, "SOCKET": true, "ifs": true,
		"ServiceProvider": true, "WSATHREADID": true, "provKind": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	kernel := 0
	for _, name := range files {
		if strings.HasPrefix(name, "ws2_") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		kernel++
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && forbidden[id.Name] {
				t.Errorf("%s: kernel file names %s", fset.Position(id.Pos()), id.Name)
			}
			return true
		})
	}
	if kernel < 10 {
		t.Fatalf("only %d kernel files found", kernel)
	}
}
