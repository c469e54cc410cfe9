package emu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"strconv"
	"time"
)

// EventKind says what a trace event records.
type EventKind uint8

const (
	EvCall           EventKind = iota + 1 // a thread entered an emulated call
	EvReturn                              // the call returned: Result, Err
	EvField                               // a WSAOVERLAPPED field was written: Name, Old, New
	EvSignal                              // an event (or file) became signalled
	EvReset                               // an event was reset (explicitly or by a satisfied wait)
	EvAPCQueued                           // an APC was queued to Thread's queue: Name = kind, N = seq
	EvAPCRun                              // an APC started running on Thread: N = seq, Result = nesting depth
	EvAPCDone                             // an APC returned
	EvAPCDropped                          // an APC was discarded because its thread exited
	EvPacketPosted                        // a completion packet was queued to a port
	EvPacketDequeued                      // a thread took a completion packet
	EvClock                               // the virtual clock advanced to Time
	EvChoice                              // the Chooser decided: Name = point, N = alternatives, Result = pick
	EvThreadStart                         // a thread was created
	EvThreadExit                          // a thread ended: Result = exit code
	EvBlock                               // a thread blocked in a wait
	EvWake                                // a blocked thread became ready: Name = why
	EvIssue                               // an I/O request was issued: N = request id, Result = bytes asked
	EvComplete                            // an I/O request completed: N = request id, Old = status, New = bytes
	EvNote                                // free text
	EvDeadlock                            // every thread is blocked for ever
	EvLivelock                            // the run made no progress for the livelock budget
	numEventKinds
)

var eventKindNames = [numEventKinds]string{
	EvCall: "call", EvReturn: "return", EvField: "field", EvSignal: "signal",
	EvReset: "reset", EvAPCQueued: "apc-queued", EvAPCRun: "apc-run",
	EvAPCDone: "apc-done", EvAPCDropped: "apc-dropped", EvPacketPosted: "packet-posted",
	EvPacketDequeued: "packet-dequeued", EvClock: "clock", EvChoice: "choice",
	EvThreadStart: "thread-start", EvThreadExit: "thread-exit", EvBlock: "block",
	EvWake: "wake", EvIssue: "issue", EvComplete: "complete", EvNote: "note",
	EvDeadlock: "deadlock", EvLivelock: "livelock",
}

