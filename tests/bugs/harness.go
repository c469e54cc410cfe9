// Package bugs reproduces, on the emulator, the overlapped-I/O bugs that
// real projects shipped (the list in docs/windows-behaviour.md,
// "Real bugs that came from misreading these rules"). Each pattern has its
// own file with two small client programs: the buggy form, written the way
// the mistake is usually made, and the corrected form. A program checks its
// own invariants as it runs (the byte count it used, that each notification
// was handled once, that no datagram went missing) and reports what it saw
// broken to its Verdict; the emulator adds what only it can see: a deadlock
// (a lost wake-up), or a sanitizer finding naming the clause the program
// broke.
//
// The buggy forms are not wrong on every run: every one of them passes
// under the schedule Windows usually shows (the UsualChooser), which is how
// such bugs get shipped. The tests in bugs_test.go search seeds for a schedule that
// exposes each one, let rapid shrink it to a minimal list of decisions, and
// run the corrected forms under thousands of schedules. README.md in this
// directory is the index.
package bugs

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// A Program is a small client: it runs as the main thread of a fresh
// System, after nothing else has happened (it calls WSAStartup itself), and
// may start more threads with CreateThread. It tells v about every
// invariant of its own that it finds broken.
type Program func(t *emu.Thread, v *Verdict)

// Verdict collects what a program found wrong while it ran. Only emulated
// threads write to it, one at a time, so it needs no lock.
type Verdict struct {
	broken []string
}

// Breakf records a broken invariant.
func (v *Verdict) Breakf(format string, args ...any) {
	v.broken = append(v.broken, fmt.Sprintf(format, args...))
}

// setup records a call that a program needs to get going and that failed;
// it reports whether err was nil. Such a failure is counted like a broken
// invariant: a corrected form must never see one.
func (v *Verdict) setup(what string, err error) bool {
	if err != nil {
		v.Breakf("setup: %s: %v", what, err)
		return false
	}
	return true
}

// Result is how one run of a program ended.
type Result struct {
	// Err is what System.Run returned: a *emu.DeadlockError when every
	// thread was left waiting for ever (a lost wake-up), a
	// *emu.SanitizerError in fail-fast mode, or a thread's panic.
	Err error
	// Broken lists the program's own invariants that did not hold.
	Broken []string
	// Findings is what the sanitizer reported (when it was on).
	Findings []emu.Finding
	// Liveness lists I/O requests that did not complete exactly once, and
	// system actions still waiting after the run. Checked only when Run
	// returned without error. These are the emulator's promises, not the
	// program's: a non-empty list is an emulator bug.
	Liveness []string
	// PendingActions is s.PendingActions() after the run.
	PendingActions int
	// Trace is the run's trace.
	Trace *emu.Trace
}

// Wrong reports whether the run exposed a bug in the program: an error
// from Run, a broken invariant or a sanitizer finding.
func (r *Result) Wrong() bool {
	return r.Err != nil || len(r.Broken) > 0 || len(r.Findings) > 0
}

// Why says in one line what went wrong (empty when nothing did).
func (r *Result) Why() string {
	var parts []string
	if r.Err != nil {
		msg := r.Err.Error()
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		parts = append(parts, msg)
	}
	parts = append(parts, r.Broken...)
	for _, f := range r.Findings {
		parts = append(parts, "sanitizer: "+f.Clause+": "+f.Text)
	}
	return strings.Join(parts, "; ")
}

// Defaults are the options every run starts with: the IFS provider (what
// Windows' own provider does: the kernel's I/O manager completes socket
// requests, and a cancel can race a completion) and the windows profile.
// Options given to Run come after these and override them.
func Defaults() []emu.Option {
	return []emu.Option{emu.WithProviderKind(provider.IFS), emu.WithProfile(emu.ProfileWindows)}
}

