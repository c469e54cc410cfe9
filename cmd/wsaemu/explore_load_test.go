package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// explore parses the files of each directory on its workers: the
// scenarios, in file order, and the first error in file order (not the
// first a worker met) are what a parse on one goroutine gives, for any
// number of workers.
func TestLoadOnWorkersAsLoad(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../spec/scenarios/wsasend/routine.scenario")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"a", "b", "d", "f", "g", "h"} {
		write(n+".scenario", src)
	}
	write("c.scenario", []byte("title broken\nthread A\nA: NoSuchCall\n"))
	write("e.scenario", []byte("no title\n"))
	names := func(paths []string, workers int) (string, string, int) {
		var errb bytes.Buffer
		scs, code := loadOn(paths, workers, &errb)
		var files bytes.Buffer
		for _, sc := range scs {
			files.WriteString(sc.File + "\n")
		}
		return files.String(), errb.String(), code
	}
	for _, paths := range [][]string{{dir}, {"../../spec/scenarios", "../../tests/bugs/scenarios"}, {"../../spec/scenarios/wsasend", dir}} {
		wf, we, wc := names(paths, 1)
		if wc == 0 && wf == "" {
			t.Fatalf("%v: nothing loaded", paths)
		}
		for _, w := range []int{2, 3, 8} {
			if f, e, c := names(paths, w); f != wf || e != we || c != wc {
				t.Errorf("%v on %d workers: exit %d, %q, files\n%s\nwant exit %d, %q, files\n%s", paths, w, c, e, f, wc, we, wf)
			}
		}
	}
	if _, e, _ := names([]string{dir}, 8); !bytes.Contains([]byte(e), []byte("c.scenario")) {
		t.Errorf("the first broken file is c.scenario; the error: %q", e)
	}
}
