package spec

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Calls lists every call a scenario step may make, with its arguments, for
// error messages and the scenario guide.
var Calls = map[string]string{
	"SleepEx":                            "SleepEx <ms|INFINITE> [alertable]",
	"WaitForSingleObjectEx":              "WaitForSingleObjectEx <handle> <ms> [alertable]",
	"WaitForMultipleObjectsEx":           "WaitForMultipleObjectsEx <h1,h2,...> <ms> [all] [alertable]",
	"WSAWaitForMultipleEvents":           "WSAWaitForMultipleEvents <ev1,ev2,...> <ms> [all] [alertable]",
	"SetEvent":                           "SetEvent <event>",
	"ResetEvent":                         "ResetEvent <event>",
	"WSASetEvent":                        "WSASetEvent <event>",
	"WSAResetEvent":                      "WSAResetEvent <event>",
	"WSACloseEvent":                      "WSACloseEvent <event>",
	"CloseHandle":                        "CloseHandle <handle>",
	"QueueUserAPC":                       "QueueUserAPC <apc> <thread> [param=N]",
	"ExitThread":                         "ExitThread [code]",
	"WSASend":                            "WSASend <socket> <buf[,buf]> <ov|NULL> [routine=R] [flags=F] [nullbytes]",
	"WSASendTo":                          "WSASendTo <socket> <buf[,buf]> <addr:port> <ov|NULL> [routine=R] [flags=F] [nullbytes]",
	"WSARecv":                            "WSARecv <socket> <buf[,buf]> <ov|NULL> [routine=R] [flags=F] [nullbytes]",
	"WSARecvFrom":                        "WSARecvFrom <socket> <buf[,buf]> <ov|NULL> [routine=R] [flags=F] [nullbytes]",
	"WSASendMsg":                         "WSASendMsg <socket> <buf[,buf]> <ov|NULL> [to=addr:port] [namelen=N] [nullname] [src=addr] [control=N] [nullcontrol] [flags=F] [routine=R] [nullbytes]",
	"WSARecvMsg":                         "WSARecvMsg <socket> <buf[,buf]> <ov|NULL> [control=N] [routine=R] [nullbytes]",
	"WSAGetOverlappedResult":             "WSAGetOverlappedResult <socket> <ov> [wait]",
	"WSAIoctl":                           "WSAIoctl <socket> <code> [value=N] [guid=sendmsg|recvmsg|other] [out=N] [ov=OV] [routine=R]",
	"closesocket":                        "closesocket <socket>",
	"shutdown":                           "shutdown <socket> <SD_RECEIVE|SD_SEND|SD_BOTH>",
	"setsockopt":                         "setsockopt <socket> <option> <value>",
	"getsockopt":                         "getsockopt <socket> <option>",
	"bind":                               "bind <socket> <addr:port>",
	"connect":                            "connect <socket> <addr:port>",
	"getsockname":                        "getsockname <socket>",
	"WSACleanup":                         "WSACleanup",
	"WSAStartup":                         "WSAStartup",
	"ReadFile":                           "ReadFile <pipe.r> <buf> <ov|NULL>",
	"WriteFile":                          "WriteFile <pipe.w> <buf> <ov|NULL>",
	"ReadFileEx":                         "ReadFileEx <pipe.r> <buf> <ov> <routine>",
	"WriteFileEx":                        "WriteFileEx <pipe.w> <buf> <ov> <routine>",
	"GetOverlappedResult":                "GetOverlappedResult <handle> <ov> [wait]",
	"CancelIo":                           "CancelIo <handle>",
	"CancelIoEx":                         "CancelIoEx <handle> [ov]",
	"CreateIoCompletionPort":             "CreateIoCompletionPort <handle> <port> [key=N]",
	"GetQueuedCompletionStatus":          "GetQueuedCompletionStatus <port> <ms>",
	"PostQueuedCompletionStatus":         "PostQueuedCompletionStatus <port> [bytes=N] [key=N] [ov=OV]",
	"SetFileCompletionNotificationModes": "SetFileCompletionNotificationModes <handle> <flags>",
	"ReleaseOverlapped":                  "ReleaseOverlapped <ov>   (the program frees the record: a sanitizer check)",
	"ReleaseBuffer":                      "ReleaseBuffer <buf>      (the program frees the buffer: a sanitizer check)",
}

