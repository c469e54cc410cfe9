//go:build windows

package native

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/windows"

	"github.com/wsaemu/wsaemu/spec"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The named-pipe calls on the real system.

var (
	pConnectNamedPipe        = kernel32.NewProc("ConnectNamedPipe")
	pDisconnectNamedPipe     = kernel32.NewProc("DisconnectNamedPipe")
	pSetNamedPipeHandleState = kernel32.NewProc("SetNamedPipeHandleState")
)

// Pipe names are the system's, shared by every process: each run gets
// names of its own, so that runs (and processes) never meet. A run is
// known by its first declaration's object, made anew by every Start.
var (
	runMu  sync.Mutex
	runIDs = map[*object]uint64{}
	runSeq atomic.Uint64
)

// pipeName maps a scenario's \\.\pipe\NAME to this run's own name; any
// other name is passed as written.
func (b *Backend) pipeName(name string) string {
	const prefix = `\\.\pipe\`
	if len(name) <= len(prefix) || !strings.EqualFold(name[:len(prefix)], prefix) || len(b.decls) == 0 {
		return name
	}
	runMu.Lock()
	id, ok := runIDs[b.decls[0]]
	if !ok {
		id = runSeq.Add(1)
		runIDs[b.decls[0]] = id
	}
	runMu.Unlock()
	return fmt.Sprintf(`%swsaemu-%d-%d-%s`, prefix, os.Getpid(), id, name[len(prefix):])
}

// handleResult reads a call that returns a handle or INVALID_HANDLE_VALUE
// and puts the handle in the declared handle target.
func (m *machine) handleResult(r uintptr, e uint32, target spec.Ref) spec.Result {
	if windows.Handle(r) == windows.InvalidHandle {
		return spec.Result{Err: wso.Errno(e)}
	}
	o := m.b.decls[target.Decl]
	m.b.mu.Lock()
	o.h, o.closed = windows.Handle(r), false
	m.b.mu.Unlock()
	return spec.Result{Ret: 1}
}

func (m *machine) CreateNamedPipe(c *spec.CreateNamedPipeCall) (spec.Result, error) {
	name := uintptr(0)
	if !c.NullName {
		name = wide(m.b.pipeName(c.Name))
	}
	r, e := call(pCreateNamedPipeW, name, uintptr(c.OpenMode), uintptr(c.PipeMode), uintptr(c.MaxInstances),
		uintptr(c.OutSize), uintptr(c.InSize), 0, 0)
	return m.handleResult(r, e, c.Target), nil
}

func (m *machine) CreateFile(c *spec.CreateFileCall) (spec.Result, error) {
	name := m.b.pipeName(c.Name)
	if name == c.Name {
		return spec.Result{}, unsupported(c, "a name outside \\\\.\\pipe\\")
	}
	flags := uintptr(0)
	if c.Overlapped {
		flags = windows.FILE_FLAG_OVERLAPPED
	}
	r, e := call(pCreateFileW, wide(name), uintptr(c.Access), 0, 0, windows.OPEN_EXISTING, flags, 0)
	return m.handleResult(r, e, c.Target), nil
}

func (m *machine) ConnectNamedPipe(c *spec.ConnectNamedPipeCall) (spec.Result, error) {
	r, e := call(pConnectNamedPipe, uintptr(m.b.handle(c.H)), m.b.ovAt(c.Ov))
	return boolResult(r, e), nil
}

func (m *machine) DisconnectNamedPipe(c *spec.DisconnectNamedPipeCall) (spec.Result, error) {
	return m.one(pDisconnectNamedPipe, c.H, false)
}

func (m *machine) SetNamedPipeHandleState(c *spec.SetNamedPipeHandleStateCall) (spec.Result, error) {
	mode := alloc(4)
	store32(mode, c.Mode)
	r, e := call(pSetNamedPipeHandleState, uintptr(m.b.handle(c.H)), addr(mode), 0, 0)
	return boolResult(r, e), nil
}

var pWaitNamedPipeW = kernel32.NewProc("WaitNamedPipeW")

func (m *machine) WaitNamedPipe(c *spec.WaitNamedPipeCall) (spec.Result, error) {
	name := m.b.pipeName(c.Name)
	if name == c.Name {
		return spec.Result{}, unsupported(c, "a name outside \\\\.\\pipe\\")
	}
	r, e := call(pWaitNamedPipeW, wide(name), uintptr(c.Ms))
	return boolResult(r, e), nil
}

var pTransactNamedPipe = kernel32.NewProc("TransactNamedPipe")

func (m *machine) TransactNamedPipe(c *spec.TransactNamedPipeCall) (spec.Result, error) {
	n := newOut()
	r, e := call(pTransactNamedPipe, uintptr(m.b.handle(c.H)), addr(m.b.decls[c.In.Decl].buf), uintptr(c.InLen),
		addr(m.b.decls[c.Out.Decl].buf), uintptr(c.OutLen), addr(n), m.b.ovAt(c.Ov))
	out := boolResult(r, e)
	out.Outs.Has, out.Outs.Bytes = spec.OutBytes, load32(n)
	return out, nil
}

var pFlushFileBuffers = kernel32.NewProc("FlushFileBuffers")

func (m *machine) FlushFileBuffers(c *spec.FlushFileBuffersCall) (spec.Result, error) {
	return m.one(pFlushFileBuffers, c.H, false)
}

var (
	pGetNamedPipeInfo         = kernel32.NewProc("GetNamedPipeInfo")
	pGetNamedPipeHandleStateW = kernel32.NewProc("GetNamedPipeHandleStateW")
)

func (m *machine) GetNamedPipeInfo(c *spec.GetNamedPipeInfoCall) (spec.Result, error) {
	f, o, i, n := newOut(), newOut(), newOut(), newOut()
	r, e := call(pGetNamedPipeInfo, uintptr(m.b.handle(c.H)), addr(f), addr(o), addr(i), addr(n))
	out := boolResult(r, e)
	if out.Err == 0 {
		out.Outs.Has = spec.OutPipeInfo
		out.Outs.PipeFlags, out.Outs.OutSize, out.Outs.InSize, out.Outs.MaxInstances = load32(f), load32(o), load32(i), load32(n)
	}
	return out, nil
}

func (m *machine) GetNamedPipeHandleState(c *spec.GetNamedPipeHandleStateCall) (spec.Result, error) {
	st, n := newOut(), newOut()
	r, e := call(pGetNamedPipeHandleStateW, uintptr(m.b.handle(c.H)), addr(st), addr(n), 0, 0, 0, 0)
	out := boolResult(r, e)
	if out.Err == 0 {
		out.Outs.Has = spec.OutPipeState
		out.Outs.PipeState, out.Outs.Instances = load32(st), load32(n)
	}
	return out, nil
}
