package emulated

// Panics returns the panics the current run's threads recorded (a panic
// inside the emulator or inside the step decoder, run on an emulated
// thread, ends that thread; spec's runner turns it into a failure).
func (e *Emulator) Panics() []error {
	if e.sys == nil {
		return nil
	}
	return e.sys.Panics()
}
