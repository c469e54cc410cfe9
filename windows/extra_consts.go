package windows

import (
	"syscall"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// Winsock constants golang.org/x/sys/windows does not define, the same in
// both builds (the emulator's and the native re-export of x/sys): the one
// definition of each stays in provider or wsaoverlapped. The error values
// are syscall.Errno, as x/sys's are.
const (
	FD_READ               = provider.FD_READ
	FD_WRITE              = provider.FD_WRITE
	FD_OOB                = provider.FD_OOB
	FD_ACCEPT             = provider.FD_ACCEPT
	FD_CONNECT            = provider.FD_CONNECT
	FD_CLOSE              = provider.FD_CLOSE
	SOCKET_ERROR          = provider.SOCKET_ERROR
	SO_ERROR              = provider.SO_ERROR
	SO_TYPE               = provider.SO_TYPE
	SO_DONTLINGER         = provider.SO_DONTLINGER
	SD_RECEIVE            = provider.SD_RECEIVE
	SD_SEND               = provider.SD_SEND
	SD_BOTH               = provider.SD_BOTH
	FIONBIO               = provider.FIONBIO
	FIONREAD              = provider.FIONREAD
	SIO_FLUSH             = provider.SIO_FLUSH
	WSA_IO_PENDING        = syscall.Errno(wso.WSA_IO_PENDING)
	WSA_IO_INCOMPLETE     = syscall.Errno(wso.WSA_IO_INCOMPLETE)
	WSA_OPERATION_ABORTED = syscall.Errno(wso.WSA_OPERATION_ABORTED)
)