func (k EventKind) String() string {
	if k < numEventKinds && eventKindNames[k] != "" {
		return eventKindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText renders the kind by name in JSON.
func (k EventKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Event is one thing the System did. Which fields are meaningful depends on
// Kind (see the EventKind constants); unused ones are zero. Overlapped
// records are named by a small number (Ov) that the System gives each record
// the first time it sees it, never by address, so traces are the same from
// run to run.
type Event struct {
	Seq    uint64        `json:"seq"`
	Time   time.Duration `json:"time_ns"`
	Thread int           `json:"thread,omitempty"` // 0: the system itself
	Kind   EventKind     `json:"kind"`
	Name   string        `json:"name,omitempty"`
	Handle Handle        `json:"handle,omitempty"`
	Ov     int           `json:"ov,omitempty"`
	Old    uint64        `json:"old,omitempty"`
	New    uint64        `json:"new,omitempty"`
	N      uint64        `json:"n,omitempty"`
	Result uint64        `json:"result,omitempty"`
	Err    Errno         `json:"err,omitempty"`
	Text   string        `json:"text,omitempty"`
}

// Trace is the ordered record of a System's run.
type Trace struct {
	Events []Event
}

// traceFirstCap is how many events a trace makes room for at its first:
// most scenario runs record a few dozen, which then cost one allocation
// instead of one per doubling.
const traceFirstCap = 64

func (tr *Trace) add(e Event) {
	if tr.Events == nil {
		tr.Events = make([]Event, 0, traceFirstCap)
	}
	e.Seq = uint64(len(tr.Events) + 1)
	tr.Events = append(tr.Events, e)
}

// Len is how many events the trace holds.
func (tr *Trace) Len() int { return len(tr.Events) }

// At is the i-th event (from 0). The pointer stays valid while the trace
// lives; callers must not keep it past a reuse of the trace.
func (tr *Trace) At(i int) *Event { return &tr.Events[i] }

// All yields every event in order with its index (from 0), without
// copying it. Code outside this file reads the trace through Len, At and
// All, so the storage behind them can change.
func (tr *Trace) All() iter.Seq2[int, *Event] {
	return func(yield func(int, *Event) bool) {
		for i := range tr.Events {
			if !yield(i, &tr.Events[i]) {
				return
			}
		}
	}
}

// WriteJSON writes the trace as JSON lines, one event per line.
func (tr *Trace) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	for i := range tr.Events {
		if err := enc.Encode(&tr.Events[i]); err != nil {
			return err
		}
	}
	return nil
}

// ReadJSON reads a trace written by WriteJSON.
func ReadJSON(r io.Reader) (*Trace, error) {
	dec := json.NewDecoder(r)
	tr := &Trace{}
	for dec.More() {
		var e Event
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("trace event %d: %w", len(tr.Events)+1, err)
		}
		tr.Events = append(tr.Events, e)
	}
	return tr, nil
}

// UnmarshalText parses a kind's name.
func (k *EventKind) UnmarshalText(b []byte) error {
	for i, n := range eventKindNames {
		if n != "" && n == string(b) {
			*k = EventKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown trace event kind %q", b)
}

// WriteText writes the trace as a human-readable timeline, one event per
// line: sequence number, virtual time, thread, what happened.
func (tr *Trace) WriteText(w io.Writer) error {
	var b bytes.Buffer
	for i := range tr.Events {
		b.Reset()
		tr.Events[i].format(&b)
		b.WriteByte('\n')
		if _, err := w.Write(b.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// String renders the trace as text.
func (tr *Trace) String() string {
	var b bytes.Buffer
	_ = tr.WriteText(&b)
	return b.String()
}

// String renders one event as a timeline line.
func (e Event) String() string {
	var b bytes.Buffer
	e.format(&b)
	return b.String()
}

func (e *Event) format(b *bytes.Buffer) {
	fmt.Fprintf(b, "%5d %8s ", e.Seq, fmtTime(e.Time))
	if e.Thread == 0 {
		b.WriteString("sys ")
	} else {
		fmt.Fprintf(b, "T%-3d", e.Thread)
	}
	fmt.Fprintf(b, " %-15s ", e.Kind)
	switch e.Kind {
	case EvCall:
		b.WriteString(e.Name)
		if e.Text != "" {
			b.WriteString("(" + e.Text + ")")
		}
	case EvReturn:
		fmt.Fprintf(b, "%s -> %s", e.Name, fmtResult(e.Result))
		if e.Err != 0 {
			fmt.Fprintf(b, " err=%s", e.Err.Name())
		}
	case EvField:
		fmt.Fprintf(b, "ov%d.%s %#x -> %#x", e.Ov, e.Name, e.Old, e.New)
	case EvSignal, EvReset:
		fmt.Fprintf(b, "%s %#x", e.Name, uint64(e.Handle))
	case EvAPCQueued, EvAPCDropped:
		fmt.Fprintf(b, "%s apc#%d", e.Name, e.N)
		if e.Ov != 0 {
			fmt.Fprintf(b, " ov%d", e.Ov)
		}
	case EvAPCRun:
		fmt.Fprintf(b, "%s apc#%d depth=%d", e.Name, e.N, e.Result)
		if e.Ov != 0 {
			fmt.Fprintf(b, " ov%d err=%d bytes=%d", e.Ov, e.Old, e.New)
		}
	case EvAPCDone:
		fmt.Fprintf(b, "apc#%d", e.N)
	case EvPacketPosted, EvPacketDequeued:
		fmt.Fprintf(b, "port %#x key=%#x ov%d bytes=%d status=%s", uint64(e.Handle), e.Old, e.Ov, e.N, NTStatus(e.New).Name())
	case EvClock:
		fmt.Fprintf(b, "now %s", fmtTime(e.Time))
	case EvChoice:
		fmt.Fprintf(b, "%s %d of %d", e.Name, e.Result, e.N)
	case EvThreadStart:
		fmt.Fprintf(b, "%s handle %#x", e.Name, uint64(e.Handle))
	case EvThreadExit:
		fmt.Fprintf(b, "code %d", e.Result)
	case EvBlock:
		b.WriteString(e.Name)
		if e.Text != "" {
			b.WriteString(" " + e.Text)
		}
	case EvWake:
		b.WriteString(e.Name)
	case EvIssue:
		fmt.Fprintf(b, "req#%d %s on %#x ov%d len=%d", e.N, e.Name, uint64(e.Handle), e.Ov, e.Result)
	case EvComplete:
		if e.N == 0 {
			// A non-IFS completion: the provider's WSA error, no kernel request.
			fmt.Fprintf(b, "%s ov%d err=%s bytes=%d", e.Name, e.Ov, e.Text, e.New)
			break
		}
		fmt.Fprintf(b, "req#%d %s ov%d status=%s bytes=%d", e.N, e.Name, e.Ov, NTStatus(e.Old).Name(), e.New)
	default:
		b.WriteString(e.Name)
		if e.Text != "" {
			b.WriteString(" " + e.Text)
		}
	}
}

func fmtTime(d time.Duration) string {
	ms := d / time.Millisecond
	return strconv.FormatInt(int64(ms), 10) + "ms"
}

func fmtResult(r uint64) string {
	if r > 1<<16 {
		return fmt.Sprintf("%#x", r)
	}
	return strconv.FormatUint(r, 10)
}
