package spec

// NewEmulator makes the emulator's backend (spec/emulated) for this
// package's own tests. That backend imports spec, so the package's
// internal tests cannot import it; emulator_hook_test.go (package
// spec_test, built into the same test binary) sets this before any test
// runs.
var NewEmulator func() Backend
