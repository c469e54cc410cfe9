package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestREADMETourExample checks that the timeline the README shows is what
// `wsaemu tour -stop 3` prints in 80 columns, as the README says.
func TestREADMETourExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	const intro = "(real output of `wsaemu tour -stop 3` in 80 columns):\n\n```\n"
	i := strings.Index(text, intro)
	if i < 0 {
		t.Fatal("README: the tour example is gone")
	}
	block := text[i+len(intro):]
	block = block[:strings.Index(block, "```")]
	var out, errb bytes.Buffer
	if code := run([]string{"tour", "-stop", "3", "-width", "80"}, &out, &errb); code != 0 {
		t.Fatalf("tour exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), block) {
		t.Errorf("README's tour example is not what the tour prints; the tour prints:\n%s", out.String())
	}
}

// TestREADMEExploreDemo checks what the README says the buggy form shows:
// check passes it (4 runs), explore reports failing seeds with the broken
// expectation and a replay command, and exits 1; the corrected patterns
// explore clean.
func TestREADMEExploreDemo(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"check", "../../tests/bugs/scenarios"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), "4 passed, 0 failed") {
		t.Errorf("check of the buggy form: exit %d, output:\n%s%s", code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	code := run([]string{"explore", "../../tests/bugs/scenarios"}, &out, &errb)
	for _, want := range []string{"FAIL", "seeded seed 1", "want return FALSE, got TRUE", "wsaemu replay -seed 1 -kind ifs -profile windows"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("explore of the buggy form lacks %q:\n%s", want, out.String())
		}
	}
	if code != exitFailed {
		t.Errorf("explore of the buggy form: exit %d, want %d", code, exitFailed)
	}
	out.Reset()
	if code := run([]string{"explore", "../../spec/scenarios/bugs"}, &out, &errb); code != exitOK || !strings.Contains(out.String(), " 0 failing schedule(s)") {
		t.Errorf("explore of the corrected patterns: exit %d:\n%s", code, out.String())
	}
}
