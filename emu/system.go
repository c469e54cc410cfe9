package emu

import (
	"errors"
	"fmt"
	"time"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// System is one emulated machine: its threads, handle table, kernel objects,
// virtual clock, Chooser and trace. A System is driven either step by step
// (Stepper) or by goroutines (Go and Run); the two drive the same core.
//
// Exactly one party touches a System at a time: the driver, or the one
// emulated thread that holds the right to run. Calls on a Thread are only
// valid from that thread's own code (its goroutine function, a step
// command, or a routine running on it).
type System struct {
	chooser Chooser
	profile Profile
	trace   *Trace

	now time.Duration

	handles handleTable
	threads []*Thread
	nextTID int

	// scheduling
	mode     driveMode
	current  *Thread
	ready    []*Thread
	actions  []action
	settling bool
	driverCh chan struct{}
	killed   bool
	panics   []error

	ovIDs  map[*Overlapped]int
	nextOv int

	reqFree   []*request
	nextReqID uint64

	obs    fieldObserver
	picker apcPicker

	// exitNotify is told of every thread exit, after the kernel has dealt
	// with the thread's requests, in the order of registration.
	exitNotify []threadExitNotifier

	ws2 ws2State // the ws2 layer above the kernel

	san    sanitizer
	poison bool // write Poison into out-parameters a pending call leaves alone
}

type driveMode uint8

const (
	modeNone driveMode = iota
	modeGoroutine
	modeStep
)

// Option configures a System.
type Option func(*System)

// WithSeed makes every open decision from a pseudo-random sequence fixed by
// seed (SeededChooser).
func WithSeed(seed uint64) Option { return func(s *System) { s.chooser = SeededChooser(seed) } }

// WithChooser sets the Chooser that makes every open decision. The default
// is UsualChooser: what Windows usually does.
func WithChooser(c Chooser) Option {
	return func(s *System) {
		if c != nil {
			s.chooser = c
		}
	}
}

// WithProfile picks the profile (ProfileWindows by default).
func WithProfile(p Profile) Option { return func(s *System) { s.profile = p } }

// WithoutTrace turns the trace off (for benchmarks: recording every event
// costs memory in proportion to the run).
func WithoutTrace() Option { return func(s *System) { s.trace = nil } }

// New builds a System.
func New(opts ...Option) *System {
	s := &System{
		chooser:  UsualChooser(),
		trace:    &Trace{},
		driverCh: make(chan struct{}, 1),
		ovIDs:    make(map[*Overlapped]int),
	}
	for _, o := range opts {
		o(s)
	}
	s.obs.s = s
	s.picker.s = s
	s.ws2.attach(s)
	return s
}

// Trace returns the trace recorded so far (nil when tracing is off). Read
// it only while no emulated thread runs: after Run, or between steps.
func (s *System) Trace() *Trace { return s.trace }

// Now returns the virtual clock.
func (s *System) Now() time.Duration { return s.now }

// Profile returns the System's profile.
func (s *System) Profile() Profile { return s.profile }

// Threads returns the threads created so far, in creation order.
func (s *System) Threads() []*Thread { return s.threads }

// OverlappedID returns the small number under which the trace names ov,
// giving it the next number if the System has not seen it before.
func (s *System) OverlappedID(ov *Overlapped) int {
	if ov == nil {
		return 0
	}
	if id, ok := s.ovIDs[ov]; ok {
		return id
	}
	s.nextOv++
	s.ovIDs[ov] = s.nextOv
	return s.nextOv
}

func (s *System) tracing() bool { return s.trace != nil }

func (s *System) emit(e Event) {
	if s.trace == nil {
		return
	}
	e.Time = s.now
	s.trace.add(e)
}

func (s *System) note(t *Thread, format string, args ...any) {
	if s.trace == nil {
		return
	}
	s.emit(Event{Thread: t.tid(), Kind: EvNote, Text: fmt.Sprintf(format, args...)})
}

// choose asks the Chooser, clamps and traces the answer. With fewer than
// two alternatives there is nothing to decide and nothing is traced.
func (s *System) choose(p Point, n int) int {
	if n < 2 {
		return 0
	}
	c := clampChoice(s.chooser.Choose(p, n), n)
	s.emit(Event{Kind: EvChoice, Name: p.String(), N: uint64(n), Result: uint64(c)})
	return c
}

// fieldObserver traces every WSAOVERLAPPED field write.
type fieldObserver struct{ s *System }

func (o *fieldObserver) FieldWritten(ov *Overlapped, f wso.Field, old, new uint64) {
	if f == wso.FieldInternal && new != uint64(wso.WSS_OPERATION_IN_PROGRESS) {
		o.s.sanDone(ov)
	}
	if o.s.trace == nil {
		return
	}
	o.s.emit(Event{Thread: o.s.current.tid(), Kind: EvField, Name: f.String(), Ov: o.s.OverlappedID(ov), Old: old, New: new})
}

// observer returns the field observer, or nil when tracing is off, so the
// protocol functions skip the call entirely.
func (s *System) observer() wso.Observer {
	if s.trace == nil && !s.san.on() {
		return nil
	}
	return &s.obs
}

// DeadlockError reports that every live thread is blocked for ever and
// nothing pending can wake any of them.
type DeadlockError struct {
	Now     time.Duration
	Blocked []string // one line per blocked thread: what it waits for
	Trace   *Trace
}

func (e *DeadlockError) Error() string {
	msg := fmt.Sprintf("deadlock at %s: every thread is blocked and nothing can complete", fmtTime(e.Now))
	for _, b := range e.Blocked {
		msg += "\n  " + b
	}
	return msg
}

// ErrWrongThread is returned (and traced) when a Thread's method is called
// from code that is not running as that thread.
var ErrWrongThread = errors.New("emu: call made on a thread that is not the one running")

// CurrentThread is the emulated thread that is running now (nil when the
// driver holds the machine). Code that has no thread argument, such as a
// Winsock completion routine, can use it to learn the thread it runs on.
func (s *System) CurrentThread() *Thread { return s.current }
