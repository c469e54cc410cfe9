package timeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wsaemu/wsaemu/emu"
)

var rewrite = flag.Bool("rewrite", false, "rewrite golden files")

// pictureFixtures are the runs the timeline pictures are tested on: a
// scenario of the corpus, and one in testdata made for the pictures (two
// threads, a routine inside a wait, nesting, the clock, a failure).
var pictureFixtures = []struct{ name, file string }{
	{"pending-event", "scenarios/wsarecv/pending-event.scenario"},
	{"routine-in-wait", "testdata/routine-in-wait.scenario"},
}

type pictureRun struct {
	rep   *spec.Report
	tr    *emu.Trace
	names []string
	ids   []int
}

// runForPicture runs a scenario file on the emulator, as "wsaemu run" does.
func runForPicture(t *testing.T, file string) pictureRun {
	t.Helper()
	// The corpus's scenarios are read from the copy built into spec.
	parse := spec.ParseFile
	if strings.HasPrefix(file, "scenarios/") {
		parse = spec.ParseEmbedded
	}
	sc, err := parse(file)
	if err != nil {
		t.Fatal(err)
	}
	em := &emulated.Emulator{}
	rep := spec.Run(sc, em, spec.RunConfig{Kind: "nonifs", Profile: "windows"})
	if rep.Err != nil {
		t.Fatalf("%s: %v", file, rep.Err)
	}
	names, ids := em.Threads()
	return pictureRun{rep, em.System().Trace(), names, ids}
}

func renderHTML(t *testing.T, r pictureRun) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := HTML(&b, r.rep, r.tr, r.names, r.ids); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// golden compares got with testdata/name, or rewrites it with -rewrite.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *rewrite {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./spec/timeline -run %s -rewrite to make it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs from the golden file at line %d (go test ./spec/timeline -run %s -rewrite to accept):\n got: %.300s\nwant: %.300s", path, i+1, t.Name(), g, w)
			}
		}
	}
}

func TestHTMLGolden(t *testing.T) {
	for _, f := range pictureFixtures {
		t.Run(f.name, func(t *testing.T) {
			golden(t, f.name+".html", renderHTML(t, runForPicture(t, f.file)))
		})
	}
}

// Two runs of the same scenario give the same page, byte for byte.
func TestHTMLDeterministic(t *testing.T) {
	for _, f := range pictureFixtures {
		a := renderHTML(t, runForPicture(t, f.file))
		b := renderHTML(t, runForPicture(t, f.file))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two runs gave different HTML", f.name)
		}
	}
}

// The page holds what the brief of the picture promises, checked on the
// text itself (the Chromium test below checks what a browser makes of it).
func TestHTMLContent(t *testing.T) {
	r := runForPicture(t, "testdata/routine-in-wait.scenario")
	page := string(renderHTML(t, r))
	for _, want := range []string{
		`<g class="lane" data-thread="A"`,
		`<g class="lane" data-thread="B"`,
		`<g class="lane sys" data-thread="sys"`,
		`class="span call" data-thread="B" data-depth="0" data-step="1"`,
		`class="span apc" data-thread="B" data-depth="1"`,
		`class="span apc" data-thread="B" data-depth="3"`, // user APC #3 inside SleepEx(0) inside cr1 inside SleepEx 100
		`class="span call failed" data-thread="B" data-depth="0" data-step="6"`,
		`class="span settle" data-thread="sys" data-depth="0" data-step="8"`,
		`class="mark field internal" data-thread="A"`,
		`data-field="Internal" data-old="0x103" data-new="0"`,
		`>ov1.Internal 0x103→0</text>`,
		`class="mark block"`, `class="mark wake"`, `class="mark apc-queued"`, `class="mark clock"`,
		`<text class="fail"`,
		`✗ 1 expectation(s) failed`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "http://") && strings.Count(page, "http://") != strings.Count(page, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Error("the page should need no script and load nothing from elsewhere")
	}
}

// Without a trace (a backend that keeps none) the steps alone are drawn;
// a run that stopped says so.
func TestHTMLWithoutTrace(t *testing.T) {
	r := runForPicture(t, "testdata/routine-in-wait.scenario")
	var b bytes.Buffer
	if err := HTML(&b, r.rep, nil, r.names, nil); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for i := range r.rep.Steps {
		if !strings.Contains(page, fmt.Sprintf(`data-step="%d" id="span-step-%d"`, i+1, i+1)) {
			t.Errorf("no span for step %d without a trace", i+1)
		}
	}
	if !strings.Contains(page, "blocks… → WAIT_IO_COMPLETION") {
		t.Error("the blocked SleepEx should show what it returned later")
	}

	stopped := &spec.Report{Scenario: r.rep.Scenario, Config: r.rep.Config, Backend: "emulator",
		Steps: r.rep.Steps[:2:2], Err: errors.New("backend fell over")}
	b.Reset()
	if err := HTML(&b, stopped, r.tr, r.names, r.ids); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "✗ stopped: backend fell over") || !strings.Contains(b.String(), "the run stopped here") {
		t.Error("a stopped run should say where and why it stopped")
	}
	b.Reset()
	if err := HTML(&b, &spec.Report{Err: errors.New("no threads")}, nil, nil, nil); err != nil {
		t.Fatal(err)
	}
}

