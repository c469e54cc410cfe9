package spec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// The limits the format guide documents (spec/doc.go, "Limits"): past each
// one the parser stops with a ParseError that names it and the line, and
// the cost of reading stays linear (issue 9).

func parseString(s string) (*Scenario, error) {
	return Parse("lim.scenario", strings.NewReader(s))
}

func wantLimitErr(t *testing.T, err error, line int, limit string) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("want a ParseError naming %s, got %v", limit, err)
	}
	if pe.Line != line || !strings.Contains(pe.Msg, limit) {
		t.Fatalf("want line %d naming %s, got %v", line, limit, err)
	}
}

// countingReader counts the bytes the parser reads.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// A file past MaxFileSize is refused, and the parser stops reading soon
// after the limit (it does not read, or keep, the rest).
func TestLimitFileSize(t *testing.T) {
	line := "# " + strings.Repeat("x", 1000) + "\n"
	big := strings.Repeat(line, 3*MaxFileSize/len(line))
	cr := &countingReader{r: strings.NewReader("title big\n" + big)}
	_, err := Parse("big.scenario", cr)
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "MaxFileSize") {
		t.Fatalf("want the MaxFileSize error, got %v", err)
	}
	if cr.n > MaxFileSize+1 {
		t.Fatalf("read %d bytes of a file past the %d byte limit", cr.n, MaxFileSize)
	}

	// Exactly at the limit is accepted; one byte more (a whole line, so
	// the cut falls on a line end) is not.
	head := "title t\nthread A\nA: SleepEx 0\n"
	var b strings.Builder
	b.WriteString(head)
	for b.Len() < MaxFileSize {
		l := min(1000, MaxFileSize-b.Len()) // the last line: 274 bytes, a comment
		b.WriteString("#" + strings.Repeat("z", l-2) + "\n")
	}
	if b.Len() != MaxFileSize {
		t.Fatalf("built %d bytes", b.Len())
	}
	if _, err := parseString(b.String()); err != nil {
		t.Fatalf("a file of exactly %d bytes: %v", MaxFileSize, err)
	}
	_, err = parseString(b.String() + "\n")
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "MaxFileSize") {
		t.Fatalf("a file of %d bytes: want the MaxFileSize error, got %v", MaxFileSize+1, err)
	}
}

// An over-long line is reported at its own line number (not the one
// before it, as bufio.Scanner's "token too long" was), naming the limit;
// a line of exactly MaxLineLength bytes is accepted.
func TestLimitLineLength(t *testing.T) {
	okLine := "# " + strings.Repeat("y", MaxLineLength-2)
	if _, err := parseString("title t\nthread A\n" + okLine + "\nA: SleepEx 0\n"); err != nil {
		t.Fatalf("a line of exactly %d bytes: %v", MaxLineLength, err)
	}
	_, err := parseString("title t\nthread A\n" + okLine + "z\nA: SleepEx 0\n")
	wantLimitErr(t, err, 3, "MaxLineLength")
	// The same at the end of the file, without a final newline.
	_, err = parseString("title t\nthread A\nA: SleepEx 0\n" + okLine + "z")
	wantLimitErr(t, err, 4, "MaxLineLength")
}

func nested(depth int) string {
	var b strings.Builder
	b.WriteString("title n\nthread A\nA: SleepEx 0\n")
	for i := 0; i < depth; i++ {
		b.WriteString("  either\n  return 0\n  or\n")
	}
	for i := 0; i < depth; i++ {
		b.WriteString("  return 0\n  end\n")
	}
	return b.String()
}

func TestLimitNesting(t *testing.T) {
	if _, err := parseString(nested(MaxNesting)); err != nil {
		t.Fatalf("either/or nested %d deep: %v", MaxNesting, err)
	}
	_, err := parseString(nested(MaxNesting + 1))
	wantLimitErr(t, err, 4+3*MaxNesting, "MaxNesting")
}

func TestLimitDeclsAndSteps(t *testing.T) {
	var b strings.Builder
	b.WriteString("title d\nthread A\n")
	for i := 1; i < MaxDecls; i++ {
		fmt.Fprintf(&b, "event e%d\n", i)
	}
	if _, err := parseString(b.String() + "A: SleepEx 0\n"); err != nil {
		t.Fatalf("%d declarations: %v", MaxDecls, err)
	}
	_, err := parseString(b.String() + "event extra\nA: SleepEx 0\n")
	wantLimitErr(t, err, MaxDecls+2, "MaxDecls")

	b.Reset()
	b.WriteString("title s\nthread A\n")
	for i := 0; i < MaxSteps; i++ {
		b.WriteString("A: SleepEx 0\n")
	}
	if _, err := parseString(b.String()); err != nil {
		t.Fatalf("%d steps: %v", MaxSteps, err)
	}
	_, err = parseString(b.String() + "settle\n")
	wantLimitErr(t, err, MaxSteps+3, "MaxSteps")
}

