// Package tracerec is the operating-system-independent half of package
// windows' recorder: it names handles, OVERLAPPED records, routines and
// threads by stable ids and encodes each call, completion routine and
// out-parameter as a record of the trace format (docs/trace-format.md).
// The Windows half (windows/record_windows.go) wraps the real calls and
// feeds this package plain numbers and byte slices, so everything here
// can be tested on any system.
package tracerec

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/wsaemu/wsaemu/trace"
)

// InvalidHandle is INVALID_HANDLE_VALUE (and INVALID_SOCKET) as a 64-bit
// handle value.
const InvalidHandle = ^uint64(0)

// Recorder writes one trace. All its methods may be called from any thread:
// one lock keeps each thread's records in the order they were made.
type Recorder struct {
	mu      sync.Mutex
	w       *trace.Writer
	clock   func() int64
	next    map[string]int       // per id prefix: the last number given
	handles map[uint64]string    // handle value -> id
	ovs     map[uintptr]ovName   // record address -> id and its hEvent
	pending map[uintptr][][]byte // record address -> the buffers of the receive it was given to
	threads map[uint32]string    // thread id -> id
	depth   map[uint32]int       // thread id -> routines it is inside
	routine map[uintptr]string   // routine pointer -> id
	err     error
}

type ovName struct {
	id     string
	hEvent uint64
}

// New starts a trace on w with header h. clock, when not nil, gives the
// timestamps t0 and t1 (any monotonic clock shared by the threads, in the
// unit h.TimeUnit names).
func New(w io.Writer, h trace.Header, clock func() int64) *Recorder {
	return &Recorder{
		w:       trace.NewWriter(w, h),
		clock:   clock,
		next:    map[string]int{},
		handles: map[uint64]string{},
		ovs:     map[uintptr]ovName{},
		pending: map[uintptr][][]byte{},
		threads: map[uint32]string{},
		depth:   map[uint32]int{},
		routine: map[uintptr]string{},
	}
}

// Now is the clock's reading, or 0 without a clock.
func (r *Recorder) Now() int64 {
	if r.clock == nil {
		return 0
	}
	return r.clock()
}

// Err is the first write error, if any (records are flushed one by one).
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

func (r *Recorder) fresh(prefix string) string {
	r.next[prefix]++
	return prefix + strconv.Itoa(r.next[prefix])
}

// NewHandle gives the object a creating call returned a new id (prefix
// and a number): a handle value the system hands out again names a new
// object. A failed creation (0 or INVALID_HANDLE_VALUE) is returned as
// the number the format wants.
func (r *Recorder) NewHandle(prefix string, v uint64) any {
	if v == 0 {
		return 0
	}
	if v == InvalidHandle {
		return -1
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.fresh(prefix)
	r.handles[v] = id
	return id
}

// Handle is a handle argument: its id (one is made, "h" and a number, for
// a handle no recorded call created), null for NULL, -1 for
// INVALID_HANDLE_VALUE.
func (r *Recorder) Handle(v uint64) any {
	switch v {
	case 0:
		return nil
	case InvalidHandle:
		return -1
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handle(v)
}

func (r *Recorder) handle(v uint64) string {
	id, ok := r.handles[v]
	if !ok {
		id = r.fresh("h")
		r.handles[v] = id
	}
	return id
}

// Handles is a handle-array argument.
func (r *Recorder) Handles(vs []uint64) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = r.Handle(v)
	}
	return out
}

// Ov is a record argument of a call that starts an operation: null, the
// record's id when its hEvent is NULL, or the id with the event (and the
// low bit when the program set it). A record seen again with another
// hEvent gets a new id.
func (r *Recorder) Ov(addr uintptr, hEvent uint64) any {
	if addr == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n, ok := r.ovs[addr]
	if !ok || n.hEvent != hEvent {
		n = ovName{id: r.fresh("ov"), hEvent: hEvent}
		r.ovs[addr] = n
	}
	if hEvent == 0 {
		return n.id
	}
	rec := trace.Record{ID: n.id, HEvent: r.handle(hEvent &^ 1), LowBit: hEvent&1 != 0}
	return rec
}

// OvRef is a record named without its event (WSAGetOverlappedResult's
// argument, a dequeued packet's record): its id, or null.
func (r *Recorder) OvRef(addr uintptr) any {
	if addr == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	n, ok := r.ovs[addr]
	if !ok {
		n = ovName{id: r.fresh("ov")}
		r.ovs[addr] = n
	}
	return n.id
}

// Routine is a routine argument: its id ("cr" and a number, first time
// seen), or null.
func (r *Recorder) Routine(fn uintptr) any {
	if fn == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.routine[fn]
	if !ok {
		id = r.fresh("cr")
		r.routine[fn] = id
	}
	return id
}

// NameRoutine names the routine pointer fn as a new completion routine
// ("cr" and a number) and returns its id.
func (r *Recorder) NameRoutine(fn uintptr) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.fresh("cr")
	r.routine[fn] = id
	return id
}

// Receive notes the buffers an overlapped receive on the record at addr
// was given, so that the call that reports its completion can give the
// bytes it found there (out "data"). A send on the record forgets them
// (bufs nil).
func (r *Recorder) Receive(addr uintptr, bufs [][]byte) {
	if addr == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if bufs == nil {
		delete(r.pending, addr)
		return
	}
	r.pending[addr] = bufs
}