// chromiumProbe is appended to the page for the browser test: it reads
// the picture back from the browser's own DOM and layout (text measured
// in the real fonts) and writes what it found, as JSON, into the page.
const chromiumProbe = `<pre id="probe"></pre>
<script>
(function () {
  var out = {lanes: [], spans: [], marks: [], problems: []};
  function bad(s) { out.problems.push(s); }
  function within(a, b) { return a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5; }
  function meets(a, b) { return a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5; }
  var tl = document.querySelector('svg.timeline');
  var tops = [];
  tl.querySelectorAll('g.lane').forEach(function (g) {
    out.lanes.push(g.getAttribute('data-thread'));
    tops.push(g.querySelector('line.lane-rule').getBBox().y);
  });
  tops.push(tl.querySelector('line.rule').getBBox().y);
  tl.querySelectorAll('g.span').forEach(function (g) {
    var box = g.querySelector(':scope > rect.box').getBBox();
    var l1 = g.querySelector(':scope > text.l1'), l2 = g.querySelector(':scope > text.l2');
    var up = g.parentElement.closest('g.span');
    [l1, l2].forEach(function (t) {
      if (!within(t.getBBox(), box)) bad('label does not fit its box: ' + t.textContent);
    });
    if (up && !within(box, up.querySelector(':scope > rect.box').getBBox())) bad('box sticks out of its parent: ' + l1.textContent);
    g.querySelectorAll(':scope > g.span > rect.box').forEach(function (c) {
      [l1, l2].forEach(function (t) { if (meets(t.getBBox(), c.getBBox())) bad('label runs into a nested box: ' + t.textContent); });
    });
    out.spans.push({step: g.getAttribute('data-step') || '', cls: g.getAttribute('class'), thread: g.getAttribute('data-thread'),
      l1: l1.textContent, l2: l2.textContent, in: up ? up.querySelector(':scope > text.l1').textContent : ''});
  });
  var labels = [];
  tl.querySelectorAll('g.mark').forEach(function (g) {
    var t = g.querySelector('text.lbl'), b = t.getBBox();
    var lane = g.closest('g.lane'), i = out.lanes.indexOf(lane.getAttribute('data-thread'));
    if (b.y < tops[i] || b.y + b.height > tops[i + 1]) bad('mark label leaves its lane: ' + t.textContent);
    labels.forEach(function (o) { if (meets(o.b, b)) bad('mark labels overlap: ' + o.t + ' / ' + t.textContent); });
    labels.push({b: b, t: t.textContent});
    out.marks.push({cls: g.getAttribute('class'), thread: g.getAttribute('data-thread'), label: t.textContent, seq: g.getAttribute('data-seq')});
  });
  tl.querySelectorAll('g.caption').forEach(function (g) {
    var band = tl.querySelector('g.step[data-step="' + g.getAttribute('data-step') + '"] rect.band').getBBox();
    g.querySelectorAll('text').forEach(function (t) { if (!within(t.getBBox(), band)) bad('caption leaves its step: ' + t.textContent); });
  });
  // All the labels of the picture (spans' two lines, marks, captions,
  // step headers): no two may overlap. A text's box includes the font's
  // whole ascent and descent; 1.5px off its top and bottom is still all
  // of its ink, so lines set 12px apart in an 11px font do not count.
  var all = [];
  tl.querySelectorAll('text.lbl, g.caption text, text.head').forEach(function (t) {
    var b0 = t.getBBox(), b = {x: b0.x, y: b0.y + 1.5, width: b0.width, height: b0.height - 3};
    all.forEach(function (o) { if (meets(o.b, b)) bad('labels overlap: ' + o.t + ' / ' + t.textContent); });
    all.push({b: b, t: t.textContent});
  });
  // In a 1280-pixel window nothing scrolls sideways: not the page, not a
  // row of the picture.
  if (document.documentElement.scrollWidth > window.innerWidth) bad('the page scrolls sideways: ' + document.documentElement.scrollWidth + 'px wide in a ' + window.innerWidth + 'px window');
  document.querySelectorAll('.scroll').forEach(function (el, i) {
    if (el.scrollWidth > el.clientWidth) bad('row ' + (i + 1) + ' of the picture scrolls sideways: ' + el.scrollWidth + 'px in ' + el.clientWidth + 'px');
  });
  out.rows = document.querySelectorAll('.scroll').length;
  out.window = window.innerWidth;
  document.getElementById('probe').textContent = JSON.stringify(out);
})();
</script>
`

