package spec

import (
	"strconv"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The named-pipe calls of the table: their typed calls and decoders.

// Windows' values of CreateNamedPipe's and CreateFile's flags.
const (
	PipeAccessInbound          = 0x1
	PipeAccessOutbound         = 0x2
	PipeAccessDuplex           = 0x3
	FileFlagFirstPipeInstance  = 0x00080000
	FileFlagOverlapped         = 0x40000000
	PipeNowait                 = 0x1
	PipeReadmodeMessage        = 0x2
	PipeTypeMessage            = 0x4
	PipeUnlimitedInstances     = 255
	GenericRead                = 0x80000000
	GenericWrite               = 0x40000000
	defaultPipeQuota           = 4096
	maxPipeInstancesInScenario = 255
)

// CreateNamedPipeCall is CreateNamedPipeW: the server end goes to the
// declared handle Target. Name is as written; NullName passes NULL.
type CreateNamedPipeCall struct {
	opBase
	Target             Ref
	Name               string
	NullName           bool
	OpenMode, PipeMode uint32
	MaxInstances       uint32
	OutSize, InSize    uint32
}

// CreateFileCall is CreateFileW opening a pipe's client end (OPEN_EXISTING,
// no sharing): Access is GENERIC_READ and/or GENERIC_WRITE, Overlapped
// FILE_FLAG_OVERLAPPED. The handle goes to the declared handle Target.
type CreateFileCall struct {
	opBase
	Target     Ref
	Name       string
	Access     uint32
	Overlapped bool
}

// ConnectNamedPipeCall is ConnectNamedPipe.
type ConnectNamedPipeCall struct {
	opBase
	H  Handle
	Ov Ref
}

// GetNamedPipeInfoCall is GetNamedPipeInfo with every output asked for.
type GetNamedPipeInfoCall struct{ HandleArg }

// GetNamedPipeHandleStateCall is GetNamedPipeHandleState with lpState and
// lpCurInstances, the other outputs NULL.
type GetNamedPipeHandleStateCall struct{ HandleArg }

func (c *GetNamedPipeInfoCall) Run(m Machine) (Result, error) { return m.GetNamedPipeInfo(c) }
func (c *GetNamedPipeHandleStateCall) Run(m Machine) (Result, error) {
	return m.GetNamedPipeHandleState(c)
}

// FlushFileBuffersCall is FlushFileBuffers on a pipe end.
type FlushFileBuffersCall struct{ HandleArg }

func (c *FlushFileBuffersCall) Run(m Machine) (Result, error) { return m.FlushFileBuffers(c) }

// DisconnectNamedPipeCall is DisconnectNamedPipe.
type DisconnectNamedPipeCall struct{ HandleArg }

// SetNamedPipeHandleStateCall is SetNamedPipeHandleState with lpMode
// pointing at Mode and the collection arguments NULL.
type SetNamedPipeHandleStateCall struct {
	opBase
	H    Handle
	Mode uint32
}

// WaitNamedPipeCall is WaitNamedPipeW.
type WaitNamedPipeCall struct {
	opBase
	Name string
	Ms   uint32
}

// TransactNamedPipeCall is TransactNamedPipe: In's first InLen bytes are
// written, Out's first OutLen bytes receive the answer.
type TransactNamedPipeCall struct {
	opBase
	H             Handle
	In, Out       Ref
	InLen, OutLen int
	Ov            Ref
}

func (c *TransactNamedPipeCall) Run(m Machine) (Result, error) { return m.TransactNamedPipe(c) }

func decodeTransact(d *decoder) Op {
	d.need(4)
	c := &TransactNamedPipeCall{H: d.handle(d.pos(0)), In: d.object(d.pos(1), "buffer"), Out: d.object(d.pos(2), "buffer"), Ov: d.ov(d.pos(3))}
	size := func(r Ref, key string) int {
		n := 0
		if r.Valid() {
			n = d.decls[r.Decl].Obj.(*BufferDecl).Size()
		}
		if v, ok := d.kv(key); ok {
			k, err := strconv.Atoi(v)
			if err != nil || k < 0 || k > n {
				d.fail("%s=%q: want 0 to the buffer's size", key, v)
			}
			n = k
		}
		return n
	}
	c.InLen, c.OutLen = size(c.In, "inlen"), size(c.Out, "outlen")
	return c
}

func (c *WaitNamedPipeCall) Run(m Machine) (Result, error) { return m.WaitNamedPipe(c) }

// nmpDefaultWait is WaitNamedPipe's wait for 0 (NMPWAIT_USE_DEFAULT_WAIT)
// on a pipe created with nDefaultTimeOut 0: 50 ms.
const nmpDefaultWait = 50

// Timeout implements Timed.
func (c *WaitNamedPipeCall) Timeout() (uint32, bool) {
	if c.Ms == 0 {
		return nmpDefaultWait, true
	}
	return finite(c.Ms)
}

// TimedOut implements Timed: the time ran out with ERROR_SEM_TIMEOUT.
func (c *WaitNamedPipeCall) TimedOut(r Result) bool { return r.Err == wso.ERROR_SEM_TIMEOUT }

func (c *CreateNamedPipeCall) Run(m Machine) (Result, error)  { return m.CreateNamedPipe(c) }
func (c *CreateFileCall) Run(m Machine) (Result, error)       { return m.CreateFile(c) }
func (c *ConnectNamedPipeCall) Run(m Machine) (Result, error) { return m.ConnectNamedPipe(c) }
func (c *DisconnectNamedPipeCall) Run(m Machine) (Result, error) {
	return m.DisconnectNamedPipe(c)
}
func (c *SetNamedPipeHandleStateCall) Run(m Machine) (Result, error) {
	return m.SetNamedPipeHandleState(c)
}

// quota reads out=N or in=N, a channel's buffer size.
func (d *decoder) quota(key string) uint32 {
	v, ok := d.kv(key)
	if !ok {
		return defaultPipeQuota
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > MaxBuffer {
		d.fail("%s=%q: want 0 to %d bytes", key, v, MaxBuffer)
	}
	return uint32(n)
}

func decodeCreateNamedPipe(d *decoder) Op {
	d.need(2)
	c := &CreateNamedPipeCall{Target: d.object(d.pos(0), "handle"), Name: d.pos(1), MaxInstances: 1}
	c.NullName = c.Name == "NULL"
	access := uint32(0)
	for _, w := range []struct {
		word string
		bit  uint32
	}{{"inbound", PipeAccessInbound}, {"outbound", PipeAccessOutbound}, {"duplex", PipeAccessDuplex}} {
		if d.has(w.word) {
			access |= w.bit
		}
	}
	if access == 0 {
		access = PipeAccessDuplex
	}
	c.OpenMode = access
	if d.has("overlapped") {
		c.OpenMode |= FileFlagOverlapped
	}
	if d.has("first") {
		c.OpenMode |= FileFlagFirstPipeInstance
	}
	if d.has("message") {
		c.PipeMode |= PipeTypeMessage
	}
	if d.has("readmessage") {
		c.PipeMode |= PipeReadmodeMessage
	}
	if d.has("nowait") {
		c.PipeMode |= PipeNowait
	}
	if v, ok := d.kv("instances"); ok {
		if v == "unlimited" {
			c.MaxInstances = PipeUnlimitedInstances
		} else {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > maxPipeInstancesInScenario {
				d.fail("instances=%q: want 0 to 255 or unlimited", v)
			}
			c.MaxInstances = uint32(n)
		}
	}
	c.OutSize, c.InSize = d.quota("out"), d.quota("in")
	return c
}

func decodeCreateFile(d *decoder) Op {
	d.need(2)
	c := &CreateFileCall{Target: d.object(d.pos(0), "handle"), Name: d.pos(1)}
	if d.has("read") {
		c.Access |= GenericRead
	}
	if d.has("write") {
		c.Access |= GenericWrite
	}
	none := d.has("noaccess")
	if none && c.Access != 0 {
		d.fail("noaccess with read or write")
	}
	if c.Access == 0 && !none {
		c.Access = GenericRead | GenericWrite
	}
	c.Overlapped = d.has("overlapped")
	return c
}

func decodeSetPipeState(d *decoder) Op {
	d.need(2)
	c := &SetNamedPipeHandleStateCall{H: d.handle(d.pos(0))}
	switch d.pos(1) {
	case "byte":
	case "message":
		c.Mode = PipeReadmodeMessage
	default:
		d.fail("read mode %q: want byte or message", d.pos(1))
	}
	if d.has("nowait") {
		c.Mode |= PipeNowait
	}
	return c
}
