package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
	"github.com/wsaemu/wsaemu/spec/emulated"
	"github.com/wsaemu/wsaemu/trace"
)

// exitUndecided is check-trace's answer when the search for a free-form
// trace ran out of its budget (-max-runs) before deciding.
const exitUndecided = 4

// isFreeTrace reports whether a file starts with a header of the
// free-form trace format (docs/trace-format.md).
func isFreeTrace(file string) bool {
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 4096)
	for {
		line, err := r.ReadSlice('\n')
		if len(line) > 0 && len(trimSpace(line)) > 0 {
			return trace.IsTrace(line)
		}
		if err != nil {
			return false
		}
	}
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

// checkFreeTrace checks a free-form trace and prints the answer.
func checkFreeTrace(file string, maxRuns, maxSteps int, verbose bool, schedule string, replay bool, stdout, stderr io.Writer) int {
	tr, ok := readFreeTrace(file, stderr)
	if !ok {
		return exitScenario
	}
	var fc *emulated.FreeCheck
	var err error
	if replay {
		choices, perr := emulated.ParseChoices(schedule)
		if perr != nil {
			fmt.Fprintf(stderr, "wsaemu check-trace: -schedule: %v\n", perr)
			return exitUsage
		}
		fc, err = emulated.ReplayFree(tr, choices)
		verbose = true
	} else {
		fc, err = emulated.CheckFreeWithin(tr, maxRuns, maxSteps)
	}
	if err != nil {
		fmt.Fprintf(stderr, "wsaemu: %s\n", spec.Printable(traceErr(file, err)))
		return exitScenario
	}
	where := fmt.Sprintf("%s [%s/%s]", file, fc.Kind, fc.Profile)
	switch fc.Verdict {
	case "permitted":
		fmt.Fprintf(stdout, "permitted      %s %d records, %d run(s); schedule: %s\n", where, fc.Observations, fc.Runs, fc.Schedule())
		if !replay {
			fmt.Fprintf(stdout, "      replay:  wsaemu check-trace -schedule %q %s\n", fc.Schedule(), file)
		}
		if fc.Undefined != "" {
			fmt.Fprintf(stdout, "      from some point the program does what the pages call undefined (%s): what follows is permitted\n", oneLineText(fc.Undefined, 160))
		}
		if verbose {
			fmt.Fprintln(stdout)
			for _, l := range fc.Timeline {
				fmt.Fprintf(stdout, "  %s\n", spec.Printable(l))
			}
		}
		return exitOK
	}
	head := "NOT permitted  "
	if fc.Verdict == "undecided" {
		head = "undecided      "
	}
	fmt.Fprintf(stdout, "%s%s\n", head, where)
	fmt.Fprintf(stdout, "      %s:%d: %s\n", file, fc.Line, spec.Printable(fc.Observed))
	if fc.Rule != "" {
		rule := fc.Rule
		if fc.Clause != "" {
			rule = fc.Clause + ": " + rule
		}
		fmt.Fprintf(stdout, "      rule:       %s\n", rule)
	}
	for i, a := range fc.Allowed {
		if i == maxAllowedShown {
			fmt.Fprintf(stdout, "        and %d other result(s)\n", len(fc.Allowed)-i)
			break
		}
		h := "the model:  "
		if i > 0 {
			h = "        or  "
		}
		fmt.Fprintf(stdout, "      %s%s (%d schedule(s))\n", h, spec.Printable(a.Text), a.Runs)
	}
	if replay {
		fmt.Fprintln(stdout, "      (this schedule only: without -schedule, every schedule is searched)")
		fmt.Fprintln(stdout)
		for _, l := range fc.Timeline {
			fmt.Fprintf(stdout, "  %s\n", spec.Printable(l))
		}
		return exitFailed
	}
	if verbose && len(fc.Timeline) > 0 {
		fmt.Fprintf(stdout, "      a schedule that gets furthest (%s), up to that record:\n\n", fc.Schedule())
		for _, l := range fc.Timeline {
			fmt.Fprintf(stdout, "  %s\n", spec.Printable(l))
		}
		fmt.Fprintln(stdout)
	}
	if fc.Verdict == "undecided" {
		fmt.Fprintf(stdout, "      undecided within the budget (%d runs, -max-runs; %d records replayed, -max-steps): no schedule found yet, not every one tried\n", fc.Runs, fc.Steps)
		return exitUndecided
	}
	fmt.Fprintf(stdout, "      every schedule tried (%d runs): none explains this record\n", fc.Runs)
	return exitFailed
}

// traceErr writes a problem with a trace as file:line: message when it
// has a line.
func traceErr(file string, err error) string {
	line := 0
	var te *trace.Error
	var ue *emulated.UnsupportedError
	switch {
	case errors.As(err, &te):
		line = te.Line
	case errors.As(err, &ue):
		line = ue.Line
	}
	msg := err.Error()
	if line > 0 {
		return fmt.Sprintf("%s:%d: %s", file, line, strings.TrimPrefix(msg, fmt.Sprintf("line %d: ", line)))
	}
	return file + ": " + msg
}

// recordFree runs one scenario on the emulator and writes its run as a
// free-form trace (under the first of the scenario's kinds and profiles
// that -kind and -profile allow).
func recordFree(paths []string, seed uint64, kind, profile string, stamps bool, stdout, stderr io.Writer) int {
	scs, code := load(paths, stderr)
	if code != 0 {
		return code
	}
	if len(scs) != 1 {
		fmt.Fprintf(stderr, "wsaemu check-trace -record -format v1: name one scenario (a trace is one run; %d named)\n", len(scs))
		return exitUsage
	}
	sc := scs[0]
	cfgs := configs(sc, kind, profile)
	if len(cfgs) == 0 {
		fmt.Fprintf(stderr, "wsaemu: %s does not run under -kind %s -profile %s\n", sc.File, kind, profile)
		return exitUsage
	}
	var ch emu.Chooser = emu.UsualChooser()
	if seed != 0 {
		ch = emu.SeededChooser(seed)
	}
	// The header names the command that remakes the trace.
	cmd := fmt.Sprintf("wsaemu check-trace -record -format v1 -kind %s -profile %s", cfgs[0].Kind, cfgs[0].Profile)
	if seed != 0 {
		cmd += fmt.Sprintf(" -seed %d", seed)
	}
	if !stamps {
		cmd += " -untimed"
	}
	cmd += " " + filepath.ToSlash(sc.File)
	if err := emulated.WriteFree(stdout, sc, cfgs[0], ch, stamps, cmd); err != nil {
		fmt.Fprintf(stderr, "wsaemu: %v\n", err)
		return exitScenario
	}
	return exitOK
}

// readFreeTrace reads and validates a free-form trace file, saying on
// stderr what is wrong with it when it cannot.
func readFreeTrace(file string, stderr io.Writer) (*trace.Trace, bool) {
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(stderr, "wsaemu: %v\n", err)
		return nil, false
	}
	tr, err := trace.Read(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "wsaemu: %s\n", spec.Printable(traceErr(file, err)))
		return nil, false
	}
	return tr, true
}