func (e *Emulator) handle(c Call, name string) (emu.Handle, error) {
	if strings.HasSuffix(name, ".r") || strings.HasSuffix(name, ".w") {
		o, ok := e.objs[name[:len(name)-2]]
		if ok && o.decl.Kind == "pipe" {
			if strings.HasSuffix(name, ".r") {
				return o.read, nil
			}
			return o.write, nil
		}
	}
	if t, ok := e.threads[name]; ok {
		return t.Handle(), nil
	}
	if o, ok := e.objs[name]; ok && o.h != 0 {
		return o.h, nil
	}
	if o, ok := e.objs[name]; ok && o.decl.Kind == "pipe" {
		return 0, CallError(c, "pipe %q: name an end, %s.r or %s.w", name, name, name)
	}
	switch name {
	case "NULL":
		return 0, nil
	case "INVALID_HANDLE_VALUE":
		return emu.INVALID_HANDLE_VALUE, nil
	}
	if n, err := strconv.ParseUint(name, 0, 64); err == nil {
		return emu.Handle(n), nil
	}
	return 0, CallError(c, "unknown handle %q", name)
}

func (e *Emulator) ov(c Call, name string) (*emu.Overlapped, error) {
	if name == "NULL" || name == "-" {
		return nil, nil
	}
	o, ok := e.objs[name]
	if !ok || o.ov == nil {
		return nil, CallError(c, "%q is not a declared overlapped record", name)
	}
	return o.ov, nil
}

func (e *Emulator) bufs(c Call, spec string) ([]emu.WSABUF, error) {
	if spec == "NULL" {
		return nil, nil
	}
	var out []emu.WSABUF
	for _, n := range strings.Split(spec, ",") {
		o, ok := e.objs[n]
		if !ok || o.decl.Kind != "buffer" {
			return nil, CallError(c, "%q is not a declared buffer", n)
		}
		out = append(out, emu.WSABUF{Len: uint32(len(o.buf)), Buf: o.buf})
	}
	if v, ok := c.Args.Get("len"); ok && len(out) > 0 {
		n, err := ParseValue(v)
		if err != nil {
			return nil, CallError(c, "len=%q: %v", v, err)
		}
		out[0].Len = uint32(n)
	}
	return out, nil
}

func (e *Emulator) wsaRoutine(c Call) (emu.WSACompletionRoutine, error) {
	v, ok := c.Args.Get("routine")
	if !ok {
		return nil, nil
	}
	o, ok := e.objs[v]
	if !ok || o.decl.Kind != "routine" {
		return nil, CallError(c, "routine=%q is not a declared routine", v)
	}
	return o.wsaFn, nil
}

func (e *Emulator) addr(c Call, v string) (*netip.AddrPort, int32, error) {
	if v == "NULL" {
		return nil, 0, nil
	}
	ap, err := netip.ParseAddrPort(v)
	if err != nil {
		return nil, 0, CallError(c, "bad address %q", v)
	}
	return &ap, namelen(ap), nil
}

func (c Call) pos(i int) string {
	if i < len(c.Args.Pos) {
		return c.Args.Pos[i]
	}
	return ""
}

func errName(err error) string {
	if err == nil {
		return ""
	}
	var en wso.Errno
	if errors.As(err, &en) {
		return en.Name()
	}
	return err.Error()
}

// wsaNames are the Winsock names of the Win32 codes Winsock reports under
// its own name.
var wsaNames = map[string]string{
	"ERROR_IO_PENDING": "WSA_IO_PENDING", "ERROR_IO_INCOMPLETE": "WSA_IO_INCOMPLETE",
	"ERROR_OPERATION_ABORTED": "WSA_OPERATION_ABORTED", "ERROR_INVALID_HANDLE": "WSA_INVALID_HANDLE",
	"ERROR_INVALID_PARAMETER": "WSA_INVALID_PARAMETER", "ERROR_NOT_ENOUGH_MEMORY": "WSA_NOT_ENOUGH_MEMORY",
}

