package spec

import (
	"errors"
	"fmt"
)

// PanicError is a panic inside the backend or the step decoder during a
// run. It means the run could not be carried out: it is never a pass, and
// the CLI reports it like a scenario that could not be run (exit 3).
type PanicError struct {
	File string
	Line int   // the step after which the panic was seen
	Err  error // the recorded panic, with its stack when the backend kept one
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("%s:%d: panic during the run (a bug in the emulator or the step decoder): %v", e.File, e.Line, e.Err)
}

func (e *PanicError) Unwrap() error { return e.Err }

// checkPanics fails the run if the backend recorded a panic.
func checkPanics(b Backend, file string, line int) error {
	pb, ok := b.(interface{ Panics() []error })
	if !ok {
		return nil
	}
	if ps := pb.Panics(); len(ps) > 0 {
		return &PanicError{File: file, Line: line, Err: errors.Join(ps...)}
	}
	return nil
}

// CouldNotRun reports whether a report's error means the scenario could
// not be read or run (a mistake in it, or a panic), as opposed to an
// expectation failing.
func (r *Report) CouldNotRun() bool {
	if r.Err == nil {
		return false
	}
	var pe *ParseError
	var pa *PanicError
	return errors.As(r.Err, &pe) || errors.As(r.Err, &pa)
}
