package native

import (
	"strings"

	"github.com/wsaemu/wsaemu/spec"
)

// Result is one scenario run written as a JSON line: what each step
// returned and which expectations failed. cmd/wsaemu-native writes them
// for the real system, cmd/wsaemu-diff makes the same for the emulator
// and compares the two.
type Result struct {
	File    string   `json:"file"`
	Title   string   `json:"title,omitempty"`
	Clauses []string `json:"clauses,omitempty"`
	Kind    string   `json:"kind"`    // "native", or the emulator's provider kind
	Profile string   `json:"profile"` // "windows"
	// Skipped says why the scenario was not run (it is not meant for
	// this configuration).
	Skipped string `json:"skipped,omitempty"`
	// Error is what stopped the run early, if anything.
	Error string `json:"error,omitempty"`
	// Unsupported is set when Error is a call the backend cannot make.
	Unsupported bool         `json:"unsupported,omitempty"`
	Steps       []StepRecord `json:"steps"`
	Failures    []string     `json:"failures"`
	Passed      bool         `json:"passed"`
}

// StepRecord is one step of a run.
type StepRecord struct {
	Line        int       `json:"line"`
	Thread      string    `json:"thread,omitempty"`
	Call        string    `json:"call"`
	Outcome     string    `json:"outcome"`
	Completions []string  `json:"completions,omitempty"`
	Failures    []Failure `json:"failures,omitempty"`
}

// Failure is one expectation that did not hold.
type Failure struct {
	Line int    `json:"line"`
	Msg  string `json:"msg"`
}

// UnsupportedMark is in the error of a call the native backend cannot
// make yet.
const UnsupportedMark = "not supported by the native backend"

// Applies says whether a scenario is meant for a run of real Winsock:
// it must not be marked emulator-only, its kinds must include ifs
// (Windows' own provider is an IFS one) and its profiles windows. It
// returns the reason when not.
func Applies(sc *spec.Scenario) (bool, string) {
	has := func(list []string, w string) bool {
		for _, x := range list {
			if x == w {
				return true
			}
		}
		return false
	}
	if sc.EmulatorOnly != "" {
		return false, "emulator-only: " + sc.EmulatorOnly
	}
	if !has(sc.Kinds, "ifs") {
		return false, "scenario is for non-IFS providers only"
	}
	if !has(sc.Profiles, "windows") {
		return false, "scenario is for the docs profile only"
	}
	return true, ""
}

// FromReport turns a runner report into a Result.
func FromReport(rep *spec.Report, kind, profile string) Result {
	sc := rep.Scenario
	r := Result{File: strings.ReplaceAll(sc.File, `\`, "/"), Title: sc.Title, Clauses: sc.Clauses, Kind: kind, Profile: profile, Passed: rep.Passed()}
	if rep.Err != nil {
		r.Error = rep.Err.Error()
		r.Unsupported = strings.Contains(r.Error, UnsupportedMark)
	}
	for _, s := range rep.Steps {
		sr := StepRecord{Line: s.Step.Line, Thread: s.Step.Thread, Call: s.Step.Call.String(), Outcome: RenderOutcome(s.Outcome)}
		if s.Step.Call.Name == "settle" {
			sr.Call, sr.Outcome = "settle", ""
		}
		for _, c := range s.Completions {
			sr.Completions = append(sr.Completions, spec.FormatCompletion(c))
		}
		for _, f := range s.Failures {
			sr.Failures = append(sr.Failures, Failure{Line: f.Line, Msg: f.Msg})
		}
		r.Steps = append(r.Steps, sr)
	}
	r.Failures = append([]string{}, rep.Failures()...)
	return r
}

// RenderOutcome writes an outcome on one line: "blocked", or the return
// value, the error and the out-parameters in name order (spec's one
// outcome format).
func RenderOutcome(o spec.Outcome) string { return spec.FormatOutcome(o) }
