// Command wsaemu-diff compares the scenario results of a real Winsock run
// (the JSON lines cmd/wsaemu-native writes, under Wine or on Windows) with
// the emulator running the same scenarios as an IFS provider under the
// windows profile, and writes a differential report.
//
//	wsaemu-diff -native FILE [-report FILE] [SCENARIO-FILE-OR-DIR...]
//
// A step disagrees when its expectations hold on one side and not on the
// other. A disagreement listed in spec/native's known deviations (Wine
// departing from Windows, with the evidence) is explained; the command
// exits 1 when any disagreement is not, or a native run crashed or is
// missing. Scenarios the native backend cannot run yet are counted as
// unsupported, not as disagreements. Scenarios that mean nothing on a real
// system (the header "emulator-only REASON", or non-IFS or docs-profile
// only) are skipped, each with its reason printed.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
	"github.com/wsaemu/wsaemu/spec/native"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// verdicts of one scenario
const (
	vAgree       = "agree"
	vDisagree    = "disagree"
	vExplained   = "explained" // every disagreement is a known Wine deviation
	vUnsupported = "unsupported"
	vSkipped     = "skipped"
	vMissing     = "missing"
	vBothFail    = "emulator-fails-too"
)

type diff struct {
	Line      int
	Call      string
	Emu, Wine string
	EmuFail   []string
	WineFail  []string
	Deviation *native.Deviation
}

