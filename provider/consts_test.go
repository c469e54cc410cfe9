package provider_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// windowsName is how Windows spells its ABI constants: capitals and digits
// in words joined by underscores, or one such word (INFINITE, FIONBIO,
// AF_INET, SO_RCVBUF, WSA_IO_PENDING,
// STATUS_PENDING, FILE_SKIP_SET_EVENT_ON_HANDLE, WSAID_WSASENDMSG).
var windowsName = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)

// isReexport reports whether v is the same name taken from another package
// (INFINITE = wso.INFINITE): a reference to the one definition, which a
// higher layer may give its users so that their code reads like Win32.
func isReexport(v ast.Expr, name string) bool {
	if c, ok := v.(*ast.CallExpr); ok && len(c.Args) == 1 {
		v = c.Args[0] // a conversion, T(pkg.X), still names the one definition
	}
	sel, ok := v.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	_, ok = sel.X.(*ast.Ident)
	return ok
}

// TestWindowsConstantsDefinedOnce enforces DESIGN.md's rule "every Windows
// constant is defined once, at the lowest layer that needs it": it parses
// every non-test Go file of the module (whatever its build constraints)
// and fails if one Windows-style name is given a value in more than one
// package. A layer that needs a constant refers to the one definition
// instead of spelling its number again; re-exporting it under the same
// name (X = pkg.X) is such a reference.
func TestWindowsConstantsDefinedOnce(t *testing.T) {
	root := filepath.Join("..")
	where := map[string][]string{} // name -> packages (directories) declaring it
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (n == "testdata" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		dir := filepath.ToSlash(filepath.Dir(path))
		for _, decl := range f.Decls {
			g, ok := decl.(*ast.GenDecl)
			if !ok || (g.Tok != token.CONST && g.Tok != token.VAR) {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) && isReexport(vs.Values[i], n.Name) {
						continue
					}
					if windowsName.MatchString(n.Name) && !slices.Contains(where[n.Name], dir) {
						where[n.Name] = append(where[n.Name], dir)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 || len(where) < 50 {
		t.Fatalf("parsed %d files and found %d Windows names: not the module", files, len(where))
	}
	names := make([]string, 0, len(where))
	for n := range where {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if dirs := where[n]; len(dirs) > 1 {
			t.Errorf("%s is defined in %d packages: %s", n, len(dirs), strings.Join(dirs, ", "))
		}
	}
}