func wsaErrName(err error) string { return WSAErrName(errName(err)) }

func wsaOutcome(err error) Outcome {
	if err != nil {
		return Outcome{Ret: "SOCKET_ERROR", Err: wsaErrName(err), Outs: map[string]string{}}
	}
	return Outcome{Ret: "0", Outs: map[string]string{}}
}

func boolOutcome(err error) Outcome {
	if err != nil {
		return Outcome{Ret: "FALSE", Err: errName(err), Outs: map[string]string{}}
	}
	return Outcome{Ret: "TRUE", Outs: map[string]string{}}
}

func waitOutcome(r uint32, err error) Outcome {
	o := Outcome{Ret: wso.WaitName(r), Outs: map[string]string{}}
	if err != nil {
		o.Err = errName(err)
	}
	return o
}

// exec makes one call on thread t.
func (e *Emulator) exec(t *emu.Thread, c Call) (Outcome, error) {
	switch c.Name {
	case "SleepEx":
		if err := NeedArgs(c, 1); err != nil {
			return Outcome{}, err
		}
		ms, err := ParseMs(c, c.pos(0))
		if err != nil {
			return Outcome{}, err
		}
		r := t.SleepEx(ms, c.Args.Has("alertable"))
		if r == 0 {
			return Outcome{Ret: "0", Outs: map[string]string{}}, nil
		}
		return waitOutcome(r, nil), nil
	case "WaitForSingleObjectEx", "WaitForMultipleObjectsEx", "WSAWaitForMultipleEvents":
		if err := NeedArgs(c, 2); err != nil {
			return Outcome{}, err
		}
		var hs []emu.Handle
		for _, n := range strings.Split(c.pos(0), ",") {
			h, err := e.handle(c, n)
			if err != nil {
				return Outcome{}, err
			}
			hs = append(hs, h)
		}
		if c.pos(0) == "none" {
			hs = nil
		}
		ms, err := ParseMs(c, c.pos(1))
		if err != nil {
			return Outcome{}, err
		}
		al, all := c.Args.Has("alertable"), c.Args.Has("all")
		var r uint32
		switch c.Name {
		case "WaitForSingleObjectEx":
			r, err = t.WaitForSingleObjectEx(hs[0], ms, al)
		case "WaitForMultipleObjectsEx":
			r, err = t.WaitForMultipleObjectsEx(hs, all, ms, al)
		default:
			r, err = t.WSAWaitForMultipleEvents(hs, all, ms, al)
		}
		return waitOutcome(r, err), nil
	case "SetEvent", "ResetEvent", "WSASetEvent", "WSAResetEvent", "WSACloseEvent", "CloseHandle":
		if err := NeedArgs(c, 1); err != nil {
			return Outcome{}, err
		}
		h, err := e.handle(c, c.pos(0))
		if err != nil {
			return Outcome{}, err
		}
		fn := map[string]func(emu.Handle) error{
			"SetEvent": t.SetEvent, "ResetEvent": t.ResetEvent, "WSASetEvent": t.WSASetEvent,
			"WSAResetEvent": t.WSAResetEvent, "WSACloseEvent": t.WSACloseEvent, "CloseHandle": t.CloseHandle,
		}[c.Name]
		return boolOutcome(fn(h)), nil
	case "QueueUserAPC":
		if err := NeedArgs(c, 2); err != nil {
			return Outcome{}, err
		}
		o, ok := e.objs[c.pos(0)]
		if !ok || o.decl.Kind != "apc" {
			return Outcome{}, CallError(c, "%q is not a declared apc", c.pos(0))
		}
		h, err := e.handle(c, c.pos(1))
		if err != nil {
			return Outcome{}, err
		}
		var param uint64
		if v, ok := c.Args.Get("param"); ok {
			if param, err = ParseValue(v); err != nil {
				return Outcome{}, CallError(c, "param=%q", v)
			}
		}
		return boolOutcome(t.QueueUserAPC(o.apcFn, h, uintptr(param))), nil
	case "ExitThread":
		code := uint64(0)
		if c.pos(0) != "" {
			var err error
			if code, err = ParseValue(c.pos(0)); err != nil {
				return Outcome{}, CallError(c, "bad exit code %q", c.pos(0))
			}
		}
		t.ExitThread(uint32(code))
		return Outcome{}, nil
	case "WSAStartup":
		var d emu.WSAData
		err := t.WSAStartup(0x0202, &d)
		o := Outcome{Ret: "0", Outs: map[string]string{}}
		if err != nil {
			o.Ret, o.Err = errName(err), errName(err)
		}
		return o, nil
	case "WSACleanup":
		return wsaOutcome(t.WSACleanup()), nil
	case "WSASend", "WSASendTo", "WSARecv", "WSARecvFrom":
		return e.sendRecv(t, c)
	case "WSASendMsg", "WSARecvMsg":
		return e.msgCall(t, c)
	case "WSAGetOverlappedResult", "GetOverlappedResult":
		if err := NeedArgs(c, 2); err != nil {
			return Outcome{}, err
		}
		h, err := e.handle(c, c.pos(0))
		if err != nil {
			return Outcome{}, err
		}
		ov, err := e.ov(c, c.pos(1))
		if err != nil {
			return Outcome{}, err
		}
		n, fl := uint32(Poison), uint32(Poison)
		var out Outcome
		if c.Name == "GetOverlappedResult" {
			out = boolOutcome(t.GetOverlappedResult(h, ov, &n, c.Args.Has("wait")))
		} else {
			out = boolOutcome(t.WSAGetOverlappedResult(emu.SOCKET(h), ov, &n, c.Args.Has("wait"), &fl))
			out.Err = WSAErrName(out.Err)
			out.Outs["flags"] = OutNum(fl)
		}
		out.Outs["bytes"] = OutNum(n)
		return out, nil
	case "WSAIoctl":
		return e.ioctl(t, c)
	case "closesocket", "shutdown", "setsockopt", "getsockopt", "bind", "connect", "getsockname":
		return e.sockCall(t, c)
	case "ReadFile", "WriteFile", "ReadFileEx", "WriteFileEx":
		return e.fileCall(t, c)
	case "ReleaseOverlapped":
		if err := NeedArgs(c, 1); err != nil {
			return Outcome{}, err
		}
		ov, err := e.ov(c, c.pos(0))
		if err != nil || ov == nil {
			return Outcome{}, CallError(c, "%q is not a declared overlapped record", c.pos(0))
		}
		t.ReleaseOverlapped(ov)
		return Outcome{Ret: "void", Outs: map[string]string{}}, nil
	case "ReleaseBuffer":
		if err := NeedArgs(c, 1); err != nil {
			return Outcome{}, err
		}
		o, ok := e.objs[c.pos(0)]
		if !ok || o.decl.Kind != "buffer" {
			return Outcome{}, CallError(c, "%q is not a declared buffer", c.pos(0))
		}
		t.ReleaseBuffer(o.buf)
		return Outcome{Ret: "void", Outs: map[string]string{}}, nil
	case "CancelIo", "CancelIoEx":
		if err := NeedArgs(c, 1); err != nil {
			return Outcome{}, err
		}
		h, err := e.handle(c, c.pos(0))
		if err != nil {
			return Outcome{}, err
		}
		if c.Name == "CancelIo" {
			return boolOutcome(t.CancelIo(h)), nil
		}
		ov, err := e.ov(c, orNull(c.pos(1)))
		if err != nil {
			return Outcome{}, err
		}
		return boolOutcome(t.CancelIoEx(h, ov)), nil
	case "CreateIoCompletionPort", "GetQueuedCompletionStatus", "PostQueuedCompletionStatus", "SetFileCompletionNotificationModes":
		return e.portCall(t, c)
	}
	return Outcome{}, CallError(c, "unknown call (known: %s)", knownCalls())
}

