// Package trace reads, validates and writes the wsaemu trace format
// (docs/trace-format.md): a recording, in JSON Lines, of what a program
// observed while it made overlapped Winsock and Win32 calls — each call
// with its arguments and results, each completion routine or APC that ran,
// each read of a record's fields — thread by thread. The format names
// every handle, socket, event, port, record and routine by a stable id the
// recorder assigns, so a trace is independent of the language and the
// process that made it.
//
// The package knows the format only: checking a trace against the model
// is spec/emulated's CheckFree.
package trace

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// FormatName and Version are what a trace's header line says.
const (
	FormatName = "wsaemu-trace"
	Version    = 1
)

// MaxLine is the longest line Read accepts, in bytes: room for a 1 MiB
// buffer written as hex.
const MaxLine = 4 << 20

// Header is a trace's first line.
type Header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Recorder and System say what made the trace and where it ran
	// (free text, for people).
	Recorder string `json:"recorder,omitempty"`
	System   string `json:"system,omitempty"`
	// Provider and Profile say what the checker models the run as:
	// provider "ifs" (default), "nonifs" or "layered"; profile
	// "windows" (default) or "docs".
	Provider string `json:"provider,omitempty"`
	Profile  string `json:"profile,omitempty"`
	// TimeUnit names the unit of the records' t0 and t1 (free text:
	// "ns", "us", "tick"); only their order is used.
	TimeUnit string `json:"time_unit,omitempty"`
}

// The kinds of event record.
const (
	EvCall    = "call"    // a call returned (or never did: Unfinished)
	EvRoutine = "routine" // a completion routine ran
	EvAPC     = "apc"     // a user APC ran
	EvRead    = "read"    // the program read a field of a record
)

// EventKinds lists the kinds of event record, in the order the
// specification gives them.
var EventKinds = []string{EvCall, EvRoutine, EvAPC, EvRead}

// Event is one record after the header. Which fields apply depends on Ev;
// Validate checks them.
type Event struct {
	Ev     string `json:"ev"`
	Thread string `json:"thread"`
	// T0 and T1 are optional timestamps: when the call was entered and
	// when it returned (a routine, APC or read uses T0 only). Any
	// monotonic clock shared by the threads.
	T0 *int64 `json:"t0,omitempty"`
	T1 *int64 `json:"t1,omitempty"`

	// call
	Fn         string                     `json:"fn,omitempty"`
	Args       map[string]json.RawMessage `json:"args,omitempty"`
	Ret        json.RawMessage            `json:"ret,omitempty"`
	Error      *uint32                    `json:"error,omitempty"`
	Out        map[string]json.RawMessage `json:"out,omitempty"`
	Unfinished bool                       `json:"unfinished,omitempty"`

	// routine: the routine's id and its four arguments. apc: the
	// APC's id and its parameter.
	Routine string  `json:"routine,omitempty"`
	ErrCode *uint32 `json:"err,omitempty"`
	Bytes   *uint32 `json:"bytes,omitempty"`
	Ov      *string `json:"ov,omitempty"`
	Flags   *uint32 `json:"flags,omitempty"`
	// Data, on a routine record, are the bytes the routine found in the
	// receive's buffers (optional).
	Data  *Buffer `json:"data,omitempty"`
	APC   string  `json:"apc,omitempty"`
	Param *uint64 `json:"param,omitempty"`

	// read: the record, the field and the value read.
	Field string  `json:"field,omitempty"`
	Value *uint64 `json:"value,omitempty"`

	// Depth, on a call or read, is how deeply it is nested in completion
	// routines and APCs: 0 (the default) in the thread's own code, 1
	// inside a routine that a depth-0 call ran, and so on.
	Depth int `json:"depth,omitempty"`

	// Line is the event's line in the file (set by Read; not written).
	Line int `json:"-"`
}

// Trace is a header and its events in file order.
type Trace struct {
	Header Header
	Events []Event
}

// Error is a problem with a trace, at a line.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func errAt(line int, format string, args ...any) error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// IsTrace reports whether the first line of a file is a header of this
// format (of any version).
func IsTrace(firstLine []byte) bool {
	var h struct {
		Format string `json:"format"`
	}
	return json.Unmarshal(bytes.TrimSpace(firstLine), &h) == nil && h.Format == FormatName
}