// A duplicate name is still found, with the line of the first one.
func TestDuplicateName(t *testing.T) {
	_, err := parseString("title d\nthread A\nevent e\nevent f\nevent e\nA: SleepEx 0\n")
	wantLimitErr(t, err, 5, "already declared on line 3")
}

// The failure of nested either/or groups is reported in a message whose
// size is linear in the number of expectations, however deep the nesting
// (the groups are built directly, past MaxNesting, to show the cost).
func TestEitherFailureLinear(t *testing.T) {
	const depth = 5000
	leaf := Expect{Line: 1, Words: []string{"return", "0"}}
	e := leaf
	for i := 0; i < depth; i++ {
		e = Expect{Line: 1, Alts: [][]Expect{{leaf}, {e}}}
	}
	ev := &evaluator{out: Outcome{Ret: "1", Outs: map[string]string{}}, last: map[string]Completion{}}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fs := ev.check(e)
	runtime.ReadMemStats(&after)
	if len(fs) != 1 {
		t.Fatalf("want one failure, got %d", len(fs))
	}
	ev.msg = ev.msg[:0]
	ev.one(leaf.Words)
	one := len(ev.msg)
	// Per level: one leaf message and a fixed amount of framing.
	if bound := (depth + 1) * (2*one + 80); len(fs[0].Msg) > bound {
		t.Fatalf("message of %d bytes for %d levels: more than linear (%d)", len(fs[0].Msg), depth, bound)
	}
	// The work, counted in bytes allocated, is linear too: copying each
	// level's messages into the level above (as before issue 9) allocates
	// about depth²/2 leaf messages, hundreds of megabytes here.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(64*len(fs[0].Msg)) {
		t.Fatalf("%d bytes allocated for a %d byte message: more than linear", alloc, len(fs[0].Msg))
	}
	if !strings.Contains(fs[0].Msg, "branch 2: no branch of either/or holds") {
		t.Fatalf("message does not show the nesting: %.200s", fs[0].Msg)
	}
	// A group whose second branch holds leaves no message behind.
	ok := Expect{Line: 1, Alts: [][]Expect{{leaf}, {{Line: 1, Words: []string{"return", "1"}}}}}
	if fs := ev.check(ok); len(fs) != 0 {
		t.Fatalf("a holding branch: %v", fs)
	}
}

// Control characters never reach a terminal: a line holding one is an
// error, and the error itself shows it escaped.
func TestControlBytes(t *testing.T) {
	_, err := parseString("title t\x1b[2J\nthread A\nA: SleepEx 0\n")
	wantLimitErr(t, err, 1, "control character")
	if strings.ContainsRune(err.Error(), 0x1b) {
		t.Fatalf("error carries the raw control byte: %q", err.Error())
	}
	_, err = Parse("bad\x07name.scenario", strings.NewReader("frob\n"))
	if err == nil || strings.ContainsRune(err.Error(), 7) || !strings.Contains(err.Error(), `bad\aname`) {
		t.Fatalf("file name not escaped: %q", err)
	}
	if _, err := parseString("title t\nthread A\nA: SleepEx 0 \xff\n"); err == nil || !strings.Contains(err.Error(), "UTF-8") {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	// A quoted value may hold any byte; a failure message shows it escaped.
	sc, err := parseString("title t\nthread A\nA: SleepEx 0\n  return \"\\x1b[2J\"\n")
	if err != nil {
		t.Fatal(err)
	}
	rep := Run(sc, NewEmulator(), RunConfig{Kind: "nonifs", Profile: "windows"})
	fs := rep.Failures()
	if len(fs) != 1 || !strings.Contains(fs[0], `want return "\x1b[2J"`) || strings.ContainsAny(fs[0], "\x1b\x00") {
		t.Fatalf("failure message: %q", fs)
	}
	for _, st := range rep.Steps {
		for _, f := range st.Failures {
			if strings.ContainsAny(f.Msg, "\x1b\x00") {
				t.Fatalf("step failure carries a control byte: %q", f.Msg)
			}
		}
	}
}

// BenchmarkParseManyDecls parses 100,000 declarations (issue 9: the
// duplicate check was quadratic, 15 s for this input).
func BenchmarkParseManyDecls(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("title d\nthread A\n")
	for i := 1; i < MaxDecls; i++ {
		fmt.Fprintf(&buf, "event e%d\n", i)
	}
	buf.WriteString("A: SleepEx 0\n")
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse("many.scenario", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// Parse reads lines through a 64 KiB buffer kept from parse to parse:
// loading a corpus of a thousand small files does not make one for each.
func TestParseKeepsItsLineReader(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop what it keeps")
	}
	text := "title t\nthread A\nevent e\nA: SetEvent e\n  return TRUE\n"
	if _, err := parseString(text); err != nil {
		t.Fatal(err)
	}
	const n = 200
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i++ {
		if _, err := Parse("t.scenario", strings.NewReader(text)); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	// A GC between parses may drop the kept reader (sync.Pool): a few
	// buffers made again are allowed, one per parse is not.
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > 16<<10 {
		t.Errorf("%d bytes allocated per parse of a %d byte scenario", per, len(text))
	}
}