func orNull(s string) string {
	if s == "" {
		return "NULL"
	}
	return s
}

func knownCalls() string {
	var names []string
	for n := range Calls {
		names = append(names, n)
	}
	sortStrings(names)
	return strings.Join(names, ", ")
}

// ioArgs decodes what every overlapped socket call starts with: the
// socket, the buffers, the record at position ovPos, and routine=.
func (e *Emulator) ioArgs(c Call, ovPos int) (emu.Handle, []emu.WSABUF, *emu.Overlapped, emu.WSACompletionRoutine, error) {
	if err := NeedArgs(c, ovPos+1); err != nil {
		return 0, nil, nil, nil, err
	}
	h, err := e.handle(c, c.pos(0))
	if err != nil {
		return 0, nil, nil, nil, err
	}
	bufs, err := e.bufs(c, c.pos(1))
	if err != nil {
		return 0, nil, nil, nil, err
	}
	ov, err := e.ov(c, c.pos(ovPos))
	if err != nil {
		return 0, nil, nil, nil, err
	}
	routine, err := e.wsaRoutine(c)
	return h, bufs, ov, routine, err
}

func (e *Emulator) sendRecv(t *emu.Thread, c Call) (Outcome, error) {
	ovPos := 2
	if c.Name == "WSASendTo" {
		ovPos = 3
	}
	h, bufs, ov, routine, err := e.ioArgs(c, ovPos)
	if err != nil {
		return Outcome{}, err
	}
	var flags uint64
	if v, ok := c.Args.Get("flags"); ok {
		if flags, err = ParseFlags(v); err != nil {
			return Outcome{}, CallError(c, "flags=%q: %v", v, err)
		}
	}
	cnt := uint32(Poison)
	pcnt := &cnt
	if c.Args.Has("nullbytes") {
		pcnt = nil
	}
	s := emu.SOCKET(h)
	var out Outcome
	switch c.Name {
	case "WSASend":
		out = wsaOutcome(t.WSASend(s, bufs, pcnt, uint32(flags), ov, routine))
	case "WSASendTo":
		to, tolen, err := e.addr(c, c.pos(2))
		if err != nil {
			return Outcome{}, err
		}
		out = wsaOutcome(t.WSASendTo(s, bufs, pcnt, uint32(flags), to, tolen, ov, routine))
	case "WSARecv":
		fl := uint32(flags)
		out = wsaOutcome(t.WSARecv(s, bufs, pcnt, &fl, ov, routine))
		out.Outs["flags"] = OutNum(fl)
	case "WSARecvFrom":
		fl := uint32(flags)
		from := new(netip.AddrPort)
		fromlen := int32(provider.SizeofSockaddrInet6)
		out = wsaOutcome(t.WSARecvFrom(s, bufs, pcnt, &fl, from, &fromlen, ov, routine))
		out.Outs["flags"] = OutNum(fl)
		if ov == nil && out.Err == "" {
			out.Outs["from"] = from.String()
		}
	}
	out.Outs["bytes"] = OutNum(cnt)
	return out, nil
}

