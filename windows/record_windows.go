//go:build windows && !wsaemu

// The native side's recorder: when the environment variable WSAEMU_TRACE
// names a file (or the program calls RecordTrace), the calls the trace
// checker models are replaced, once, before the program's first call, by
// wrappers that call x/sys's function unchanged and write one record of
// the trace format (docs/trace-format.md) per call. When recording is off
// the package's functions are x/sys's own: nothing is wrapped, and only
// NewCallback tests one variable.
//
// Not recorded (the plain x/sys function is called): calls the checker
// does not model yet (AcceptEx, ConnectEx, WSAIoctl, pipes, files) and the
// calls this package binds itself (QueueUserAPC, ReadFileEx, WriteFileEx,
// GetQueuedCompletionStatusEx, WaitForSingleObjectEx,
// WaitForMultipleObjectsEx, WSAEventSelect, DisconnectEx). Completion
// routines made with NewCallback with the signature of
// LPWSAOVERLAPPED_COMPLETION_ROUTINE or LPOVERLAPPED_COMPLETION_ROUTINE
// record each time they run.

package windows

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"
	"unsafe"

	"github.com/wsaemu/wsaemu/trace"
	"github.com/wsaemu/wsaemu/windows/internal/tracerec"
	"golang.org/x/sys/windows"
)

// rec is the running recorder, nil when recording is off.
var rec *tracerec.Recorder

func init() {
	if p := os.Getenv("WSAEMU_TRACE"); p != "" {
		if err := RecordTrace(p); err != nil {
			fmt.Fprintln(os.Stderr, "wsaemu: WSAEMU_TRACE:", err)
		}
	}
}

