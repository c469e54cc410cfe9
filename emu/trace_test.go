package emu

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// rewrite makes golden-file tests write what they got instead of comparing
// (go test ./emu -run Golden -rewrite). Every golden test of the package
// uses this one flag.
var rewrite = flag.Bool("rewrite", false, "rewrite golden files")

// ktGolden compares got with testdata/name, or rewrites the file.
func ktGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *rewrite {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -rewrite to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (run with -rewrite if the change is intended):\n%s", path, cmp.Diff(string(want), got))
	}
}

// ktSmallRun is a small fixed program that touches most kinds of trace
// event: thread start and exit, calls and returns (one failing), events
// set and reset, a user APC and a completion routine, a pending pipe read
// completed by another thread's write (field writes, issue, complete), a
// block, wake-ups and the clock.
func ktSmallRun(tb testing.TB) *System {
	s := New()
	_, err := s.Go("main", func(m *Thread) {
		ev := ktEventR(tb, m, true, false)
		rh, wh, _ := m.CreatePipe(PipeOptions{Mode: PipeMessage})
		ov := &Overlapped{}
		buf := make([]byte, 4)
		m.ReadFileEx(rh, buf, ov, func(*Thread, uint32, uint32, *Overlapped) {})
		h, _ := m.CreateThread(func(helper *Thread) {
			helper.Sleep(10)
			var n uint32
			helper.WriteFile(wh, []byte("hello"), &n, &Overlapped{})
			helper.Sleep(5)
			helper.SetEvent(ev)
		})
		m.QueueUserAPC(func(*Thread, uintptr) {}, m.GetCurrentThread(), 7)
		m.WaitForSingleObjectEx(ev, INFINITE, true) // runs the user APC
		m.WaitForSingleObjectEx(ev, INFINITE, true) // woken by the routine
		m.WaitForSingleObjectEx(ev, 100, false)     // woken by the event
		m.SetEvent(0)                               // fails
		m.WaitForSingleObject(h, INFINITE)
	})
	if err != nil {
		tb.Fatal(err)
	}
	ktRun(tb, s)
	return s
}

