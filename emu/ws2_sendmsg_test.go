package emu_test

// WSASendMsg (seed 002) and its receive-side partner WSARecvMsg
// (LPFN_WSARECVMSG, WSAMSG): the return contract, every error of the
// WSASendMsg table the in-memory provider can produce, the WSAMSG rules
// (flags, control data, packet information, truncation) and the capture of
// the WSABUF array.
//
// Errors of the WSASendMsg table that the in-memory provider cannot
// produce:
//
// not testable here: WSAEINPROGRESS and WSAEINTR belong to Winsock 1.1
// blocking calls and WSACancelBlockingCall, which the emulator does not have.
// not testable here: WSAENETDOWN, WSAENETRESET (TTL expiry) and WSAENOBUFS
// (buffer deadlock): the in-memory network never fails, has no TTL and
// never runs out of buffers.
// not testable here: WSAETIMEDOUT (SO_SNDTIMEO) and WSAEWOULDBLOCK: an
// in-memory send never has to wait, so a blocking send never times out and
// a non-blocking one never would block.
// not testable here: WSAEINVAL for "not created with the overlapped flag":
// the emulator follows real Windows (docs/windows-behaviour.md: such a socket given an
// OVERLAPPED just completes the call), which TestWSASendMsgNonOverlappedSocket
// checks instead.
// not testable here: WSA_OPERATION_ABORTED on closesocket for a pending
// *send*: an in-memory send has left before WSASendMsg returns, so only its
// report is pending and closesocket lets that report stand (docs/windows-behaviour.md:
// "a cancelled operation may still complete successfully").
// TestWSASendMsgCloseWithPendingSend checks that; closesocket aborting
// pending receives is in ws2_cancel_test.go.

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/emu"
	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

func u32(v uint32) []byte {
	b := make([]byte, 4)
	binary.LittleEndian.PutUint32(b, v)
	return b
}

// smFix is a sender tx and a receiver rx, both bound to 127.0.0.1.
type smFix struct {
	*w2
	tx, rx         emu.SOCKET
	txAddr, rxAddr netip.AddrPort
}

func newSM(t *testing.T, kind provider.Kind, profile emu.Profile, opts ...emu.Option) *smFix {
	t.Helper()
	f := &smFix{w2: newW2(t, kind, profile, opts...)}
	f.tx, f.txAddr = f.udp4(f.A)
	f.rx, f.rxAddr = f.udp4(f.A)
	return f
}

// msgTo builds a WSAMSG that sends data to dst.
func msgTo(dst netip.AddrPort, data string) *emu.WSAMSG {
	return &emu.WSAMSG{Name: &dst, Namelen: nameLen(dst), Buffers: bufs(data)}
}

// WSASendMsg, Return value: 0 when the send completes at once (and
// lpNumberOfBytesSent holds the count); SOCKET_ERROR with WSA_IO_PENDING when
// it was started and completes later (lpNumberOfBytesSent "is not updated");
// SOCKET_ERROR with another code when it failed. Overlapped Socket I/O: the
// count of a pending send comes from WSAGetOverlappedResult.
func TestWSASendMsgReturnContract(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		t.Run("immediate", func(t *testing.T) {
			f := newSM(t, kind, profile)
			ev := f.event(f.A)
			ov := &emu.Overlapped{HEvent: ev}
			sent := uint32(sentinel)
			f.do(f.A, func(th *emu.Thread) {
				wantErr(t, "WSASendMsg", th.WSASendMsg(f.tx, msgTo(f.rxAddr, "hello"), 0, &sent, ov, nil), 0)
			})
			if sent != 5 {
				t.Errorf("lpNumberOfBytesSent = %#x, want 5 (updated on immediate completion)", sent)
			}
			if res := f.getResult(f.A, f.tx, ov); res.err != nil || res.n != 5 {
				t.Errorf("WSAGetOverlappedResult = %+v, want TRUE with 5 bytes", res)
			}
			if got, _, _ := f.recvNow(f.A, f.rx, 16); got != "hello" {
				t.Errorf("received %q", got)
			}
		})
		t.Run("pending", func(t *testing.T) {
			f := newSM(t, kind, profile, pendAlways())
			ev := f.event(f.A)
			ov := &emu.Overlapped{HEvent: ev}
			sent := uint32(sentinel)
			f.do(f.A, func(th *emu.Thread) {
				wantErr(t, "WSASendMsg", th.WSASendMsg(f.tx, msgTo(f.rxAddr, "hello"), 0, &sent, ov, nil), wso.WSA_IO_PENDING)
			})
			if sent != sentinel {
				t.Errorf("lpNumberOfBytesSent = %#x after WSA_IO_PENDING, want it not updated", sent)
			}
			if f.signalled(ev) {
				t.Error("event signalled while the send is pending")
			}
			wantErr(t, "result while pending", f.getResult(f.A, f.tx, ov).err, wso.WSA_IO_INCOMPLETE)
			f.settle()
			if !f.signalled(ev) {
				t.Error("event not signalled after the send completed")
			}
			if res := f.getResult(f.A, f.tx, ov); res.err != nil || res.n != 5 {
				t.Errorf("WSAGetOverlappedResult = %+v, want TRUE with 5 bytes", res)
			}
			if sent != sentinel {
				t.Errorf("lpNumberOfBytesSent = %#x after the pending send completed, want it never written", sent)
			}
		})
		t.Run("error", func(t *testing.T) {
			f := newSM(t, kind, profile)
			ev := f.event(f.A)
			ov := &emu.Overlapped{HEvent: ev}
			sent := uint32(sentinel)
			f.do(f.A, func(th *emu.Thread) {
				err := th.WSASendMsg(f.tx, msgTo(f.rxAddr, "x"), provider.MSG_PEEK, &sent, ov, nil)
				if err == nil || err == wso.WSA_IO_PENDING {
					t.Errorf("WSASendMsg with a bad flag: %v, want a failure other than WSA_IO_PENDING", err)
				}
				if th.WSAGetLastError() != wso.WSAEOPNOTSUPP {
					t.Errorf("WSAGetLastError = %v", th.WSAGetLastError())
				}
			})
			if sent != sentinel {
				t.Errorf("lpNumberOfBytesSent = %#x after a failure", sent)
			}
			f.settle()
			if f.signalled(ev) {
				t.Error("event signalled after an immediate failure")
			}
		})
	})
}

// smErrCase is one row of the WSASendMsg error table.
type smErrCase struct {
	name string
	// send performs the failing call (with f.ov unless the case says
	// otherwise) and returns its error.
	send func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error
	want func(profile emu.Profile) emu.Errno
	// after runs further checks once the call has failed.
	after func(t *testing.T, f *smFix)
}