type scenarioDiff struct {
	File    string
	Title   string
	Clauses []string
	Verdict string
	Note    string
	Diffs   []diff
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("wsaemu-diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nativePath := fs.String("native", "", "the native results (JSON lines from wsaemu-native)")
	reportPath := fs.String("report", "", "write the Markdown report here")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *nativePath == "" {
		fmt.Fprintln(stderr, "wsaemu-diff: -native FILE is required")
		return 2
	}
	nat, err := readResults(*nativePath)
	if err != nil {
		fmt.Fprintln(stderr, "wsaemu-diff:", err)
		return 2
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = []string{"spec/scenarios"}
	}
	var files []string
	for _, p := range paths {
		got, err := spec.Collect(p)
		if err != nil {
			fmt.Fprintln(stderr, "wsaemu-diff:", err)
			return 2
		}
		files = append(files, got...)
	}
	var all []scenarioDiff
	for _, f := range files {
		all = append(all, compare(f, nat))
	}
	counts := map[string]int{}
	unexplained := 0
	for _, d := range all {
		counts[d.Verdict]++
		for _, x := range d.Diffs {
			if x.Deviation == nil {
				unexplained++
			}
		}
		if d.Verdict == vMissing {
			unexplained++
		}
	}
	summary := fmt.Sprintf("%d scenarios: %d agree, %d disagree, %d explained by known Wine deviations, %d unsupported by the native backend, %d skipped (not for real Winsock), %d fail on the emulator too, %d missing; %d unexplained disagreements",
		len(all), counts[vAgree], counts[vDisagree], counts[vExplained], counts[vUnsupported], counts[vSkipped], counts[vBothFail], counts[vMissing], unexplained)
	for _, d := range all {
		if d.Verdict == vSkipped {
			fmt.Fprintf(stdout, "SKIP %s: %s\n", d.File, d.Note)
		}
		if d.Verdict == vDisagree || d.Verdict == vMissing {
			fmt.Fprintf(stdout, "DISAGREE %s", d.File)
			if d.Note != "" {
				fmt.Fprintf(stdout, " (%s)", d.Note)
			}
			fmt.Fprintln(stdout)
			for _, x := range d.Diffs {
				if x.Deviation != nil {
					continue
				}
				fmt.Fprintf(stdout, "  %s:%d %s\n    emulator: %s\n    wine:     %s\n", d.File, x.Line, x.Call, x.Emu, x.Wine)
				for _, f := range x.WineFail {
					fmt.Fprintf(stdout, "    wine fails: %s\n", f)
				}
				for _, f := range x.EmuFail {
					fmt.Fprintf(stdout, "    emulator fails: %s\n", f)
				}
			}
		}
	}
	fmt.Fprintln(stdout, summary)
	if *reportPath != "" {
		if err := writeReport(*reportPath, all, summary); err != nil {
			fmt.Fprintln(stderr, "wsaemu-diff:", err)
			return 2
		}
		fmt.Fprintf(stdout, "report: %s\n", *reportPath)
	}
	if unexplained > 0 {
		return 1
	}
	return 0
}

func norm(p string) string {
	return filepath.ToSlash(filepath.Clean(strings.ReplaceAll(p, `\`, "/")))
}

func readResults(path string) (map[string]native.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]native.Result{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var r native.Result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		out[norm(r.File)] = r
	}
	return out, sc.Err()
}

// compare runs one scenario on the emulator and compares it with the
// native result.
func compare(file string, nat map[string]native.Result) scenarioDiff {
	file = norm(file)
	d := scenarioDiff{File: file}
	sc, err := spec.ParseFile(file)
	if err != nil {
		d.Verdict, d.Note = vMissing, err.Error()
		return d
	}
	d.Title, d.Clauses = sc.Title, sc.Clauses
	if ok, why := native.Applies(sc); !ok {
		d.Verdict, d.Note = vSkipped, why
		return d
	}
	w, ok := nat[file]
	if !ok {
		d.Verdict, d.Note = vMissing, "no native result for this scenario"
		return d
	}
	if w.Unsupported {
		d.Verdict, d.Note = vUnsupported, w.Error
		return d
	}
	rep := spec.Run(sc, &emulated.Emulator{}, spec.RunConfig{Kind: "ifs", Profile: "windows"})
	e := native.FromReport(rep, "ifs", "windows")

	emuSteps, wineSteps := byLine(e), byLine(w)
	errLineE, errLineW := errLine(e), errLine(w)
	var lines []int
	seen := map[int]bool{}
	for _, s := range append(append([]native.StepRecord{}, e.Steps...), w.Steps...) {
		if !seen[s.Line] {
			seen[s.Line] = true
			lines = append(lines, s.Line)
		}
	}
	sort.Ints(lines)
	bothFail := false
	for _, ln := range lines {
		es, eok := emuSteps[ln]
		ws, wok := wineSteps[ln]
		ef, wf := failTexts(es, e, ln, errLineE), failTexts(ws, w, ln, errLineW)
		if !eok && !wok {
			continue
		}
		if (len(ef) > 0) == (len(wf) > 0) {
			if len(ef) > 0 {
				bothFail = true
			}
			continue
		}
		x := diff{Line: ln, Call: pick(es.Call, ws.Call), Emu: outcomeText(es, eok), Wine: outcomeText(ws, wok), EmuFail: ef, WineFail: wf}
		x.Deviation = native.FindDeviation(file, x.Call)
		d.Diffs = append(d.Diffs, x)
	}
	// A native run that stopped outside any step (a crash, a set-up
	// failure such as a declared address already in use) is a
	// disagreement of its own: it must never read as agreement.
	if _, atStep := wineSteps[errLineW]; w.Error != "" && !atStep && e.Error == "" {
		d.Diffs = append(d.Diffs, diff{Line: 0, Call: "(run)", Emu: "ran", Wine: "stopped", WineFail: []string{w.Error}, Deviation: native.FindDeviation(file, "(run)")})
	}
	switch {
	case len(d.Diffs) == 0 && bothFail:
		d.Verdict = vBothFail
	case len(d.Diffs) == 0:
		d.Verdict = vAgree
	default:
		d.Verdict = vExplained
		for _, x := range d.Diffs {
			if x.Deviation == nil {
				d.Verdict = vDisagree
			}
		}
	}
	return d
}

func pick(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func byLine(r native.Result) map[int]native.StepRecord {
	m := map[int]native.StepRecord{}
	for _, s := range r.Steps {
		m[s.Line] = s
	}
	return m
}

// errLine is the step line a run's error names ("file:LINE: ..."), or 0.
func errLine(r native.Result) int {
	if r.Error == "" {
		return 0
	}
	rest := r.Error
	if i := strings.Index(rest, ".scenario:"); i >= 0 {
		rest = rest[i+len(".scenario:"):]
		if j := strings.Index(rest, ":"); j > 0 {
			if n, err := strconv.Atoi(rest[:j]); err == nil {
				return n
			}
		}
	}
	return 0
}

func failTexts(s native.StepRecord, r native.Result, line, errAt int) []string {
	var out []string
	for _, f := range s.Failures {
		out = append(out, fmt.Sprintf("line %d: %s", f.Line, f.Msg))
	}
	if errAt == line && r.Error != "" {
		out = append(out, "run stopped: "+r.Error)
	}
	return out
}

func outcomeText(s native.StepRecord, ok bool) string {
	if !ok {
		return "(step not reached)"
	}
	t := s.Outcome
	if s.Call == "settle" {
		t = "(settle)"
	}
	if len(s.Completions) > 0 {
		t += " ; returned meanwhile: " + strings.Join(s.Completions, "; ")
	}
	return t
}

func writeReport(path string, all []scenarioDiff, summary string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# wsaemu: emulator (IFS provider, windows profile) vs real Winsock under Wine\n\n%s.\n\n", summary)
	b.WriteString("| scenario | verdict | note |\n|---|---|---|\n")
	for _, d := range all {
		note := strings.ReplaceAll(d.Note, "|", "\\|")
		if len(note) > 120 {
			note = note[:120] + "…"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", d.File, d.Verdict, strings.ReplaceAll(note, "\n", " "))
	}
	for _, d := range all {
		if len(d.Diffs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n## %s — %s\n\n%s\n\nclauses: %s\n", d.File, d.Verdict, d.Title, strings.Join(d.Clauses, ", "))
		for _, x := range d.Diffs {
			fmt.Fprintf(&b, "\n### %s:%d `%s`\n\n- emulator: `%s`\n- Wine: `%s`\n", d.File, x.Line, x.Call, x.Emu, x.Wine)
			for _, f := range x.EmuFail {
				fmt.Fprintf(&b, "- fails on the emulator: %s\n", oneLine(f))
			}
			for _, f := range x.WineFail {
				fmt.Fprintf(&b, "- fails under Wine: %s\n", oneLine(f))
			}
			if x.Deviation != nil {
				fmt.Fprintf(&b, "- **known Wine deviation**: %s (evidence: %s)\n", x.Deviation.What, x.Deviation.Evidence)
			} else {
				b.WriteString("- **unexplained**\n")
			}
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}
