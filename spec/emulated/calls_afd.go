package emulated

import (
	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/spec"
)

// The AFD poll: NtDeviceIoControlFile(IOCTL_AFD_POLL), its result, and
// NtCancelIoFileEx.

// afdState keeps the \Device\Afd handle, opened on first use (each
// record keeps its last poll: object.poll).
type afdState struct {
	dev emu.Handle
}

type afdRec struct {
	call    *spec.AfdPollCall
	handles []uint64
	out     *emu.AFD_POLL_INFO
}

func (m *machine) AfdPoll(c *spec.AfdPollCall) (spec.Result, error) {
	a := &m.e.afd
	h := m.e.handle(c.H)
	if c.ViaAfd {
		if a.dev == 0 {
			dev, _, err := m.t.NtOpenAfd(`\Device\Afd\wsaemu`)
			if err != nil {
				return spec.Result{}, err
			}
			a.dev = dev
		}
		h = a.dev
	}
	l := &m.e.lent
	in := one(&l.afdIns)
	*in = emu.AFD_POLL_INFO{Timeout: c.Timeout, NumberOfHandles: uint32(len(c.Entries))}
	if c.Exclusive {
		in.Exclusive = 1
	}
	rec := one(&l.afdRecs)
	*rec = afdRec{call: c}
	if len(c.Entries) > 0 {
		rec.handles = l.u64s.take(len(c.Entries))
		in.Handles = l.afdHs.take(len(c.Entries))
	}
	for i, e := range c.Entries {
		v := m.e.handle(e.Socket)
		rec.handles[i] = uint64(v)
		in.Handles[i] = emu.AFD_POLL_HANDLE_INFO{Handle: v, Events: e.Events, Status: 0xdeadbeef}
	}
	// In and out are one buffer, as mio passes them.
	rec.out = in
	st, err := m.t.NtDeviceIoControlFile(h, m.e.handle(c.Event), m.e.ov(c.Ov), emu.IOCTL_AFD_POLL, in, in)
	if err != nil {
		return spec.Result{}, err
	}
	if c.Ov.Valid() {
		m.e.objs[c.Ov.Decl].poll = rec
	}
	r := spec.Result{}
	r.Outs.More = l.kvs.take(1)
	r.Outs.More[0] = spec.StatusOut("status", st)
	return r, nil
}

func (m *machine) AfdPollResult(c *spec.AfdPollResultCall) (spec.Result, error) {
	r := spec.Result{}
	ov := m.e.ov(c.Ov)
	var rec *afdRec
	if ov != nil {
		rec = m.e.objs[c.Ov.Decl].poll
	}
	if rec == nil || ov == nil {
		return r, nil
	}
	var out []spec.AfdOutEntry
	if len(rec.out.Handles) > 0 {
		out = m.e.lent.afdOuts.take(len(rec.out.Handles))
	}
	for i, e := range rec.out.Handles {
		out[i] = spec.AfdOutEntry{Handle: uint64(e.Handle), Events: e.Events, Status: e.Status}
	}
	more := m.e.lent.kvs.take(spec.AfdResultOutsLen(min(int(rec.out.NumberOfHandles), len(out))))[:0]
	r.Outs.More = spec.AppendAfdResultOuts(more, rec.call, rec.handles, emu.NTStatus(ov.LoadInternal()), uint64(ov.LoadInternalHigh()), rec.out.NumberOfHandles, out)
	return r, nil
}

func (m *machine) NtCancelIoFileEx(c *spec.NtCancelIoFileExCall) (spec.Result, error) {
	st, err := m.t.NtCancelIoFileEx(m.e.handle(c.H), m.e.ov(c.Ov))
	r := spec.Result{}
	r.Outs.More = m.e.lent.kvs.take(1)
	r.Outs.More[0] = spec.StatusOut("status", st)
	return r, err
}