func (e *Emulator) msgCall(t *emu.Thread, c Call) (Outcome, error) {
	h, bufs, ov, routine, err := e.ioArgs(c, 2)
	if err != nil {
		return Outcome{}, err
	}
	msg := &emu.WSAMSG{Buffers: bufs}
	if v, ok := c.Args.Get("msgflags"); ok {
		f, err := ParseFlags(v)
		if err != nil {
			return Outcome{}, CallError(c, "msgflags=%q", v)
		}
		msg.Flags = uint32(f)
	}
	cnt := uint32(Poison)
	pcnt := &cnt
	if c.Args.Has("nullbytes") {
		pcnt = nil
	}
	s := emu.SOCKET(h)
	if c.Name == "WSASendMsg" {
		if v, ok := c.Args.Get("to"); ok {
			to, tolen, err := e.addr(c, v)
			if err != nil {
				return Outcome{}, err
			}
			msg.Name, msg.Namelen = to, tolen
		}
		if v, ok := c.Args.Get("namelen"); ok {
			n, err := ParseValue(v)
			if err != nil {
				return Outcome{}, CallError(c, "namelen=%q", v)
			}
			msg.Namelen = int32(n)
		}
		if c.Args.Has("nullname") {
			msg.Name = nil
		}
		if v, ok := c.Args.Get("src"); ok {
			a, err := netip.ParseAddr(v)
			if err != nil {
				return Outcome{}, CallError(c, "src=%q", v)
			}
			b := provider.PktinfoControl(a)
			msg.Control = emu.WSABUF{Len: uint32(len(b)), Buf: b}
		}
		if c.Args.Has("nullcontrol") {
			msg.Control = emu.WSABUF{Len: 16}
		}
		var flags uint64
		if v, ok := c.Args.Get("flags"); ok {
			if flags, err = ParseFlags(v); err != nil {
				return Outcome{}, CallError(c, "flags=%q", v)
			}
		}
		out := wsaOutcome(t.WSASendMsg(s, msg, uint32(flags), pcnt, ov, routine))
		out.Outs["bytes"] = OutNum(cnt)
		return out, nil
	}
	var from netip.AddrPort
	msg.Name, msg.Namelen = &from, provider.SizeofSockaddrInet6
	if v, ok := c.Args.Get("control"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 4096 {
			return Outcome{}, CallError(c, "control=%q", v)
		}
		msg.Control = emu.WSABUF{Len: uint32(n), Buf: make([]byte, n)}
	}
	out := wsaOutcome(t.WSARecvMsg(s, msg, pcnt, ov, routine))
	out.Outs["bytes"] = OutNum(cnt)
	report := func(o *Outcome) {
		o.Outs["msgflags"] = strconv.FormatUint(uint64(msg.Flags), 10)
		if from.IsValid() {
			o.Outs["from"] = from.String()
		}
		if a, _, ok := provider.ParsePktinfo(msg.Control.Buf[:min(int(msg.Control.Len), len(msg.Control.Buf))]); ok {
			o.Outs["dst"] = a.String()
		}
	}
	report(&out)
	// A pending WSARecvMsg fills msg at completion: the record of the
	// message is reread when a later step asks (msgflags etc. are kept
	// live through the "msg" map of the object named by ov).
	if ov != nil {
		if o, ok := e.objs[c.pos(2)]; ok {
			o.msgReport = func(out *Outcome) { report(out) }
		}
	}
	return out, nil
}

