package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
	"github.com/wsaemu/wsaemu/spec/timeline"
)

// runTrace draws a recorded trace the way run draws a scenario. For a
// free-form trace (docs/trace-format.md) the check of check-trace finds
// a schedule that explains it, and the model's run under that schedule
// is drawn, one lane per recorded thread, each step marked with the trace
// line it explains; a trace no schedule explains is drawn under a
// schedule that gets furthest, up to the first record it cannot explain,
// and the answer says so (exit codes as check-trace's). For a
// scenario-run trace (cmd/wsaemu-native's), each run's scenario is drawn
// under the schedule that reproduces the run.
func runTrace(file, format string, stdout, stderr io.Writer) int {
	if _, err := os.Stat(file); err != nil {
		fmt.Fprintf(stderr, "wsaemu: %s: no such file\n", file)
		return exitScenario
	}
	if isFreeTrace(file) {
		return drawFreeTrace(file, format, stdout, stderr)
	}
	return drawRunsTrace(file, format, stdout, stderr)
}

func drawFreeTrace(file, format string, stdout, stderr io.Writer) int {
	tr, ok := readFreeTrace(file, stderr)
	if !ok {
		return exitScenario
	}
	fc, err := emulated.CheckFree(tr, emulated.MaxTraceRuns)
	if err != nil {
		fmt.Fprintf(stderr, "wsaemu: %s\n", spec.Printable(traceErr(file, err)))
		return exitScenario
	}
	fr, err := emulated.DrawFree(tr, fc.Choices)
	if err != nil {
		fmt.Fprintf(stderr, "wsaemu: %s\n", spec.Printable(traceErr(file, err)))
		return exitScenario
	}
	// The picture's title and place name the trace, not the scenario the
	// checker made of it.
	sc := *fr.Report.Scenario
	sc.File, sc.Title = file, "recorded trace "+file
	if tr.Header.Recorder != "" {
		sc.Text = []string{"recorded by: " + tr.Header.Recorder}
	}
	fr.Report.Scenario = &sc
	var verdict []string
	code := exitOK
	switch fc.Verdict {
	case "permitted":
		verdict = append(verdict, fmt.Sprintf("✓ permitted: the schedule %s explains every one of the %d records", fc.Schedule(), fc.Observations))
		if fc.Undefined != "" {
			verdict = append(verdict, fmt.Sprintf("  from some point the program does what the pages call undefined (%s): what follows is permitted", oneLineText(fc.Undefined, 160)))
		}
	default:
		code = exitFailed
		head := "✗ NOT permitted"
		if fc.Verdict == "undecided" {
			head, code = "? undecided within the budget", exitUndecided
		}
		verdict = append(verdict, fmt.Sprintf("%s: drawn up to %s:%d, the first record no schedule tried explains: %s", head, file, fc.Line, spec.Printable(fc.Observed)))
		for i, a := range fc.Allowed {
			if i == maxAllowedShown {
				break
			}
			verdict = append(verdict, fmt.Sprintf("  the model there: %s (%d schedule(s))", spec.Printable(a.Text), a.Runs))
		}
		verdict = append(verdict, fmt.Sprintf("  (wsaemu check-trace %s says more)", file))
	}
	if format != "text" {
		if err := drawPicture(stdout, format, fr.Report, fr.Trace, fr.Names, fr.IDs); err != nil {
			fmt.Fprintf(stderr, "wsaemu: writing %s: %v\n", format, err)
			return exitScenario
		}
		if code != exitOK {
			for _, l := range verdict {
				fmt.Fprintln(stderr, l)
			}
		}
		return code
	}
	width := terminalWidth()
	fmt.Fprintln(stdout, strings.Join(wrapText("=== "+sc.Title, width), "\n    "))
	where := fmt.Sprintf("%s · provider %s · profile %s · %d records", file, fc.Kind, fc.Profile, fc.Observations)
	fmt.Fprintln(stdout, indent(strings.Join(wrapText(where, width-4), "\n"), "    "))
	if len(sc.Text) > 0 {
		fmt.Fprintf(stdout, "\n%s\n", indent(strings.Join(wrapText(strings.Join(sc.Text, " "), width-4), "\n"), "    "))
	}
	fmt.Fprintln(stdout)
	timeline.Lanes(stdout, fr.Report, fr.Trace, fr.Names, fr.IDs, width)
	fmt.Fprintln(stdout)
	for _, l := range verdict {
		fmt.Fprintln(stdout, "    "+l)
	}
	fmt.Fprintln(stdout)
	return code
}

// drawPicture writes one run as an HTML page or a Chrome trace.
func drawPicture(w io.Writer, format string, rep *spec.Report, tr *emu.Trace, names []string, ids []int) error {
	write := timeline.HTML
	if format == "perfetto" {
		write = timeline.ChromeTrace
	}
	return write(w, rep, tr, names, ids)
}

// drawRunsTrace draws each run of a scenario-run trace: its scenario
// under the schedule check-trace finds for it.
func drawRunsTrace(file, format string, stdout, stderr io.Writer) int {
	runs, err := readTrace(file)
	if err != nil {
		fmt.Fprintf(stderr, "wsaemu: %v\n", err)
		return exitScenario
	}
	var todo []tracedRun
	for _, r := range runs {
		if r.Result.Skipped == "" {
			todo = append(todo, r)
		}
	}
	if (format == "html" || format == "perfetto") && len(todo) != 1 {
		fmt.Fprintf(stderr, "wsaemu run: -format %s writes one run: %s holds %d runs that were not skipped\n", format, file, len(todo))
		return exitUsage
	}
	worst := exitOK
	for _, r := range todo {
		res := r.Result
		sc, err := loadTraced(res.File, "")
		if err != nil {
			fmt.Fprintf(stderr, "wsaemu: %s:%d: %v\n", file, r.Line, err)
			worst = exitScenario
			continue
		}
		cfg := recordedConfig(res)
		obs, err := observedSteps(res)
		if err != nil {
			fmt.Fprintf(stderr, "wsaemu: %s:%d: %s: %v\n", file, r.Line, res.File, err)
			worst = exitScenario
			continue
		}
		tc, err := emulated.CheckObserved(sc, cfg, obs)
		if err != nil {
			fmt.Fprintf(stderr, "wsaemu: %s:%d: %v\n", file, r.Line, err)
			worst = exitScenario
			continue
		}
		if !tc.Permitted {
			// No schedule reproduces the run: nothing faithful to draw.
			fmt.Fprintf(stderr, "wsaemu: %s:%d: %s [%s/%s] is NOT permitted at %s:%d (wsaemu check-trace %s says more): not drawn\n", file, r.Line, res.File, cfg.Kind, cfg.Profile, sc.File, tc.Line, file)
			if worst == exitOK {
				worst = exitFailed
			}
			continue
		}
		if format == "text" {
			fmt.Fprintf(stdout, "# %s:%d: the run recorded there, under the schedule that reproduces it: %s\n", file, r.Line, tc.Schedule())
		}
		show(stdout, sc, cfg, format, &emulated.Emulator{Chooser: emu.ReplayChooser(tc.Choices)})
	}
	return worst
}