// Read reads and validates a trace. Blank lines are skipped; every other
// line is one JSON object. The first problem is returned, with its line.
func Read(r io.Reader) (*Trace, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	t := &Trace{}
	seenHeader := false
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if !seenHeader {
			if err := dec.Decode(&t.Header); err != nil {
				return nil, errAt(n, "not a trace header: %v", err)
			}
			if err := t.Header.validate(); err != nil {
				return nil, errAt(n, "%v", err)
			}
			seenHeader = true
			continue
		}
		var e Event
		if err := dec.Decode(&e); err != nil {
			return nil, errAt(n, "not an event record: %v", err)
		}
		e.Line = n
		t.Events = append(t.Events, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the trace: %v", err)
	}
	if !seenHeader {
		return nil, errAt(1, "empty: no header line")
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

func (h *Header) validate() error {
	if h.Format != FormatName {
		return fmt.Errorf("format %q: want %q", h.Format, FormatName)
	}
	if h.Version != Version {
		return fmt.Errorf("version %d: this reader knows version %d", h.Version, Version)
	}
	switch h.Provider {
	case "", "ifs", "nonifs", "layered":
	default:
		return fmt.Errorf("provider %q: want ifs, nonifs or layered", h.Provider)
	}
	switch h.Profile {
	case "", "windows", "docs":
	default:
		return fmt.Errorf("profile %q: want windows or docs", h.Profile)
	}
	return nil
}

// idPattern is what an id looks like: a letter or _, then letters,
// digits, _ and -, at most 64 in all.
var idPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]{0,63}$`)

// reservedIDs are words that mean something else in an argument.
var reservedIDs = map[string]bool{"NULL": true, "INFINITE": true, "INVALID_HANDLE_VALUE": true, "none": true, "settle": true, "blocks": true, "untouched": true, "void": true}

// ValidID reports whether s may be an id.
func ValidID(s string) bool { return idPattern.MatchString(s) && !reservedIDs[s] }

// OvFields are the names a read record may give.
var OvFields = []string{"Internal", "InternalHigh", "Offset", "OffsetHigh"}

// Validate checks every record against the format's rules (the same rules
// docs/trace-format.schema.json states, plus the ones a schema cannot:
// timestamps in order, at most one unfinished call per thread and it its
// last). The first problem is returned.
func (t *Trace) Validate() error {
	if err := t.Header.validate(); err != nil {
		return errAt(1, "%v", err)
	}
	unfinished := map[string]int{}
	last := map[string]int64{}
	for i := range t.Events {
		e := &t.Events[i]
		if err := e.validate(); err != nil {
			return errAt(e.Line, "%v", err)
		}
		if l, ok := unfinished[e.Thread]; ok {
			return errAt(e.Line, "thread %s has a record after its unfinished call at line %d", e.Thread, l)
		}
		if e.Unfinished {
			unfinished[e.Thread] = e.Line
		}
		// A call or read begins no earlier than the thread's previous
		// call returned. (A routine or APC record comes before the call
		// it ran inside, which may have begun before it.)
		if e.Ev != EvRoutine && e.Ev != EvAPC && e.T0 != nil {
			if p, ok := last[e.Thread]; ok && *e.T0 < p {
				return errAt(e.Line, "t0 %d is before the thread's previous call returned (%d)", *e.T0, p)
			}
		}
		if e.T1 != nil {
			last[e.Thread] = *e.T1
		}
	}
	return nil
}

// Keys lists, per kind of record, the keys it may have and the ones it
// must have: docs/trace-format.schema.json states the same (a test holds
// them equal). "header" is the header line.
var Keys = map[string]struct{ Allowed, Required []string }{
	"header":  {[]string{"format", "version", "recorder", "system", "provider", "profile", "time_unit"}, []string{"format", "version"}},
	EvCall:    {[]string{"ev", "thread", "t0", "t1", "depth", "fn", "args", "ret", "error", "out", "unfinished"}, []string{"ev", "thread", "fn"}},
	EvRoutine: {[]string{"ev", "thread", "t0", "routine", "err", "bytes", "ov", "flags", "data"}, []string{"ev", "thread", "routine", "err", "bytes", "ov"}},
	EvAPC:     {[]string{"ev", "thread", "t0", "apc", "param"}, []string{"ev", "thread", "apc"}},
	EvRead:    {[]string{"ev", "thread", "t0", "depth", "ov", "field", "value"}, []string{"ev", "thread", "ov", "field", "value"}},
}

// eventKeys are all the keys of event records, in the order errors name
// them.
var eventKeys = []string{"ev", "thread", "t0", "t1", "depth", "fn", "args", "ret", "error", "out", "unfinished", "routine", "err", "bytes", "ov", "flags", "data", "apc", "param", "field", "value"}

// present lists the keys an event record has.
func (e *Event) present() map[string]bool {
	return map[string]bool{
		"ev": e.Ev != "", "thread": e.Thread != "", "t0": e.T0 != nil, "t1": e.T1 != nil, "depth": e.Depth != 0,
		"fn": e.Fn != "", "args": e.Args != nil, "ret": e.Ret != nil, "error": e.Error != nil, "out": e.Out != nil, "unfinished": e.Unfinished,
		"routine": e.Routine != "", "err": e.ErrCode != nil, "bytes": e.Bytes != nil, "ov": e.Ov != nil, "flags": e.Flags != nil, "data": e.Data != nil,
		"apc": e.APC != "", "param": e.Param != nil, "field": e.Field != "", "value": e.Value != nil,
	}
}

func (e *Event) validate() error {
	keys, ok := Keys[e.Ev]
	if !ok || e.Ev == "header" {
		return fmt.Errorf("ev %q: want one of %s", e.Ev, strings.Join(EventKinds, ", "))
	}
	has := e.present()
	for _, k := range keys.Required {
		if !has[k] {
			return fmt.Errorf("a %s record gives %q", e.Ev, k)
		}
	}
	allowed := map[string]bool{}
	for _, k := range keys.Allowed {
		allowed[k] = true
	}
	for _, k := range eventKeys {
		if has[k] && !allowed[k] {
			return fmt.Errorf("%q does not belong in a %s record", k, e.Ev)
		}
	}
	if !ValidID(e.Thread) {
		return fmt.Errorf("thread %q: want an id (a letter or _, then letters, digits, _ or -)", e.Thread)
	}
	switch e.Ev {
	case EvCall:
		if e.Unfinished {
			if e.Ret != nil || e.Error != nil || e.Out != nil || e.T1 != nil {
				return fmt.Errorf("an unfinished call has no ret, error, out or t1")
			}
		} else if e.Ret == nil {
			return fmt.Errorf("call %s without \"ret\" (a call that never returned says \"unfinished\": true)", e.Fn)
		}
		if e.Ret != nil {
			if _, err := ParseRet(e.Ret); err != nil {
				return fmt.Errorf("call %s: %v", e.Fn, err)
			}
		}
	case EvRoutine:
		if !ValidID(e.Routine) {
			return fmt.Errorf("routine %q: want an id", e.Routine)
		}
		if *e.Ov != "NULL" && !ValidID(*e.Ov) {
			return fmt.Errorf("ov %q: want a record's id or NULL", *e.Ov)
		}
	case EvAPC:
		if !ValidID(e.APC) {
			return fmt.Errorf("apc %q: want an id", e.APC)
		}
	case EvRead:
		if !ValidID(*e.Ov) {
			return fmt.Errorf("ov %q: want a record's id", *e.Ov)
		}
		ok := false
		for _, f := range OvFields {
			ok = ok || f == e.Field
		}
		if !ok {
			return fmt.Errorf("field %q: want one of %s", e.Field, strings.Join(OvFields, ", "))
		}
	}
	if e.T0 != nil && e.T1 != nil && *e.T1 < *e.T0 {
		return fmt.Errorf("t1 %d is before t0 %d", *e.T1, *e.T0)
	}
	if e.Depth < 0 {
		return fmt.Errorf("depth %d: want 0 or more", e.Depth)
	}
	return nil
}

// Ret is a call's return value: a number, or the id of the object a
// handle- or socket-returning call made.
type Ret struct {
	ID  string // set for an id
	Num int64
}

// ParseRet reads a "ret" value.
func ParseRet(raw json.RawMessage) (Ret, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if !ValidID(s) {
			return Ret{}, fmt.Errorf("ret %q: want a number or an object's id", s)
		}
		return Ret{ID: s}, nil
	}
	n, err := Int(raw)
	if err != nil {
		return Ret{}, fmt.Errorf("ret: %v", err)
	}
	return Ret{Num: n}, nil
}

// Int reads a JSON integer (negative numbers allowed: SOCKET_ERROR is
// -1). Unsigned 64-bit values above the int64 range read as their two's
// complement.
func Int(raw json.RawMessage) (int64, error) {
	s := strings.TrimSpace(string(raw))
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	if u, err := strconv.ParseUint(s, 10, 64); err == nil {
		return int64(u), nil
	}
	return 0, fmt.Errorf("%s is not an integer", s)
}

// Buffer is a buffer argument or out-parameter: its length, and its bytes
// when the recorder gives them (as text or as hex).
type Buffer struct {
	Len  int    `json:"len"`
	Text string `json:"text,omitempty"`
	Hex  string `json:"hex,omitempty"`
}

// Bytes returns the buffer's content and whether it was given.
func (b Buffer) Bytes() ([]byte, bool, error) {
	switch {
	case b.Hex != "":
		d, err := hex.DecodeString(b.Hex)
		if err != nil {
			return nil, false, err
		}
		return d, true, nil
	case b.Text != "":
		return []byte(b.Text), true, nil
	}
	return nil, false, nil
}

// Record is an OVERLAPPED argument: the record's id and its hEvent at the
// call (an event's id, or none), with the low bit set when LowBit.
type Record struct {
	ID     string `json:"id"`
	HEvent string `json:"hEvent,omitempty"`
	LowBit bool   `json:"lowbit,omitempty"`
}

// Writer writes a trace, one record a line.
type Writer struct {
	w   *bufio.Writer
	err error
}

// NewWriter writes h as the header line.
func NewWriter(w io.Writer, h Header) *Writer {
	h.Format, h.Version = FormatName, Version
	tw := &Writer{w: bufio.NewWriter(w)}
	tw.put(h)
	return tw
}

// Write writes one event.
func (w *Writer) Write(e Event) { w.put(e) }

func (w *Writer) put(v any) {
	if w.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		w.err = err
		return
	}
	w.w.Write(b)
	w.err = w.w.WriteByte('\n')
}

// Flush writes out what is buffered and returns the first error.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	return w.w.Flush()
}

// Raw encodes v as an argument or out-parameter value.
func Raw(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
