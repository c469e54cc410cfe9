package mem

// ring is a byte queue: a stream socket's send or receive buffer. It grows
// when it must and otherwise keeps its storage (but for trading it with
// another ring's in moveTo), so a connection in steady state moves bytes
// without allocating. It reads only bytes it wrote: storage it is given
// may hold anything (a recycled stream's, recycle.go).
type ring struct {
	buf  []byte
	r, n int // read position, bytes held
}

func (b *ring) len() int { return b.n }

func (b *ring) clear() { b.r, b.n = 0, 0 }

// grow makes room for need bytes in all, keeping the order.
func (b *ring) grow(need int) {
	if need <= len(b.buf) {
		return
	}
	c := max(2*len(b.buf), need, 256)
	nb := make([]byte, c)
	b.peekAt(nb[:b.n], 0)
	b.buf, b.r = nb, 0
}

// write appends p.
func (b *ring) write(p []byte) {
	if len(p) == 0 {
		return
	}
	b.grow(b.n + len(p))
	w := (b.r + b.n) % len(b.buf)
	c := copy(b.buf[w:], p)
	copy(b.buf, p[c:])
	b.n += len(p)
}

// peekAt copies bytes from position off (0 is the oldest) into dst,
// without removing them, and reports how many.
func (b *ring) peekAt(dst []byte, off int) int {
	m := min(len(dst), b.n-off)
	if m <= 0 {
		return 0
	}
	s := (b.r + off) % len(b.buf)
	c := copy(dst[:m], b.buf[s:])
	copy(dst[c:m], b.buf)
	return m
}

// discard removes the m oldest bytes.
func (b *ring) discard(m int) {
	if m >= b.n {
		b.clear()
		return
	}
	b.r = (b.r + m) % len(b.buf)
	b.n -= m
}

// moveTo moves the m oldest bytes to the end of d. All of b going into
// an empty d whose storage is no larger costs no copy: the two trade
// storage (a send buffer emptied into the peer's receive buffer, as a
// send larger than both moves through them).
func (b *ring) moveTo(d *ring, m int) {
	if b.n > 0 && m >= b.n && d.n == 0 && len(d.buf) <= len(b.buf) {
		b.buf, d.buf = d.buf, b.buf
		d.r, d.n = b.r, b.n
		b.clear()
		return
	}
	for m > 0 && b.n > 0 {
		seg := min(m, len(b.buf)-b.r, b.n)
		d.write(b.buf[b.r : b.r+seg])
		b.discard(seg)
		m -= seg
	}
}

// writeBufs appends m bytes of a buffer list, starting skip bytes in.
func (b *ring) writeBufs(bufs []WSABUF, skip, m int) {
	for _, x := range bufs {
		if m == 0 {
			return
		}
		l := int(x.Len)
		if skip >= l {
			skip -= l
			continue
		}
		c := min(l-skip, m)
		b.write(x.Buf[skip : skip+c])
		m -= c
		skip = 0
	}
}

// readBufs copies m bytes from the front of the ring (without removing
// them) into a buffer list, starting skip bytes into the list.
func (b *ring) readBufs(bufs []WSABUF, skip, m int) {
	off := 0
	for _, x := range bufs {
		if m == 0 {
			return
		}
		l := int(x.Len)
		if skip >= l {
			skip -= l
			continue
		}
		c := b.peekAt(x.Buf[skip:skip+min(l-skip, m)], off)
		off += c
		m -= c
		skip = 0
	}
}
