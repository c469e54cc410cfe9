package apcqueue_test

import (
	"fmt"

	"github.com/wsaemu/wsaemu/apcqueue"
)

// Two QueueUserAPC calls and one completion routine for socket 7 are queued
// before the thread enters an alertable wait. The wait runs all three, then
// reports that it returned because APCs ran.
func Example() {
	const waitIOCompletion = 0xC0 // WAIT_IO_COMPLETION

	var q apcqueue.Queue[string]
	q.Push(apcqueue.User, 0, "first user APC")
	q.Push(apcqueue.Completion, 7, "WSARecv completion routine on socket 7")
	q.Push(apcqueue.User, 0, "second user APC")

	ran := q.Drain(nil, func(e apcqueue.Entry[string]) {
		fmt.Printf("seq %d %-10v %s (depth %d)\n", e.Seq, e.Kind, e.Payload, q.Depth())
	})

	result := uint32(0) // timed out / nothing ran
	if ran > 0 {
		result = waitIOCompletion
	}
	fmt.Printf("ran %d, wait returns %#x, %d left\n", ran, result, q.Len())
	// Output:
	// seq 1 User       first user APC (depth 1)
	// seq 2 Completion WSARecv completion routine on socket 7 (depth 1)
	// seq 3 User       second user APC (depth 1)
	// ran 3, wait returns 0xc0, 0 left
}