func (e *Emulator) ioctl(t *emu.Thread, c Call) (Outcome, error) {
	if err := NeedArgs(c, 2); err != nil {
		return Outcome{}, err
	}
	h, err := e.handle(c, c.pos(0))
	if err != nil {
		return Outcome{}, err
	}
	code, err := ParseValue(c.pos(1))
	if err != nil {
		return Outcome{}, CallError(c, "unknown ioctl code %q", c.pos(1))
	}
	var in, outb []byte
	if v, ok := c.Args.Get("value"); ok {
		n, err := ParseValue(v)
		if err != nil {
			return Outcome{}, CallError(c, "value=%q", v)
		}
		in = binary.LittleEndian.AppendUint32(nil, uint32(n))
	}
	if v, ok := c.Args.Get("guid"); ok {
		switch v {
		case "sendmsg":
			in = provider.WSAID_WSASENDMSG.Bytes()
		case "recvmsg":
			in = provider.WSAID_WSARECVMSG.Bytes()
		default:
			in = make([]byte, 16)
		}
		outb = make([]byte, 8)
	}
	if uint32(code) == provider.FIONREAD {
		outb = make([]byte, 4)
	}
	if v, ok := c.Args.Get("out"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 64 {
			return Outcome{}, CallError(c, "out=%q", v)
		}
		outb = make([]byte, n)
	}
	ov, err := e.ov(c, orNull(c.Args.KV["ov"]))
	if err != nil {
		return Outcome{}, err
	}
	routine, err := e.wsaRoutine(c)
	if err != nil {
		return Outcome{}, err
	}
	ret := uint32(Poison)
	out := wsaOutcome(t.WSAIoctl(emu.SOCKET(h), uint32(code), in, outb, &ret, ov, routine))
	out.Outs["bytes"] = OutNum(ret)
	if len(outb) >= 4 && out.Err == "" {
		out.Outs["value"] = strconv.FormatUint(uint64(binary.LittleEndian.Uint32(outb)), 10)
	}
	return out, nil
}

