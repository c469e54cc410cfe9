package emu

import (
	"testing"

	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

func TestSmokeGoroutine(t *testing.T) {
	s := New()
	var got []string
	s.Go("main", func(t1 *Thread) {
		ev, _ := t1.CreateEvent(true, false)
		h2, _ := t1.CreateThread(func(t2 *Thread) {
			t2.Sleep(10)
			t2.SetEvent(ev)
		})
		r, err := t1.WaitForSingleObject(ev, INFINITE)
		got = append(got, wso.WaitName(r))
		if err != nil {
			t.Error(err)
		}
		t1.QueueUserAPC(func(t *Thread, p uintptr) { got = append(got, "apc") }, t1.GetCurrentThread(), 7)
		r = t1.SleepEx(INFINITE, true)
		got = append(got, wso.WaitName(r))
		r, _ = t1.WaitForSingleObject(h2, INFINITE)
		got = append(got, wso.WaitName(r))
	})
	if err := s.Run(); err != nil {
		t.Fatal(err)
	}
	t.Log(got)
	t.Log("\n" + s.Trace().String())
}

func TestSmokeDeadlock(t *testing.T) {
	s := New()
	s.Go("main", func(t1 *Thread) {
		ev, _ := t1.CreateEvent(true, false)
		t1.WaitForSingleObject(ev, INFINITE)
		t.Error("returned from deadlocked wait")
	})
	err := s.Run()
	if _, ok := err.(*DeadlockError); !ok {
		t.Fatalf("want deadlock, got %v", err)
	}
	t.Log(err)
}

func TestSmokeStep(t *testing.T) {
	s := New()
	st, _ := s.Stepper()
	a := st.NewThread("A")
	b := st.NewThread("B")
	var rh, wh Handle
	st.Call(a, func(t *Thread) { rh, wh, _ = t.CreatePipe(PipeOptions{Mode: PipeMessage}) })
	ov := &Overlapped{}
	var done []string
	buf := make([]byte, 4)
	res, _ := st.Call(a, func(t *Thread) {
		err := t.ReadFileEx(rh, buf, ov, func(t *Thread, e, n uint32, o *Overlapped) { done = append(done, "routine") })
		if err != nil {
			panic(err)
		}
	})
	t.Log("readfileex returned", res, ov.Internal)
	res, _ = st.Call(a, func(t *Thread) { t.SleepEx(INFINITE, true) })
	t.Log("sleep", res)
	res, _ = st.Call(b, func(t *Thread) { var n uint32; t.WriteFile(wh, []byte("hello world"), &n, &Overlapped{}) })
	t.Log("write", res, st.Idle(a), done)
	var n uint32
	st.Call(a, func(t *Thread) { t.GetOverlappedResult(rh, ov, &n, false); done = append(done, t.GetLastError().Name()) })
	t.Log(done, n)
	t.Log("\n" + s.Trace().String())
	s.Stop()
}
