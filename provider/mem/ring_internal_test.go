package mem

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"
)

// The byte ring behind a stream socket's buffers is a FIFO: whatever
// sequence of writes, peeks, reads into scattered buffers, moves to
// another ring and discards, the bytes come out as a plain slice model
// says, in order, once. The rings start on storage full of other bytes,
// as a recycled stream's rings do (recycle.go): a ring reads only bytes
// it wrote, so what was there before is never seen.
func TestRingIsAFIFO(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		junk := func(label string) []byte {
			b := make([]byte, rapid.SampledFrom([]int{0, 1, 256, 700, 1024}).Draw(rt, label))
			for i := range b {
				b[i] = 0xEE
			}
			return b
		}
		r, other := ring{buf: junk("storage")}, ring{buf: junk("other storage")}
		var model, otherModel []byte
		next := byte(0)
		for i, n := 0, rapid.IntRange(1, 200).Draw(rt, "ops"); i < n; i++ {
			switch rapid.IntRange(0, 4).Draw(rt, "op") {
			case 0: // write
				k := rapid.IntRange(0, 700).Draw(rt, "write")
				p := make([]byte, k)
				for j := range p {
					p[j], next = next, next+1
				}
				r.write(p)
				model = append(model, p...)
			case 1: // peek at an offset
				off := rapid.IntRange(0, len(model)).Draw(rt, "off")
				dst := make([]byte, rapid.IntRange(0, 300).Draw(rt, "peek"))
				got := r.peekAt(dst, off)
				want := model[off:min(len(model), off+len(dst))]
				if got != len(want) || !bytes.Equal(dst[:got], want) {
					rt.Fatalf("peekAt(%d, off %d) = %d bytes, want %d", len(dst), off, got, len(want))
				}
			case 2: // scatter into two buffers from a skip, then discard
				a, b := make([]byte, rapid.IntRange(0, 200).Draw(rt, "a")), make([]byte, rapid.IntRange(0, 200).Draw(rt, "b"))
				bufs := []WSABUF{{Len: uint32(len(a)), Buf: a}, {Len: uint32(len(b)), Buf: b}}
				skip := rapid.IntRange(0, len(a)+len(b)).Draw(rt, "skip")
				m := min(len(model), len(a)+len(b)-skip)
				r.readBufs(bufs, skip, m)
				got := append(append([]byte(nil), a...), b...)[skip : skip+m]
				if !bytes.Equal(got, model[:m]) {
					rt.Fatalf("readBufs skip %d, %d bytes: wrong bytes", skip, m)
				}
				r.discard(m)
				model = model[m:]
			case 3: // move to the other ring
				m := rapid.IntRange(0, len(model)).Draw(rt, "move")
				r.moveTo(&other, m)
				otherModel = append(otherModel, model[:m]...)
				model = model[m:]
			default: // write from a buffer list with a skip
				src := make([]byte, rapid.IntRange(0, 300).Draw(rt, "src"))
				for j := range src {
					src[j], next = next, next+1
				}
				cut := rapid.IntRange(0, len(src)).Draw(rt, "cut")
				bufs := []WSABUF{{Len: uint32(cut), Buf: src[:cut]}, {Len: uint32(len(src) - cut), Buf: src[cut:]}}
				skip := rapid.IntRange(0, len(src)).Draw(rt, "wskip")
				r.writeBufs(bufs, skip, len(src)-skip)
				model = append(model, src[skip:]...)
			}
			if r.len() != len(model) || other.len() != len(otherModel) {
				rt.Fatalf("lengths %d, %d; model %d, %d", r.len(), other.len(), len(model), len(otherModel))
			}
		}
		all := make([]byte, other.len())
		other.peekAt(all, 0)
		if !bytes.Equal(all, otherModel) {
			rt.Fatal("the moved bytes differ")
		}
	})
}