func always(e emu.Errno) func(emu.Profile) emu.Errno { return func(emu.Profile) emu.Errno { return e } }

// WSASendMsg, Return value, error table: each code the in-memory provider
// can produce, from its documented trigger. Every failure is immediate, so
// (WSASend, Return value: "no completion indication will occur") the event
// stays unsignalled, and a non-IFS provider has not touched the record.
func TestWSASendMsgErrors(t *testing.T) {
	bcast := netip.MustParseAddrPort("255.255.255.255:7")
	cases := []smErrCase{
		{
			// WSAEACCES: "The requested address is a broadcast address, but
			// the appropriate flag was not set."
			name: "WSAEACCES/broadcast-without-SO_BROADCAST",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				return th.WSASendMsg(f.tx, msgTo(bcast, "b"), 0, &sent, ov, nil)
			},
			want: always(wso.WSAEACCES),
		},
		{
			// WSAEFAULT: "name member ... was a NULL pointer and the
			// namelen member ... was not set to zero".
			name: "WSAEFAULT/name-nil-namelen-nonzero",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				msg := &emu.WSAMSG{Name: nil, Namelen: provider.SizeofSockaddrInet4, Buffers: bufs("x")}
				return th.WSASendMsg(f.tx, msg, 0, &sent, ov, nil)
			},
			want: always(wso.WSAEFAULT),
		},
		{
			// WSAEFAULT: "Control.buf member ... was a NULL pointer and the
			// Control.len member ... was not set to zero".
			name: "WSAEFAULT/control-buf-nil-len-nonzero",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				msg := msgTo(f.rxAddr, "x")
				msg.Control = emu.WSABUF{Len: 24, Buf: nil}
				return th.WSASendMsg(f.tx, msg, 0, &sent, ov, nil)
			},
			want: always(wso.WSAEFAULT),
		},
		{
			// WSAEFAULT: lpMsg "not totally contained in a valid part of
			// the user address space" (here: nil).
			name: "WSAEFAULT/msg-nil",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				return th.WSASendMsg(f.tx, nil, 0, &sent, ov, nil)
			},
			want: always(wso.WSAEFAULT),
		},
		{
			// lpNumberOfBytesSent: "can be NULL only if the lpOverlapped
			// parameter is not NULL"; a NULL one with no record is outside
			// the address space: WSAEFAULT.
			name: "WSAEFAULT/sent-nil-without-overlapped",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				return th.WSASendMsg(f.tx, msgTo(f.rxAddr, "x"), 0, nil, nil, nil)
			},
			want: always(wso.WSAEFAULT),
		},
		{
			// WSAEFAULT: a buffer of lpBuffers not totally contained in
			// valid memory (a WSABUF whose len exceeds its buffer).
			name: "WSAEFAULT/wsabuf-len-past-buffer",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				msg := msgTo(f.rxAddr, "")
				msg.Buffers = []emu.WSABUF{{Len: 2, Buf: []byte("ab")}, {Len: 9, Buf: []byte("short")}}
				return th.WSASendMsg(f.tx, msg, 0, &sent, ov, nil)
			},
			want: always(wso.WSAEFAULT),
		},
		{
			// WSAEINVAL: "The socket has not been bound with bind". The
			// docs profile enforces it; the windows profile binds
			// implicitly as sendto does (docs/windows-behaviour.md, Wine's
			// permissive WSASendMsg), checked in TestWSASendMsgUnbound.
			name: "WSAEINVAL/unbound",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				s, err := th.Socket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP)
				if err != nil {
					t.Errorf("socket: %v", err)
				}
				var sent uint32
				return th.WSASendMsg(s, msgTo(f.rxAddr, "x"), 0, &sent, ov, nil)
			},
			want: func(p emu.Profile) emu.Errno {
				if p == emu.ProfileDocs {
					return wso.WSAEINVAL
				}
				return 0
			},
		},
		{
			// WSAEMSGSIZE: "the message is larger than the maximum
			// supported by the underlying transport"; Remarks: "no data
			// is transmitted".
			name: "WSAEMSGSIZE/over-SO_MAX_MSG_SIZE",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				big := strings.Repeat("m", 65508)
				return th.WSASendMsg(f.tx, msgTo(f.rxAddr, big), 0, &sent, ov, nil)
			},
			want: always(wso.WSAEMSGSIZE),
			after: func(t *testing.T, f *smFix) {
				if n := f.queued(f.A, f.rx); n != 0 {
					t.Errorf("receiver has %d bytes queued after WSAEMSGSIZE, want nothing transmitted", n)
				}
			},
		},
		{
			// WSAEMSGSIZE counts the whole gather list, not one buffer.
			name: "WSAEMSGSIZE/gathered",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				half := []byte(strings.Repeat("h", 32754))
				msg := msgTo(f.rxAddr, "")
				msg.Buffers = []emu.WSABUF{{Len: uint32(len(half)), Buf: half}, {Len: uint32(len(half)), Buf: half}}
				return th.WSASendMsg(f.tx, msg, 0, &sent, ov, nil)
			},
			want: always(wso.WSAEMSGSIZE),
			after: func(t *testing.T, f *smFix) {
				if n := f.queued(f.A, f.rx); n != 0 {
					t.Errorf("receiver has %d bytes queued, want nothing transmitted", n)
				}
			},
		},
		{
			// WSAENETUNREACH: "The network is unreachable" (the in-memory
			// network has only the loopback).
			name: "WSAENETUNREACH/ipv4",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				return th.WSASendMsg(f.tx, msgTo(netip.MustParseAddrPort("10.1.2.3:9"), "x"), 0, &sent, ov, nil)
			},
			want: always(wso.WSAENETUNREACH),
		},
		{
			// WSAENOTCONN: "The socket is not connected" (no name and no
			// default peer).
			name: "WSAENOTCONN/no-destination",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				return th.WSASendMsg(f.tx, &emu.WSAMSG{Buffers: bufs("x")}, 0, &sent, ov, nil)
			},
			want: always(wso.WSAENOTCONN),
		},
		{
			// WSAENOTSOCK: "The descriptor is not a socket" (an event
			// handle).
			name: "WSAENOTSOCK/event-handle",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				return th.WSASendMsg(emu.SOCKET(ov.HEvent), msgTo(f.rxAddr, "x"), 0, &sent, ov, nil)
			},
			want: always(wso.WSAENOTSOCK),
		},
		{
			// WSAENOTSOCK: a value that is no handle at all.
			name: "WSAENOTSOCK/garbage",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				return th.WSASendMsg(emu.SOCKET(0xBAD0), msgTo(f.rxAddr, "x"), 0, &sent, ov, nil)
			},
			want: always(wso.WSAENOTSOCK),
		},
		{
			// WSAENOTSOCK: a socket handle after closesocket.
			name: "WSAENOTSOCK/closed",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				wantErr(t, "closesocket", th.Closesocket(f.tx), 0)
				var sent uint32
				return th.WSASendMsg(f.tx, msgTo(f.rxAddr, "x"), 0, &sent, ov, nil)
			},
			want: always(wso.WSAENOTSOCK),
		},
		{
			// WSAEOPNOTSUPP / Remarks: "dwFlags parameter can only contain
			// a combination of ... MSG_DONTROUTE, MSG_PARTIAL, and MSG_OOB".
			name: "WSAEOPNOTSUPP/MSG_PEEK",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				return th.WSASendMsg(f.tx, msgTo(f.rxAddr, "x"), provider.MSG_PEEK, &sent, ov, nil)
			},
			want: always(wso.WSAEOPNOTSUPP),
		},
		{
			name: "WSAEOPNOTSUPP/MSG_WAITALL",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				return th.WSASendMsg(f.tx, msgTo(f.rxAddr, "x"), provider.MSG_WAITALL|provider.MSG_DONTROUTE, &sent, ov, nil)
			},
			want: always(wso.WSAEOPNOTSUPP),
		},
		{
			// WSASend, WSAEOPNOTSUPP: "MSG_OOB was specified, but the
			// socket is not stream-style".
			name: "WSAEOPNOTSUPP/MSG_OOB-on-UDP",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				return th.WSASendMsg(f.tx, msgTo(f.rxAddr, "x"), provider.MSG_OOB, &sent, ov, nil)
			},
			want: always(wso.WSAEOPNOTSUPP),
		},
		{
			// WSASendMsg, MSG_PARTIAL: "WSAEOPNOTSUPP will be returned by
			// transports that do not support partial message
			// transmissions" (UDP does not).
			name: "WSAEOPNOTSUPP/MSG_PARTIAL-on-UDP",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				var sent uint32
				return th.WSASendMsg(f.tx, msgTo(f.rxAddr, "x"), provider.MSG_PARTIAL, &sent, ov, nil)
			},
			want: always(wso.WSAEOPNOTSUPP),
		},
		{
			// WSAESHUTDOWN: not possible "after shutdown has been invoked
			// with how set to SD_SEND".
			name: "WSAESHUTDOWN/SD_SEND",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				wantErr(t, "shutdown", th.Shutdown(f.tx, provider.SD_SEND), 0)
				var sent uint32
				return th.WSASendMsg(f.tx, msgTo(f.rxAddr, "x"), 0, &sent, ov, nil)
			},
			want: always(wso.WSAESHUTDOWN),
		},
		{
			// WSAESHUTDOWN: ... "or SD_BOTH".
			name: "WSAESHUTDOWN/SD_BOTH",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				wantErr(t, "shutdown", th.Shutdown(f.tx, provider.SD_BOTH), 0)
				var sent uint32
				return th.WSASendMsg(f.tx, msgTo(f.rxAddr, "x"), 0, &sent, ov, nil)
			},
			want: always(wso.WSAESHUTDOWN),
		},
		{
			// SD_RECEIVE does not stop sends (the WSAESHUTDOWN row names
			// SD_SEND and SD_BOTH only).
			name: "success/SD_RECEIVE",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				wantErr(t, "shutdown", th.Shutdown(f.tx, provider.SD_RECEIVE), 0)
				var sent uint32
				return th.WSASendMsg(f.tx, msgTo(f.rxAddr, "x"), 0, &sent, ov, nil)
			},
			want: always(0),
		},
		{
			// WSANOTINITIALISED: "A successful WSAStartup call must occur
			// before using this function" (after WSACleanup there is
			// none).
			name: "WSANOTINITIALISED/after-WSACleanup",
			send: func(t *testing.T, f *smFix, th *emu.Thread, ov *emu.Overlapped) error {
				wantErr(t, "WSACleanup", th.WSACleanup(), 0)
				var sent uint32
				return th.WSASendMsg(f.tx, msgTo(f.rxAddr, "x"), 0, &sent, ov, nil)
			},
			want: always(wso.WSANOTINITIALISED),
		},
	}
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f := newSM(t, kind, profile)
				ev := f.event(f.A)
				ov := &emu.Overlapped{Internal: sentinel, InternalHigh: sentinel, Offset: sentinel, OffsetHigh: sentinel, HEvent: ev}
				var err error
				f.do(f.A, func(th *emu.Thread) {
					err = c.send(t, f, th, ov)
					if e, ok := err.(emu.Errno); ok && th.WSAGetLastError() != e {
						t.Errorf("WSAGetLastError = %v, returned %v", th.WSAGetLastError(), e)
					}
				})
				want := c.want(profile)
				wantErr(t, "WSASendMsg", err, want)
				if c.after != nil {
					c.after(t, f)
				}
				if want == 0 {
					return
				}
				f.settle()
				if f.signalled(ev) {
					t.Error("event signalled after an immediate failure")
				}
				if !f.ifs() {
					// A non-IFS provider checks everything before it
					// marks the record in progress.
					if got := ov.Snapshot(); got.Internal != sentinel || got.InternalHigh != sentinel || got.Offset != sentinel || got.OffsetHigh != sentinel {
						t.Errorf("record written by a failed call: %+v", got)
					}
				} else if ov.InternalHigh != sentinel || ov.Offset != sentinel || ov.OffsetHigh != sentinel {
					// IFS: ws2_32 may have written STATUS_PENDING into
					// Internal before the provider refused (docs/windows-behaviour.md,
					// Wine); nothing else is written.
					t.Errorf("record written by a failed call: %+v", ov.Snapshot())
				}
			})
		}
	})
}

