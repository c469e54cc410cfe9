package wsaoverlapped_test

import (
	"fmt"

	"github.com/wsaemu/wsaemu/wsaoverlapped"
)

// printer is an Observer that prints every field store.
type printer struct{}

func (printer) FieldWritten(_ *wsaoverlapped.Overlapped, f wsaoverlapped.Field, old, new uint64) {
	fmt.Printf("  %-12s %#x -> %#x\n", f, old, new)
}

// Example walks one record through each of the two field protocols and
// shows what a reader sees.
func Example() {
	var ov wsaoverlapped.Overlapped

	fmt.Println("non-IFS provider, a receive of 42 bytes:")
	wsaoverlapped.BeginNonIFS(&ov, printer{})
	_, _, _, done := wsaoverlapped.ResultNonIFS(&ov)
	fmt.Println("  done:", done)
	wsaoverlapped.SetProviderResult(&ov, 0, 0x8000, printer{}) // no error, MSG_PARTIAL
	wsaoverlapped.CompleteNonIFS(&ov, 42, printer{})
	n, err, flags, done := wsaoverlapped.ResultNonIFS(&ov)
	fmt.Println("  done:", done, "bytes:", n, "error:", err.Name(), "flags:", flags)

	fmt.Println("IFS provider, a truncated datagram:")
	ov = wsaoverlapped.Overlapped{}
	wsaoverlapped.BeginIFS(&ov, printer{})
	wsaoverlapped.CompleteIFS(&ov, wsaoverlapped.STATUS_BUFFER_OVERFLOW, 512, printer{})
	st, bytes, done := wsaoverlapped.ResultIFS(&ov)
	fmt.Println("  done:", done, "bytes:", bytes, "status:", st.Name())
	fmt.Println("  WSAGetOverlappedResult:", st.WSAError())
	fmt.Println("  GetOverlappedResult:   ", st.Win32Error())

	// Output:
	// non-IFS provider, a receive of 42 bytes:
	//   Internal     0x0 -> 0x103
	//   done: false
	//   OffsetHigh   0x0 -> 0x0
	//   Offset       0x0 -> 0x8000
	//   InternalHigh 0x0 -> 0x2a
	//   Internal     0x103 -> 0x0
	//   done: true bytes: 42 error: ERROR_SUCCESS flags: 32768
	// IFS provider, a truncated datagram:
	//   Internal     0x0 -> 0x103
	//   InternalHigh 0x0 -> 0x200
	//   Internal     0x103 -> 0x80000005
	//   done: true bytes: 512 status: STATUS_BUFFER_OVERFLOW
	//   WSAGetOverlappedResult: WSAEMSGSIZE (10040): the message did not fit in the buffer or exceeds the protocol's limit
	//   GetOverlappedResult:    ERROR_MORE_DATA (234): the data did not all fit in the buffer; more is available
}