type probeResult struct {
	Lanes []string
	Spans []struct {
		Step, Cls, Thread, L1, L2, In string
	}
	Marks []struct {
		Cls, Thread, Label, Seq string
	}
	Problems []string
	Rows     int
	Window   int
}

// chromiumPath finds Chromium, or skips the test; where CI has promised
// Chromium (WSAEMU_REQUIRE_CHROMIUM), its absence fails the test instead.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("WSAEMU_REQUIRE_CHROMIUM") != "" {
			t.Fatal("chromium not installed, and WSAEMU_REQUIRE_CHROMIUM is set (.ci/run installs it)")
		}
		t.Skip("chromium not installed; .ci/run installs it")
	}
	return p
}

// chromiumPage is a page to load and, once loaded, what the probe saw.
type chromiumPage struct {
	name string
	page []byte
	got  probeResult
}

// loadInChromium opens the pages, each with the probe added, in headless
// Chromium (one browser per page, all at once) and fills in what the probe
// saw on each.
func loadInChromium(t *testing.T, chromium string, pages ...*chromiumPage) {
	t.Helper()
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	type run struct {
		cmd    *exec.Cmd
		out    bytes.Buffer
		stderr bytes.Buffer
		file   string
	}
	runs := make([]*run, len(pages))
	for i, p := range pages {
		r := &run{file: filepath.Join(dir, p.name+".html")}
		withProbe := strings.Replace(string(p.page), "</body>", chromiumProbe+"</body>", 1)
		if err := os.WriteFile(r.file, []byte(withProbe), 0o644); err != nil {
			t.Fatal(err)
		}
		r.cmd = exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
			"--no-first-run", "--window-size=1280,1000", "--hide-scrollbars", "--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir="+filepath.Join(dir, p.name+"-profile"), "--dump-dom", "file://"+r.file)
		r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.stderr
		if err := r.cmd.Start(); err != nil {
			t.Fatalf("chromium: %v", err)
		}
		runs[i] = r
	}
	for i, r := range runs {
		p := pages[i]
		if err := r.cmd.Wait(); err != nil {
			t.Fatalf("chromium on %s: %v\n%s", p.name, err, r.stderr.String())
		}
		dom := r.out.Bytes()
		t.Cleanup(func() {
			if t.Failed() {
				keep := filepath.Join(os.TempDir(), "wsaemu-"+p.name+"-probe.html")
				if b, err := os.ReadFile(r.file); err == nil && os.WriteFile(keep, b, 0o644) == nil {
					t.Logf("the page Chromium loaded is kept at %s", keep)
				}
			}
		})
		// The browser's DOM, not only the probe, must hold the picture.
		for _, want := range []string{`<svg class="timeline"`, `<g class="lane" data-thread=`, `class="span call"`, `class="mark field`} {
			if !bytes.Contains(dom, []byte(want)) {
				t.Errorf("%s: the DOM Chromium built has no %s", p.name, want)
			}
		}
		m := regexp.MustCompile(`(?s)<pre id="probe">(.*?)</pre>`).FindSubmatch(dom)
		if m == nil || len(m[1]) == 0 {
			t.Fatalf("%s: the probe found nothing in the page Chromium loaded; DOM starts:\n%.2000s", p.name, dom)
		}
		if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &p.got); err != nil {
			t.Fatalf("%s: probe output: %v\n%s", p.name, err, m[1])
		}
		for _, pr := range p.got.Problems {
			t.Errorf("%s: layout: %s", p.name, pr)
		}
	}
}

