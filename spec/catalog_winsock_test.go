package spec

import (
	"fmt"
	"go/ast"
	goparser "go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// winsockPages are the pages catalog_winsock.go paraphrases, with the ID
// prefix each page's clauses carry.
var winsockPages = map[string]string{
	"WSASendMsg":                         "wsasendmsg.",
	"LPWSPGETOVERLAPPEDRESULT":           "lpwspgetoverlappedresult.",
	"WSAOVERLAPPED":                      "wsaoverlapped.",
	"LPWSAOVERLAPPED_COMPLETION_ROUTINE": "lpwsaoverlapped-completion-routine.",
	"WSARecv":                            "wsarecv.",
	"WSARecvFrom":                        "wsarecvfrom.",
	"WSASend":                            "wsasend.",
	"WSASendTo":                          "wsasendto.",
	"WSAGetOverlappedResult":             "wsagetoverlappedresult.",
	"WSAIoctl":                           "wsaioctl.",
	"WSAMSG":                             "wsamsg.",
	"LPFN_WSARECVMSG":                    "wsarecvmsg.",
	"WSABUF":                             "wsabuf.",
	"WSACreateEvent":                     "wsacreateevent.",
	"WSASetEvent":                        "wsasetevent.",
	"WSAResetEvent":                      "wsaresetevent.",
	"WSACloseEvent":                      "wsacloseevent.",
	"WSASocketW":                         "wsasocket.",
	"WPUCompleteOverlappedRequest":       "wpucompleteoverlappedrequest.",
	"WPUQueueApc":                        "wpuqueueapc.",
	"WPUOpenCurrentThread":               "wpuopencurrentthread.",
	"LPWSPCLOSESOCKET":                   "lpwspclosesocket.",
	"LPWSPRECV":                          "lpwsprecv.",
	"LPWSPRECVFROM":                      "lpwsprecvfrom.",
	"LPWSPSEND":                          "lpwspsend.",
	"LPWSPSENDTO":                        "lpwspsendto.",
}

// crossPageIDs are clauses whose ID prefix names another Winsock page than
// the one the statement is on: the emulator's sanitizer already reports
// them under these IDs (emu/sanitizer.go).
var crossPageIDs = map[string]bool{
	"wsaoverlapped.release-while-pending": true,
	"wsaoverlapped.reuse-while-pending":   true,
}

// winsockScenarioDirs hold the scenarios written for these pages.
var winsockScenarioDirs = []string{
	"wsasendmsg", "wsarecvmsg", "wsarecv", "wsasend", "wsagetoverlappedresult",
	"wsaoverlapped", "completion-routine-wsa", "closesocket", "wsaioctl", "events-wsa",
}

func winsockClauses() []Clause {
	var out []Clause
	for _, c := range Catalog() {
		if _, ok := winsockPages[c.Page]; ok {
			out = append(out, c)
		}
	}
	return out
}

// goTests parses the test files of the packages a clause may name and
// returns every top-level Test function as "pkg.TestName", pkg being the
// directory's last element (emu_test files count as emu, provider/mem's as
// mem).
func goTests(t *testing.T) map[string]bool {
	t.Helper()
	found := map[string]bool{}
	fset := token.NewFileSet()
	for _, dir := range []string{"emu", "provider/mem", "wsaoverlapped", "apcqueue"} {
		files, err := filepath.Glob(filepath.Join("..", dir, "*_test.go"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no test files in ../%s", dir)
		}
		for _, f := range files {
			af, err := goparser.ParseFile(fset, f, nil, goparser.SkipObjectResolution)
			if err != nil {
				t.Fatalf("parse %s: %v", f, err)
			}
			for _, d := range af.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Recv != nil || !strings.HasPrefix(fd.Name.Name, "Test") {
					continue
				}
				found[filepath.Base(dir)+"."+fd.Name.Name] = true
			}
		}
	}
	return found
}

// TestWinsockCatalogWellFormed checks the Winsock clauses themselves: a
// known kind, text, the page's ID prefix, no duplicates, and an Uncovered
// reason that is a sentence rather than a placeholder.
func TestWinsockCatalogWellFormed(t *testing.T) {
	cs := winsockClauses()
	if len(cs) < 70 {
		t.Fatalf("only %d Winsock clauses", len(cs))
	}
	for _, bad := range CheckCatalog() {
		for _, c := range cs {
			if strings.Contains(bad, c.ID) {
				t.Error(bad)
			}
		}
	}
	for _, c := range cs {
		if !strings.HasPrefix(c.ID, winsockPages[c.Page]) && !crossPageIDs[c.ID] {
			t.Errorf("%s: page %s wants IDs starting %q", c.ID, c.Page, winsockPages[c.Page])
		}
		if c.ID != strings.ToLower(c.ID) {
			t.Errorf("%s: IDs are lower case", c.ID)
		}
		if strings.Contains(c.Text, "\n") {
			t.Errorf("%s: the text is one line", c.ID)
		}
		if c.Uncovered != "" && len(c.Uncovered) < 20 {
			t.Errorf("%s: Uncovered needs a real reason, not %q", c.ID, c.Uncovered)
		}
	}
}

// TestWinsockClauseTestsExist checks that every Go test a Winsock clause
// names exists (parsed from ../emu, ../provider, ../wsaoverlapped and
// ../apcqueue with go/parser).
func TestWinsockClauseTestsExist(t *testing.T) {
	have := goTests(t)
	for _, c := range winsockClauses() {
		for _, name := range c.Tests {
			if !have[name] {
				t.Errorf("%s names test %s, which does not exist", c.ID, name)
			}
		}
	}
}

// parseCorpus parses every scenario under spec/scenarios; a file that does
// not parse fails the test and is left out.
func parseCorpus(t *testing.T) []*Scenario {
	t.Helper()
	files, err := Collect("scenarios")
	if err != nil {
		t.Fatal(err)
	}
	var scs []*Scenario
	for _, f := range files {
		sc, err := ParseFile(f)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		scs = append(scs, sc)
	}
	return scs
}

// TestWinsockClausesCovered checks that every Winsock clause is covered by
// a scenario, a Go test, or a written reason why it cannot be, and that the
// Winsock scenarios name only clauses the catalogue has.
func TestWinsockClausesCovered(t *testing.T) {
	scs := parseCorpus(t)
	cov, unknown := ComputeCoverage(scs)
	for _, u := range unknown {
		for _, d := range winsockScenarioDirs {
			if strings.Contains(filepath.ToSlash(u), "scenarios/"+d+"/") {
				t.Error(u)
			}
		}
	}
	var bare []string
	counts := map[ClauseKind]int{}
	nScen, nTest, nWhy := 0, 0, 0
	for _, c := range cov {
		if _, ok := winsockPages[c.Page]; !ok {
			continue
		}
		counts[c.Kind]++
		switch {
		case len(c.Scenarios) > 0:
			nScen++
		case len(c.Tests) > 0:
			nTest++
		case c.Uncovered != "":
			nWhy++
		default:
			bare = append(bare, c.ID)
		}
	}
	sort.Strings(bare)
	for _, id := range bare {
		t.Errorf("%s: no scenario, no test, and no Uncovered reason", id)
	}
	t.Logf("Winsock clauses: %d required, %d freedom, %d undefined; %d by scenario, %d by Go test only, %d uncovered with a reason",
		counts[Required], counts[Freedom], counts[Undefined], nScen, nTest, nWhy)
}

// TestWinsockScenariosUnderChoosers runs the Winsock scenarios with seeded,
// swarm and hostile Choosers as well as the usual one (TestCorpus): every
// either/or block must admit each outcome the emulator may pick (pend or
// not, routine order, schedule), so no scenario pins down what the pages
// leave open; hostile runs also poison the out-parameters a pending call
// leaves unwritten.
func TestWinsockScenariosUnderChoosers(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, d := range winsockScenarioDirs {
		files, err := Collect(filepath.Join("scenarios", d))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			sc, err := ParseFile(f)
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			for _, cfg := range Configs(sc) {
				var runs []RunConfig
				h := cfg
				h.Hostile = true
				runs = append(runs, h)
				for seed := uint64(1); seed <= 8; seed++ {
					c := cfg
					c.Seed, c.Seeded = seed, true
					runs = append(runs, c)
					c.Swarm = true
					runs = append(runs, c)
				}
				for _, c := range runs {
					rep := Run(sc, NewEmulator(), c)
					if fs := rep.Failures(); len(fs) > 0 {
						name := fmt.Sprintf("%s/%s/%s seed=%d swarm=%v hostile=%v", strings.TrimSuffix(filepath.ToSlash(f), Ext), c.Kind, c.Profile, c.Seed, c.Swarm, c.Hostile)
						t.Errorf("%s: %s", name, strings.Join(fs, "; "))
						break // one failing run per configuration is enough
					}
				}
			}
		}
	}
}