// The text timeline of a small fixed run is stable: it matches the golden
// file byte for byte.
func TestTraceTextGolden(t *testing.T) {
	s := ktSmallRun(t)
	ktGolden(t, "kernel_trace.golden", s.Trace().String())
	var b bytes.Buffer
	if err := s.Trace().WriteText(&b); err != nil || b.String() != s.Trace().String() {
		t.Errorf("WriteText and String disagree (%v)", err)
	}
	// A few things the timeline must show, whatever the golden says.
	text := s.Trace().String()
	for _, want := range []string{"apc-run", "depth=1", "err=ERROR_INVALID_HANDLE", "now 10ms", "ov1.Internal 0x103 -> 0x80000005", "block"} {
		if !strings.Contains(text, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}
}

// WriteJSON writes one event per line; ReadJSON gives back exactly the
// same events, and the text rendered from them is the same.
func TestTraceJSONRoundTrip(t *testing.T) {
	traces := []*Trace{ktSmallRun(t).Trace()}
	for _, seed := range []uint64{3, 11} {
		s := New(WithSeed(seed))
		check := ktMixed(t, s)
		ktRun(t, s)
		check()
		traces = append(traces, s.Trace())
	}
	for i, tr := range traces {
		var b bytes.Buffer
		if err := tr.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		if lines := strings.Count(b.String(), "\n"); lines != tr.Len() {
			t.Errorf("trace %d: %d lines for %d events", i, lines, tr.Len())
		}
		back, err := ReadJSON(&b)
		if err != nil {
			t.Fatalf("trace %d: ReadJSON: %v", i, err)
		}
		if d := cmp.Diff(plainEvents(tr), plainEvents(back), cmp.AllowUnexported(Event{})); d != "" {
			t.Errorf("trace %d: round trip changed the events:\n%s", i, d)
		}
		if back.String() != tr.String() {
			t.Errorf("trace %d: text differs after the round trip", i)
		}
	}
	// Kinds are written by name.
	var b bytes.Buffer
	one := &Trace{}
	one.Append(Event{Seq: 1, Kind: EvAPCDropped, Err: wso.ERROR_GEN_FAILURE})
	one.WriteJSON(&b)
	if !strings.Contains(b.String(), `"kind":"apc-dropped"`) {
		t.Errorf("JSON line %s does not name the kind", b.String())
	}
}

// plainEvents copies tr's events with each one's text rendered into Text,
// as a trace read back from JSON holds them.
func plainEvents(tr *Trace) []Event {
	var out []Event
	for _, e := range tr.All() {
		p := *e
		p.Text, p.lay, p.args = e.Detail(), argsText, argVals{}
		out = append(out, p)
	}
	return out
}

// ReadJSON refuses malformed input and unknown kinds, naming the event;
// empty input is an empty trace.
func TestReadJSONErrors(t *testing.T) {
	tr, err := ReadJSON(strings.NewReader(""))
	if err != nil || tr.Len() != 0 {
		t.Errorf("empty input: %v, %v", tr, err)
	}
	for _, bad := range []string{
		`{"seq":1,"kind":"call"}` + "\n" + `{"seq":2,"kind":"no-such-kind"}`,
		`{"seq":1,"kind":"call"}` + "\n" + `{"seq":2,`,
		`[1,2,3]`,
	} {
		if _, err := ReadJSON(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadJSON(%q) succeeded", bad)
		}
	}
	_, err = ReadJSON(strings.NewReader(`{"seq":1,"kind":"call"}` + "\n" + `{"seq":2,"kind":"bogus"}`))
	if err == nil || !strings.Contains(err.Error(), "event 2") {
		t.Errorf("error %v does not name event 2", err)
	}
}

// Every EventKind has its own name, which parses back to the kind; kinds
// outside the list print as kind(n) and do not parse.
func TestEveryEventKindHasAName(t *testing.T) {
	seen := map[string]EventKind{}
	for k := EventKind(1); k < numEventKinds; k++ {
		name := k.String()
		if name == "" || strings.HasPrefix(name, "kind(") {
			t.Errorf("EventKind %d has no name", k)
			continue
		}
		if prev, dup := seen[name]; dup {
			t.Errorf("kinds %d and %d share the name %q", prev, k, name)
		}
		seen[name] = k
		txt, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back EventKind
		if err := back.UnmarshalText(txt); err != nil || back != k {
			t.Errorf("%q parses to %v, %v", txt, back, err)
		}
		// Rendering an event of each kind with zero fields is safe.
		_ = Event{Kind: k}.String()
	}
	for _, k := range []EventKind{0, numEventKinds, 200} {
		if got := k.String(); !strings.HasPrefix(got, "kind(") {
			t.Errorf("EventKind(%d).String() = %q", k, got)
		}
	}
	var k EventKind
	if err := k.UnmarshalText([]byte("kind(0)")); err == nil {
		t.Error("kind(0) parsed")
	}
}

// ktFailWriter fails every write.
type ktFailWriter struct{}

func (ktFailWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// WriteText and WriteJSON report the writer's error.
func TestTraceWriteErrors(t *testing.T) {
	tr := ktSmallRun(t).Trace()
	if err := tr.WriteText(ktFailWriter{}); err == nil {
		t.Error("WriteText swallowed the error")
	}
	if err := tr.WriteJSON(ktFailWriter{}); err == nil {
		t.Error("WriteJSON swallowed the error")
	}
}

// Trace events are numbered 1, 2, 3 ... and their times never go back.
func TestTraceSequenceAndTime(t *testing.T) {
	s := New(WithSeed(4))
	ktMixed(t, s)
	ktRun(t, s)
	for i, e := range s.Trace().All() {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d has Seq %d", i+1, e.Seq)
		}
		if i > 0 && e.Time < s.Trace().At(i-1).Time {
			t.Fatalf("event %d goes back in time", e.Seq)
		}
	}
}

// A wait result that is not a small number is rendered in hex
// (WAIT_FAILED as 0xffffffff), small ones in decimal.
func TestTraceRendersResults(t *testing.T) {
	s := ktOne(t, func(th *Thread) {
		th.WaitForSingleObject(0, 0)
		th.SleepEx(0, true)
	})
	text := s.Trace().String()
	if !strings.Contains(text, "WaitForSingleObject -> 0xffffffff err=ERROR_INVALID_HANDLE") ||
		!strings.Contains(text, "SleepEx -> 0\n") {
		t.Errorf("timeline:\n%s", text)
	}
}

// Each argument layout renders exactly the text the call sites formatted
// with fmt before the trace kept values (issue 16, item 4: traces stay
// byte-identical), including zero, INFINITE and the largest values.
func TestArgLayoutsRenderAsFormatted(t *testing.T) {
	fmtArgs := func(ms uint32, alertable bool) string {
		if ms == INFINITE {
			return fmt.Sprintf("INFINITE, %v", alertable)
		}
		return fmt.Sprintf("%d, %v", ms, alertable)
	}
	for _, h := range []uint64{0, 0x8, 0xffffffffffffffff} {
		for _, ov := range []int{0, 1, 12345} {
			for _, ms := range []uint32{0, 250, INFINITE, INFINITE - 1} {
				for _, yes := range []bool{false, true} {
					cases := []struct {
						a    callArgs
						want string
					}{
						{callArgs{lay: argsH, a: argVals{h}}, fmt.Sprintf("%#x", h)},
						{callArgs{lay: argsHH, a: argVals{h, uint64(ms)}}, fmt.Sprintf("%#x, %#x", h, ms)},
						{callArgs{lay: argsHOv, a: argVals{h, uint64(ov)}}, fmt.Sprintf("%#x, ov%d", h, ov)},
						{callArgs{lay: argsHOvRoutine, a: argVals{h, uint64(ov), b2u(yes)}}, fmt.Sprintf("%#x, ov%d, routine=%v", h, ov, yes)},
						{callArgs{lay: argsHOvWait, a: argVals{h, uint64(ov), b2u(yes)}}, fmt.Sprintf("%#x, ov%d, wait=%v", h, ov, yes)},
						{callArgs{lay: argsHLenOv, a: argVals{h, uint64(ms), uint64(ov)}}, fmt.Sprintf("%#x, len=%d, ov%d", h, ms, ov)},
						{callArgs{lay: argsMsAlert, a: argVals{msAlert(ms, yes)}}, fmtArgs(ms, yes)},
						{callArgs{lay: argsHMsAlert, a: argVals{h, msAlert(ms, yes)}}, fmt.Sprintf("%#x, %s", h, fmtArgs(ms, yes))},
						{callArgs{lay: argsHOvMsAlert, a: argVals{h, uint64(ov), msAlert(ms, yes)}}, fmt.Sprintf("%#x, ov%d, %s", h, ov, fmtArgs(ms, yes))},
						{callArgs{lay: argsHCountMsAlert, a: argVals{h, 7, msAlert(ms, yes)}}, fmt.Sprintf("%#x, count=%d, %s", h, 7, fmtArgs(ms, yes))},
						{callArgs{lay: argsPost, a: argVals{h, uint64(ms) | uint64(ov)<<32, h}}, fmt.Sprintf("%#x, %d, key=%#x, ov%d", h, ms, h, ov)},
						{callArgs{lay: argsVersion, a: argVals{uint64(uint16(ms))}}, fmt.Sprintf("%d.%d", uint16(ms)&0xff, uint16(ms)>>8)},
						{callArgs{lay: argsSocket, a: argVals{uint64(uint32(int32(ms))) | uint64(uint32(int32(-ov)))<<32, uint64(uint32(int32(h))), uint64(uint32(h))}}, fmt.Sprintf("af=%d, type=%d, proto=%d, flags=%#x", int32(ms), int32(-ov), int32(h), uint32(h))},
						{callArgs{lay: argsWait, a: argVals{0, 0, 0, 0 | b2u(yes)<<8 | msAlert(ms, !yes)<<16}}, fmt.Sprintf("[], all=%v, %s", yes, fmtArgs(ms, !yes))},
						{callArgs{lay: argsWait, a: argVals{h, 0, 0, 1 | msAlert(ms, yes)<<16}}, fmt.Sprintf("[%#x], all=false, %s", h, fmtArgs(ms, yes))},
						{callArgs{lay: argsWait, a: argVals{h, 0x10, 0, 2 | 1<<8 | msAlert(ms, yes)<<16}}, fmt.Sprintf("[%#x %#x], all=true, %s", h, 0x10, fmtArgs(ms, yes))},
						{callArgs{lay: argsWait, a: argVals{h, 0x10, 0, 3 | 1<<8 | msAlert(ms, yes)<<16}}, fmt.Sprintf("[%#x %#x 0x0], all=true, %s", h, 0x10, fmtArgs(ms, yes))},
						{callArgs{lay: argsWaitPacked, a: argVals{uint64(uint32(h)) | 0x10<<32, 0x14, 0, 3 | msAlert(ms, yes)<<16}}, fmt.Sprintf("[%#x %#x %#x], all=false, %s", uint32(h), 0x10, 0x14, fmtArgs(ms, yes))},
						{callArgs{lay: argsWaitSeq, a: argVals{h, ^uint64(3), 0, 3 | msAlert(ms, yes)<<16}}, fmt.Sprintf("[%#x %#x %#x], all=false, %s", h, h-4, h-8, fmtArgs(ms, yes))},
					}
					for _, c := range cases {
						e := Event{Kind: EvCall, Name: "X", lay: c.a.lay, args: c.a.a}
						if got := e.Detail(); got != c.want {
							t.Errorf("layout %d: %q, want %q", c.a.lay, got, c.want)
						}
					}
				}
			}
		}
	}
	for _, until := range []time.Duration{0, 1500 * time.Millisecond} {
		for _, yes := range []bool{false, true} {
			want := fmt.Sprintf("alertable=%v forever", yes)
			if until > 0 {
				want = fmt.Sprintf("alertable=%v until %s", yes, fmtTime(until))
			}
			e := Event{Kind: EvBlock, lay: argsBlock, args: argVals{b2u(yes), b2u(until > 0), uint64(until)}}
			if got := e.Detail(); got != want {
				t.Errorf("block: %q, want %q", got, want)
			}
		}
	}
}

// A wait on more handles than an event keeps as values renders its
// arguments as text, in the same form as argsWait, the handles in order.
func TestWaitArgsTextAsFormatted(t *testing.T) {
	for _, n := range []int{3, 4, 64} {
		for _, ms := range []uint32{0, 250, INFINITE} {
			for _, yes := range []bool{false, true} {
				hs := make([]Handle, n)
				want := "["
				for i := range hs {
					hs[i] = Handle(4 * (i + 1))
					if i == n-1 {
						hs[i] = ^Handle(0) // an invalid handle renders whole
					}
					if i > 0 {
						want += " "
					}
					want += fmt.Sprintf("%#x", uint64(hs[i]))
				}
				want += fmt.Sprintf("], all=%v, %s", !yes, fmtArgs(ms, yes))
				if got := fmtWaitArgs(hs, !yes, ms, yes); got != want {
					t.Errorf("%d handles: %q, want %q", n, got, want)
				}
			}
		}
	}
}

// bind and connect trace their arguments as "%#x, %s" of the handle and
// the address (NULL for none), whatever the address.
func TestHAddrTextAsFormatted(t *testing.T) {
	addrs := []*netip.AddrPort{nil, {}, ptr(netip.MustParseAddrPort("127.0.0.1:5000")), ptr(netip.MustParseAddrPort("[::1]:0")),
		ptr(netip.MustParseAddrPort("[fe80::1%eth0]:65535")), ptr(netip.MustParseAddrPort("[::ffff:10.0.0.1]:7"))}
	for _, h := range []SOCKET{0, 0x8, ^SOCKET(0)} {
		for _, a := range addrs {
			want := fmt.Sprintf("%#x, %s", uint64(h), fmtAddr(a))
			if got := fmtHAddr(h, a); got != want {
				t.Errorf("%q, want %q", got, want)
			}
		}
	}
}

func ptr[T any](v T) *T { return &v }

// The trace's storage (issue 16, item 4): events keep their order and
// numbers across chunk boundaries, a pointer from At stays good while the
// trace grows, and a trace emptied by Reset or Release records the same
// events again, reusing its room (Reset) without allocating.
func TestTraceChunks(t *testing.T) {
	const n = 3*traceChunkLen + 5
	var tr Trace
	fill := func() {
		for i := 0; i < n; i++ {
			tr.record(0, &Event{Kind: EvNote, N: uint64(i)})
		}
	}
	check := func(what string) {
		t.Helper()
		if tr.Len() != n {
			t.Fatalf("%s: Len %d, want %d", what, tr.Len(), n)
		}
		for i, e := range tr.All() {
			if e.N != uint64(i) || e.Seq != uint64(i+1) || e != tr.At(i) {
				t.Fatalf("%s: event %d is N=%d Seq=%d", what, i, e.N, e.Seq)
			}
		}
	}
	tr.record(0, &Event{Kind: EvNote})
	first := tr.At(0)
	tr.Reset()
	fill()
	if first != tr.At(0) {
		t.Error("Reset did not reuse the first chunk")
	}
	p := tr.At(1)
	check("first fill")
	if p != tr.At(1) || p.N != 1 {
		t.Error("an event moved while the trace grew")
	}
	if allocs := testing.AllocsPerRun(10, func() { tr.Reset(); fill() }); allocs != 0 {
		t.Errorf("refilling after Reset: %v allocations, want 0", allocs)
	}
	check("after Reset")
	tr.Release()
	if tr.Len() != 0 {
		t.Errorf("Len %d after Release", tr.Len())
	}
	fill()
	check("after Release")
	defer func() {
		if recover() == nil {
			t.Error("At past the end did not panic")
		}
	}()
	tr.At(n)
}

// Each format layout (traceargs.go) renders exactly the text its call
// site formatted with fmt before the trace kept values, over edge values
// of every argument: zero, small, the largest, negative.
func TestArgFormatsRenderAsFormatted(t *testing.T) {
	u64s := []uint64{0, 0x8, 0x7fffffff, 0xffffffff, 1 << 32, 0xffffffffffffffff}
	u32s := []uint32{0, 1, 250, 0x7fffffff, 0x80000000, INFINITE - 1, INFINITE}
	i32s := []int32{0, 1, -1, 0x7fffffff, -0x80000000}
	ints := []int{0, 7, -3, 1 << 40}
	strs := []string{"", `\\.\pipe\a`, "q\"\x00é"}
	bools := []bool{false, true}
	ms := func(v uint32) string {
		if v == INFINITE {
			return "INFINITE"
		}
		return fmt.Sprint(v)
	}
	n := 0
	check := func(lay argLayout, text string, want string, vals ...uint64) {
		t.Helper()
		var a callArgs
		a.setFmt(lay, text, vals...)
		e := Event{Kind: EvCall, Name: "X", lay: a.lay, args: a.a, Text: a.text}
		if got := e.Detail(); got != want {
			t.Errorf("%q: %q, want %q", argFormats[lay-argsFmt0], got, want)
		}
		n++
	}
	for i, x := range u64s {
		y, z := u64s[(i+1)%len(u64s)], u64s[(i+3)%len(u64s)]
		for j, v := range u32s {
			w := u32s[(j+2)%len(u32s)]
			s := strs[(i+j)%len(strs)]
			b, c := bools[j%2], bools[(i+j)%2]
			k := i32s[(i+j)%len(i32s)]
			l := i32s[(i+2*j+1)%len(i32s)]
			d := ints[(i+j)%len(ints)]
			check(argsCreateEvent, "", fmt.Sprintf("manual=%v, initial=%v", b, c), b2u(b), b2u(c))
			check(argsCreateIOCP, "", fmt.Sprintf("%#x, %#x, key=%#x, %d", x, y, uintptr(z), v), x, y, z, uint64(v))
			check(argsSetFCNM, "", fmt.Sprintf("%#x, %#x", x, uint8(v)), x, uint64(uint8(v)))
			check(argsCreateNamedPipe, s, fmt.Sprintf("%q, %#x, %#x, %d, %d, %d", s, v, w, w, v, w), uint64(v), uint64(w), uint64(w), uint64(v), uint64(w))
			check(argsWaitNamedPipe, s, fmt.Sprintf("%q, %s, false", s, ms(v)), uint64(v))
			check(argsCreateFile, s, fmt.Sprintf("%q, %#x, overlapped=%v", s, v, b), uint64(v), b2u(b))
			check(argsHMode, "", fmt.Sprintf("%#x, %#x", x, v), x, uint64(v))
			check(argsTransact, "", fmt.Sprintf("%#x, in=%d, out=%d, ov%d", x, d, i, j), x, uint64(d), uint64(i), uint64(j))
			check(argsCreatePipe, "", fmt.Sprintf("mode=%d, capacity=%d", PipeMode(v), d), uint64(PipeMode(v)), uint64(d))
			check(argsHLen, "", fmt.Sprintf("%#x, len=%d", x, d), x, uint64(d))
			check(argsCode, "", fmt.Sprint(v), uint64(v))
			check(argsSignalAndWait, "", fmt.Sprintf("%#x, %#x, %s, %v", x, y, ms(v), b), x, y, uint64(v), b2u(b))
			check(argsAfdPoll, "", fmt.Sprintf("%#x, %#x, ov%d, %#x", x, y, j, v), x, y, uint64(j), uint64(v))
			check(argsAfdPollCtx, "", fmt.Sprintf("%#x, %#x, ctx ov%d, ov%d, %#x", x, y, i, j, v), x, y, uint64(i), uint64(j), uint64(v))
			check(argsLens3, "", fmt.Sprintf("%d, %d, %d", v, w, v), uint64(v), uint64(w), uint64(v))
			check(argsEventSelect, "", fmt.Sprintf("%#x, %#x, %#x", x, y, k), x, y, uint64(uint32(k)))
			check(argsPoll, "", fmt.Sprintf("nfds=%d, timeout=%d", d, k), uint64(d), uint64(uint32(k)))
			check(argsHInt, "", fmt.Sprintf("%#x, %d", x, k), x, uint64(uint32(k)))
			check(argsSetsockopt, "", fmt.Sprintf("%#x, %#x, %#x, len=%d", x, k, l, d), x, uint64(uint32(k)), uint64(uint32(l)), uint64(d))
			check(argsGetsockopt, "", fmt.Sprintf("%#x, %#x, %#x", x, k, l), x, uint64(uint32(k)), uint64(uint32(l)))
		}
	}
	if n < int(argsFmtEnd-argsFmt0)*len(u64s)*len(u32s) {
		t.Errorf("%d cases: not every format was checked", n)
	}
}

// bind's and connect's arguments kept as values (argsHAddr) render as
// fmtHAddr formats them, whatever the address; those the values cannot
// hold are kept as that text.
func TestHAddrArgsRenderAsFormatted(t *testing.T) {
	addrs := []*netip.AddrPort{nil, {}, ptr(netip.MustParseAddrPort("127.0.0.1:5000")), ptr(netip.MustParseAddrPort("0.0.0.0:0")),
		ptr(netip.MustParseAddrPort("255.255.255.255:65535")), ptr(netip.MustParseAddrPort("[::1]:0")), ptr(netip.MustParseAddrPort("[::]:1")),
		ptr(netip.MustParseAddrPort("[fe80::1%eth0]:65535")), ptr(netip.MustParseAddrPort("[::ffff:10.0.0.1]:7")),
		ptr(netip.MustParseAddrPort("[2001:db8:ffff:1:2:3:4:ffff]:443"))}
	for _, h := range []SOCKET{0, 0x8, ^SOCKET(0)} {
		for _, ap := range addrs {
			var a callArgs
			a.setHAddr(h, ap)
			e := Event{Kind: EvCall, Name: "bind", lay: a.lay, args: a.a, Text: a.text}
			if got, want := e.Detail(), fmtHAddr(h, ap); got != want {
				t.Errorf("%q, want %q", got, want)
			}
		}
	}
}

// select's arguments kept as values (argsSelect) render as fmt formatted
// them ("{0x4 0x8}, NULL, {}, {0, 500}"); sets the values cannot hold are
// kept as fmtSelect's text, which is the same.
func TestSelectArgsRenderAsFormatted(t *testing.T) {
	old := func(f *FDSet) string { // what the call formatted before
		if f == nil {
			return "NULL"
		}
		s := "{"
		for i, h := range f.Array[:min(int(f.Count), len(f.Array))] {
			if i > 0 {
				s += " "
			}
			s += fmt.Sprintf("%#x", uint64(h))
		}
		return s + "}"
	}
	sets := []*FDSet{nil, {}, {Count: 1, Array: []SOCKET{4}}, {Count: 3, Array: []SOCKET{4, 8, 1<<20 - 4}},
		{Count: 5, Array: []SOCKET{4, 8}}, {Count: 4, Array: []SOCKET{4, 8, 12, 16}}, {Count: 1, Array: []SOCKET{1 << 20}},
		{Count: 2, Array: []SOCKET{^SOCKET(0), 4}}, {Count: 0, Array: []SOCKET{4}}}
	tvs := []*Timeval{nil, {}, {Sec: 1, Usec: 500}, {Sec: -1, Usec: -0x80000000}, {Sec: 0x7fffffff, Usec: 999999}}
	kept := 0
	for i, r := range sets {
		for j, w := range sets {
			x := sets[(i+j)%len(sets)]
			for _, tv := range tvs {
				tvs := "NULL"
				if tv != nil {
					tvs = fmt.Sprintf("{%d, %d}", tv.Sec, tv.Usec)
				}
				want := fmt.Sprintf("%s, %s, %s, %s", old(r), old(w), old(x), tvs)
				if got := fmtSelect(r, w, x, tv); got != want {
					t.Errorf("fmtSelect: %q, want %q", got, want)
				}
				var a callArgs
				if !a.setSelect([3]*FDSet{r, w, x}, tv) {
					continue
				}
				kept++
				e := Event{Kind: EvCall, Name: "select", lay: a.lay, args: a.a}
				if got := e.Detail(); got != want {
					t.Errorf("%q, want %q", got, want)
				}
			}
		}
	}
	if kept == 0 {
		t.Errorf("no sets were kept as values")
	}
}
