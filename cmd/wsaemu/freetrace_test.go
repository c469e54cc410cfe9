package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The example traces of docs/examples that were recorded from the
// emulator are what their header's command writes today: the examples the
// format's specification points to stay true to the writer.
func TestRecordedExamplesCurrent(t *testing.T) {
	t.Chdir("../..")
	files, _ := filepath.Glob("docs/examples/*.jsonl")
	recorded := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var h struct{ Recorder string }
		json.Unmarshal(bytes.SplitN(b, []byte("\n"), 2)[0], &h)
		args, ok := strings.CutPrefix(h.Recorder, "wsaemu check-trace ")
		if !ok {
			continue // hand-written
		}
		recorded++
		var out, errb bytes.Buffer
		if code := cmdCheckTrace(strings.Fields(args), &out, &errb); code != 0 {
			t.Errorf("%s: %s: exit %d: %s", f, h.Recorder, code, errb.String())
			continue
		}
		if !bytes.Equal(out.Bytes(), b) {
			t.Errorf("%s is not what %q writes now: rerun it", f, h.Recorder)
		}
	}
	if recorded < 8 {
		t.Errorf("%d recorded examples, want the 11 docs/examples holds", recorded)
	}
}
