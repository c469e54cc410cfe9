package spec

// Checker evaluates a scenario's expectations step by step, as Run does,
// for code that drives a Backend itself (the trace check runs a scenario
// one step at a time and compares as it goes).
type Checker struct{ ev *evaluator }

// NewChecker makes a Checker over a backend.
func NewChecker(b Backend) *Checker {
	return &Checker{ev: &evaluator{b: b, last: map[string]Completion{}}}
}

// Step records what a step did: its call's outcome and the blocked calls
// that returned during it. Expectations checked next are about it.
func (c *Checker) Step(out Outcome, completions []Completion) {
	for _, cp := range completions {
		c.ev.last[cp.Thread] = cp
	}
	c.ev.out = out
}

// Check evaluates one expectation (or either/or group) of the step.
func (c *Checker) Check(e Expect) []Failure { return c.ev.check(e) }

// AtLine places a backend's error at a step's line of a file, as Run
// reports it.
func AtLine(file string, line int, err error) error { return stepError(file, line, err) }

// WithFile gives a scenario error without a file (a backend's set-up
// error) the scenario's file.
func WithFile(file string, err error) error { return withFile(file, err) }