// WSASendMsg, WSANOTINITIALISED: before any WSAStartup.
func TestWSASendMsgBeforeStartup(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		s := emu.New(emu.WithProviderKind(kind), emu.WithProfile(profile))
		defer s.Stop()
		st, _ := s.Stepper()
		a := st.NewThread("A")
		st.Call(a, func(th *emu.Thread) {
			dst := netip.MustParseAddrPort("127.0.0.1:9")
			var sent uint32
			wantErr(t, "WSASendMsg", th.WSASendMsg(emu.SOCKET(4), msgTo(dst, "x"), 0, &sent, nil, nil), wso.WSANOTINITIALISED)
			_, err := th.Socket(provider.AF_INET, provider.SOCK_DGRAM, 0)
			wantErr(t, "socket", err, wso.WSANOTINITIALISED)
		})
	})
}

// WSASendMsg, WSAEINVAL ("The socket has not been bound with bind"): the
// docs profile fails the call; the windows profile binds the socket to an
// ephemeral port as sendto does (docs/windows-behaviour.md: Wine's WSASendMsg is
// permissive) and the datagram arrives from 127.0.0.1 and that port.
func TestWSASendMsgUnbound(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		s := f.unbound(f.A, provider.AF_INET)
		var err error
		f.do(f.A, func(th *emu.Thread) {
			var sent uint32
			err = th.WSASendMsg(s, msgTo(f.rxAddr, "imp"), 0, &sent, nil, nil)
		})
		if profile == emu.ProfileDocs {
			wantErr(t, "WSASendMsg unbound (docs)", err, wso.WSAEINVAL)
			if n := f.queued(f.A, f.rx); n != 0 {
				t.Errorf("receiver got %d bytes", n)
			}
			return
		}
		wantErr(t, "WSASendMsg unbound (windows)", err, 0)
		var name netip.AddrPort
		f.do(f.A, func(th *emu.Thread) {
			var err error
			name, err = th.Getsockname(s)
			wantErr(t, "getsockname after the implicit bind", err, 0)
		})
		if name.Port() < 49152 {
			t.Errorf("implicit bind gave %v, want an ephemeral port", name)
		}
		data, from, err := f.recvNow(f.A, f.rx, 16)
		if err != nil || data != "imp" || from != netip.AddrPortFrom(lo4, name.Port()) {
			t.Errorf("received %q from %v (%v), want %q from 127.0.0.1:%d", data, from, err, "imp", name.Port())
		}
	})
}

