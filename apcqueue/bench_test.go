package apcqueue

import "testing"

type benchPayload struct {
	op    uintptr
	bytes uint32
	err   uint32
}

// One completion routine queued and run by one alertable wait.
func BenchmarkPushDrain(b *testing.B) {
	var q Queue[benchPayload]
	var sink uint32
	run := func(e Entry[benchPayload]) { sink += e.Payload.bytes }
	q.Push(Completion, 1, benchPayload{})
	q.Drain(nil, run)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		q.Push(Completion, 1, benchPayload{op: uintptr(i), bytes: 1})
		q.Drain(nil, run)
	}
	_ = sink
}

// Sixteen routines over four sockets queued, then one wait runs them all.
// Reported per push+run.
func BenchmarkPushDrain16(b *testing.B) {
	var q Queue[benchPayload]
	var sink uint32
	run := func(e Entry[benchPayload]) { sink += e.Payload.bytes }
	for i := range 16 {
		q.Push(Completion, uintptr(i%4+1), benchPayload{})
	}
	q.Drain(nil, run)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for j := range 16 {
			q.Push(Completion, uintptr(j%4+1), benchPayload{op: uintptr(i), bytes: 1})
		}
		q.Drain(nil, run)
	}
	_ = sink
}

// As BenchmarkPushDrain16, with a picker that always takes the newest
// candidate (every Take counts the candidates first).
func BenchmarkPushDrain16Last(b *testing.B) {
	var q Queue[benchPayload]
	var sink uint32
	p := &lastPicker{}
	run := func(e Entry[benchPayload]) { sink += e.Payload.bytes }
	for i := range 16 {
		q.Push(Completion, uintptr(i%4+1), benchPayload{})
	}
	q.Drain(p, run)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		for j := range 16 {
			q.Push(Kind(j%2), uintptr(j%4+1), benchPayload{op: uintptr(i), bytes: 1})
		}
		q.Drain(p, run)
	}
	_ = sink
}
