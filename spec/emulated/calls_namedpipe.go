package emulated

import "github.com/wsaemu/wsaemu/spec"

// The named-pipe calls on the emulator.

func (m *machine) CreateNamedPipe(c *spec.CreateNamedPipeCall) (spec.Result, error) {
	name := c.Name
	if c.NullName {
		name = ""
	}
	h, err := m.t.CreateNamedPipe(name, c.OpenMode, c.PipeMode, c.MaxInstances, c.OutSize, c.InSize)
	r, err := boolResult(err)
	if r.Err == 0 {
		m.e.objs[c.Target.Decl].h = h
	}
	return r, err
}

func (m *machine) CreateFile(c *spec.CreateFileCall) (spec.Result, error) {
	h, err := m.t.CreateFile(c.Name, c.Access, c.Overlapped)
	r, err := boolResult(err)
	if r.Err == 0 {
		m.e.objs[c.Target.Decl].h = h
	}
	return r, err
}

func (m *machine) ConnectNamedPipe(c *spec.ConnectNamedPipeCall) (spec.Result, error) {
	return boolResult(m.t.ConnectNamedPipe(m.e.handle(c.H), m.e.ov(c.Ov)))
}

func (m *machine) DisconnectNamedPipe(c *spec.DisconnectNamedPipeCall) (spec.Result, error) {
	return boolResult(m.t.DisconnectNamedPipe(m.e.handle(c.H)))
}

func (m *machine) SetNamedPipeHandleState(c *spec.SetNamedPipeHandleStateCall) (spec.Result, error) {
	return boolResult(m.t.SetNamedPipeHandleState(m.e.handle(c.H), c.Mode))
}

func (m *machine) WaitNamedPipe(c *spec.WaitNamedPipeCall) (spec.Result, error) {
	return boolResult(m.t.WaitNamedPipe(c.Name, c.Ms))
}

func (m *machine) TransactNamedPipe(c *spec.TransactNamedPipeCall) (spec.Result, error) {
	n := uint32(spec.Poison)
	in := m.e.objs[c.In.Decl].buf[:c.InLen]
	out := m.e.objs[c.Out.Decl].buf[:c.OutLen]
	r, err := boolResult(m.t.TransactNamedPipe(m.e.handle(c.H), in, out, &n, m.e.ov(c.Ov)))
	r.Outs.Has, r.Outs.Bytes = spec.OutBytes, n
	return r, err
}

func (m *machine) FlushFileBuffers(c *spec.FlushFileBuffersCall) (spec.Result, error) {
	return boolResult(m.t.FlushFileBuffers(m.e.handle(c.H)))
}

func (m *machine) GetNamedPipeInfo(c *spec.GetNamedPipeInfoCall) (spec.Result, error) {
	f, o, i, n, err := m.t.GetNamedPipeInfo(m.e.handle(c.H))
	r, err := boolResult(err)
	if r.Err == 0 {
		r.Outs.Has = spec.OutPipeInfo
		r.Outs.PipeFlags, r.Outs.OutSize, r.Outs.InSize, r.Outs.MaxInstances = f, o, i, n
	}
	return r, err
}

func (m *machine) GetNamedPipeHandleState(c *spec.GetNamedPipeHandleStateCall) (spec.Result, error) {
	st, n, err := m.t.GetNamedPipeHandleState(m.e.handle(c.H))
	r, err := boolResult(err)
	if r.Err == 0 {
		r.Outs.Has = spec.OutPipeState
		r.Outs.PipeState, r.Outs.Instances = st, n
	}
	return r, err
}