// WSASendMsg, WSAEMSGSIZE and Remarks ("care must be taken not to exceed
// the maximum message size ... SO_MAX_MSG_SIZE"): a datagram of exactly
// SO_MAX_MSG_SIZE goes (65507 over IPv4, 65527 over IPv6); one more byte is
// WSAEMSGSIZE and nothing is transmitted.
func TestWSASendMsgMaxMsgSize(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, lo := range []netip.Addr{lo4, lo6} {
			f := &smFix{w2: newW2(t, kind, profile)}
			f.tx, f.txAddr = f.udp(f.A, netip.AddrPortFrom(lo, 0))
			f.rx, f.rxAddr = f.udp(f.A, netip.AddrPortFrom(lo, 0))
			var max uint32
			f.do(f.A, func(th *emu.Thread) {
				val := make([]byte, 4)
				optlen := int32(4)
				wantErr(t, "getsockopt(SO_MAX_MSG_SIZE)", th.Getsockopt(f.tx, provider.SOL_SOCKET, provider.SO_MAX_MSG_SIZE, val, &optlen), 0)
				max = binary.LittleEndian.Uint32(val)
				var sent uint32
				wantErr(t, "one byte over", th.WSASendMsg(f.tx, msgTo(f.rxAddr, strings.Repeat("o", int(max)+1)), 0, &sent, nil, nil), wso.WSAEMSGSIZE)
			})
			if n := f.queued(f.A, f.rx); n != 0 {
				t.Errorf("%v: %d bytes arrived after WSAEMSGSIZE", lo, n)
			}
			f.do(f.A, func(th *emu.Thread) {
				var sent uint32
				wantErr(t, "exactly the maximum", th.WSASendMsg(f.tx, msgTo(f.rxAddr, strings.Repeat("o", int(max))), 0, &sent, nil, nil), 0)
				if sent != max {
					t.Errorf("sent %d of %d", sent, max)
				}
			})
			if n := f.queued(f.A, f.rx); n != max {
				t.Errorf("%v: FIONREAD = %d, want %d", lo, n, max)
			}
		}
	})
}

// WSASendMsg, WSAEACCES: with SO_BROADCAST set the broadcast goes, and a
// socket bound to the wildcard address on that port receives it. WSAMSG,
// flags returned: MSG_BCAST "The datagram was received as a link-layer
// broadcast or with a destination IP address that is a broadcast address";
// a unicast datagram does not have it.
func TestWSASendMsgBroadcastAllowed(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile)
		rxw, rxwAddr := f.udp(f.A, netip.MustParseAddrPort("0.0.0.0:0"))
		dst := netip.AddrPortFrom(netip.MustParseAddr("255.255.255.255"), rxwAddr.Port())
		f.do(f.A, func(th *emu.Thread) {
			var sent uint32
			wantErr(t, "broadcast without SO_BROADCAST", th.WSASendMsg(f.tx, msgTo(dst, "all"), 0, &sent, nil, nil), wso.WSAEACCES)
			wantErr(t, "setsockopt(SO_BROADCAST)", th.Setsockopt(f.tx, provider.SOL_SOCKET, provider.SO_BROADCAST, u32(1)), 0)
			wantErr(t, "broadcast with SO_BROADCAST", th.WSASendMsg(f.tx, msgTo(dst, "all"), 0, &sent, nil, nil), 0)
		})
		if data, from, err := f.recvNow(f.A, rxw, 16); err != nil || data != "all" || from != f.txAddr {
			t.Errorf("broadcast received %q from %v (%v)", data, from, err)
		}
		uni := netip.AddrPortFrom(lo4, rxwAddr.Port())
		for _, dst := range []netip.AddrPort{dst, uni} {
			f.do(f.A, func(th *emu.Thread) {
				var sent uint32
				wantErr(t, "WSASendMsg", th.WSASendMsg(f.tx, msgTo(dst, "m"), 0, &sent, nil, nil), 0)
				var n uint32
				msg := &emu.WSAMSG{Buffers: []emu.WSABUF{{Len: 4, Buf: make([]byte, 4)}}}
				wantErr(t, "WSARecvMsg", th.WSARecvMsg(rxw, msg, &n, nil, nil), 0)
				if got, want := msg.Flags&provider.MSG_BCAST != 0, dst == uni; got == want {
					t.Errorf("to %v: msg.Flags = %#x", dst, msg.Flags)
				}
			})
		}
	})
}

// WSASendTo, WSAEADDRNOTAVAIL: "The remote address is not a valid address
// (such as ADDR_ANY)". WSASendMsg's table does not list the code, but the
// same transport answers it the same way.
func TestSendToAddrAny(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		r := newW2(t, kind, profile)
		s4, _ := r.udp4(r.A)
		s6, _ := r.udp(r.A, netip.AddrPortFrom(lo6, 0))
		r.do(r.A, func(th *emu.Thread) {
			for s, dst := range map[emu.SOCKET]netip.AddrPort{s4: netip.MustParseAddrPort("0.0.0.0:5000"), s6: netip.MustParseAddrPort("[::]:5000")} {
				var sent uint32
				wantErr(t, "WSASendTo ADDR_ANY", th.WSASendTo(s, bufs("x"), &sent, 0, &dst, nameLen(dst), nil, nil), wso.WSAEADDRNOTAVAIL)
				wantErr(t, "WSASendMsg ADDR_ANY", th.WSASendMsg(s, msgTo(dst, "x"), 0, &sent, nil, nil), wso.WSAEADDRNOTAVAIL)
			}
		})
	})
}