// RecordTrace starts recording the program's calls to a new trace file at
// path (as the environment variable WSAEMU_TRACE does when the program
// starts). Call it before any other function of this package, and before
// starting threads; a second call is an error. Each record is written out
// when its call returns, so the file is complete however the program
// ends. Threads are named by their Windows thread id: a goroutine that
// makes calls should stay on its thread (runtime.LockOSThread), as one
// that waits alertably must anyway. Under the emulator (build tag wsaemu, or off Windows) it does
// nothing: the emulator records its own runs.
func RecordTrace(path string) error {
	if rec != nil {
		return fmt.Errorf("already recording")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	start := time.Now()
	rec = tracerec.New(f, trace.Header{
		Recorder: "github.com/wsaemu/wsaemu/windows (Go, golang.org/x/sys/windows)",
		System:   "windows/" + runtime.GOARCH,
		TimeUnit: "ns",
	}, func() int64 { return int64(time.Since(start)) })
	installRecorder()
	return nil
}

// errno is the error number a failed call left (0 for none).
func errno(err error) uint32 {
	if e, ok := err.(syscall.Errno); ok {
		return uint32(e)
	}
	if err != nil {
		return uint32(syscall.EINVAL)
	}
	return 0
}

func tid() uint32 { return windows.GetCurrentThreadId() }

func hv(h Handle) uint64 { return uint64(h) }

func ovAddr(o *Overlapped) uintptr { return uintptr(unsafe.Pointer(o)) }

// ovArg is a record argument of a call that starts an operation.
func ovArg(o *Overlapped) any {
	if o == nil {
		return nil
	}
	return rec.Ov(ovAddr(o), uint64(o.HEvent))
}

// wsabufs are the program's WSABUFs as byte slices over its memory.
func wsabufs(bufs *WSABuf, n uint32) [][]byte {
	if bufs == nil || n == 0 {
		return [][]byte{}
	}
	out := make([][]byte, n)
	for i, b := range unsafe.Slice(bufs, n) {
		if b.Buf != nil {
			out[i] = unsafe.Slice(b.Buf, b.Len)
		} else {
			out[i] = []byte{}
		}
	}
	return out
}

// sockaddrText is a Sockaddr as the format's address text ("" if neither
// IPv4 nor IPv6).
func sockaddrText(sa Sockaddr) string {
	switch a := sa.(type) {
	case *SockaddrInet4:
		return tracerec.Addr4(a.Addr, a.Port)
	case *SockaddrInet6:
		return tracerec.Addr6(a.Addr, a.Port)
	}
	return ""
}

// rawAddrText is a RawSockaddrAny as the format's address text.
func rawAddrText(r *RawSockaddrAny) string {
	if r == nil {
		return ""
	}
	port := func(p uint16) int {
		b := (*[2]byte)(unsafe.Pointer(&p))
		return int(b[0])<<8 | int(b[1])
	}
	switch r.Addr.Family {
	case AF_INET:
		a := (*RawSockaddrInet4)(unsafe.Pointer(r))
		return tracerec.Addr4(a.Addr, port(a.Port))
	case AF_INET6:
		a := (*RawSockaddrInet6)(unsafe.Pointer(r))
		return tracerec.Addr6(a.Addr, port(a.Port))
	}
	return ""
}

// installRecorder puts the recording wrappers in place of the package's
// function variables.
func installRecorder() {
	WSAStartup = func(verreq uint32, data *WSAData) error {
		t, t0 := tid(), rec.Now()
		err := windows.WSAStartup(verreq, data)
		// WSAStartup returns its error rather than setting it.
		rec.Call(t, t0, "WSAStartup", nil, int(errno(err)), 0, nil)
		return err
	}
	WSACleanup = func() error {
		t, t0 := tid(), rec.Now()
		err := windows.WSACleanup()
		rec.Call(t, t0, "WSACleanup", nil, tracerec.Int(err == nil), errno(err), nil)
		return err
	}
	Socket = func(domain, typ, proto int) (Handle, error) {
		t, t0 := tid(), rec.Now()
		h, err := windows.Socket(domain, typ, proto)
		rec.Call(t, t0, "socket", map[string]any{"af": domain, "type": typ, "protocol": proto}, rec.NewHandle("s", hv(h)), errno(err), nil)
		return h, err
	}
	WSASocket = func(af, typ, protocol int32, protoInfo *WSAProtocolInfo, group, flags uint32) (Handle, error) {
		t, t0 := tid(), rec.Now()
		h, err := windows.WSASocket(af, typ, protocol, protoInfo, group, flags)
		rec.Call(t, t0, "WSASocket", map[string]any{"af": af, "type": typ, "protocol": protocol, "flags": flags}, rec.NewHandle("s", hv(h)), errno(err), nil)
		return h, err
	}
	Bind = func(fd Handle, sa Sockaddr) error {
		t, t0 := tid(), rec.Now()
		err := windows.Bind(fd, sa)
		rec.Call(t, t0, "bind", map[string]any{"s": rec.Handle(hv(fd)), "addr": sockaddrText(sa)}, tracerec.Int(err == nil), errno(err), nil)
		return err
	}
	Getsockname = func(fd Handle) (Sockaddr, error) {
		t, t0 := tid(), rec.Now()
		sa, err := windows.Getsockname(fd)
		var out map[string]any
		if err == nil {
			out = map[string]any{"addr": sockaddrText(sa)}
		}
		rec.Call(t, t0, "getsockname", map[string]any{"s": rec.Handle(hv(fd))}, tracerec.Int(err == nil), errno(err), out)
		return sa, err
	}
	Closesocket = func(s Handle) error {
		t, t0 := tid(), rec.Now()
		err := windows.Closesocket(s)
		rec.Call(t, t0, "closesocket", map[string]any{"s": rec.Handle(hv(s))}, tracerec.Int(err == nil), errno(err), nil)
		return err
	}
	WSARecv = func(s Handle, bufs *WSABuf, bufcnt uint32, recvd *uint32, flags *uint32, overlapped *Overlapped, croutine *byte) error {
		t, t0 := tid(), rec.Now()
		b := wsabufs(bufs, bufcnt)
		args := recvArgs(s, b, flags, overlapped, croutine)
		err := windows.WSARecv(s, bufs, bufcnt, recvd, flags, overlapped, croutine)
		rec.Call(t, t0, "WSARecv", args, tracerec.Int(err == nil), errno(err), recvOut(err, b, recvd, flags, overlapped, ""))
		return err
	}
	WSARecvFrom = func(s Handle, bufs *WSABuf, bufcnt uint32, recvd *uint32, flags *uint32, from *RawSockaddrAny, fromlen *int32, overlapped *Overlapped, croutine *byte) error {
		t, t0 := tid(), rec.Now()
		b := wsabufs(bufs, bufcnt)
		args := recvArgs(s, b, flags, overlapped, croutine)
		err := windows.WSARecvFrom(s, bufs, bufcnt, recvd, flags, from, fromlen, overlapped, croutine)
		var addr string
		if err == nil {
			addr = rawAddrText(from)
		}
		rec.Call(t, t0, "WSARecvFrom", args, tracerec.Int(err == nil), errno(err), recvOut(err, b, recvd, flags, overlapped, addr))
		return err
	}
	WSASend = func(s Handle, bufs *WSABuf, bufcnt uint32, sent *uint32, flags uint32, overlapped *Overlapped, croutine *byte) error {
		t, t0 := tid(), rec.Now()
		args := sendArgs(s, wsabufs(bufs, bufcnt), flags, overlapped, croutine)
		err := windows.WSASend(s, bufs, bufcnt, sent, flags, overlapped, croutine)
		rec.Call(t, t0, "WSASend", args, tracerec.Int(err == nil), errno(err), sendOut(err, sent))
		return err
	}
	WSASendTo = func(s Handle, bufs *WSABuf, bufcnt uint32, sent *uint32, flags uint32, to *RawSockaddrAny, tolen int32, overlapped *Overlapped, croutine *byte) error {
		t, t0 := tid(), rec.Now()
		args := sendArgs(s, wsabufs(bufs, bufcnt), flags, overlapped, croutine)
		args["to"] = rawAddrText(to)
		err := windows.WSASendTo(s, bufs, bufcnt, sent, flags, to, tolen, overlapped, croutine)
		rec.Call(t, t0, "WSASendTo", args, tracerec.Int(err == nil), errno(err), sendOut(err, sent))
		return err
	}
	WSASendto = func(s Handle, bufs *WSABuf, bufcnt uint32, sent *uint32, flags uint32, to Sockaddr, overlapped *Overlapped, croutine *byte) error {
		t, t0 := tid(), rec.Now()
		args := sendArgs(s, wsabufs(bufs, bufcnt), flags, overlapped, croutine)
		args["to"] = sockaddrText(to)
		err := windows.WSASendto(s, bufs, bufcnt, sent, flags, to, overlapped, croutine)
		rec.Call(t, t0, "WSASendTo", args, tracerec.Int(err == nil), errno(err), sendOut(err, sent))
		return err
	}
	WSAGetOverlappedResult = func(h Handle, o *Overlapped, bytes *uint32, wait bool, flags *uint32) error {
		t, t0 := tid(), rec.Now()
		err := windows.WSAGetOverlappedResult(h, o, bytes, wait, flags)
		var out map[string]any
		if err == nil {
			out = map[string]any{}
			if bytes != nil {
				out["bytes"] = *bytes
				if d := rec.Data(ovAddr(o), *bytes); d != nil {
					out["data"] = d
				}
			}
			if flags != nil {
				out["flags"] = *flags
			}
		}
		rec.Call(t, t0, "WSAGetOverlappedResult", map[string]any{"s": rec.Handle(hv(h)), "ov": rec.OvRef(ovAddr(o)), "wait": wait}, tracerec.Bool(err == nil), errno(err), out)
		return err
	}
	GetOverlappedResult = func(h Handle, o *Overlapped, done *uint32, wait bool) error {
		t, t0 := tid(), rec.Now()
		err := windows.GetOverlappedResult(h, o, done, wait)
		var out map[string]any
		if err == nil && done != nil {
			out = map[string]any{"bytes": *done}
			if d := rec.Data(ovAddr(o), *done); d != nil {
				out["data"] = d
			}
		}
		rec.Call(t, t0, "GetOverlappedResult", map[string]any{"h": rec.Handle(hv(h)), "ov": rec.OvRef(ovAddr(o)), "wait": wait}, tracerec.Bool(err == nil), errno(err), out)
		return err
	}
	CreateEvent = func(attrs *SecurityAttributes, manualReset, initialState uint32, name *uint16) (Handle, error) {
		t, t0 := tid(), rec.Now()
		h, err := windows.CreateEvent(attrs, manualReset, initialState, name)
		rec.Call(t, t0, "CreateEvent", map[string]any{"manual": manualReset != 0, "initial": initialState != 0}, rec.NewHandle("e", hv(h)), errno(err), nil)
		return h, err
	}
	SetEvent = func(h Handle) error { return handleCall("SetEvent", windows.SetEvent, h) }
	ResetEvent = func(h Handle) error { return handleCall("ResetEvent", windows.ResetEvent, h) }
	CloseHandle = func(h Handle) error { return handleCall("CloseHandle", windows.CloseHandle, h) }
	CancelIo = func(h Handle) error { return handleCall("CancelIo", windows.CancelIo, h) }
	CancelIoEx = func(h Handle, o *Overlapped) error {
		t, t0 := tid(), rec.Now()
		err := windows.CancelIoEx(h, o)
		rec.Call(t, t0, "CancelIoEx", map[string]any{"h": rec.Handle(hv(h)), "ov": rec.OvRef(ovAddr(o))}, tracerec.Bool(err == nil), errno(err), nil)
		return err
	}
	WaitForSingleObject = func(h Handle, ms uint32) (uint32, error) {
		t, t0 := tid(), rec.Now()
		ev, err := windows.WaitForSingleObject(h, ms)
		rec.Call(t, t0, "WaitForSingleObject", map[string]any{"h": rec.Handle(hv(h)), "ms": ms}, ev, waitErr(ev, err), nil)
		return ev, err
	}
	WaitForMultipleObjects = func(handles []Handle, all bool, ms uint32) (uint32, error) {
		t, t0 := tid(), rec.Now()
		hs := make([]uint64, len(handles))
		for i, h := range handles {
			hs[i] = hv(h)
		}
		args := map[string]any{"handles": rec.Handles(hs), "all": all, "ms": ms}
		ev, err := windows.WaitForMultipleObjects(handles, all, ms)
		rec.Call(t, t0, "WaitForMultipleObjects", args, ev, waitErr(ev, err), nil)
		return ev, err
	}
	SleepEx = func(ms uint32, alertable bool) uint32 {
		t, t0 := tid(), rec.Now()
		r := windows.SleepEx(ms, alertable)
		rec.Call(t, t0, "SleepEx", map[string]any{"ms": ms, "alertable": alertable}, r, 0, nil)
		return r
	}
	CreateIoCompletionPort = func(file, port Handle, key uintptr, threads uint32) (Handle, error) {
		t, t0 := tid(), rec.Now()
		args := map[string]any{"file": rec.Handle(hv(file)), "port": rec.Handle(hv(port)), "key": uint64(key)}
		h, err := windows.CreateIoCompletionPort(file, port, key, threads)
		var ret any
		switch {
		case err != nil:
			ret = 0
		case port == 0:
			ret = rec.NewHandle("p", hv(h))
		default:
			ret = rec.Handle(hv(h))
		}
		rec.Call(t, t0, "CreateIoCompletionPort", args, ret, errno(err), nil)
		return h, err
	}
	GetQueuedCompletionStatus = func(port Handle, qty *uint32, key *uintptr, overlapped **Overlapped, ms uint32) error {
		t, t0 := tid(), rec.Now()
		err := windows.GetQueuedCompletionStatus(port, qty, key, overlapped, ms)
		out := map[string]any{"ov": nil}
		if o := *overlapped; o != nil {
			out = map[string]any{"ov": rec.OvRef(ovAddr(o)), "bytes": *qty, "key": uint64(*key)}
			if err == nil {
				if d := rec.Data(ovAddr(o), *qty); d != nil {
					out["data"] = d
				}
			}
		}
		rec.Call(t, t0, "GetQueuedCompletionStatus", map[string]any{"port": rec.Handle(hv(port)), "ms": ms}, tracerec.Bool(err == nil), errno(err), out)
		return err
	}
	PostQueuedCompletionStatus = func(port Handle, qty uint32, key uintptr, o *Overlapped) error {
		t, t0 := tid(), rec.Now()
		args := map[string]any{"port": rec.Handle(hv(port)), "bytes": qty, "key": uint64(key), "ov": ovArg(o)}
		rec.Receive(ovAddr(o), nil)
		err := windows.PostQueuedCompletionStatus(port, qty, key, o)
		rec.Call(t, t0, "PostQueuedCompletionStatus", args, tracerec.Bool(err == nil), errno(err), nil)
		return err
	}
	SetFileCompletionNotificationModes = func(h Handle, flags uint8) error {
		t, t0 := tid(), rec.Now()
		err := windows.SetFileCompletionNotificationModes(h, flags)
		rec.Call(t, t0, "SetFileCompletionNotificationModes", map[string]any{"h": rec.Handle(hv(h)), "flags": flags}, tracerec.Bool(err == nil), errno(err), nil)
		return err
	}
}

// handleCall records a BOOL call whose one argument is a handle.
func handleCall(fn string, call func(Handle) error, h Handle) error {
	t, t0 := tid(), rec.Now()
	args := map[string]any{"h": rec.Handle(hv(h))}
	err := call(h)
	rec.Call(t, t0, fn, args, tracerec.Bool(err == nil), errno(err), nil)
	return err
}

// waitErr is a wait's error number, only when it returned WAIT_FAILED.
func waitErr(ev uint32, err error) uint32 {
	if ev == WAIT_FAILED {
		return errno(err)
	}
	return 0
}

// recvArgs are a receive's arguments, read before the call (flags is
// in-out). The record's buffers are noted for the call that will report
// its completion.
func recvArgs(s Handle, b [][]byte, flags *uint32, o *Overlapped, croutine *byte) map[string]any {
	args := map[string]any{"s": rec.Handle(hv(s)), "buffers": tracerec.Lens(b), "ov": ovArg(o)}
	if flags != nil {
		args["flags"] = *flags
	}
	if croutine != nil {
		args["routine"] = rec.Routine(uintptr(unsafe.Pointer(croutine)))
	}
	rec.Receive(ovAddr(o), b)
	return args
}

// recvOut are a receive's out-parameters when it completed at once.
func recvOut(err error, b [][]byte, recvd, flags *uint32, o *Overlapped, from string) map[string]any {
	if err != nil {
		return nil
	}
	out := map[string]any{}
	if recvd != nil {
		out["bytes"] = *recvd
		out["data"] = tracerec.Gather(b, *recvd)
	}
	if flags != nil {
		out["flags"] = *flags
	}
	if from != "" {
		out["from"] = from
	}
	return out
}

func sendArgs(s Handle, b [][]byte, flags uint32, o *Overlapped, croutine *byte) map[string]any {
	args := map[string]any{"s": rec.Handle(hv(s)), "buffers": tracerec.Contents(b), "ov": ovArg(o), "flags": flags}
	if croutine != nil {
		args["routine"] = rec.Routine(uintptr(unsafe.Pointer(croutine)))
	}
	rec.Receive(ovAddr(o), nil)
	return args
}

func sendOut(err error, sent *uint32) map[string]any {
	if err != nil || sent == nil {
		return nil
	}
	return map[string]any{"bytes": *sent}
}

// recordingCallback is NewCallback while recording: a completion routine
// of a known signature is wrapped so that each run writes a routine record
// (with what a receive left in its buffers) before the program's routine
// runs, and the calls the routine makes are one level deeper. Other
// functions are passed through unrecorded.
func recordingCallback(fn interface{}) uintptr {
	var id string
	var p uintptr
	switch f := fn.(type) {
	case func(uint32, uint32, *Overlapped, uint32) uintptr:
		p = windows.NewCallback(func(e, n uint32, o *Overlapped, fl uint32) uintptr {
			t := tid()
			rec.RoutineRan(t, id, e, n, ovAddr(o), &fl, routineData(e, n, o))
			defer rec.Left(t)
			return f(e, n, o, fl)
		})
	case func(uint32, uint32, *Overlapped) uintptr:
		p = windows.NewCallback(func(e, n uint32, o *Overlapped) uintptr {
			t := tid()
			rec.RoutineRan(t, id, e, n, ovAddr(o), nil, routineData(e, n, o))
			defer rec.Left(t)
			return f(e, n, o)
		})
	default:
		return windows.NewCallback(fn)
	}
	id = rec.NameRoutine(p)
	return p
}

// routineData is what a routine for a successful receive finds in its
// buffers (nil for a failure or a record whose last operation was no
// receive).
func routineData(e, n uint32, o *Overlapped) *trace.Buffer {
	if e != 0 || o == nil {
		return nil
	}
	return rec.Data(ovAddr(o), n)
}
