package emu_test

import (
	"fmt"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The step driver: the caller says which thread makes which call. Thread A
// blocks in an alertable SleepEx; a later step on thread B queues an APC to
// A, which wakes A within that step: the APC runs on A and SleepEx returns
// WAIT_IO_COMPLETION.
func ExampleStepper() {
	s := emu.New()
	defer s.Stop()
	st, _ := s.Stepper()
	a := st.NewThread("A")
	b := st.NewThread("B")

	var r uint32
	res, _ := st.Call(a, func(t *emu.Thread) { r = t.SleepEx(emu.INFINITE, true) })
	fmt.Println("A's SleepEx returned within its step:", res.Returned)

	res, _ = st.Call(b, func(t *emu.Thread) {
		t.QueueUserAPC(func(t *emu.Thread, param uintptr) {
			fmt.Println("APC running on", t.Name(), "with param", param)
		}, a.Handle(), 7)
	})
	fmt.Println("B's step returned:", res.Returned, "- A idle again:", st.Idle(a))
	fmt.Println("SleepEx:", wso.WaitName(r))
	// Output:
	// A's SleepEx returned within its step: false
	// APC running on A with param 7
	// B's step returned: true - A idle again: true
	// SleepEx: WAIT_IO_COMPLETION
}

// The goroutine driver: each emulated thread is ordinary Go code calling
// blocking functions; Run lets one run at a time until all have ended.
// Time is virtual: the 20 ms sleep takes no real time.
func ExampleSystem_Run() {
	s := emu.New()
	var ev emu.Handle
	s.Go("waiter", func(t *emu.Thread) {
		ev, _ = t.CreateEvent(true, false)
		r, _ := t.WaitForSingleObject(ev, emu.INFINITE)
		fmt.Println("waiter:", wso.WaitName(r), "at", t.System().Now())
	})
	s.Go("setter", func(t *emu.Thread) {
		t.Sleep(20)
		fmt.Println("setter: SetEvent at", t.System().Now())
		t.SetEvent(ev)
	})
	if err := s.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// setter: SetEvent at 20ms
	// waiter: WAIT_OBJECT_0 at 20ms
}

// A seed fixes every decision, so the same seed gives the same trace byte
// for byte, while another seed may interleave the threads differently.
func ExampleSeededChooser() {
	run := func(seed uint64) (order, trace string) {
		s := emu.New(emu.WithChooser(emu.SeededChooser(seed)))
		for _, name := range []string{"a", "b", "c"} {
			s.Go(name, func(t *emu.Thread) {
				for i := 0; i < 2; i++ {
					order += name
					t.SleepEx(0, false) // a chance for another thread to run
				}
			})
		}
		if err := s.Run(); err != nil {
			fmt.Println(err)
		}
		return order, s.Trace().String()
	}
	order1, trace1 := run(1)
	order2, trace2 := run(1)
	fmt.Println("seed 1:", order1, order2, "- same trace:", trace1 == trace2)
	order3, trace3 := run(2)
	fmt.Println("seed 2:", order3, "- same trace as seed 1:", trace3 == trace1)
	// Output:
	// seed 1: bccbaa bccbaa - same trace: true
	// seed 2: bcaabc - same trace as seed 1: false
}
