package mem

import (
	"fmt"
	"reflect"
)

// RecycledDirt describes the first record Reset kept for reuse (socket,
// stream, operation) that is not exactly a new one (its slices empty and
// nothing left in their storage, its rings holding nothing, its spare
// records zeroed), or gives "" when all are clean; it also reports how
// many socket and stream records are kept.
func (p *Mem) RecycledDirt() (dirt string, socks, streams int) {
	r := &p.rec
	for i, k := range r.freeSocks {
		want := sock{queue: k.queue[:0], inRoutine: k.inRoutine[:0], held: k.held[:0]}
		if len(k.queue) != 0 || len(k.inRoutine) != 0 || len(k.held) != 0 || !reflect.DeepEqual(*k, want) {
			return fmt.Sprintf("socket record %d: %+v", i, *k), 0, 0
		}
		for _, d := range k.queue[:cap(k.queue)] {
			if d.data != nil {
				return fmt.Sprintf("socket record %d keeps a datagram in its queue's storage", i), 0, 0
			}
		}
		for _, o := range k.held[:cap(k.held)] {
			if o != nil {
				return fmt.Sprintf("socket record %d keeps an operation in its held storage", i), 0, 0
			}
		}
	}
	for i, st := range r.freeStreams {
		want := stream{queue: st.queue[:0], oob: st.oob[:0], rx: ring{buf: st.rx.buf}, tx: ring{buf: st.tx.buf}}
		if len(st.queue) != 0 || len(st.oob) != 0 || !reflect.DeepEqual(*st, want) {
			return fmt.Sprintf("stream record %d: %+v", i, *st), 0, 0
		}
		for _, c := range st.queue[:cap(st.queue)] {
			if c != nil {
				return fmt.Sprintf("stream record %d keeps a socket in its queue's storage", i), 0, 0
			}
		}
	}
	for i, o := range p.ops {
		if !reflect.DeepEqual(*o, op{slot: i, bufs: o.bufs[:0], spare: o.spare}) {
			return fmt.Sprintf("operation record %d: %+v", i, *o), 0, 0
		}
		for _, b := range o.bufs[:cap(o.bufs)] {
			if b.Buf != nil {
				return fmt.Sprintf("operation record %d keeps a buffer in its list's storage", i), 0, 0
			}
		}
		if x := o.spare.ax; x != nil && !reflect.DeepEqual(*x, acceptExOp{}) {
			return fmt.Sprintf("operation record %d: AcceptEx record %+v", i, *x), 0, 0
		}
		if x := o.spare.tx; x != nil {
			if !reflect.DeepEqual(*x, transmitOp{elems: x.elems[:0], blocks: x.blocks}) {
				return fmt.Sprintf("operation record %d: transmit record %+v", i, *x), 0, 0
			}
			for _, el := range x.elems[:cap(x.elems)] {
				if el.Buf != nil {
					return fmt.Sprintf("operation record %d keeps an element in its transmit record's storage", i), 0, 0
				}
			}
		}
	}
	if len(r.socks) != 0 || len(r.streams) != 0 {
		return fmt.Sprintf("%d socket and %d stream records still tracked", len(r.socks), len(r.streams)), 0, 0
	}
	return "", len(r.freeSocks), len(r.freeStreams)
}
