package mem

import "github.com/wsaemu/wsaemu/provider"

// The SPI's types under their own names, so the provider reads like the
// SPI pages. The constants are not repeated: they are the contract's
// (provider.AF_INET, provider.MSG_TRUNC, ...).
type (
	SOCKET            = provider.SOCKET
	Handle            = provider.Handle
	Overlapped        = provider.Overlapped
	Errno             = provider.Errno
	NTStatus          = provider.NTStatus
	WSABUF            = provider.WSABUF
	WSAMSG            = provider.WSAMSG
	WSATHREADID       = provider.WSATHREADID
	CompletionRoutine = provider.CompletionRoutine
	Upcalls           = provider.Upcalls
	Config            = provider.Config
	Kind              = provider.Kind
)
