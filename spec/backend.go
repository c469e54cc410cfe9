package spec

// Backend is the Win32 and Winsock surface a scenario runs against: the
// emulator, or (on Windows or under Wine) the real ws2_32 and kernel32. It
// knows the scenario's objects by their declared names, runs one call at a
// time on a named thread, and answers questions about what can be
// observed. It is not the emulator's internals: everything here is
// something a program on Windows can see.
type Backend interface {
	// Name says which implementation this is ("emulator", "native").
	Name() string
	// Start makes a fresh machine for one run and creates the declared
	// threads and objects.
	Start(cfg RunConfig, decls []Decl) error
	// Do runs one decoded call on a thread and reports how it returned,
	// or that it is blocked (Result.Blocked). The call's arguments were
	// checked when the scenario was read: an error here is something the
	// backend cannot do, not a scenario mistake.
	Do(thread string, op Op) (Result, error)
	// Settle lets the machine act on its own until nothing more happens
	// (pending completions delivered, timeouts run out).
	Settle() error
	// Completed returns the calls that were blocked and have returned
	// since the last time it was asked, in the order they returned. The
	// list may be the backend's own, valid until its next Do, Settle,
	// Completed or Start: a caller that keeps it copies it (Run does).
	Completed() []Returned
	// Overlapped reads a record's four fields.
	Overlapped(name string) (OvFields, error)
	// EventSignalled reads an event's state.
	EventSignalled(name string) (bool, error)
	// Routine returns every call of a declared routine or APC so far.
	Routine(name string) ([]RoutineCall, error)
	// Buffer returns a declared buffer's bytes.
	Buffer(name string) ([]byte, error)
	// Blocked reports whether a thread is blocked in its last call.
	Blocked(thread string) (bool, error)
	// Close ends the run and releases everything.
	Close()
}

// RunConfig is what one run is made under.
type RunConfig struct {
	Kind    string // provider kind: nonifs, ifs or layered (a non-IFS layer over the IFS base)
	Profile string // windows or docs
	// Seed, when Seeded, makes every open decision from that seed
	// (emulator only; a real system decides for itself).
	Seed   uint64
	Seeded bool
	// Hostile steers open decisions to the permitted outcome programs
	// least expect, and poisons out-parameters a pending call leaves
	// unwritten (emulator only).
	Hostile bool
	// Swarm draws, per seed, how often each kind of decision takes an
	// unusual outcome (emulator only; needs Seeded).
	Swarm bool
	// Resets lets the schedule end stream connections with a reset the
	// network injects, at any point of their life (emulator only:
	// emu.WithResets).
	Resets bool
	// Splits lets the schedule hand a stream receive fewer bytes than are
	// waiting (emulator only: emu.WithSplits).
	Splits bool
}

// Outcome is how one call returned, in scenario words: a Result as
// Render writes it. Expectations, timelines and recorded runs read it.
type Outcome struct {
	Blocked bool
	Ret     string            // "0", "SOCKET_ERROR", "TRUE", "FALSE", "WAIT_OBJECT_0", ...
	Err     string            // the error's name when the call reports one, else ""
	Outs    map[string]string // out-parameters by name; "untouched" when not written
}

// Completion is a blocked call returning later, rendered.
type Completion struct {
	Thread  string
	Call    string
	Outcome Outcome
}

// OvFields are a WSAOVERLAPPED's four fields.
type OvFields struct {
	Internal, InternalHigh uint64
	Offset, OffsetHigh     uint32
}

// RoutineCall is one run of a completion routine or APC.
type RoutineCall struct {
	Thread string
	Err    uint32
	Bytes  uint32
	Flags  uint32
	Ov     string // the record's declared name, or "?" for one not declared
	Param  uint64 // user APCs
	Depth  int    // APC nesting depth when it ran (emulator only; 0 unknown)
}