// TestHTMLInChromium loads the pages in headless Chromium and checks what
// the browser makes of them: the lanes, a box for every step with its call
// and result, the routines inside the waits that ran them, the field
// marks; and, measured in the browser's own fonts, that labels fit their
// boxes, nested boxes their parents, captions their steps, and that no two
// mark labels overlap.
func TestHTMLInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	pages := []*chromiumPage{
		{name: "pending-event", page: renderHTML(t, runForPicture(t, "scenarios/wsarecv/pending-event.scenario"))},
		{name: "routine-in-wait", page: renderHTML(t, runForPicture(t, "testdata/routine-in-wait.scenario"))},
	}
	loadInChromium(t, chromium, pages...)
	pe, got := pages[0].got, pages[1].got
	if strings.Join(pe.Lanes, ",") != "A,sys" {
		t.Errorf("pending-event: lanes %v, want A, sys", pe.Lanes)
	}
	var marks []string
	for _, mk := range pe.Marks {
		marks = append(marks, mk.Label)
	}
	for _, w := range []string{"ov1.Internal 0→0x103 (STATUS_PENDING)", "ov1.Internal 0x103→0", "ov1.InternalHigh 0→0x5", "signal event ev"} {
		if !slicesContains(marks, w) {
			t.Errorf("pending-event: no mark %q among %q", w, marks)
		}
	}

	if strings.Join(got.Lanes, ",") != "A,B,sys" {
		t.Errorf("lanes: got %v, want A, B, sys", got.Lanes)
	}
	// Every step has its box, in its thread's lane, with its call and its result.
	want := map[string][3]string{ // step: thread, first line, second line
		"1": {"B", "WSARecv r b1 ov1 routine=cr1", "→ SOCKET_ERROR WSA_IO_PENDING flags=0"},
		"2": {"B", "SleepEx INFINITE alertable", "blocks… → WAIT_IO_COMPLETION (0xC0)"},
		"3": {"A", "QueueUserAPC ap1 B param=3", "→ TRUE"},
		"4": {"A", "WSASendTo w hello 127.0.0.1:5000 NULL", "→ 0 bytes=5"},
		"5": {"A", "QueueUserAPC ap1 B param=4", "→ TRUE"},
		"6": {"B", "SleepEx 100 alertable", "→ WAIT_IO_COMPLETION (0xC0)"},
		"7": {"A", "SleepEx 50", "blocks… → 0"},
		"8": {"sys", "settle", "let pending work happen"},
	}
	seen := map[string]bool{}
	for _, s := range got.Spans {
		w, ok := want[s.Step]
		if !ok {
			continue
		}
		seen[s.Step] = true
		if s.Thread != w[0] || s.L1 != w[1] || s.L2 != w[2] {
			t.Errorf("step %s: box in lane %s says %q / %q; want lane %s, %q / %q", s.Step, s.Thread, s.L1, s.L2, w[0], w[1], w[2])
		}
		if (s.Step == "6") != strings.Contains(s.Cls, "failed") {
			t.Errorf("step %s: class %q (only step 6 failed)", s.Step, s.Cls)
		}
	}
	for st := range want {
		if !seen[st] {
			t.Errorf("no box for step %s", st)
		}
	}
	// The routines run inside the waits.
	var inside []string
	for _, s := range got.Spans {
		if s.In != "" {
			inside = append(inside, s.L1+" in "+s.In)
		}
	}
	for _, pair := range []string{
		"APC ap1 in SleepEx INFINITE alertable",
		"routine cr1 for ov1 in SleepEx 100 alertable",
		"SleepEx(0, true) in routine cr1 for ov1",
		"APC ap1 in SleepEx(0, true)",
	} {
		if !slicesContains(inside, pair) {
			t.Errorf("not drawn: %s (nestings drawn: %q)", pair, inside)
		}
	}
	// The routine's box says what it got, by name.
	for _, s := range got.Spans {
		if s.L1 == "routine cr1 for ov1" && s.L2 != "err=0 bytes=5 · depth 1" {
			t.Errorf("routine cr1's box says %q", s.L2)
		}
	}
	// routine-in-wait is wider than a window: it is cut into rows.
	if got.Rows < 2 || got.Window != 1280 {
		t.Errorf("routine-in-wait: %d row(s) in a %dpx window; want at least 2 in 1280", got.Rows, got.Window)
	}
	// The field writes, Internal's flips among them.
	sort.Slice(got.Marks, func(i, j int) bool {
		a, _ := strconv.Atoi(got.Marks[i].Seq)
		b, _ := strconv.Atoi(got.Marks[j].Seq)
		return a < b
	})
	var internal []string
	fields := 0
	for _, mk := range got.Marks {
		if strings.Contains(" "+mk.Cls+" ", " field ") {
			fields++
			if strings.Contains(mk.Cls, "internal") {
				internal = append(internal, mk.Thread+": "+mk.Label)
			}
		}
	}
	if fields != 5 {
		t.Errorf("%d field marks, want 5 (Internal when the receive pends, then four at its completion)", fields)
	}
	if strings.Join(internal, "; ") != "B: ov1.Internal 0→0x103 (STATUS_PENDING); A: ov1.Internal 0x103→0" {
		t.Errorf("Internal marks: %q", internal)
	}
}
