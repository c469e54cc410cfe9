package tracerec_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/spec/emulated"
	"github.com/wsaemu/wsaemu/trace"
	"github.com/wsaemu/wsaemu/windows/internal/tracerec"
)

// record feeds the recorder the calls of a two-thread UDP exchange as
// package windows' recording wrappers would on Windows (handle values,
// record addresses and thread ids as the system might give them), and
// returns the trace written. sent is what the port-completed receive
// reports it received.
func record(t *testing.T, clock func() int64, portBytes uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	r := tracerec.New(&buf, trace.Header{Recorder: "tracerec test", TimeUnit: "step"}, clock)
	const main, worker = 4242, 77
	const (
		sockR1, sockR2, sockW = 0x100, 0x104, 0x108
		event, port           = 0x2c, 0x30
		ov1, ov2              = 0xc000010000, 0xc000010040
	)
	lo := [4]byte{127, 0, 0, 1}
	call := func(tid uint32, fn string, args map[string]any, ret any, errno uint32, out map[string]any) {
		r.Call(tid, r.Now(), fn, args, ret, errno, out)
	}
	call(main, "WSAStartup", nil, 0, 0, nil)
	for _, s := range []struct {
		h    uint64
		port int
	}{{sockR1, 41001}, {sockR2, 41002}, {sockW, 0}} {
		id := r.NewHandle("s", s.h)
		call(main, "WSASocket", map[string]any{"af": 2, "type": 2, "protocol": 17, "flags": 1}, id, 0, nil)
		if s.port != 0 {
			call(main, "bind", map[string]any{"s": r.Handle(s.h), "addr": tracerec.Addr4(lo, s.port)}, 0, 0, nil)
		}
	}
	call(main, "CreateEvent", map[string]any{"manual": true, "initial": false}, r.NewHandle("e", event), 0, nil)
	call(main, "CreateIoCompletionPort", map[string]any{"file": r.Handle(tracerec.InvalidHandle), "port": r.Handle(0), "key": 0}, r.NewHandle("p", port), 0, nil)
	call(main, "CreateIoCompletionPort", map[string]any{"file": r.Handle(sockR2), "port": r.Handle(port), "key": 7}, r.Handle(port), 0, nil)

	b1, b2 := make([]byte, 64), make([]byte, 64)
	r.Receive(ov1, [][]byte{b1})
	call(main, "WSARecv", map[string]any{"s": r.Handle(sockR1), "buffers": tracerec.Lens([][]byte{b1}), "ov": r.Ov(ov1, event), "flags": 0}, -1, 997, nil)
	r.Receive(ov2, [][]byte{b2})
	call(main, "WSARecv", map[string]any{"s": r.Handle(sockR2), "buffers": tracerec.Lens([][]byte{b2}), "ov": r.Ov(ov2, 0), "flags": 0}, -1, 997, nil)
	for i, msg := range []string{"hello", "world"} {
		p := []byte(msg)
		call(main, "WSASendTo", map[string]any{"s": r.Handle(sockW), "buffers": tracerec.Contents([][]byte{p}), "to": tracerec.Addr4(lo, 41001+i), "ov": r.Ov(0, 0), "flags": 0}, 0, 0, map[string]any{"bytes": len(p)})
	}
	copy(b1, "hello")
	copy(b2, "world")
	call(worker, "GetQueuedCompletionStatus", map[string]any{"port": r.Handle(port), "ms": 5000}, 1, 0,
		map[string]any{"bytes": portBytes, "key": 7, "ov": r.OvRef(ov2), "data": r.Data(ov2, portBytes)})
	call(main, "WaitForSingleObject", map[string]any{"h": r.Handle(event), "ms": 5000}, 0, 0, nil)
	call(main, "WSAGetOverlappedResult", map[string]any{"s": r.Handle(sockR1), "ov": r.OvRef(ov1), "wait": false}, 1, 0,
		map[string]any{"bytes": 5, "flags": 0, "data": r.Data(ov1, 5)})
	for _, s := range []uint64{sockR1, sockR2, sockW} {
		call(main, "closesocket", map[string]any{"s": r.Handle(s)}, 0, 0, nil)
	}
	call(main, "CloseHandle", map[string]any{"h": r.Handle(port)}, 1, 0, nil)
	call(main, "CloseHandle", map[string]any{"h": r.Handle(event)}, 1, 0, nil)
	call(main, "WSACleanup", nil, 0, 0, nil)
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRecordedTraceValidatesAndChecks: the recorder's output for a fixed
// sequence is a valid trace of the format (docs/trace-format.md: package
// trace reads it), with the ids the recorder section describes (sockets,
// events, ports and records named on creation or first use, threads by
// their order of appearance), and the free-form checker permits it; the
// same run with a wrong byte count on the port-completed receive is not
// permitted.
func TestRecordedTraceValidatesAndChecks(t *testing.T) {
	var tick int64
	clock := func() int64 { tick++; return tick }
	out := record(t, clock, 5)
	tr, err := trace.Read(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("recorded trace does not validate: %v\n%s", err, out)
	}
	for _, want := range []string{
		`"fn":"WSAStartup","ret":0`,
		`"thread":"t1","t0":`,
		`"ret":"s1"`,
		`"ov":{"id":"ov1","hEvent":"e1"}`,
		`"file":-1,"key":0,"port":null},"ret":"p1"`,
		`"error":997`,
		`"thread":"t2"`,
		`"out":{"bytes":5,"data":{"len":5,"text":"world"},"key":7,"ov":"ov2"}`,
		`"buffers":[{"len":5,"text":"hello"}]`,
	} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("recorded trace lacks %s:\n%s", want, out)
		}
	}
	fc, err := emulated.CheckFree(tr, 2000)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Verdict != "permitted" {
		t.Fatalf("verdict %q at line %d (%s), want permitted:\n%s", fc.Verdict, fc.Line, fc.Observed, out)
	}

	bad := record(t, nil, 4)
	if bytes.Contains(bad, []byte(`"t0"`)) {
		t.Errorf("a recorder without a clock wrote timestamps:\n%s", bad)
	}
	tr, err = trace.Read(bytes.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	fc, err = emulated.CheckFree(tr, 2000)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Verdict != "not permitted" || !strings.Contains(fc.Observed, "GetQueuedCompletionStatus") {
		t.Fatalf("a receive of 5 bytes reported as 4: verdict %q at %q, want not permitted at the dequeue", fc.Verdict, fc.Observed)
	}
}

