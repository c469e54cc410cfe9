package wsaoverlapped

import "strconv"

// Return values of the Wait* / WSAWaitForMultipleEvents family. They are
// plain uint32 values (DWORD), not Errno: WAIT_TIMEOUT itself is declared
// as an Errno (as golang.org/x/sys/windows does), so the wait-result
// spelling of 258 is WSA_WAIT_TIMEOUT, or uint32(WAIT_TIMEOUT).
const (
	WAIT_OBJECT_0      uint32 = 0x00000000
	WAIT_ABANDONED     uint32 = 0x00000080
	WAIT_ABANDONED_0   uint32 = WAIT_ABANDONED
	WAIT_IO_COMPLETION uint32 = 0x000000C0 // the value of STATUS_USER_APC
	WAIT_FAILED        uint32 = 0xFFFFFFFF

	WSA_WAIT_EVENT_0       uint32 = WAIT_OBJECT_0
	WSA_WAIT_IO_COMPLETION uint32 = WAIT_IO_COMPLETION
	WSA_WAIT_TIMEOUT       uint32 = 258 // same number as WAIT_TIMEOUT
	WSA_WAIT_FAILED        uint32 = WAIT_FAILED

	// INFINITE as a time-out means "never time out".
	INFINITE uint32 = 0xFFFFFFFF
	// WSA_INFINITE is Winsock's name for INFINITE.
	WSA_INFINITE uint32 = INFINITE
)

// Limits on how many objects one wait may name. They are untyped so that
// they compare directly with len().
const (
	MAXIMUM_WAIT_OBJECTS    = 64
	WSA_MAXIMUM_WAIT_EVENTS = MAXIMUM_WAIT_OBJECTS
)

// WaitName renders a wait result: "WAIT_OBJECT_0", "WAIT_OBJECT_0+2",
// "WAIT_ABANDONED", "WAIT_ABANDONED+1", "WAIT_IO_COMPLETION",
// "WAIT_TIMEOUT", "WAIT_FAILED". Anything else is shown as "WAIT(0x...)".
func WaitName(v uint32) string {
	switch {
	case v == WAIT_OBJECT_0:
		return "WAIT_OBJECT_0"
	case v < WAIT_OBJECT_0+MAXIMUM_WAIT_OBJECTS:
		return "WAIT_OBJECT_0+" + strconv.FormatUint(uint64(v-WAIT_OBJECT_0), 10)
	case v == WAIT_ABANDONED:
		return "WAIT_ABANDONED"
	case v > WAIT_ABANDONED && v < WAIT_ABANDONED+MAXIMUM_WAIT_OBJECTS:
		return "WAIT_ABANDONED+" + strconv.FormatUint(uint64(v-WAIT_ABANDONED), 10)
	case v == WAIT_IO_COMPLETION:
		return "WAIT_IO_COMPLETION"
	case v == WSA_WAIT_TIMEOUT:
		return "WAIT_TIMEOUT"
	case v == WAIT_FAILED:
		return "WAIT_FAILED"
	}
	return "WAIT(" + hex8(v) + ")"
}
