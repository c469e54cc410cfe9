package native

// Unsettled is a step where Windows' behaviour is not established by any
// public evidence: the pages say one thing, Wine was seen to do another,
// and no Windows observation (a Wine test without todo_wine, a Wine bug,
// a test of another project run on Windows) decides between them. The
// scenario's windows-profile expectation accepts both outcomes, so
// wsaemu-diff has nothing to explain; the emulator gives only the page's
// reading there, so a recorded run that took the other outcome is not one
// the model reproduces, and the trace check stops at the step instead of
// calling the run not permitted. This is not a Wine deviation: nothing
// says Wine is wrong here.
type Unsettled struct {
	// Scenario is the file's path below spec/scenarios.
	Scenario string
	// Steps are written as in Deviation.Steps.
	Steps []string
	// Open says what the scenario leaves open: the page's reading, and
	// what Wine was seen to do.
	Open string
}

// UnsettledSteps is the list. An entry leaves it when a Windows
// observation settles the question: then either the scenario asserts
// Windows' outcome and the emulator follows it, or Wine departs and the
// step becomes a Deviation. An entry also leaves it when the windows
// profile makes the question a Chooser decision (emu.PointUnsettled:
// the page's answer or Wine's), so that both outcomes are the model's and
// check-trace explains Wine's run (WSASendMsg's NULL name and NULL
// control buffer, and the extension-function lookup into a short buffer,
// left this list that way). What is left here: FIONREAD's answer, not yet
// a Chooser decision.
var UnsettledSteps = []Unsettled{
	{"wsasendmsg/flags-windows.scenario", []string{"WSAIoctl r FIONREAD"},
		"FIONREAD on a datagram socket with two datagrams queued (after the model took Wine's answer for MSG_PEEK and MSG_PARTIAL, both sent): the ioctlsocket page reports all the data queued (4); Wine reported the first datagram's size (2)"},
}

// FindUnsettled returns the entry for a step of a scenario file (the
// step's call as the scenario writes it, without the thread), or nil.
func FindUnsettled(file, call string) *Unsettled {
	for i := range UnsettledSteps {
		if u := &UnsettledSteps[i]; keyedTo(u.Scenario, u.Steps, file, call) {
			return u
		}
	}
	return nil
}