// WSASendMsg, WSAECONNRESET: "For a UDP datagram socket, this error would
// indicate that a previous send operation resulted in an ICMP 'Port
// Unreachable' message." A send to a loopback port nobody is bound to
// makes the sender's next receive fail with WSAECONNRESET (once), or a
// receive already pending complete with it. SIO_UDP_CONNRESET(FALSE) turns
// the report off.
func TestWSASendMsgConnReset(t *testing.T) {
	dead := netip.MustParseAddrPort("127.0.0.1:7")
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		t.Run("next-receive", func(t *testing.T) {
			f := newSM(t, kind, profile)
			f.do(f.A, func(th *emu.Thread) {
				var sent uint32
				wantErr(t, "send to a dead port", th.WSASendMsg(f.tx, msgTo(dead, "x"), 0, &sent, nil, nil), 0)
				b := make([]byte, 8)
				var n uint32
				ov := &emu.Overlapped{}
				msg := &emu.WSAMSG{Buffers: []emu.WSABUF{{Len: 8, Buf: b}}}
				wantErr(t, "next WSARecvMsg", th.WSARecvMsg(f.tx, msg, &n, ov, nil), wso.WSAECONNRESET)
				// The report is consumed: the following receive just pends.
				wantErr(t, "second WSARecvMsg", th.WSARecvMsg(f.tx, msg, &n, ov, nil), wso.WSA_IO_PENDING)
			})
		})
		t.Run("pending-receive", func(t *testing.T) {
			f := newSM(t, kind, profile)
			ev := f.event(f.A)
			ov := &emu.Overlapped{HEvent: ev}
			f.do(f.A, func(th *emu.Thread) {
				b := make([]byte, 8)
				var n uint32
				msg := &emu.WSAMSG{Buffers: []emu.WSABUF{{Len: 8, Buf: b}}}
				wantErr(t, "WSARecvMsg", th.WSARecvMsg(f.tx, msg, &n, ov, nil), wso.WSA_IO_PENDING)
				var sent uint32
				wantErr(t, "send to a dead port", th.WSASendMsg(f.tx, msgTo(dead, "x"), 0, &sent, nil, nil), 0)
			})
			if !f.signalled(ev) {
				t.Fatal("pending receive not completed by the port-unreachable report")
			}
			wantErr(t, "result", f.getResult(f.A, f.tx, ov).err, wso.WSAECONNRESET)
		})
		t.Run("SIO_UDP_CONNRESET-off", func(t *testing.T) {
			f := newSM(t, kind, profile)
			f.do(f.A, func(th *emu.Thread) {
				var ret uint32
				wantErr(t, "SIO_UDP_CONNRESET", th.WSAIoctl(f.tx, provider.SIO_UDP_CONNRESET, u32(0), nil, &ret, nil, nil), 0)
				var sent uint32
				wantErr(t, "send to a dead port", th.WSASendMsg(f.tx, msgTo(dead, "x"), 0, &sent, nil, nil), 0)
				b := make([]byte, 8)
				var n uint32
				msg := &emu.WSAMSG{Buffers: []emu.WSABUF{{Len: 8, Buf: b}}}
				wantErr(t, "next WSARecvMsg", th.WSARecvMsg(f.tx, msg, &n, &emu.Overlapped{}, nil), wso.WSA_IO_PENDING)
			})
		})
	})
}

// WSASendMsg, lpOverlapped: "Ignored for non-overlapped sockets." A socket
// made without WSA_FLAG_OVERLAPPED given a record completes the call at
// once (docs/windows-behaviour.md: it does not pend, even when the Chooser would make
// an overlapped call pend), writes the count and runs no routine. The
// docs profile (and a non-IFS provider) leaves the record and its event
// alone; Windows' own provider (IFS, windows profile) writes the result
// into the record and sets its event, as Wine's sock.c
// test_nonblocking_async_recv shows for a receive.
func TestWSASendMsgNonOverlappedSocket(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile, pendAlways())
		ev := f.event(f.A)
		ov := &emu.Overlapped{Internal: sentinel, InternalHigh: sentinel, HEvent: ev}
		var s emu.SOCKET
		called := false
		f.do(f.A, func(th *emu.Thread) {
			var err error
			s, err = th.WSASocket(provider.AF_INET, provider.SOCK_DGRAM, provider.IPPROTO_UDP, 0)
			wantErr(t, "WSASocket without WSA_FLAG_OVERLAPPED", err, 0)
			la := netip.AddrPortFrom(lo4, 0)
			wantErr(t, "bind", th.Bind(s, &la, 16), 0)
			sent := uint32(sentinel)
			wantErr(t, "WSASendMsg", th.WSASendMsg(s, msgTo(f.rxAddr, "sync"), 0, &sent, ov, func(uint32, uint32, *emu.Overlapped, uint32) { called = true }), 0)
			if sent != 4 {
				t.Errorf("sent = %#x", sent)
			}
			th.SleepEx(0, true)
		})
		f.settle()
		f.do(f.A, func(th *emu.Thread) { th.SleepEx(0, true) })
		if called {
			t.Error("completion routine called for a non-overlapped socket")
		}
		if kind == provider.IFS && profile == emu.ProfileWindows {
			if !f.signalled(ev) {
				t.Error("windows, IFS: the event of the record was not set")
			}
			if ov.Internal != 0 || ov.InternalHigh != 4 {
				t.Errorf("windows, IFS: record %+v, want Internal 0, InternalHigh 4", ov.Snapshot())
			}
		} else {
			if f.signalled(ev) {
				t.Error("event signalled for a non-overlapped socket")
			}
			if ov.Internal != sentinel || ov.InternalHigh != sentinel {
				t.Errorf("record written for a non-overlapped socket: %+v", ov.Snapshot())
			}
		}
		if data, _, _ := f.recvNow(f.A, f.rx, 8); data != "sync" {
			t.Errorf("received %q", data)
		}
	})
}

// WSASendMsg, Remarks: "The dwFlags member of the WSAMSG structure ... is
// ignored on input and not used on output." Garbage there does not fail
// the call (as a bad dwFlags argument would), and the member is left as it
// was, immediate or pending.
func TestWSASendMsgMsgFlagsIgnored(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, pend := range []bool{false, true} {
			var opts []emu.Option
			if pend {
				opts = append(opts, pendAlways())
			}
			f := newSM(t, kind, profile, opts...)
			msg := msgTo(f.rxAddr, "flags")
			msg.Flags = 0xFFFFFFFF
			ov := &emu.Overlapped{}
			f.do(f.A, func(th *emu.Thread) {
				var sent uint32
				err := th.WSASendMsg(f.tx, msg, 0, &sent, ov, nil)
				if err != nil && err != wso.WSA_IO_PENDING {
					t.Errorf("WSASendMsg with msg.Flags = all ones: %v", err)
				}
			})
			f.settle()
			if msg.Flags != 0xFFFFFFFF {
				t.Errorf("pend=%v: msg.Flags = %#x, want it left alone", pend, msg.Flags)
			}
			if data, _, _ := f.recvNow(f.A, f.rx, 8); data != "flags" {
				t.Errorf("received %q", data)
			}
		}
	})
}

