package emu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"strconv"
	"sync"
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
	lay    argLayout     // how args hold the text (argsText: Text holds it)
	Name   string        `json:"name,omitempty"`
	Handle Handle        `json:"handle,omitempty"`
	Ov     int           `json:"ov,omitempty"`
	Old    uint64        `json:"old,omitempty"`
	New    uint64        `json:"new,omitempty"`
	N      uint64        `json:"n,omitempty"`
	Result uint64        `json:"result,omitempty"`
	Err    Errno         `json:"err,omitempty"`
	// Text is the event's free text. A call's arguments and a wait's
	// terms are kept as values instead and rendered only when shown:
	// read the text through Detail, which covers both.
	Text string `json:"text,omitempty"`

	args argVals // a call's arguments or a wait's terms (see argLayout)
}

// argLayout says how an event's argument values render as its text. The
// layouts are the shapes of the calls' argument lists, and the formats
// of traceargs.go; a call whose arguments fit none of them keeps them as
// Text.
type argLayout uint8

const (
	argsText          argLayout = iota // Text holds the text
	argsH                              // handle
	argsHH                             // handle, handle
	argsHOv                            // handle, ov
	argsHOvRoutine                     // handle, ov, routine=bool
	argsHOvWait                        // handle, ov, wait=bool
	argsHLenOv                         // handle, len=n, ov
	argsMsAlert                        // ms (or INFINITE), alertable: one value (msAlert)
	argsHMsAlert                       // handle, ms, alertable
	argsHOvMsAlert                     // handle, ov, ms, alertable
	argsHCountMsAlert                  // handle, count=n, ms, alertable
	argsPost                           // handle, bytes, key=x, ov: a1 = bytes | ov<<32, a2 = key
	argsWait                           // [up to 3 handles], all=bool, ms, alertable: a3 = count | all<<8 | msAlert<<16
	argsWaitPacked                     // argsWait with up to 6 handles below 1<<32, two a word
	argsWaitSeq                        // argsWait with handles evenly spaced: a0 the first, a1 the step
	argsBlock                          // alertable=bool, forever or until a deadline: a0 alertable, a1 has deadline, a2 deadline
	argsVersion                        // major.minor: a0 the version word (low byte major, high byte minor)
	argsSocket                         // af=, type=, proto= (signed), flags=hex: a0 af | type<<32, a1 proto, a2 flags
	argsHAddr                          // socket, address (bind, connect): see setHAddr
	argsSelect                         // select's three sets and time-out: see setSelect
	// From argsFmt0 on: argument lists given as formats (traceargs.go).
)

// msAlert packs a wait's time-out and alertable flag into one value.
func msAlert(ms uint32, alertable bool) uint64 { return uint64(ms) | b2u(alertable)<<32 }

