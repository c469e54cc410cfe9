package mem

import (
	"net/netip"
	"reflect"
	"slices"
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
	p.socks.put(k.handle, k)
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
	small, at := p.socks.small, p.net.ports.at

	tr := reflect.ValueOf(p.apcRoutine()).Pointer()

	p.Reset(cfg)
	if p.trampoline == nil || reflect.ValueOf(p.trampoline).Pointer() != tr {
		t.Fatal("Reset did not keep the trampoline")
	}
	if &p.socks.small[0] != &small[0] ||
		reflect.ValueOf(p.net.ports.at).Pointer() != reflect.ValueOf(at).Pointer() {
		t.Error("Reset made new tables instead of emptying the old ones")
	}
	if p.socks.used != 0 || slices.ContainsFunc(p.socks.small, func(k *sock) bool { return k != nil }) {
		t.Errorf("Reset left sockets in the table: %+v", p.socks)
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
	got.socks.small = nil // emptied (checked above), its storage kept
	for _, m := range []*portMap{&got.net.ports, &got.net.tcp} {
		if len(m.at) == 0 && len(m.use) == 0 {
			m.at, m.use = nil, nil // emptied, kept (a new provider makes its maps at the first binding)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after Reset:\n%+v\na new provider:\n%+v", got, want)
	}
}

// The port maps of a run that made more bindings than a map holds in one
// group are dropped by Reset, not emptied: emptying costs what the most
// entries it ever held cost, every Reset after. A run that made few
// keeps them.
func TestResetDropsThePortMapsABigRunGrew(t *testing.T) {
	p := New(Config{})
	k := &sock{}
	for port := range uint16(smallPorts) {
		p.net.ports.put(netip.AddrPortFrom(loop4, 1000+port), k)
	}
	for port := range uint16(smallPorts + 1) {
		p.net.tcp.put(netip.AddrPortFrom(loop4, 1000+port), k)
	}
	udp, tcp := p.net.ports.at, p.net.tcp.at
	p.Reset(Config{})
	if reflect.ValueOf(p.net.ports.at).Pointer() != reflect.ValueOf(udp).Pointer() {
		t.Errorf("UDP map, %d bindings: not kept", smallPorts)
	}
	if p.net.tcp.at != nil || tcp == nil {
		t.Errorf("TCP map, %d bindings: emptied, not dropped", smallPorts+1)
	}
	if len(p.net.ports.at)+len(p.net.ports.use)+len(p.net.tcp.at)+len(p.net.tcp.use) != 0 || p.net.ports.puts+p.net.tcp.puts != 0 {
		t.Errorf("after Reset: %+v", p.net)
	}
}