// Run runs p once on a new System built with Defaults and opts, and
// checks liveness afterwards: every I/O request issued was either refused
// at once or completed exactly once, and no system action is left waiting.
func Run(p Program, opts ...emu.Option) *Result {
	s := emu.New(append(Defaults(), opts...)...)
	v := &Verdict{}
	if _, err := s.Go("main", func(t *emu.Thread) { p(t, v) }); err != nil {
		return &Result{Err: err}
	}
	err := s.Run()
	r := &Result{
		Err:            err,
		Broken:         v.broken,
		Findings:       s.Findings(),
		PendingActions: s.PendingActions(),
		Trace:          s.Trace(),
	}
	if err == nil {
		r.Liveness = s.Liveness()
	}
	s.Stop()
	return r
}

// AfterFaults wraps a Chooser so that it decides only the first n open
// decisions; every later one takes alternative 0, what Windows usually
// does. It models faults that stop: hostile schedules for a while, then a
// calm system, after which everything still pending must complete.
func AfterFaults(inner emu.Chooser, n int) emu.Chooser {
	left := n
	return emu.FuncChooser(func(p emu.Point, k int) int {
		if left <= 0 {
			return 0
		}
		left--
		return inner.Choose(p, k)
	})
}

// ---- helpers the programs share ----

var loopback = netip.MustParseAddr("127.0.0.1")

// startup calls WSAStartup.
func startup(t *emu.Thread, v *Verdict) bool {
	var d emu.WSAData
	return v.setup("WSAStartup", t.WSAStartup(0x0202, &d))
}

// udpSocket makes an overlapped UDP socket bound to an ephemeral loopback
// port and returns it with its address.
func udpSocket(t *emu.Thread, v *Verdict) (emu.SOCKET, netip.AddrPort, bool) {
	h, err := t.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
	if !v.setup("socket", err) {
		return 0, netip.AddrPort{}, false
	}
	a := netip.AddrPortFrom(loopback, 0)
	if !v.setup("bind", t.Bind(h, &a, provider.SizeofSockaddrInet4)) {
		return 0, netip.AddrPort{}, false
	}
	got, err := t.Getsockname(h)
	return h, got, v.setup("getsockname", err)
}

// sendTo sends one datagram, overlapped, and waits until the send is done,
// the way a simple sender thread does (it owns its record and event).
func sendTo(t *emu.Thread, v *Verdict, h emu.SOCKET, to netip.AddrPort, msg string) {
	ev, err := t.WSACreateEvent()
	if !v.setup("WSACreateEvent", err) {
		return
	}
	defer t.WSACloseEvent(ev)
	ov := &emu.Overlapped{HEvent: ev}
	var n uint32
	err = t.WSASendTo(h, []emu.WSABUF{{Len: uint32(len(msg)), Buf: []byte(msg)}}, &n, 0, &to, provider.SizeofSockaddrInet4, ov, nil)
	if err != nil && err != wso.WSA_IO_PENDING {
		v.Breakf("setup: WSASendTo: %v", err)
		return
	}
	var fl uint32
	if !v.setup("sender's WSAGetOverlappedResult", t.WSAGetOverlappedResult(h, ov, &n, true, &fl)) {
		return
	}
	if int(n) != len(msg) {
		v.Breakf("setup: sent %d bytes of %d", n, len(msg))
	}
}

// spawn starts fn on a new thread and returns its handle.
func spawn(t *emu.Thread, v *Verdict, fn func(t *emu.Thread)) emu.Handle {
	h, err := t.CreateThread(fn)
	v.setup("CreateThread", err)
	return h
}

// join waits until every thread in hs has exited.
func join(t *emu.Thread, v *Verdict, hs ...emu.Handle) {
	var live []emu.Handle
	for _, h := range hs {
		if h != 0 {
			live = append(live, h)
		}
	}
	if len(live) == 0 {
		return
	}
	if _, err := t.WaitForMultipleObjects(live, true, emu.INFINITE); err != nil {
		v.Breakf("setup: join: %v", err)
	}
}

// buf1 is a one-buffer WSABUF list over b.
func buf1(b []byte) []emu.WSABUF { return []emu.WSABUF{{Len: uint32(len(b)), Buf: b}} }
