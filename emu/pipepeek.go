package emu

import (
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// PeekNamedPipe implements PeekNamedPipe on the read end of a pipe: it
// copies what a read of len(buf) would take without taking it. *read gets
// the bytes copied, *avail every unread byte, and *left what the
// current message holds beyond the bytes copied; on a byte-mode pipe
// Windows reports *left as the negated byte count (0 with no buffer), as
// Wine's kernel32 pipe.c test_CreateNamedPipe observes. Any of the three
// may be nil. Peeking needs read access: the write end is
// ERROR_ACCESS_DENIED. With nothing left to read and the write end
// closed the pipe is broken: ERROR_BROKEN_PIPE.
// https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-peeknamedpipe
func (t *Thread) PeekNamedPipe(h Handle, buf []byte, read, avail, left *uint32) error {
	const name = "PeekNamedPipe"
	var args *callArgs
	if t.s.trace != nil && t.running() {
		args = &callArgs{}
		args.setFmt(argsHLen, "", uint64(h), uint64(len(buf)))
	}
	if err := t.enterArgs(name, args); err != nil {
		return err
	}
	o, e := t.s.lookup(t, h, kindFile)
	if e != 0 {
		return t.fail(name, 0, e)
	}
	pe, ok := o.(*pipeEnd)
	if !ok {
		return t.fail(name, 0, wso.ERROR_INVALID_HANDLE)
	}
	if e := pe.peekStateError(); e != 0 {
		return t.fail(name, 0, e)
	}
	if !pe.canRead || pe.in == nil {
		return t.fail(name, 0, wso.ERROR_ACCESS_DENIED)
	}
	p := pe.in
	total := p.unread()
	if total == 0 && p.wClosed {
		return t.fail(name, 0, wso.ERROR_BROKEN_PIPE)
	}
	first := total // what one read can take: the first message, or everything
	if p.mode == PipeMessage && p.mh < len(p.msgs) {
		first = p.msgs[p.mh] - p.rpos
	}
	n := min(int64(len(buf)), first)
	copy(buf, p.data[p.head:p.head+int(n)])
	if read != nil {
		*read = uint32(n)
	}
	if avail != nil {
		*avail = uint32(total)
	}
	if left != nil {
		if p.mode == PipeMessage {
			*left = uint32(first - n)
		} else {
			*left = uint32(-n)
		}
	}
	t.ok(name, 1)
	return nil
}