func (e *Emulator) sockCall(t *emu.Thread, c Call) (Outcome, error) {
	if err := NeedArgs(c, 1); err != nil {
		return Outcome{}, err
	}
	h, err := e.handle(c, c.pos(0))
	if err != nil {
		return Outcome{}, err
	}
	s := emu.SOCKET(h)
	switch c.Name {
	case "closesocket":
		return wsaOutcome(t.Closesocket(s)), nil
	case "shutdown":
		if err := NeedArgs(c, 2); err != nil {
			return Outcome{}, err
		}
		how, err := ParseValue(c.pos(1))
		if err != nil {
			return Outcome{}, CallError(c, "bad how %q", c.pos(1))
		}
		return wsaOutcome(t.Shutdown(s, int32(how))), nil
	case "bind", "connect":
		if err := NeedArgs(c, 2); err != nil {
			return Outcome{}, err
		}
		a, l, err := e.addr(c, c.pos(1))
		if err != nil {
			return Outcome{}, err
		}
		if v, ok := c.Args.Get("namelen"); ok {
			n, _ := ParseValue(v)
			l = int32(n)
		}
		if c.Name == "bind" {
			return wsaOutcome(t.Bind(s, a, l)), nil
		}
		return wsaOutcome(t.Connect(s, a, l)), nil
	case "getsockname":
		a, err := t.Getsockname(s)
		out := wsaOutcome(err)
		if err == nil {
			out.Outs["addr"] = a.String()
		}
		return out, nil
	}
	if err := NeedArgs(c, 2); err != nil {
		return Outcome{}, err
	}
	level, name, err := SockOption(c, c.pos(1))
	if err != nil {
		return Outcome{}, err
	}
	if c.Name == "setsockopt" {
		if err := NeedArgs(c, 3); err != nil {
			return Outcome{}, err
		}
		v, err := ParseValue(c.pos(2))
		if err != nil {
			return Outcome{}, CallError(c, "bad value %q", c.pos(2))
		}
		return wsaOutcome(t.Setsockopt(s, level, name, binary.LittleEndian.AppendUint32(nil, uint32(v)))), nil
	}
	val := make([]byte, 4)
	l := int32(4)
	out := wsaOutcome(t.Getsockopt(s, level, name, val, &l))
	if out.Err == "" {
		out.Outs["value"] = strconv.FormatUint(uint64(binary.LittleEndian.Uint32(val)), 10)
	}
	return out, nil
}