// WSASendMsg, Remarks: "it is the Winsock service provider's
// responsibility to capture this WSABUF structure before returning from
// this call", so the caller may reuse or clear its (stack-based) WSABUF
// array at once. The same holds for WSARecvMsg (LPFN_WSARECVMSG, Remarks)
// and WSARecv: after a pending receive the array is overwritten, and the
// datagram still lands in the buffers named at issue.
func TestWSABUFCapture(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		t.Run("send", func(t *testing.T) {
			f := newSM(t, kind, profile, pendAlways())
			data := []byte("gather")
			wb := []emu.WSABUF{{Len: 3, Buf: data[:3]}, {Len: 3, Buf: data[3:]}}
			msg := &emu.WSAMSG{Name: &f.rxAddr, Namelen: 16, Buffers: wb}
			f.do(f.A, func(th *emu.Thread) {
				wantErr(t, "WSASendMsg", th.WSASendMsg(f.tx, msg, 0, nil, &emu.Overlapped{}, nil), wso.WSA_IO_PENDING)
				// The caller reuses its array and buffer before completion.
				wb[0], wb[1] = emu.WSABUF{}, emu.WSABUF{Len: 1, Buf: []byte("Z")}
				copy(data, "XXXXXX")
				msg.Buffers = nil
			})
			f.settle()
			if got, _, _ := f.recvNow(f.A, f.rx, 16); got != "gather" {
				t.Errorf("received %q, want what the WSABUFs held at issue", got)
			}
		})
		for _, via := range []string{"WSARecv", "WSARecvMsg"} {
			t.Run(via, func(t *testing.T) {
				f := newSM(t, kind, profile)
				b1, b2, other := make([]byte, 3), make([]byte, 4), make([]byte, 8)
				wb := []emu.WSABUF{{Len: 3, Buf: b1}, {Len: 4, Buf: b2}}
				msg := &emu.WSAMSG{Buffers: wb}
				ev := f.event(f.A)
				ov := &emu.Overlapped{HEvent: ev}
				f.do(f.A, func(th *emu.Thread) {
					var err error
					if via == "WSARecv" {
						var fl uint32
						err = th.WSARecv(f.rx, wb, nil, &fl, ov, nil)
					} else {
						err = th.WSARecvMsg(f.rx, msg, nil, ov, nil)
					}
					wantErr(t, via, err, wso.WSA_IO_PENDING)
					wb[0], wb[1] = emu.WSABUF{Len: 8, Buf: other}, emu.WSABUF{}
					msg.Buffers = []emu.WSABUF{{Len: 8, Buf: other}}
				})
				f.sendTo(f.A, f.tx, f.rxAddr, "scatter")
				if !f.signalled(ev) {
					t.Fatal("receive did not complete")
				}
				if string(b1) != "sca" || string(b2) != "tter" || !bytes.Equal(other, make([]byte, 8)) {
					t.Errorf("buffers: %q %q other=%q; want the datagram scattered over the buffers named at issue", b1, b2, other)
				}
				if res := f.getResult(f.A, f.rx, ov); res.err != nil || res.n != 7 {
					t.Errorf("result %+v", res)
				}
			})
		}
	})
}

