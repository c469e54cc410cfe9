package spec

// Layered service providers: a non-IFS layer installed above the base
// provider (kinds layered). Each Text is a paraphrase in our own words;
// the scenarios are under spec/scenarios/layered.

const (
	// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-wpucompleteoverlappedrequest
	pgWPUCompleteOverlappedRequest = "WPUCompleteOverlappedRequest"
	// https://learn.microsoft.com/windows/win32/api/ws2spi/nf-ws2spi-wspstartup
	pgWSPStartup = "WSPStartup"
	// https://learn.microsoft.com/windows/win32/winsock/winsock-ioctls
	pgWinsockIoctls = "Winsock IOCTLs"
	// https://learn.microsoft.com/windows/win32/api/winsock2/nf-winsock2-wsaenumprotocolsw
	pgWSAEnumProtocols = "WSAEnumProtocolsW"
	// https://learn.microsoft.com/windows/win32/api/winsock2/ns-winsock2-wsaprotocolchain
	pgWSAProtocolChain = "WSAPROTOCOLCHAIN"
	// https://learn.microsoft.com/windows/win32/api/winsock2/ns-winsock2-wsaprotocol_infow
	pgWSAProtocolInfo = "WSAPROTOCOL_INFOW"
)

func init() {
	register(
		Clause{ID: "wpucompleteoverlappedrequest.layered-provider", Kind: Required, Page: pgWPUCompleteOverlappedRequest,
			Text:  "A non-IFS layered provider completes the program's overlapped request itself: WPUCompleteOverlappedRequest (event, completion port) or WPUQueueApc (a routine), once the provider beneath has completed the layer's own request; each request completes exactly once.",
			Tests: []string{"emu.TestLayeredUDPCycle", "emu.TestLayeredTCPCycle", "emu.TestPropertyWinsockLayered"}},
		Clause{ID: "layered.same-results", Kind: Required, Page: pgWSPStartup,
			Text:  "A layered provider starts the next provider of its chain with WSPStartup and passes down the calls it does not handle itself; one that handles none changes no data, byte count, error or notification the program sees.",
			Tests: []string{"emu.TestPropertyWinsockLayered"}},
		Clause{ID: "layered.base-handle", Kind: Required, Page: pgWinsockIoctls,
			Text:  "SIO_BASE_HANDLE gives the base service provider's socket handle; no layered provider may intercept it. On a base provider's own socket it is that socket.",
			Tests: []string{"emu.TestLayeredBaseHandle"}},
		Clause{ID: "layered.bsp-handle", Kind: Required, Page: pgWinsockIoctls,
			Text:  "SIO_BSP_HANDLE, SIO_BSP_HANDLE_SELECT and SIO_BSP_HANDLE_POLL give the base service provider's handle too, unless a layered provider that wants to see WSASendMsg, select or WSAPoll answers with its own.",
			Tests: []string{"emu.TestLayeredBaseHandle"}},
		Clause{ID: "setfilecompletionnotificationmodes.non-ifs-still-posts", Kind: Required, Page: pgSetFCNModes,
			Text:  "On a socket behind a non-IFS provider, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS does not hold back the packet of a request that succeeded at once: the provider's WPUCompleteOverlappedRequest posts it.",
			Tests: []string{"emu.TestLayeredSkipCompletionPortOnSuccess"}},
		Clause{ID: "layered.protocol-chain", Kind: Required, Page: pgWSAProtocolChain,
			Text:  "A layered provider's own catalogue entry has ChainLen 0 (LAYERED_PROTOCOL); a protocol chain over it has ChainLen 2 or more, its first entry the top layer and its last the base protocol (ChainLen 1, BASE_PROTOCOL); WSAEnumProtocols lists them.",
			Tests: []string{"emu.TestLayeredEnumProtocols"}},
		Clause{ID: "layered.chain-not-ifs", Kind: Required, Page: pgWSAProtocolInfo,
			Text:  "XP1_IFS_HANDLES marks a protocol whose socket handles are IFS handles: the base provider's entries have it, a chain through a non-IFS layer does not.",
			Tests: []string{"emu.TestLayeredEnumProtocols"}},
		Clause{ID: "layered.enumprotocols-enobufs", Kind: Required, Page: pgWSAEnumProtocols,
			Text:  "WSAEnumProtocols with a buffer too small for the entries fails with WSAENOBUFS and sets *lpdwBufferLength to the size needed.",
			Tests: []string{"emu.TestLayeredEnumProtocols"}},
	)
}