// TestOvNewIDOnNewEvent: a record given another hEvent gets a new id, and
// the low bit is kept apart from the event (docs/trace-format.md, Ids and
// the record kind).
func TestOvNewIDOnNewEvent(t *testing.T) {
	r := tracerec.New(&bytes.Buffer{}, trace.Header{}, nil)
	e1, e2 := r.NewHandle("e", 0x10), r.NewHandle("e", 0x20)
	a := r.Ov(0x1000, 0x10)
	b := r.Ov(0x1000, 0x10)
	c := r.Ov(0x1000, 0x21)
	if a != b {
		t.Errorf("same record, same event: %v then %v", a, b)
	}
	want := trace.Record{ID: "ov2", HEvent: e2.(string), LowBit: true}
	if c != want {
		t.Errorf("same record, event %v with the low bit: %+v, want %+v", e1, c, want)
	}
	if got := r.OvRef(0x1000); got != "ov2" {
		t.Errorf("OvRef after the new event: %v, want ov2", got)
	}
	if r.Ov(0, 5) != nil || r.Handle(0) != nil || r.Handle(tracerec.InvalidHandle) != -1 {
		t.Error("NULL record, NULL handle or INVALID_HANDLE_VALUE not encoded as null, null, -1")
	}
}

// TestRoutineRecordAndDepth: a routine's record carries its arguments and
// the bytes its receive found, comes before the call it ran inside, and a
// call the routine makes is one level deeper (docs/trace-format.md,
// "routine"), and the trace validates.
func TestRoutineRecordAndDepth(t *testing.T) {
	var buf bytes.Buffer
	r := tracerec.New(&buf, trace.Header{}, nil)
	const th, sock, ov = 9, 0x40, 0x5000
	routine := r.NameRoutine(0x7ff0)
	b := make([]byte, 8)
	r.Receive(ov, [][]byte{b})
	r.Call(th, 0, "WSARecv", map[string]any{"s": r.Handle(sock), "buffers": tracerec.Lens([][]byte{b}), "ov": r.Ov(ov, 0), "routine": r.Routine(0x7ff0)}, -1, 997, nil)
	copy(b, "hi\x00")
	fl := uint32(0)
	r.RoutineRan(th, routine, 0, 3, ov, &fl, r.Data(ov, 3))
	r.Call(th, 0, "WSARecv", map[string]any{"s": r.Handle(sock), "buffers": tracerec.Lens([][]byte{b}), "ov": r.Ov(ov, 0), "routine": r.Routine(0x7ff0)}, -1, 997, nil)
	r.Left(th)
	r.Call(th, 0, "SleepEx", map[string]any{"ms": 100, "alertable": true}, 192, 0, nil)
	tr, err := trace.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Events) != 4 {
		t.Fatalf("%d records, want 4", len(tr.Events))
	}
	rt, inner, wait := tr.Events[1], tr.Events[2], tr.Events[3]
	if rt.Ev != trace.EvRoutine || rt.Routine != "cr1" || *rt.Bytes != 3 || *rt.Ov != "ov1" || rt.Data == nil || rt.Data.Hex != "686900" {
		t.Errorf("routine record %+v: want cr1, 3 bytes, ov1, data hex 686900", rt)
	}
	if string(inner.Args["routine"]) != `"cr1"` || inner.Depth != 1 || wait.Depth != 0 || wait.Fn != "SleepEx" {
		t.Errorf("call in the routine at depth %d (routine %s), wait at depth %d: want 1 (cr1), 0", inner.Depth, inner.Args["routine"], wait.Depth)
	}
	if rt.Thread != "t1" || wait.Thread != "t1" {
		t.Errorf("threads %s, %s: want t1 for thread id %d", rt.Thread, wait.Thread, th)
	}
}
