package native

import (
	"reflect"
	"strings"
	"testing"

	"github.com/wsaemu/wsaemu/spec"
)

// Issue 11, item 5: the native backend waits for what a step expects
// (a call that returns, a blocked thread that returns, an event that is
// signalled, a routine that runs) instead of a fixed pause; only what
// every passing branch expects is waited for.
func TestHintOf(t *testing.T) {
	sc, err := spec.Parse("hint.scenario", strings.NewReader(`title hints
clause postqueuedcompletionstatus.wakes-waiter
thread A
thread W
port io
event ev manual

W: GetQueuedCompletionStatus io INFINITE
  return blocks
A: PostQueuedCompletionStatus io bytes=1 key=2
  return TRUE
  thread W returned TRUE bytes=1 key=2 ov=NULL
A: SetEvent ev
  either
    return TRUE
    event ev signalled
  or
    return TRUE
    event ev clear
  end
A: SleepEx 0 alertable
  either
    return 0
  or
    return blocks
  end
`))
	if err != nil {
		t.Fatal(err)
	}
	got := []stepHint{}
	for _, st := range sc.Steps {
		h := hintOf(st)
		if len(h.ran) == 0 {
			h.ran = nil
		}
		got = append(got, h)
	}
	want := []stepHint{
		{call: wantBlock},
		{call: wantReturn, returned: []string{"W"}},
		{call: wantReturn}, // the event is signalled in one branch only
		{call: wantUnknown},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hints:\n got %+v\nwant %+v", got, want)
	}
}
