package spec

import (
	"go/ast"
	goparser "go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// kernelPages are the pages catalog_kernel.go covers.
var kernelPages = map[string]bool{
	pgRoutine: true, pgAlertable: true, pgAPC: true, pgQueueAPC: true, pgSleepEx: true,
	pgMsgWait: true, pgSyncOvl: true, pgSyncAsync: true, pgOverlapped: true, pgReadFileEx: true,
	pgGOR: true, pgGORex: true, pgCancelIo: true, pgCancelIoEx: true, pgCanceling: true, pgCreatePort: true,
	pgGQCS: true, pgGQCSEx: true, pgPQCS: true, pgIOCP: true, pgSetFCNModes: true,
	pgWFMO: true, pgCreateEvent: true, pgWriteFile: true,
}

// kernelScenarioDirs are the scenario directories whose clause lines must
// name clauses of the catalogue.
var kernelScenarioDirs = []string{
	"apc", "sleepex", "waits", "events", "pipes", "getoverlappedresult",
	"cancel", "iocp", "completion-routine", "tour", "wine/kernel",
}

func kernelClauses() []Clause {
	var out []Clause
	for _, c := range Catalog() {
		if kernelPages[c.Page] {
			out = append(out, c)
		}
	}
	return out
}

// testFuncs returns the names of the Test functions in the _test.go files
// of the package directory dir (relative to the module root).
func testFuncs(t *testing.T, dir string, cache map[string]map[string]bool) map[string]bool {
	t.Helper()
	if m, ok := cache[dir]; ok {
		return m
	}
	files, err := filepath.Glob(filepath.Join("..", dir, "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := goparser.ParseFile(fset, f, nil, goparser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse %s: %v", f, err)
		}
		for _, d := range af.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && strings.HasPrefix(fd.Name.Name, "Test") {
				m[fd.Name.Name] = true
			}
		}
	}
	cache[dir] = m
	return m
}

// Every Tests entry of a kernel clause names a Go test function that
// exists, written "pkg.TestName" with pkg the package's directory.
func TestKernelClauseTestsExist(t *testing.T) {
	cache := map[string]map[string]bool{}
	cs := kernelClauses()
	if len(cs) == 0 {
		t.Fatal("no kernel clauses registered")
	}
	for _, c := range cs {
		for _, name := range c.Tests {
			pkg, fn, ok := strings.Cut(name, ".")
			if !ok || pkg == "" || !strings.HasPrefix(fn, "Test") {
				t.Errorf("%s: test %q is not written pkg.TestName", c.ID, name)
				continue
			}
			if !testFuncs(t, pkg, cache)[fn] {
				t.Errorf("%s: test %s does not exist in %s/*_test.go", c.ID, fn, pkg)
			}
		}
	}
}

// Every kernel clause is covered by a scenario or a test, or says why it
// cannot be; a clause that is covered carries no such excuse. Kernel
// scenarios name only clauses the catalogue has.
func TestKernelClausesCovered(t *testing.T) {
	for _, msg := range CheckCatalog() {
		t.Error(msg)
	}
	scs := parseCorpus(t)
	cov, unknown := ComputeCoverage(scs)
	for _, u := range unknown {
		for _, d := range kernelScenarioDirs {
			if strings.HasPrefix(filepath.ToSlash(u), "scenarios/"+d+"/") {
				t.Error(u)
			}
		}
	}
	n := 0
	for _, c := range cov {
		if !kernelPages[c.Page] {
			continue
		}
		n++
		switch {
		case !c.Covered() && strings.TrimSpace(c.Uncovered) == "":
			t.Errorf("%s: no scenario or test covers it and it gives no reason", c.ID)
		case c.Covered() && c.Uncovered != "":
			t.Errorf("%s: covered by %v %v but still says why it is not", c.ID, c.Scenarios, c.Tests)
		}
	}
	if n == 0 {
		t.Fatal("no kernel clauses in the coverage")
	}
}

// Kernel clause IDs are prefixed by their page, so a reader can find the
// page from the ID.
func TestKernelClausePrefixes(t *testing.T) {
	prefix := map[string]string{
		pgRoutine: "lpoverlapped-completion-routine", pgAlertable: "alertable-io", pgAPC: "apc",
		pgQueueAPC: "queueuserapc", pgSleepEx: "sleepex", pgMsgWait: "msgwaitformultipleobjectsex",
		pgSyncOvl: "sync-overlapped-io", pgSyncAsync: "sync-async-io", pgOverlapped: "overlapped",
		pgReadFileEx: "readfileex", pgGOR: "getoverlappedresult", pgGORex: "getoverlappedresultex", pgCancelIo: "cancelio",
		pgCancelIoEx: "cancelioex", pgCanceling: "canceling-io", pgCreatePort: "createiocompletionport",
		pgGQCS: "getqueuedcompletionstatus", pgGQCSEx: "getqueuedcompletionstatusex",
		pgPQCS: "postqueuedcompletionstatus", pgIOCP: "iocp", pgSetFCNModes: "setfilecompletionnotificationmodes",
		pgWFMO: "waitformultipleobjects", pgCreateEvent: "createevent", pgWriteFile: "writefile",
	}
	var missing []string
	for p := range kernelPages {
		if _, ok := prefix[p]; !ok {
			missing = append(missing, p)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("no prefix for pages %v", missing)
	}
	for _, c := range kernelClauses() {
		if want := prefix[c.Page] + "."; !strings.HasPrefix(c.ID, want) {
			t.Errorf("%s: page %q wants IDs starting %q", c.ID, c.Page, want)
		}
		if c.ID != strings.ToLower(c.ID) {
			t.Errorf("%s: IDs are lower case", c.ID)
		}
	}
}
