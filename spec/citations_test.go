package spec

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 11, item 6: the project cites what a reader can open. No file of
// the repository may point to the helpers' reference notes outside it
// (the shared reference tree or its summary file); comments, docs, scenarios
// and the catalogue cite public sources (Microsoft pages, Wine tests) and
// docs/windows-behaviour.md instead. The needles are assembled so that
// this file does not match itself.
func TestNoCitationsOutsideTheRepository(t *testing.T) {
	needles := []string{".." + "/shared", "shared" + "/reference", "ground" + "-truth.md"}
	root := ".."
	var bad []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (strings.HasPrefix(n, ".") || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".go", ".md", ".scenario", ".ledger", ".sh", ".txt", "":
		default:
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, n := range needles {
			if strings.Contains(string(b), n) {
				bad = append(bad, p+": "+n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bad {
		t.Errorf("cites a file outside the repository: %s", b)
	}
	if _, err := os.Stat(filepath.Join(root, "docs", "windows-behaviour.md")); err != nil {
		t.Errorf("the project's notes on Windows behaviour are missing: %v", err)
	}
}