// WSASendMsg, Remarks: on an IPv4 (IPv6) socket, an in_pktinfo (in6_pktinfo)
// control object "used to specify the local IP source address to use for
// sending". LPFN_WSARECVMSG, Remarks: with IP_PKTINFO (IPV6_PKTINFO) on, the
// receiver's control data holds an in_pktinfo (in6_pktinfo) with the address
// the datagram was sent to; WSAMSG name holds the sender (here the source
// the sender picked).
func TestWSASendMsgPktinfo(t *testing.T) {
	type fam struct {
		name            string
		wild            netip.AddrPort
		src, dst        netip.Addr
		level, opt      int32
		wantLevel, typ  uint32
		otherSrcDefault netip.Addr
	}
	fams := []fam{
		{"ipv4", netip.MustParseAddrPort("0.0.0.0:0"), netip.MustParseAddr("127.0.0.5"), netip.MustParseAddr("127.0.0.9"),
			provider.IPPROTO_IP, provider.IP_PKTINFO, provider.IPPROTO_IP, provider.IP_PKTINFO, lo4},
		{"ipv6", netip.MustParseAddrPort("[::]:0"), lo6, lo6,
			provider.IPPROTO_IPV6, provider.IPV6_PKTINFO, provider.IPPROTO_IPV6, provider.IPV6_PKTINFO, lo6},
	}
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, fm := range fams {
			t.Run(fm.name, func(t *testing.T) {
				r := newW2(t, kind, profile, pendAlways())
				tx, txAddr := r.udp(r.A, fm.wild)
				rx, rxAddr := r.udp(r.A, fm.wild)
				dst := netip.AddrPortFrom(fm.dst, rxAddr.Port())
				r.do(r.A, func(th *emu.Thread) {
					wantErr(t, "setsockopt(PKTINFO)", th.Setsockopt(rx, fm.level, fm.opt, u32(1)), 0)
				})
				for i, src := range []netip.Addr{fm.src, {}} {
					var from netip.AddrPort
					ctl := make([]byte, 64)
					rmsg := &emu.WSAMSG{Name: &from, Namelen: provider.SizeofSockaddrInet6,
						Buffers: []emu.WSABUF{{Len: 16, Buf: make([]byte, 16)}}, Control: emu.WSABUF{Len: 64, Buf: ctl}}
					rov := &emu.Overlapped{}
					r.do(r.A, func(th *emu.Thread) {
						wantErr(t, "WSARecvMsg", th.WSARecvMsg(rx, rmsg, nil, rov, nil), wso.WSA_IO_PENDING)
						smsg := msgTo(dst, "pkt")
						if src.IsValid() {
							c := provider.PktinfoControl(src)
							smsg.Control = emu.WSABUF{Len: uint32(len(c)), Buf: c}
						}
						wantErr(t, "WSASendMsg", th.WSASendMsg(tx, smsg, 0, nil, &emu.Overlapped{}, nil), wso.WSA_IO_PENDING)
					})
					r.settle()
					if res := r.getResult(r.A, rx, rov); res.err != nil || res.n != 3 {
						t.Fatalf("receive %d: %+v", i, res)
					}
					wantSrc := src
					if !wantSrc.IsValid() {
						wantSrc = fm.otherSrcDefault // no control data: the loopback address
					}
					if from != netip.AddrPortFrom(wantSrc, txAddr.Port()) {
						t.Errorf("receive %d: WSAMSG name = %v, want %v:%d", i, from, wantSrc, txAddr.Port())
					}
					addr, ifx, ok := provider.ParsePktinfo(ctl[:rmsg.Control.Len])
					if !ok || addr != fm.dst || ifx != provider.LoopbackIfIndex {
						t.Errorf("receive %d: control data gives %v if=%d ok=%v (len %d), want destination %v", i, addr, ifx, ok, rmsg.Control.Len, fm.dst)
					}
					if lvl := binary.LittleEndian.Uint32(ctl[8:]); lvl != fm.wantLevel || binary.LittleEndian.Uint32(ctl[12:]) != fm.typ {
						t.Errorf("receive %d: cmsg level/type = %d/%d", i, lvl, binary.LittleEndian.Uint32(ctl[12:]))
					}
					if rmsg.Flags&(provider.MSG_TRUNC|provider.MSG_CTRUNC) != 0 {
						t.Errorf("receive %d: flags %#x", i, rmsg.Flags)
					}
				}
				// Packet information of the other family is not the
				// socket's: it is ignored and the default source is used.
				var from netip.AddrPort
				rmsg := &emu.WSAMSG{Name: &from, Namelen: provider.SizeofSockaddrInet6, Buffers: []emu.WSABUF{{Len: 8, Buf: make([]byte, 8)}}}
				rov := &emu.Overlapped{}
				r.do(r.A, func(th *emu.Thread) {
					wantErr(t, "WSARecvMsg", th.WSARecvMsg(rx, rmsg, nil, rov, nil), wso.WSA_IO_PENDING)
					otherFam := lo6
					if fm.name == "ipv6" {
						otherFam = netip.MustParseAddr("127.0.0.7")
					}
					c := provider.PktinfoControl(otherFam)
					smsg := msgTo(dst, "fam")
					smsg.Control = emu.WSABUF{Len: uint32(len(c)), Buf: c}
					wantErr(t, "WSASendMsg with the other family's pktinfo", th.WSASendMsg(tx, smsg, 0, nil, &emu.Overlapped{}, nil), wso.WSA_IO_PENDING)
				})
				r.settle()
				if from != netip.AddrPortFrom(fm.otherSrcDefault, txAddr.Port()) {
					t.Errorf("other family's pktinfo: source %v, want the default %v", from, fm.otherSrcDefault)
				}
				// A source address that is not local to the host cannot be
				// chosen.
				r.do(r.A, func(th *emu.Thread) {
					bad := netip.MustParseAddr("10.9.9.9")
					if fm.name == "ipv6" {
						bad = netip.MustParseAddr("2001:db8::1")
					}
					c := provider.PktinfoControl(bad)
					smsg := msgTo(dst, "no")
					smsg.Control = emu.WSABUF{Len: uint32(len(c)), Buf: c}
					var sent uint32
					wantErr(t, "WSASendMsg from a foreign address", th.WSASendMsg(tx, smsg, 0, &sent, nil, nil), wso.WSAEADDRNOTAVAIL)
				})
			})
		}
	})
}

// WSAMSG, dwFlags "Flag returned": MSG_TRUNC "The datagram was truncated",
// MSG_CTRUNC "The control (ancillary) data was truncated"; WSAMSG, Remarks:
// "If the datagram or control data is truncated ... returns SOCKET_ERROR and
// ... WSAEMSGSIZE". LPFN_WSARECVMSG: a message larger than the buffers fills
// them and "the excess data is lost". Checked on an immediate receive
// (lpMsg's flags written at once) and on a pending one (flags written at
// completion; the error from WSAGetOverlappedResult).
func TestWSARecvMsgTruncation(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		for _, tc := range []struct {
			name     string
			bufLen   int
			ctlLen   int
			wantFlag uint32
		}{
			{"MSG_TRUNC", 4, 64, provider.MSG_TRUNC},
			{"MSG_CTRUNC", 16, 8, provider.MSG_CTRUNC},
			{"both", 4, 8, provider.MSG_TRUNC | provider.MSG_CTRUNC},
		} {
			t.Run(tc.name+"/immediate", func(t *testing.T) {
				f := newSM(t, kind, profile)
				f.do(f.A, func(th *emu.Thread) {
					wantErr(t, "IP_PKTINFO", th.Setsockopt(f.rx, provider.IPPROTO_IP, provider.IP_PKTINFO, u32(1)), 0)
				})
				f.sendTo(f.A, f.tx, f.rxAddr, "0123456789")
				b := make([]byte, tc.bufLen)
				msg := &emu.WSAMSG{Buffers: []emu.WSABUF{{Len: uint32(tc.bufLen), Buf: b}},
					Control: emu.WSABUF{Len: uint32(tc.ctlLen), Buf: make([]byte, tc.ctlLen)}}
				f.do(f.A, func(th *emu.Thread) {
					var n uint32
					wantErr(t, "WSARecvMsg", th.WSARecvMsg(f.rx, msg, &n, nil, nil), wso.WSAEMSGSIZE)
				})
				if msg.Flags&(provider.MSG_TRUNC|provider.MSG_CTRUNC) != tc.wantFlag {
					t.Errorf("msg.Flags = %#x, want %#x", msg.Flags, tc.wantFlag)
				}
				if k := min(tc.bufLen, 10); string(b[:k]) != "0123456789"[:k] {
					t.Errorf("buffer %q", b)
				}
				if tc.wantFlag&provider.MSG_CTRUNC != 0 && msg.Control.Len != 0 {
					t.Errorf("Control.Len = %d after MSG_CTRUNC, want 0", msg.Control.Len)
				}
				// The excess of the datagram is gone: nothing is left queued.
				if n := f.queued(f.A, f.rx); n != 0 {
					t.Errorf("%d bytes still queued", n)
				}
			})
			t.Run(tc.name+"/pending", func(t *testing.T) {
				f := newSM(t, kind, profile)
				f.do(f.A, func(th *emu.Thread) {
					wantErr(t, "IP_PKTINFO", th.Setsockopt(f.rx, provider.IPPROTO_IP, provider.IP_PKTINFO, u32(1)), 0)
				})
				b := make([]byte, tc.bufLen)
				msg := &emu.WSAMSG{Buffers: []emu.WSABUF{{Len: uint32(tc.bufLen), Buf: b}},
					Control: emu.WSABUF{Len: uint32(tc.ctlLen), Buf: make([]byte, tc.ctlLen)}}
				ov := &emu.Overlapped{Offset: sentinel}
				f.do(f.A, func(th *emu.Thread) {
					wantErr(t, "WSARecvMsg", th.WSARecvMsg(f.rx, msg, nil, ov, nil), wso.WSA_IO_PENDING)
				})
				f.sendTo(f.A, f.tx, f.rxAddr, "0123456789")
				if msg.Flags&(provider.MSG_TRUNC|provider.MSG_CTRUNC) != tc.wantFlag {
					t.Errorf("msg.Flags = %#x, want %#x", msg.Flags, tc.wantFlag)
				}
				res := f.getResult(f.A, f.rx, ov)
				wantErr(t, "WSAGetOverlappedResult", res.err, wso.WSAEMSGSIZE)
				if f.ifs() {
					// IFS (docs/windows-behaviour.md, truncated datagram): the
					// status is a warning, so *lpcbTransfer gets the bytes
					// that fit; Offset is never written, so the flags read
					// back are whatever the record held.
					if res.n != uint32(min(tc.bufLen, 10)) {
						t.Errorf("IFS: *lpcbTransfer = %#x, want %d", res.n, min(tc.bufLen, 10))
					}
					if res.flags != sentinel {
						t.Errorf("IFS: *lpdwFlags = %#x, want Offset as it was", res.flags)
					}
				} else {
					// Non-IFS (LPWSPGETOVERLAPPEDRESULT, Return value): "On
					// failure, the value pointed to by lpcbTransfer will not
					// be updated"; the flags are Offset, which the provider
					// set to the result flags.
					if res.n != sentinel {
						t.Errorf("non-IFS: *lpcbTransfer = %#x on failure, want it not updated", res.n)
					}
					if res.flags != tc.wantFlag {
						t.Errorf("non-IFS: *lpdwFlags = %#x, want %#x", res.flags, tc.wantFlag)
					}
				}
			})
		}
	})
}

