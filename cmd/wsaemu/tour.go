package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/wsaemu/wsaemu/emu"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// tourStop is one built-in introductory scenario: it drives a System step
// by step, checks what the pages promise, and explains it.
type tourStop struct {
	title   string
	explain string
	run     func(st *emu.Stepper, check func(bool, string, ...any)) // drives the System
	after   string // what to notice in the timeline
}

func (ts tourStop) show(n int, w io.Writer, jsonOut bool) error {
	s := emu.New()
	defer s.Stop()
	st, err := s.Stepper()
	if err != nil {
		return err
	}
	var problems []string
	check := func(ok bool, format string, args ...any) {
		if !ok {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	ts.run(st, check)
	fmt.Fprintf(w, "=== Stop %d: %s\n\n%s\n\n", n, ts.title, indent(ts.explain))
	if jsonOut {
		if err := s.Trace().WriteJSON(w); err != nil {
			return err
		}
	} else if err := s.Trace().WriteText(w); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n\n", indent(ts.after))
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

func indent(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "  " + strings.TrimSpace(l)
	}
	return strings.Join(lines, "\n")
}

var tourStops = []tourStop{
	{
		title: "An APC waits for an alertable wait",
		explain: `QueueUserAPC puts a routine on a thread's APC queue. The thread runs it
only when it enters an alertable wait (SleepEx, WaitFor...Ex, with
bAlertable TRUE). A plain wait leaves it queued. The alertable wait runs
every queued APC, then returns WAIT_IO_COMPLETION (0xC0) instead of
waiting out its time.`,
		run: func(st *emu.Stepper, check func(bool, string, ...any)) {
			a := st.NewThread("A")
			b := st.NewThread("B")
			ran := 0
			st.Call(b, func(t *emu.Thread) {
				t.QueueUserAPC(func(*emu.Thread, uintptr) { ran++ }, a.Handle(), 1)
			})
			st.Call(a, func(t *emu.Thread) {
				r := t.SleepEx(100, false)
				check(r == 0 && ran == 0, "non-alertable SleepEx ran the APC or returned %#x", r)
			})
			st.Settle()
			st.Call(a, func(t *emu.Thread) {
				r := t.SleepEx(100, true)
				check(r == wso.WAIT_IO_COMPLETION && ran == 1, "alertable SleepEx returned %#x, APC ran %d times", r, ran)
			})
		},
		after: `The APC was queued at the start, slept through by the non-alertable
SleepEx (100ms of virtual time passed), and ran at once in the alertable
one, which then returned 192 = WAIT_IO_COMPLETION.`,
	},
	{
		title: "Overlapped read with an event: pending, then signalled",
		explain: `An overlapped ReadFile on an empty pipe cannot finish, so it returns
FALSE with ERROR_IO_PENDING. The I/O manager has written STATUS_PENDING
(0x103) into Internal and reset the event. When data arrives it writes
InternalHigh (the byte count), then Internal (the status), then signals the
event. GetOverlappedResult reads those fields back.`,
		run: func(st *emu.Stepper, check func(bool, string, ...any)) {
			a := st.NewThread("reader")
			b := st.NewThread("writer")
			var rh, wh, ev emu.Handle
			ov := &emu.Overlapped{}
			buf := make([]byte, 16)
			st.Call(a, func(t *emu.Thread) {
				rh, wh, _ = t.CreatePipe(emu.PipeOptions{})
				ev, _ = t.CreateEvent(true, false)
				ov.HEvent = ev
				err := t.ReadFile(rh, buf, nil, ov)
				check(err == wso.ERROR_IO_PENDING, "ReadFile: want ERROR_IO_PENDING, got %v", err)
				check(!wso.HasOverlappedIoCompleted(ov), "Internal should say pending")
			})
			st.Call(a, func(t *emu.Thread) { t.WaitForSingleObject(ev, emu.INFINITE) })
			st.Call(b, func(t *emu.Thread) {
				var n uint32
				t.WriteFile(wh, []byte("hello"), &n, &emu.Overlapped{})
			})
			st.Call(a, func(t *emu.Thread) {
				var n uint32
				err := t.GetOverlappedResult(rh, ov, &n, false)
				check(err == nil && n == 5, "GetOverlappedResult: %v, %d bytes", err, n)
			})
		},
		after: `Look at ov1: Internal 0 -> 0x103 when the read was issued; then, inside the
writer's WriteFile, InternalHigh -> 5 and only then Internal -> 0. The
signal of the event woke the reader's wait.`,
	},
	{
		title: "A message longer than the buffer: bytes and an error together",
		explain: `On a message-mode pipe, a read whose buffer is smaller than the message
takes what fits and completes with STATUS_BUFFER_OVERFLOW, a warning.
ReadFileEx's completion routine gets dwErrorCode 0 and the byte count,
while GetOverlappedResult fails with ERROR_MORE_DATA (234) and also
reports the bytes. The rest of the message waits for the next read.`,
		run: func(st *emu.Stepper, check func(bool, string, ...any)) {
			a := st.NewThread("reader")
			b := st.NewThread("writer")
			var rh, wh emu.Handle
			ov := &emu.Overlapped{}
			buf := make([]byte, 4)
			var gotErr, gotN uint32 = 99, 99
			st.Call(b, func(t *emu.Thread) {
				rh, wh, _ = t.CreatePipe(emu.PipeOptions{Mode: emu.PipeMessage})
				var n uint32
				t.WriteFile(wh, []byte("a longer message"), &n, &emu.Overlapped{})
			})
			st.Call(a, func(t *emu.Thread) {
				err := t.ReadFileEx(rh, buf, ov, func(t *emu.Thread, e, n uint32, o *emu.Overlapped) { gotErr, gotN = e, n })
				check(err == nil, "ReadFileEx: %v", err)
				t.SleepEx(emu.INFINITE, true)
				check(gotErr == 0 && gotN == 4, "routine saw error %d, %d bytes", gotErr, gotN)
				var n uint32
				err = t.GetOverlappedResult(rh, ov, &n, false)
				check(err == wso.ERROR_MORE_DATA && n == 4, "GetOverlappedResult: %v, %d bytes", err, n)
			})
		},
		after: `The routine ran inside SleepEx with err=0 bytes=4, yet GetOverlappedResult
returned ERROR_MORE_DATA with 4 bytes: Internal holds 0x80000005.`,
	},
	{
		title: "Completion ports: packets, skip-on-success and the hEvent low bit",
		explain: `A handle associated with a completion port reports each completion as a
packet, even one that finished at once, unless
FILE_SKIP_COMPLETION_PORT_ON_SUCCESS is set. Setting the low bit of
hEvent keeps one request's completion off the port: the event is still
signalled.`,
		run: func(st *emu.Stepper, check func(bool, string, ...any)) {
			a := st.NewThread("A")
			st.Call(a, func(t *emu.Thread) {
				rh, wh, _ := t.CreatePipe(emu.PipeOptions{})
				port, _ := t.CreateIoCompletionPort(emu.INVALID_HANDLE_VALUE, 0, 0, 0)
				t.CreateIoCompletionPort(wh, port, 0x77, 0)
				var n uint32
				ov1 := &emu.Overlapped{}
				t.WriteFile(wh, []byte("one"), &n, ov1)
				var key uintptr
				var got *emu.Overlapped
				err := t.GetQueuedCompletionStatus(port, &n, &key, &got, 0)
				check(err == nil && got == ov1 && key == 0x77, "immediate success should still post a packet: %v", err)

				ev, _ := t.CreateEvent(true, false)
				ov2 := &emu.Overlapped{HEvent: ev | 1}
				t.WriteFile(wh, []byte("two"), &n, ov2)
				err = t.GetQueuedCompletionStatus(port, &n, &key, &got, 0)
				check(err == wso.WAIT_TIMEOUT && got == nil, "low bit set: want no packet, got %v", err)
				sig, _ := t.System().EventState(ev)
				check(sig, "low bit set: the event should still be signalled")

				t.SetFileCompletionNotificationModes(wh, emu.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS)
				t.WriteFile(wh, []byte("three"), &n, &emu.Overlapped{})
				err = t.GetQueuedCompletionStatus(port, &n, &key, &got, 0)
				check(err == wso.WAIT_TIMEOUT, "skip-on-success: want no packet, got %v", err)
				_ = rh
			})
		},
		after: `Only the first write posted a packet (packet-posted, then
packet-dequeued). The second signalled its event but posted nothing; the
third, after FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, neither. A timed-out
GetQueuedCompletionStatus fails with WAIT_TIMEOUT (258) and sets the
overlapped pointer to NULL.`,
	},
}
