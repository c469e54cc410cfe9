//go:build windows

package native

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"unsafe"
)

// arenaSize bounds the memory handed to the kernel at any time. Space is
// handed out in order and reused only after wrapping round the whole
// arena, so a write the kernel makes late (after a run ended) lands in
// memory nobody reads any more.
const arenaSize = 32 << 20

// arena is static: the collector never moves or frees it, and it holds no
// Go pointers (a byte array is not scanned), so the kernel may keep
// addresses into it for as long as it likes.
var arena [arenaSize]byte

var (
	arenaMu   sync.Mutex
	arenaNext int
)

// alloc reserves n bytes (16-byte aligned, zeroed, with 16 spare bytes
// after them) and returns their offset.
func alloc(n int) int {
	if n < 0 {
		n = 0
	}
	size := (n + 16 + 15) &^ 15
	arenaMu.Lock()
	defer arenaMu.Unlock()
	if size > arenaSize {
		panic("native: arena too small")
	}
	if arenaNext+size > arenaSize {
		arenaNext = 0
	}
	off := arenaNext
	arenaNext += size
	clear(arena[off : off+size])
	return off
}

// addr is the address of an offset, as the kernel sees it.
func addr(off int) uintptr { return uintptr(unsafe.Pointer(&arena[off])) }

func load32(off int) uint32 {
	return atomic.LoadUint32((*uint32)(unsafe.Pointer(&arena[off])))
}

func load64(off int) uint64 {
	return atomic.LoadUint64((*uint64)(unsafe.Pointer(&arena[off])))
}

func store32(off int, v uint32) {
	atomic.StoreUint32((*uint32)(unsafe.Pointer(&arena[off])), v)
}

func store64(off int, v uint64) {
	atomic.StoreUint64((*uint64)(unsafe.Pointer(&arena[off])), v)
}

// copyOut returns a copy of n bytes at off.
func copyOut(off, n int) []byte {
	b := make([]byte, n)
	copy(b, arena[off:off+n])
	return b
}

// copyIn allocates room for b and copies it there.
func copyIn(b []byte) int {
	off := alloc(len(b))
	copy(arena[off:], b)
	return off
}

// Layouts of the records handed to the kernel (x64).
const (
	sizeofOverlapped = 32 // Internal, InternalHigh, Offset, OffsetHigh, hEvent
	sizeofWSABuf     = 16 // ULONG len (padded), CHAR* buf
	sizeofWSAMsg     = 56
)

// putWSABufs writes an array of WSABUF records and returns its offset.
func putWSABufs(bufs []bufRef) int {
	off := alloc(len(bufs) * sizeofWSABuf)
	for i, b := range bufs {
		store32(off+i*sizeofWSABuf, uint32(b.n))
		store64(off+i*sizeofWSABuf+8, uint64(b.ptr))
	}
	return off
}

type bufRef struct {
	ptr uintptr
	n   int
}

func le16(off int, v uint16) { binary.LittleEndian.PutUint16(arena[off:], v) }
