package spec

import (
	"bytes"
	"strings"
	"testing"
)

// The words issue 11 added for sock.c's argument checks decode into the
// arguments Windows is called with: WSAIoctl's to= is a SOCKADDR_IN input
// with an output of the same size, inlen=N cuts or zero-pads the input,
// nullin and nullout pass NULL pointers with their sizes, outbuf=B makes
// a declared buffer the output; getsockname takes a name buffer's length;
// bind's family=N replaces the SOCKADDR's family field.
func TestSockArgumentWords(t *testing.T) {
	head := "title t\nthread A\nsocket s udp4\nbuffer b 8\n"
	op := func(step string) Op {
		t.Helper()
		sc, err := Parse("d.scenario", strings.NewReader(head+"A: "+step+"\n"))
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		return sc.Steps[0].Call.Op
	}
	c := op("WSAIoctl s SIO_ROUTING_INTERFACE_QUERY to=127.0.0.1:0").(*WSAIoctlCall)
	want := []byte{2, 0, 0, 0, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(c.In, want) || c.InLen != 16 || c.OutLen != 16 {
		t.Errorf("to=127.0.0.1:0: in %v (%d bytes), out %d; want %v, 16, 16", c.In, c.InLen, c.OutLen, want)
	}
	c = op("WSAIoctl s FIONBIO value=1 inlen=6").(*WSAIoctlCall)
	if !bytes.Equal(c.In, []byte{1, 0, 0, 0, 0, 0}) || c.InLen != 6 {
		t.Errorf("inlen=6 pads with zeros: got %v, %d", c.In, c.InLen)
	}
	c = op("WSAIoctl s FIONBIO value=1 inlen=3").(*WSAIoctlCall)
	if !bytes.Equal(c.In, []byte{1, 0, 0}) || c.InLen != 3 {
		t.Errorf("inlen=3 cuts: got %v, %d", c.In, c.InLen)
	}
	c = op("WSAIoctl s SIO_ROUTING_INTERFACE_QUERY inlen=16 nullin out=16 nullout").(*WSAIoctlCall)
	if c.In != nil || c.InLen != 16 || !c.NullIn || !c.NullOut || c.OutLen != 16 {
		t.Errorf("nullin/nullout: got %+v", c)
	}
	c = op("WSAIoctl s SIO_BASE_HANDLE outbuf=b").(*WSAIoctlCall)
	if !c.OutBuf.Valid() || c.OutBuf.Name != "b" || c.OutLen != 8 {
		t.Errorf("outbuf=b: got %+v", c)
	}
	g := op("getsockname s namelen=15 nulllen").(*GetsocknameCall)
	if g.Namelen != 15 || !g.NullLen || g.NullName {
		t.Errorf("getsockname: got %+v", g)
	}
	if g := op("getsockname s").(*GetsocknameCall); g.Namelen != SizeofSockaddrStorage {
		t.Errorf("getsockname's default length: got %d", g.Namelen)
	}
	b := op("bind s 127.0.0.1:5000 family=0xdead").(*BindCall)
	if !b.HasFamily || b.Family != 0xdead || b.Namelen != 16 {
		t.Errorf("bind family=: got %+v", b)
	}
	r := op("WSARecvFrom s b NULL fromlen=1").(*WSARecvFromCall)
	if !r.HasFromlen || r.Fromlen != 1 {
		t.Errorf("fromlen=1: got %+v", r)
	}
}

// ADDR:* stands for an address with a port the system chose: any port but
// 0 (an implicit bind, or a bind to port 0).
func TestChosenPortValue(t *testing.T) {
	for _, tc := range []struct {
		got, want string
		ok        bool
	}{
		{"0.0.0.0:49152", "0.0.0.0:*", true},
		{"0.0.0.0:0", "0.0.0.0:*", false},
		{"127.0.0.1:5000", "0.0.0.0:*", false},
		{"[::1]:6000", "[::1]:*", true},
		{"untouched", "0.0.0.0:*", false},
		{"untouched", "untouched|0.0.0.0:*", true},
	} {
		if got := matchValue(tc.got, tc.want); got != tc.ok {
			t.Errorf("matchValue(%q, %q) = %v, want %v", tc.got, tc.want, got, tc.ok)
		}
	}
}