func (e *Emulator) fileCall(t *emu.Thread, c Call) (Outcome, error) {
	if err := NeedArgs(c, 3); err != nil {
		return Outcome{}, err
	}
	h, err := e.handle(c, c.pos(0))
	if err != nil {
		return Outcome{}, err
	}
	o, ok := e.objs[c.pos(1)]
	if !ok || o.decl.Kind != "buffer" {
		return Outcome{}, CallError(c, "%q is not a declared buffer", c.pos(1))
	}
	buf := o.buf
	if v, ok := c.Args.Get("len"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > len(buf) {
			return Outcome{}, CallError(c, "len=%q", v)
		}
		buf = buf[:n]
	}
	ov, err := e.ov(c, c.pos(2))
	if err != nil {
		return Outcome{}, err
	}
	n := uint32(Poison)
	var out Outcome
	switch c.Name {
	case "ReadFile":
		out = boolOutcome(t.ReadFile(h, buf, &n, ov))
	case "WriteFile":
		out = boolOutcome(t.WriteFile(h, buf, &n, ov))
	default:
		if err := NeedArgs(c, 4); err != nil {
			return Outcome{}, err
		}
		r, ok := e.objs[c.pos(3)]
		if !ok || r.decl.Kind != "routine" {
			return Outcome{}, CallError(c, "%q is not a declared routine", c.pos(3))
		}
		if c.Name == "ReadFileEx" {
			out = boolOutcome(t.ReadFileEx(h, buf, ov, r.fileFn))
		} else {
			out = boolOutcome(t.WriteFileEx(h, buf, ov, r.fileFn))
		}
		return out, nil
	}
	out.Outs["bytes"] = OutNum(n)
	return out, nil
}

func (e *Emulator) portCall(t *emu.Thread, c Call) (Outcome, error) {
	if err := NeedArgs(c, 1); err != nil {
		return Outcome{}, err
	}
	switch c.Name {
	case "CreateIoCompletionPort":
		if err := NeedArgs(c, 2); err != nil {
			return Outcome{}, err
		}
		fh, err := e.handle(c, c.pos(0))
		if err != nil {
			return Outcome{}, err
		}
		ph, err := e.handle(c, c.pos(1))
		if err != nil {
			return Outcome{}, err
		}
		var key uint64
		if v, ok := c.Args.Get("key"); ok {
			if key, err = ParseValue(v); err != nil {
				return Outcome{}, CallError(c, "key=%q", v)
			}
		}
		_, err = t.CreateIoCompletionPort(fh, ph, uintptr(key), 0)
		if err != nil {
			return Outcome{Ret: "NULL", Err: errName(err), Outs: map[string]string{}}, nil
		}
		return Outcome{Ret: c.pos(1), Outs: map[string]string{}}, nil
	case "GetQueuedCompletionStatus":
		if err := NeedArgs(c, 2); err != nil {
			return Outcome{}, err
		}
		ph, err := e.handle(c, c.pos(0))
		if err != nil {
			return Outcome{}, err
		}
		ms, err := ParseMs(c, c.pos(1))
		if err != nil {
			return Outcome{}, err
		}
		n, key := uint32(Poison), uintptr(Poison)
		ov := &emu.Overlapped{} // a stand-in value: "untouched" unless written
		sentinel := ov
		out := boolOutcome(t.GetQueuedCompletionStatus(ph, &n, &key, &ov, ms))
		out.Outs["bytes"] = OutNum(n)
		out.Outs["key"] = OutNum(uint32(key))
		switch {
		case ov == sentinel:
			out.Outs["ov"] = "untouched"
		default:
			out.Outs["ov"] = e.nameOf(ov)
		}
		return out, nil
	case "PostQueuedCompletionStatus":
		ph, err := e.handle(c, c.pos(0))
		if err != nil {
			return Outcome{}, err
		}
		var n, key uint64
		if v, ok := c.Args.Get("bytes"); ok {
			n, _ = ParseValue(v)
		}
		if v, ok := c.Args.Get("key"); ok {
			key, _ = ParseValue(v)
		}
		ov, err := e.ov(c, orNull(c.Args.KV["ov"]))
		if err != nil {
			return Outcome{}, err
		}
		return boolOutcome(t.PostQueuedCompletionStatus(ph, uint32(n), uintptr(key), ov)), nil
	default:
		if err := NeedArgs(c, 2); err != nil {
			return Outcome{}, err
		}
		h, err := e.handle(c, c.pos(0))
		if err != nil {
			return Outcome{}, err
		}
		f, err := ParseFlags(c.pos(1))
		if err != nil {
			return Outcome{}, CallError(c, "flags %q", c.pos(1))
		}
		return boolOutcome(t.SetFileCompletionNotificationModes(h, uint8(f))), nil
	}
}
