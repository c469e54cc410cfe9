package mem

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/wsaemu/wsaemu/provider"
)

// Reset's promise (its doc): the provider is then in the state New gives,
// only the memory of its tables kept. A provider left with sockets,
// bindings, operations and handles of a last run is reset and compared,
// field by field, with a new one; its maps must be the ones it had.
func TestResetGivesTheStateOfANewMem(t *testing.T) {
	cfg := Config{Kind: provider.IFS}
	p := New(Config{Kind: provider.NonIFS})
	k := &sock{handle: 8, bound: true, local: netip.MustParseAddrPort("127.0.0.1:5000")}
	p.socks[k.handle] = k
	p.all = append(p.all, k)
	p.net.ports.put(k.local, k)
	p.net.tcp.put(netip.MustParseAddrPort("[::1]:6000"), k)
	p.net.nextPort = firstEphemeral + 3
	p.newOp(k, nil, nil, nil, []WSABUF{{Len: 3}})
	p.releaseOp(p.newOp(k, nil, nil, nil, nil))
	p.newOp(k, nil, nil, nil, nil)
	p.started, p.evFree, p.pollers = true, []Handle{12}, []Handle{16}
	p.scratch(64)
	p.afdWatch = func(SOCKET) {}
	socks, at := p.socks, p.net.ports.at

	p.Reset(cfg)
	if p.trampoline == nil {
		t.Fatal("Reset left no trampoline")
	}
	if reflect.ValueOf(p.socks).Pointer() != reflect.ValueOf(socks).Pointer() ||
		reflect.ValueOf(p.net.ports.at).Pointer() != reflect.ValueOf(at).Pointer() {
		t.Error("Reset made new maps instead of emptying the old ones")
	}
	for i, o := range p.ops {
		if !reflect.DeepEqual(*o, op{slot: i, bufs: o.bufs[:0]}) {
			t.Errorf("op %d after Reset: %+v", i, *o)
		}
	}
	if len(p.freeOps) != len(p.ops) || len(p.ops) != 2 {
		t.Fatalf("after Reset: %d operations, free slots %v", len(p.ops), p.freeOps)
	}
	for i := range p.ops {
		// newOp takes the last free slot: slot 0 first, as a new
		// provider's first operation gets.
		if p.freeOps[len(p.freeOps)-1-i] != i {
			t.Fatalf("free slots after Reset: %v", p.freeOps)
		}
	}
	got, want := *p, *New(cfg)
	got.ops, got.freeOps = nil, nil
	got.trampoline, want.trampoline = nil, nil // funcs never compare equal
	if len(got.all) == 0 {
		got.all = nil
	}
	if len(got.gather) == 0 {
		got.gather = nil
	}
	if len(got.evFree) == 0 && len(got.pollers) == 0 {
		got.evFree, got.pollers = nil, nil // emptied, their storage kept
	}
	// What a reset provider keeps of its runs (recycle.go) is checked by
	// the reuse tests; a new one has none of it.
	got.rec = recycler{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after Reset:\n%+v\na new provider:\n%+v", got, want)
	}
}
