//go:build unix

package spec

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A FIFO named *.scenario is skipped below a directory and refused by
// name: reading it would block until some writer came (issue 9: "check
// DIR" hung).
func TestCollectSkipsFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "a.scenario")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	good := filepath.Join(dir, "b.scenario")
	if err := os.WriteFile(good, []byte("title b\nthread A\nA: SleepEx 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	files, err := Collect(dir)
	if err != nil || len(files) != 1 || files[0] != good {
		t.Fatalf("Collect(dir) = %v, %v; want only %s", files, err, good)
	}
	if _, err := Collect(fifo); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Fatalf("Collect(fifo): want a not-a-regular-file error, got %v", err)
	}
	if _, err := ParseFile(fifo); err == nil || !strings.Contains(err.Error(), "named pipe") {
		t.Fatalf("ParseFile(fifo): want a not-a-regular-file error, got %v", err)
	}
}