// Data is the first n bytes of the buffers of the receive last given the
// record at addr, or nil when the record's last operation was no receive.
func (r *Recorder) Data(addr uintptr, n uint32) *trace.Buffer {
	r.mu.Lock()
	bufs, ok := r.pending[addr]
	r.mu.Unlock()
	if !ok {
		return nil
	}
	return Gather(bufs, n)
}

// Gather is the first n bytes across bufs, as a buffer value: as text
// when they are printable UTF-8, as hex otherwise.
func Gather(bufs [][]byte, n uint32) *trace.Buffer {
	var b []byte
	for _, p := range bufs {
		if uint32(len(b)) >= n {
			break
		}
		k := min(uint32(len(p)), n-uint32(len(b)))
		b = append(b, p[:k]...)
	}
	return Bytes(b)
}

// Bytes is b as a buffer value with its content.
func Bytes(b []byte) *trace.Buffer {
	out := &trace.Buffer{Len: len(b)}
	if len(b) == 0 {
		return out
	}
	if printable(b) {
		out.Text = string(b)
	} else {
		out.Hex = fmt.Sprintf("%x", b)
	}
	return out
}

func printable(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range string(b) {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// Lens is a receive's buffers argument: their lengths only.
func Lens(bufs [][]byte) []trace.Buffer {
	out := make([]trace.Buffer, len(bufs))
	for i, p := range bufs {
		out[i] = trace.Buffer{Len: len(p)}
	}
	return out
}

// Contents is a send's buffers argument: lengths and bytes.
func Contents(bufs [][]byte) []trace.Buffer {
	out := make([]trace.Buffer, len(bufs))
	for i, p := range bufs {
		out[i] = *Bytes(p)
	}
	return out
}

// Addr4 is an IPv4 address and port as the format writes it.
func Addr4(ip [4]byte, port int) string {
	return fmt.Sprintf("%d.%d.%d.%d:%d", ip[0], ip[1], ip[2], ip[3], port)
}

// Addr6 is an IPv6 address and port as the format writes it.
func Addr6(ip [16]byte, port int) string {
	var s string
	for i := 0; i < 16; i += 2 {
		if i > 0 {
			s += ":"
		}
		s += strconv.FormatUint(uint64(ip[i])<<8|uint64(ip[i+1]), 16)
	}
	return "[" + s + "]:" + strconv.Itoa(port)
}

// Bool is a BOOL result: 1 when ok, 0 otherwise.
func Bool(ok bool) int {
	if ok {
		return 1
	}
	return 0
}

// Int is an int result of Winsock: 0 when ok, SOCKET_ERROR (-1) otherwise.
func Int(ok bool) int {
	if ok {
		return 0
	}
	return -1
}

// Call writes the record of a call thread tid made, entered at t0:
// its arguments, its return value, the error number when errno is not 0
// (the caller passes 0 when the call succeeded), and its out-parameters.
// A call without arguments (nil or empty args) has no "args" key: package
// trace writes none for an empty map, and the reader and checker take
// that as no arguments.
func (r *Recorder) Call(tid uint32, t0 int64, fn string, args map[string]any, ret any, errno uint32, out map[string]any) {
	t1 := r.Now()
	e := trace.Event{Ev: trace.EvCall, Fn: fn, Args: map[string]json.RawMessage{}, Ret: trace.Raw(ret)}
	for k, v := range args {
		e.Args[k] = trace.Raw(v)
	}
	if errno != 0 {
		e.Error = &errno
	}
	if len(out) > 0 {
		e.Out = map[string]json.RawMessage{}
		for k, v := range out {
			e.Out[k] = trace.Raw(v)
		}
	}
	if r.clock != nil {
		e.T0, e.T1 = &t0, &t1
	}
	r.write(tid, e)
}

// RoutineRan writes the record of completion routine id running on thread
// tid with its arguments (ov the record's address; data, when not nil,
// what the routine found in the receive's buffers), and enters it: the
// calls the thread makes until Left are one level deeper.
func (r *Recorder) RoutineRan(tid uint32, id string, errCode, bytes uint32, ov uintptr, flags *uint32, data *trace.Buffer) {
	t0 := r.Now()
	ovID := "NULL"
	if ov != 0 {
		ovID = r.OvRef(ov).(string)
	}
	e := trace.Event{Ev: trace.EvRoutine, Routine: id, ErrCode: &errCode, Bytes: &bytes, Ov: &ovID, Flags: flags, Data: data}
	if r.clock != nil {
		e.T0 = &t0
	}
	r.write(tid, e)
	r.mu.Lock()
	r.depth[tid]++
	r.mu.Unlock()
}

// Left ends the routine thread tid last entered.
func (r *Recorder) Left(tid uint32) {
	r.mu.Lock()
	r.depth[tid]--
	r.mu.Unlock()
}

func (r *Recorder) write(tid uint32, e trace.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	th, ok := r.threads[tid]
	if !ok {
		th = r.fresh("t")
		r.threads[tid] = th
	}
	e.Thread = th
	if e.Ev == trace.EvCall {
		e.Depth = r.depth[tid]
	}
	r.w.Write(e)
	if err := r.w.Flush(); err != nil && r.err == nil {
		r.err = err
	}
}