// WSASendMsg, Remarks: "the posted buffers are guaranteed to be sent in the
// same order they are specified", however the completions are reported:
// several pending sends arrive in issue order.
func TestWSASendMsgOrder(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile, pendAlways())
		ovs := make([]*emu.Overlapped, 5)
		f.do(f.A, func(th *emu.Thread) {
			for i := range ovs {
				ovs[i] = &emu.Overlapped{}
				wantErr(t, "WSASendMsg", th.WSASendMsg(f.tx, msgTo(f.rxAddr, string(rune('a'+i))), 0, nil, ovs[i], nil), wso.WSA_IO_PENDING)
			}
		})
		f.settle()
		var got string
		for range ovs {
			d, _, _ := f.recvNow(f.A, f.rx, 4)
			got += d
		}
		if got != "abcde" {
			t.Errorf("datagrams arrived as %q, want issue order", got)
		}
	})
}

// WSASendMsg, WSA_OPERATION_ABORTED: "canceled due to ... the execution of
// the SIO_FLUSH command in WSAIoctl". The docs profile follows this: a
// pending WSASendMsg fails with WSA_OPERATION_ABORTED through its event.
// The windows profile follows current Windows (docs/windows-behaviour.md, SIO_FLUSH:
// unsupported): SIO_FLUSH fails with WSAEOPNOTSUPP and the send completes
// normally.
func TestWSASendMsgSIOFlush(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile, pendAlways())
		ev := f.event(f.A)
		ov := &emu.Overlapped{HEvent: ev}
		f.do(f.A, func(th *emu.Thread) {
			wantErr(t, "WSASendMsg", th.WSASendMsg(f.tx, msgTo(f.rxAddr, "flush"), 0, nil, ov, nil), wso.WSA_IO_PENDING)
			var ret uint32
			err := th.WSAIoctl(f.tx, provider.SIO_FLUSH, nil, nil, &ret, nil, nil)
			if profile == emu.ProfileDocs {
				wantErr(t, "SIO_FLUSH (docs)", err, 0)
			} else {
				wantErr(t, "SIO_FLUSH (windows)", err, wso.WSAEOPNOTSUPP)
			}
		})
		if profile == emu.ProfileDocs {
			if !f.signalled(ev) {
				t.Fatal("SIO_FLUSH did not complete the pending send")
			}
			res := f.getResult(f.A, f.tx, ov)
			wantErr(t, "aborted send", res.err, wso.WSA_OPERATION_ABORTED)
		} else {
			f.settle()
			res := f.getResult(f.A, f.tx, ov)
			if res.err != nil || res.n != 5 {
				t.Errorf("send after an unsupported SIO_FLUSH: %+v", res)
			}
		}
		// The overlapped form under the windows profile pends and then
		// fails with WSAEOPNOTSUPP (STATUS_NOT_SUPPORTED).
		if profile == emu.ProfileWindows {
			iov := &emu.Overlapped{}
			f.do(f.A, func(th *emu.Thread) {
				var n uint32
				wantErr(t, "overlapped SIO_FLUSH", th.WSAIoctl(f.tx, provider.SIO_FLUSH, nil, nil, &n, iov, nil), wso.WSA_IO_PENDING)
			})
			f.settle()
			wantErr(t, "overlapped SIO_FLUSH result", f.getResult(f.A, f.tx, iov).err, wso.WSAEOPNOTSUPP)
		}
	})
}

// LPWSPCLOSESOCKET, Remarks: pending overlapped operations are cancelled on
// close. A pending in-memory send has already transmitted its datagram, so
// only its report is outstanding; closesocket lets that report stand
// (docs/windows-behaviour.md: "a cancelled operation may still complete
// successfully"): the event is signalled and the result is the full count.
func TestWSASendMsgCloseWithPendingSend(t *testing.T) {
	forKinds(t, func(t *testing.T, kind provider.Kind, profile emu.Profile) {
		f := newSM(t, kind, profile, pendAlways())
		ev := f.event(f.A)
		ov := &emu.Overlapped{HEvent: ev}
		f.do(f.A, func(th *emu.Thread) {
			wantErr(t, "WSASendMsg", th.WSASendMsg(f.tx, msgTo(f.rxAddr, "late"), 0, nil, ov, nil), wso.WSA_IO_PENDING)
			wantErr(t, "closesocket", th.Closesocket(f.tx), 0)
		})
		f.settle()
		if !f.signalled(ev) {
			t.Error("event of the pending send not signalled by closesocket")
		}
		if ov.LoadInternal() == 0x103 {
			t.Error("record still pending after closesocket")
		}
		if got := ov.LoadInternalHigh(); got != 4 {
			t.Errorf("InternalHigh = %d, want 4", got)
		}
		if data, _, _ := f.recvNow(f.A, f.rx, 8); data != "late" {
			t.Errorf("received %q", data)
		}
	})
}
