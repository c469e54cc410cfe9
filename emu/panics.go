package emu

// Panics returns the panics recorded so far in the threads' own code (or in
// a step's command), one error each, oldest first. A driver that keeps the
// machine running after a thread panicked (a Stepper) asks here after each
// step: a panic is a failure of the run, never a silent thread exit.
func (s *System) Panics() []error {
	if len(s.panics) == 0 {
		return nil
	}
	return append([]error(nil), s.panics...)
}
