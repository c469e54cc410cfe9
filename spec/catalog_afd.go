package spec

// The AFD poll: NtDeviceIoControlFile with IOCTL_AFD_POLL. No Microsoft
// page documents it (it is the undocumented interface of the AFD driver
// behind Winsock). The layout and bits are those of the public
// definitions — ReactOS's AFD headers, Wine's include/wine/afd.h, and the
// copies wepoll and mio carry — and each clause below restates, in our
// own words, what Wine's dlls/ws2_32/tests/afd.c asserts without
// todo_wine (so what Windows does); the test function is named in each
// clause's text. The scenarios are under spec/scenarios/afd.

// pgAfdPoll stands for Wine's dlls/ws2_32/tests/afd.c (test_poll,
// test_poll_exclusive), the only public record of the behaviour.
const pgAfdPoll = "IOCTL_AFD_POLL"

func init() {
	register(
		Clause{ID: "afd.poll.pending-then-completes", Kind: Required, Page: pgAfdPoll,
			Text: "A poll none of whose entries has one of its events returns STATUS_PENDING and completes (status block, event, port packet with the ApcContext) when one does (afd.c test_poll)."},
		Clause{ID: "afd.poll.immediate", Kind: Required, Page: pgAfdPoll,
			Text: "A poll one of whose entries already has one of its events completes within the call with STATUS_SUCCESS (afd.c test_poll)."},
		Clause{ID: "afd.poll.only-signalled", Kind: Required, Page: pgAfdPoll,
			Text: "The output holds only the entries with events, in order, each with the events that hold of those asked; NumberOfHandles is their number and Information the header plus one entry each (afd.c test_poll)."},
		Clause{ID: "afd.poll.connected", Kind: Required, Page: pgAfdPoll,
			Text: "A connected stream socket, either end, has AFD_POLL_CONNECT, with AFD_POLL_SEND while a send would not block (afd.c test_poll)."},
		Clause{ID: "afd.poll.udp-send", Kind: Required, Page: pgAfdPoll,
			Text: "A datagram socket has AFD_POLL_SEND from its creation, bound or not (afd.c test_poll)."},
		Clause{ID: "afd.poll.other-handle", Kind: Required, Page: pgAfdPoll,
			Text: "A poll may be issued on another socket's handle than the sockets it watches (afd.c test_poll)."},
		Clause{ID: "afd.poll.device-handle", Kind: Required, Page: pgAfdPoll,
			Text: "Any name under \\Device\\Afd opens a handle on which polls of any socket may be issued (afd.c test_open_device, test_poll)."},
		Clause{ID: "afd.poll.accept", Kind: Required, Page: pgAfdPoll,
			Text: "A listening socket has AFD_POLL_ACCEPT while a connection waits to be accepted (afd.c test_poll)."},
		Clause{ID: "afd.poll.disconnect", Kind: Required, Page: pgAfdPoll,
			Text: "The peer's shutdown of its sending side gives AFD_POLL_DISCONNECT; the side that shut down sees no change (afd.c test_poll)."},
		Clause{ID: "afd.poll.local-close", Kind: Required, Page: pgAfdPoll,
			Text: "A socket closed while a poll watches it completes the poll with AFD_POLL_LOCAL_CLOSE for its entry, whatever events the entry asked for (afd.c test_poll)."},
		Clause{ID: "afd.poll.timeout-zero", Kind: Required, Page: pgAfdPoll,
			Text: "A poll with Timeout 0 and nothing to report completes within the call with STATUS_SUCCESS and no entries (afd.c test_poll)."},
		Clause{ID: "afd.poll.timeout-expires", Kind: Required, Page: pgAfdPoll,
			Text: "A poll whose Timeout passes with nothing to report completes with STATUS_TIMEOUT, no entries, Information the header alone (afd.c test_poll)."},
		Clause{ID: "afd.poll.several", Kind: Required, Page: pgAfdPoll,
			Text:  "Several non-exclusive polls may wait on one socket; a change completes every one whose events it satisfies (afd.c test_poll_exclusive, the non-exclusive reference case).",
			Tests: []string{"emu.TestAfdPollTwoOnOneSocket", "emu.TestAfdPollNeitherLostNorInvented"}},
		Clause{ID: "afd.poll.exclusive", Kind: Required, Page: pgAfdPoll,
			Text:  "An exclusive poll ends the earlier exclusive polls on the same socket, unless a non-exclusive poll waits on it too (afd.c test_poll_exclusive).",
			Tests: []string{"emu.TestAfdPollExclusive"}},
		Clause{ID: "afd.poll.cancel", Kind: Required, Page: pgAfdPoll,
			Text: "Cancelling a waiting poll (CancelIo, NtCancelIoFileEx) completes it with STATUS_CANCELLED and no entries (afd.c test_poll_exclusive)."},
		Clause{ID: "afd.poll.connect-fail", Kind: Required, Page: pgAfdPoll,
			Text: "A socket whose connect failed reports AFD_POLL_CONNECT_FAIL alone, the entry's Status the failure's NTSTATUS (STATUS_CONNECTION_REFUSED when refused) (afd.c test_poll)."},
		Clause{ID: "afd.poll.invalid-handle", Kind: Required, Page: pgAfdPoll,
			Text:  "An entry that is not a socket fails the call with STATUS_INVALID_HANDLE, the status block untouched (afd.c test_poll).",
			Tests: []string{"emu.TestAfdPollInvalid"}},
	)
}
