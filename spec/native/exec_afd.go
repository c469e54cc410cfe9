//go:build windows

package native

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/wsaemu/wsaemu/provider"
	"github.com/wsaemu/wsaemu/spec"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The AFD poll on the real system: ntdll's NtDeviceIoControlFile with
// IOCTL_AFD_POLL, the record as IO_STATUS_BLOCK and ApcContext, input
// and output one AFD_POLL_INFO in the arena (64-bit layout: Timeout at 0,
// NumberOfHandles at 8, Exclusive at 12, entries of 16 bytes from 16:
// Handle, Events at +8, Status at +12).

var (
	pNtDeviceIoControlFile = ntdll.NewProc("NtDeviceIoControlFile")
	pNtCancelIoFileEx      = ntdll.NewProc("NtCancelIoFileEx")
)

// afdNative is a backend's AFD state: each record's last poll and the
// \Device\Afd handle, opened on first use.
type afdNative struct {
	dev   windows.Handle
	polls map[int]afdNativeRec
}

type afdNativeRec struct {
	call    *spec.AfdPollCall
	handles []uint64
	buf     int
}

var (
	afdMu     sync.Mutex
	afdStates = map[*Backend]*afdNative{}
)

func afdOf(b *Backend) *afdNative {
	afdMu.Lock()
	defer afdMu.Unlock()
	a := afdStates[b]
	if a == nil {
		a = &afdNative{polls: map[int]afdNativeRec{}}
		afdStates[b] = a
	}
	return a
}

// openAfd opens \Device\Afd\wsaemu as wepoll does: SYNCHRONIZE access,
// shared, not synchronous (so overlapped).
func openAfd() (windows.Handle, error) {
	name, err := windows.NewNTUnicodeString(`\Device\Afd\wsaemu`)
	if err != nil {
		return 0, err
	}
	oa := windows.OBJECT_ATTRIBUTES{Length: uint32(unsafe.Sizeof(windows.OBJECT_ATTRIBUTES{})), ObjectName: name}
	var iosb windows.IO_STATUS_BLOCK
	var h windows.Handle
	err = windows.NtCreateFile(&h, windows.SYNCHRONIZE, &oa, &iosb, nil, 0,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, windows.FILE_OPEN, 0, 0, 0)
	return h, err
}

func (m *machine) AfdPoll(c *spec.AfdPollCall) (spec.Result, error) {
	a := afdOf(m.b)
	h := m.b.handle(c.H)
	if c.ViaAfd {
		if a.dev == 0 {
			dev, err := openAfd()
			if err != nil {
				return spec.Result{}, err
			}
			a.dev = dev
		}
		h = a.dev
	}
	size := provider.AFD_POLL_INFO_HEADER + provider.AFD_POLL_HANDLE_INFO_SIZE*len(c.Entries)
	buf := alloc(size)
	store64(buf, uint64(c.Timeout))
	store32(buf+8, uint32(len(c.Entries)))
	if c.Exclusive {
		store32(buf+12, 1)
	}
	rec := afdNativeRec{call: c, buf: buf}
	for i, e := range c.Entries {
		o := buf + provider.AFD_POLL_INFO_HEADER + i*provider.AFD_POLL_HANDLE_INFO_SIZE
		v := uint64(m.b.handle(e.Socket))
		rec.handles = append(rec.handles, v)
		store64(o, v)
		store32(o+8, e.Events)
		store32(o+12, 0xdeadbeef)
	}
	ov := m.b.ovAt(c.Ov)
	st, _ := call(pNtDeviceIoControlFile, uintptr(h), uintptr(m.b.handle(c.Event)), 0, ov, ov,
		uintptr(provider.IOCTL_AFD_POLL), addr(buf), uintptr(size), addr(buf), uintptr(size))
	if c.Ov.Valid() {
		afdMu.Lock()
		a.polls[c.Ov.Decl] = rec
		afdMu.Unlock()
	}
	r := spec.Result{}
	r.Outs.More = []spec.OutKV{spec.StatusOut("status", wso.NTStatus(uint32(st)))}
	return r, nil
}

func (m *machine) AfdPollResult(c *spec.AfdPollResultCall) (spec.Result, error) {
	r := spec.Result{}
	a := afdOf(m.b)
	afdMu.Lock()
	rec, ok := a.polls[c.Ov.Decl]
	afdMu.Unlock()
	if !ok || !c.Ov.Valid() {
		return r, nil
	}
	ov := m.b.decls[c.Ov.Decl].ov
	count := load32(rec.buf + 8)
	var out []spec.AfdOutEntry
	for i := 0; i < len(rec.call.Entries); i++ {
		o := rec.buf + provider.AFD_POLL_INFO_HEADER + i*provider.AFD_POLL_HANDLE_INFO_SIZE
		out = append(out, spec.AfdOutEntry{Handle: load64(o), Events: load32(o + 8), Status: wso.NTStatus(load32(o + 12))})
	}
	r.Outs.More = spec.AfdResultOuts(rec.call, rec.handles, wso.NTStatus(uint32(load64(ov))), load64(ov+8), count, out)
	return r, nil
}

func (m *machine) NtCancelIoFileEx(c *spec.NtCancelIoFileExCall) (spec.Result, error) {
	var iosb [16]byte // the canceller's own IO_STATUS_BLOCK
	st, _ := call(pNtCancelIoFileEx, uintptr(m.b.handle(c.H)), m.b.ovAt(c.Ov), uintptr(unsafe.Pointer(&iosb[0])))
	r := spec.Result{}
	r.Outs.More = []spec.OutKV{spec.StatusOut("status", wso.NTStatus(uint32(st)))}
	return r, nil
}