// callArgs is a call's argument list as the trace keeps it: values and
// their layout, or (lay argsText) a text formatted by the caller.
type callArgs struct {
	lay  argLayout
	a    argVals
	text string
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// Detail is the event's text: its arguments (a call), its terms (a
// block), or its free text, as the timeline shows them.
func (e *Event) Detail() string {
	if e.lay == argsText {
		return e.Text
	}
	return string(e.AppendDetail(nil))
}

// Equal reports whether e and o record the same thing: every field equal,
// the call's arguments compared by the text they render, so an event read
// back from JSON (which keeps the text) equals the one that was written.
func (e *Event) Equal(o *Event) bool {
	if *e == *o {
		return true
	}
	if e.lay == o.lay {
		return false // same layout: the fields themselves differ
	}
	a, b := *e, *o
	a.lay, a.args, a.Text = 0, argVals{}, ""
	b.lay, b.args, b.Text = 0, argVals{}, ""
	return a == b && e.Detail() == o.Detail()
}

// AppendDetail appends Detail's text to b (for hashing or rendering
// a trace without a string per event).
func (e *Event) AppendDetail(b []byte) []byte {
	a := &e.args
	hex := func(b []byte, v uint64) []byte { return strconv.AppendUint(append(b, "0x"...), v, 16) }
	ov := func(b []byte, v uint64) []byte { return strconv.AppendInt(append(b, "ov"...), int64(v), 10) }
	msAlert := func(b []byte, v uint64) []byte {
		if ms := uint32(v); ms == INFINITE {
			b = append(b, "INFINITE"...)
		} else {
			b = strconv.AppendUint(b, uint64(ms), 10)
		}
		return strconv.AppendBool(append(b, ", "...), v>>32&1 != 0)
	}
	switch e.lay {
	case argsText:
		return append(b, e.Text...)
	case argsH:
		return hex(b, a[0])
	case argsHH:
		return hex(append(hex(b, a[0]), ", "...), a[1])
	case argsHOv:
		return ov(append(hex(b, a[0]), ", "...), a[1])
	case argsHOvRoutine:
		b = ov(append(hex(b, a[0]), ", "...), a[1])
		return strconv.AppendBool(append(b, ", routine="...), a[2] != 0)
	case argsHOvWait:
		b = ov(append(hex(b, a[0]), ", "...), a[1])
		return strconv.AppendBool(append(b, ", wait="...), a[2] != 0)
	case argsHLenOv:
		b = strconv.AppendUint(append(hex(b, a[0]), ", len="...), a[1], 10)
		return ov(append(b, ", "...), a[2])
	case argsMsAlert:
		return msAlert(b, a[0])
	case argsHMsAlert:
		return msAlert(append(hex(b, a[0]), ", "...), a[1])
	case argsHOvMsAlert:
		b = ov(append(hex(b, a[0]), ", "...), a[1])
		return msAlert(append(b, ", "...), a[2])
	case argsHCountMsAlert:
		b = strconv.AppendUint(append(hex(b, a[0]), ", count="...), a[1], 10)
		return msAlert(append(b, ", "...), a[2])
	case argsPost:
		b = strconv.AppendUint(append(hex(b, a[0]), ", "...), uint64(uint32(a[1])), 10)
		b = hex(append(b, ", key="...), a[2])
		return ov(append(b, ", "...), a[1]>>32)
	case argsWait, argsWaitPacked, argsWaitSeq:
		b = append(b, '[')
		for i := 0; i < int(a[3]&0xff); i++ {
			if i > 0 {
				b = append(b, ' ')
			}
			switch e.lay {
			case argsWait:
				b = hex(b, a[i])
			case argsWaitPacked:
				b = hex(b, a[i/2]>>(32*(i%2))&(1<<32-1))
			default:
				b = hex(b, a[0]+uint64(i)*a[1])
			}
		}
		b = strconv.AppendBool(append(b, "], all="...), a[3]&(1<<8) != 0)
		return msAlert(append(b, ", "...), a[3]>>16)
	case argsVersion:
		b = strconv.AppendUint(b, a[0]&0xff, 10)
		return strconv.AppendUint(append(b, '.'), a[0]>>8&0xff, 10)
	case argsSocket:
		b = strconv.AppendInt(append(b, "af="...), int64(int32(a[0])), 10)
		b = strconv.AppendInt(append(b, ", type="...), int64(int32(a[0]>>32)), 10)
		b = strconv.AppendInt(append(b, ", proto="...), int64(int32(a[1])), 10)
		return hex(append(b, ", flags="...), a[2])
	case argsBlock:
		b = strconv.AppendBool(append(b, "alertable="...), a[0] != 0)
		if a[1] == 0 {
			return append(b, " forever"...)
		}
		return append(append(b, " until "...), fmtTime(time.Duration(a[2]))...)
	case argsHAddr:
		return appendHAddr(b, a)
	case argsSelect:
		return appendSelect(b, a)
	}
	if e.lay >= argsFmt0 && e.lay < argsFmtEnd {
		return appendFmt(b, e.lay, a, e.Text)
	}
	return b
}

// MarshalJSON writes the event with its text rendered (see Detail).
func (e Event) MarshalJSON() ([]byte, error) {
	type plain Event // the fields and tags without this method
	p := plain(e)
	if e.lay != argsText {
		p.Text = e.Detail()
	}
	return json.Marshal(&p)
}

// Trace is the ordered record of a System's run. Code outside this file
// reads it through Len, At and All.
//
// The events live in fixed-size chunks that are never moved: appending
// copies no earlier event, and a pointer from At stays good while the
// trace grows. Reset and Release hand the chunks back for reuse, so a
// program that runs many machines one after the other (explore, a
// benchmark) allocates no trace memory once it has warmed up.
type Trace struct {
	chunks []*traceChunk // full chunks, then the one being filled
	n      int           // events held
}

// traceChunkBits sets the chunk size: 64 events, which most scenario
// runs fit in (a few dozen events each), the same room the trace used to
// reserve at its first event.
const (
	traceChunkBits = 6
	traceChunkLen  = 1 << traceChunkBits
	traceChunkMask = traceChunkLen - 1
)

type traceChunk [traceChunkLen]Event

// traceChunks holds chunks that released traces gave back. A chunk taken
// from it still holds old events: each slot is overwritten whole before
// it is read.
var traceChunks = sync.Pool{New: func() any { return new(traceChunk) }}

// slot makes room for one more event and returns it.
func (tr *Trace) slot() *Event {
	i := tr.n
	c := i >> traceChunkBits
	if c == len(tr.chunks) {
		if c < cap(tr.chunks) && tr.chunks[:c+1][c] != nil {
			tr.chunks = tr.chunks[:c+1] // a chunk kept by Reset
		} else {
			tr.chunks = append(tr.chunks, traceChunks.Get().(*traceChunk))
		}
	}
	tr.n++
	return &tr.chunks[c][i&traceChunkMask]
}

// record adds *e at virtual time now. It is System.emit's work, kept out
// of emit so that emit stays small enough to inline: a System without a
// trace then does not even build the event.
//
//go:noinline
func (tr *Trace) record(now time.Duration, e *Event) {
	p := tr.slot()
	*p = *e
	p.Seq, p.Time = uint64(tr.n), now
}

// Append adds e at the end as it is, its Seq included: for building a
// trace to render, such as a part of another one.
func (tr *Trace) Append(e Event) { *tr.slot() = e }

// Len is how many events the trace holds.
func (tr *Trace) Len() int { return tr.n }

// At is the i-th event (from 0). The pointer stays valid while the trace
// lives; callers must not keep it past a Reset or Release of the trace.
func (tr *Trace) At(i int) *Event {
	if uint(i) >= uint(tr.n) {
		panic(fmt.Sprintf("emu: trace event %d of %d", i, tr.n))
	}
	return &tr.chunks[i>>traceChunkBits][i&traceChunkMask]
}

// All yields every event in order with its index (from 0), without
// copying it.
func (tr *Trace) All() iter.Seq2[int, *Event] {
	return func(yield func(int, *Event) bool) {
		for i := 0; i < tr.n; i++ {
			if !yield(i, &tr.chunks[i>>traceChunkBits][i&traceChunkMask]) {
				return
			}
		}
	}
}

// Reset empties the trace and keeps its room for the events recorded
// next. Pointers from At become invalid.
func (tr *Trace) Reset() {
	tr.n = 0
	tr.chunks = tr.chunks[:0]
}

// Release empties the trace and gives its room to the traces made after
// it. Pointers from At become invalid; the trace may be used again.
func (tr *Trace) Release() {
	all := tr.chunks[:cap(tr.chunks)]
	for i, c := range all {
		if c != nil {
			traceChunks.Put(c)
			all[i] = nil
		}
	}
	tr.n = 0
	tr.chunks = tr.chunks[:0]
}

// WriteJSON writes the trace as JSON lines, one event per line.
func (tr *Trace) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	for _, e := range tr.All() {
		if err := enc.Encode(e); err != nil {
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
			return nil, fmt.Errorf("trace event %d: %w", tr.n+1, err)
		}
		tr.Append(e)
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
	for _, e := range tr.All() {
		b.Reset()
		e.format(&b)
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
		if e.hasDetail() {
			b.WriteByte('(')
			e.writeDetail(b)
			b.WriteByte(')')
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
		if e.hasDetail() {
			b.WriteByte(' ')
			e.writeDetail(b)
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
		if e.hasDetail() {
			b.WriteByte(' ')
			e.writeDetail(b)
		}
	}
}

// hasDetail reports whether Detail is not empty.
func (e *Event) hasDetail() bool {
	if e.lay == argsText {
		return e.Text != ""
	}
	return true // every layout renders something
}

// writeDetail writes Detail's text to b without a string of its own.
func (e *Event) writeDetail(b *bytes.Buffer) {
	if e.lay == argsText {
		b.WriteString(e.Text)
		return
	}
	var tmp [96]byte
	b.Write(e.AppendDetail(tmp[:0]))
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
