package mem

// Reuse of socket and stream records across Reset. A provider that a
// driver resets and runs again (explore's workers, through emu's
// GoroutinePool) would otherwise make every socket, stream state and
// buffer of every run anew. Once reset, it records each socket and
// stream record it hands out; the next Reset takes them all back at once
// (nothing of the run can reach them after it), zeroes them and keeps
// them for the next run, with the memory of their buffers. A record is
// never taken back before Reset: a closed socket is still read after its
// close (by its peer's stream, by completion routines queued for it).
//
// A provider never reset records nothing: its records are the garbage
// collector's once unreachable, as before.

// recycler is what a provider keeps of its past runs.
type recycler struct {
	on bool // Reset ran once: records are tracked for the next Reset

	socks       []*sock   // socket records handed out since the last Reset (at most maxTracked)
	freeSocks   []*sock   // zeroed socket records, handed out last first
	streams     []*stream // stream records handed out since the last Reset (at most maxTracked)
	freeStreams []*stream // zeroed stream records, handed out last first

	dgrams [][]byte // spare datagram buffers (length 0), for deliver
	read   []byte   // a TransmitFile's block read scratch (feed)
}

// maxTracked bounds the records one run hands back to the next: a run
// that makes more leaves the rest to the garbage collector.
const maxTracked = 1024

// maxKeptBuf bounds the storage kept for reuse in one buffer: a stream's
// ring at Reset, a transmit record's blocks (together) at its release,
// the read scratch. Larger ones are dropped, so that an idle provider
// does not hold what one big run needed.
const maxKeptBuf = 1 << 20

// popFree takes the last record off a free list (its slot cleared, so
// the list holds no reference to it), or gives nil when the list is empty.
func popFree[T any](list *[]*T) *T {
	n := len(*list)
	if n == 0 {
		return nil
	}
	v := (*list)[n-1]
	(*list)[n-1] = nil
	*list = (*list)[:n-1]
	return v
}

// newSock hands out a socket record holding init, which has no slices
// (queue, inRoutine and held keep a recycled record's storage, empty).
func (p *Mem) newSock(init sock) *sock {
	r := &p.rec
	k := popFree(&r.freeSocks)
	if k != nil {
		q, in, held := k.queue, k.inRoutine, k.held
		*k = init
		k.queue, k.inRoutine, k.held = q, in, held
	} else {
		k = new(sock)
		*k = init
	}
	if r.on && len(r.socks) < maxTracked {
		r.socks = append(r.socks, k)
	}
	return k
}

// newStream hands out a stream record holding init, which has no slices
// and no ring storage (queue, oob, rx and tx keep a recycled record's
// storage, empty).
func (p *Mem) newStream(init stream) *stream {
	r := &p.rec
	st := popFree(&r.freeStreams)
	if st != nil {
		q, oob, rx, tx := st.queue, st.oob, st.rx.buf, st.tx.buf
		*st = init
		st.queue, st.oob, st.rx.buf, st.tx.buf = q, oob, rx, tx
	} else {
		st = new(stream)
		*st = init
	}
	if r.on && len(r.streams) < maxTracked {
		r.streams = append(r.streams, st)
	}
	return st
}

// reset takes back every record handed out since the last reset, zeroed
// (their slices empty, with nothing left in their storage but bytes),
// and starts tracking. The first record handed out in the last run is
// the first handed out in the next, so a run repeated gets the records,
// and the buffer sizes, it had.
func (r *recycler) reset() {
	r.on = true
	for i := len(r.socks) - 1; i >= 0; i-- {
		r.freeSocks = append(r.freeSocks, r.recycleSock(r.socks[i]))
		r.socks[i] = nil
	}
	r.socks = r.socks[:0]
	for i := len(r.streams) - 1; i >= 0; i-- {
		r.freeStreams = append(r.freeStreams, recycleStream(r.streams[i]))
		r.streams[i] = nil
	}
	r.streams = r.streams[:0]
}

// recycleSock zeroes k, keeping the storage of its slices; the datagrams
// still queued give their buffers to the spare ones.
func (r *recycler) recycleSock(k *sock) *sock {
	for _, d := range k.queue[k.qh:] {
		if d.data != nil {
			r.dgrams = append(r.dgrams, d.data[:0])
		}
	}
	clear(k.queue)
	clear(k.held)
	*k = sock{queue: k.queue[:0], inRoutine: k.inRoutine[:0], held: k.held[:0]}
	return k
}

// recycleStream zeroes st, keeping the storage of its slices and rings
// (a ring reads only bytes it wrote, so what is left in its storage is
// never seen).
func recycleStream(st *stream) *stream {
	clear(st.queue)
	rx, tx := keptBuf(st.rx.buf), keptBuf(st.tx.buf)
	*st = stream{queue: st.queue[:0], oob: st.oob[:0], rx: ring{buf: rx}, tx: ring{buf: tx}}
	return st
}

// keptBuf is b, or nil when it is larger than a recycled record keeps.
func keptBuf(b []byte) []byte {
	if len(b) > maxKeptBuf {
		return nil
	}
	return b
}

// dgramBuf gives a spare datagram buffer (length 0), or nil.
func (r *recycler) dgramBuf() []byte {
	n := len(r.dgrams)
	if n == 0 {
		return nil
	}
	b := r.dgrams[n-1]
	r.dgrams[n-1] = nil
	r.dgrams = r.dgrams[:n-1]
	return b
}

// readBuf gives the TransmitFile read scratch, n bytes long. One larger
// than maxKeptBuf is made for the one read and not kept.
func (r *recycler) readBuf(n int) []byte {
	if n > maxKeptBuf {
		return make([]byte, n)
	}
	if len(r.read) < n {
		r.read = make([]byte, n)
	}
	return r.read[:n]
}

// sockTable finds an open socket by its handle. The handles a machine
// hands out are small multiples of four (emu's are the slot's index plus
// one, times four): those index a slice, and emptying the table costs
// only the part of it a run used, not the most sockets a run ever had
// open (as clearing a map that once grew would). Any other value goes to
// a map, made when first needed.
type sockTable struct {
	small []*sock // small[h/4]: the socket with handle h
	used  int     // small[used:] is all nil
	other map[SOCKET]*sock
}

// maxSmall bounds the handles the slice holds (h/4 < maxSmall).
const maxSmall = 1 << 16

func smallIndex(h SOCKET) (int, bool) {
	if h&3 != 0 || h/4 >= maxSmall {
		return 0, false
	}
	return int(h / 4), true
}

func (t *sockTable) get(h SOCKET) (*sock, bool) {
	if i, ok := smallIndex(h); ok {
		if i < len(t.small) && t.small[i] != nil {
			return t.small[i], true
		}
		return nil, false
	}
	k, ok := t.other[h]
	return k, ok
}

func (t *sockTable) put(h SOCKET, k *sock) {
	i, ok := smallIndex(h)
	if !ok {
		if t.other == nil {
			t.other = make(map[SOCKET]*sock)
		}
		t.other[h] = k
		return
	}
	if i >= len(t.small) {
		t.small = append(t.small, make([]*sock, i+1-len(t.small))...)
	}
	t.small[i] = k
	t.used = max(t.used, i+1)
}

func (t *sockTable) del(h SOCKET) {
	if i, ok := smallIndex(h); ok {
		if i < len(t.small) {
			t.small[i] = nil
		}
		return
	}
	delete(t.other, h)
}

// reset empties the table, keeping the slice's storage.
func (t *sockTable) reset() {
	clear(t.small[:t.used])
	t.used = 0
	t.other = nil
}
