package wsaoverlapped

import "strconv"

// Errno is a Win32 or Winsock error code, as returned by GetLastError and
// WSAGetLastError. The two families share one number space (Winsock codes
// start at WSABASEERR = 10000), which is why a single type covers both, as
// golang.org/x/sys/windows does.
//
// Several Winsock names are aliases of Win32 codes: WSA_IO_PENDING is the
// same number as ERROR_IO_PENDING, WSA_IO_INCOMPLETE as ERROR_IO_INCOMPLETE,
// and so on. For such a number Name reports the ERROR_ spelling.
type Errno uint32

// WSABASEERR is the first number of the Winsock error range.
const WSABASEERR = 10000

// Win32 error codes (winerror.h) that the emulator uses.
const (
	ERROR_SUCCESS             Errno = 0
	ERROR_INVALID_FUNCTION    Errno = 1
	ERROR_FILE_NOT_FOUND      Errno = 2
	ERROR_PATH_NOT_FOUND      Errno = 3
	ERROR_ACCESS_DENIED       Errno = 5
	ERROR_INVALID_HANDLE      Errno = 6
	ERROR_NOT_ENOUGH_MEMORY   Errno = 8
	ERROR_NOT_READY           Errno = 21
	ERROR_GEN_FAILURE         Errno = 31
	ERROR_HANDLE_EOF          Errno = 38
	ERROR_NOT_SUPPORTED       Errno = 50
	ERROR_UNEXP_NET_ERR       Errno = 59
	ERROR_NETNAME_DELETED     Errno = 64
	ERROR_INVALID_PARAMETER   Errno = 87
	ERROR_BROKEN_PIPE         Errno = 109
	ERROR_SEM_TIMEOUT         Errno = 121
	ERROR_INSUFFICIENT_BUFFER Errno = 122
	ERROR_INVALID_NAME        Errno = 123
	ERROR_BUSY                Errno = 170
	ERROR_BAD_PIPE            Errno = 230
	ERROR_PIPE_BUSY           Errno = 231
	ERROR_NO_DATA             Errno = 232
	ERROR_PIPE_NOT_CONNECTED  Errno = 233
	ERROR_MORE_DATA           Errno = 234
	WAIT_TIMEOUT              Errno = 258 // an Errno here, as in x/sys/windows; also a wait result
	ERROR_MR_MID_NOT_FOUND    Errno = 317
	ERROR_PIPE_CONNECTED      Errno = 535
	ERROR_PIPE_LISTENING      Errno = 536
	ERROR_HANDLES_CLOSED      Errno = 676
	ERROR_ABANDONED_WAIT_0    Errno = 735
	ERROR_OPERATION_ABORTED   Errno = 995
	ERROR_IO_INCOMPLETE       Errno = 996
	ERROR_IO_PENDING          Errno = 997
	ERROR_NOACCESS            Errno = 998
	ERROR_POSSIBLE_DEADLOCK   Errno = 1131
	ERROR_NOT_FOUND           Errno = 1168
	ERROR_CONNECTION_REFUSED  Errno = 1225
	ERROR_GRACEFUL_DISCONNECT Errno = 1226
	ERROR_NETWORK_UNREACHABLE Errno = 1231
	ERROR_HOST_UNREACHABLE    Errno = 1232
	ERROR_PORT_UNREACHABLE    Errno = 1234
	ERROR_CONNECTION_ABORTED  Errno = 1236
	ERROR_INVALID_THREAD_ID   Errno = 1444
	ERROR_TIMEOUT             Errno = 1460
	ERROR_INVALID_USER_BUFFER Errno = 1784
)

// Winsock names for Win32 codes. Each is the very same number as the
// ERROR_ constant it stands for, and Name reports the ERROR_ spelling.
const (
	WSA_INVALID_HANDLE    = ERROR_INVALID_HANDLE    // 6
	WSA_NOT_ENOUGH_MEMORY = ERROR_NOT_ENOUGH_MEMORY // 8
	WSA_INVALID_PARAMETER = ERROR_INVALID_PARAMETER // 87
	WSA_OPERATION_ABORTED = ERROR_OPERATION_ABORTED // 995
	WSA_IO_INCOMPLETE     = ERROR_IO_INCOMPLETE     // 996
	WSA_IO_PENDING        = ERROR_IO_PENDING        // 997
)

// Winsock error codes (winsock2.h / winerror.h), the whole WSABASEERR range.
const (
	WSAEINTR           Errno = 10004
	WSAEBADF           Errno = 10009
	WSAEACCES          Errno = 10013
	WSAEFAULT          Errno = 10014
	WSAEINVAL          Errno = 10022
	WSAEMFILE          Errno = 10024
	WSAEWOULDBLOCK     Errno = 10035
	WSAEINPROGRESS     Errno = 10036
	WSAEALREADY        Errno = 10037
	WSAENOTSOCK        Errno = 10038
	WSAEDESTADDRREQ    Errno = 10039
	WSAEMSGSIZE        Errno = 10040
	WSAEPROTOTYPE      Errno = 10041
	WSAENOPROTOOPT     Errno = 10042
	WSAEPROTONOSUPPORT Errno = 10043
	WSAESOCKTNOSUPPORT Errno = 10044
	WSAEOPNOTSUPP      Errno = 10045
	WSAEPFNOSUPPORT    Errno = 10046
	WSAEAFNOSUPPORT    Errno = 10047
	WSAEADDRINUSE      Errno = 10048
	WSAEADDRNOTAVAIL   Errno = 10049
	WSAENETDOWN        Errno = 10050
	WSAENETUNREACH     Errno = 10051
	WSAENETRESET       Errno = 10052
	WSAECONNABORTED    Errno = 10053
	WSAECONNRESET      Errno = 10054
	WSAENOBUFS         Errno = 10055
	WSAEISCONN         Errno = 10056
	WSAENOTCONN        Errno = 10057
	WSAESHUTDOWN       Errno = 10058
	WSAETOOMANYREFS    Errno = 10059
	WSAETIMEDOUT       Errno = 10060
	WSAECONNREFUSED    Errno = 10061
	WSAELOOP           Errno = 10062
	WSAENAMETOOLONG    Errno = 10063
	WSAEHOSTDOWN       Errno = 10064
	WSAEHOSTUNREACH    Errno = 10065
	WSAENOTEMPTY       Errno = 10066
	WSAEPROCLIM        Errno = 10067
	WSAEUSERS          Errno = 10068
	WSAEDQUOT          Errno = 10069
	WSAESTALE          Errno = 10070
	WSAEREMOTE         Errno = 10071

	WSASYSNOTREADY     Errno = 10091
	WSAVERNOTSUPPORTED Errno = 10092
	WSANOTINITIALISED  Errno = 10093

	WSAEDISCON             Errno = 10101
	WSAENOMORE             Errno = 10102
	WSAECANCELLED          Errno = 10103
	WSAEINVALIDPROCTABLE   Errno = 10104
	WSAEINVALIDPROVIDER    Errno = 10105
	WSAEPROVIDERFAILEDINIT Errno = 10106
	WSASYSCALLFAILURE      Errno = 10107
	WSASERVICE_NOT_FOUND   Errno = 10108
	WSATYPE_NOT_FOUND      Errno = 10109
	WSA_E_NO_MORE          Errno = 10110
	WSA_E_CANCELLED        Errno = 10111
	WSAEREFUSED            Errno = 10112

	// Name resolution (the h_errno family).
	WSAHOST_NOT_FOUND Errno = 11001
	WSATRY_AGAIN      Errno = 11002
	WSANO_RECOVERY    Errno = 11003
	WSANO_DATA        Errno = 11004

	// Quality of service. WSA_QOS_EUNKOWNPSOBJ keeps the headers' spelling.
	WSA_QOS_RECEIVERS          Errno = 11005
	WSA_QOS_SENDERS            Errno = 11006
	WSA_QOS_NO_SENDERS         Errno = 11007
	WSA_QOS_NO_RECEIVERS       Errno = 11008
	WSA_QOS_REQUEST_CONFIRMED  Errno = 11009
	WSA_QOS_ADMISSION_FAILURE  Errno = 11010
	WSA_QOS_POLICY_FAILURE     Errno = 11011
	WSA_QOS_BAD_STYLE          Errno = 11012
	WSA_QOS_BAD_OBJECT         Errno = 11013
	WSA_QOS_TRAFFIC_CTRL_ERROR Errno = 11014
	WSA_QOS_GENERIC_ERROR      Errno = 11015
	WSA_QOS_ESERVICETYPE       Errno = 11016
	WSA_QOS_EFLOWSPEC          Errno = 11017
	WSA_QOS_EPROVSPECBUF       Errno = 11018
	WSA_QOS_EFILTERSTYLE       Errno = 11019
	WSA_QOS_EFILTERTYPE        Errno = 11020
	WSA_QOS_EFILTERCOUNT       Errno = 11021
	WSA_QOS_EOBJLENGTH         Errno = 11022
	WSA_QOS_EFLOWCOUNT         Errno = 11023
	WSA_QOS_EUNKOWNPSOBJ       Errno = 11024
	WSA_QOS_EPOLICYOBJ         Errno = 11025
	WSA_QOS_EFLOWDESC          Errno = 11026
	WSA_QOS_EPSFLOWSPEC        Errno = 11027
	WSA_QOS_EPSFILTERSPEC      Errno = 11028
	WSA_QOS_ESDMODEOBJ         Errno = 11029
	WSA_QOS_ESHAPERATEOBJ      Errno = 11030
	WSA_QOS_RESERVED_PETYPE    Errno = 11031

	// Later additions to the same range.
	WSA_SECURE_HOST_NOT_FOUND   Errno = 11032
	WSA_IPSEC_NAME_POLICY_ERROR Errno = 11033
)

// errnoInfo is one row of the name and message table.
type errnoInfo struct {
	code Errno
	name string
	msg  string
}

// errnoTable lists every Errno this package knows, sorted by number with no
// duplicates (a test checks both), so lookups can binary-search it.
var errnoTable = [...]errnoInfo{
	{ERROR_SUCCESS, "ERROR_SUCCESS", "the operation succeeded"},
	{ERROR_INVALID_FUNCTION, "ERROR_INVALID_FUNCTION", "the function cannot be used on this object"},
	{ERROR_FILE_NOT_FOUND, "ERROR_FILE_NOT_FOUND", "no file by that name exists"},
	{ERROR_PATH_NOT_FOUND, "ERROR_PATH_NOT_FOUND", "no path by that name exists"},
	{ERROR_ACCESS_DENIED, "ERROR_ACCESS_DENIED", "access was refused"},
	{ERROR_INVALID_HANDLE, "ERROR_INVALID_HANDLE", "the handle does not refer to an open object"},
	{ERROR_NOT_ENOUGH_MEMORY, "ERROR_NOT_ENOUGH_MEMORY", "there is not enough memory to finish the request"},
	{ERROR_NOT_READY, "ERROR_NOT_READY", "the device is not ready"},
	{ERROR_GEN_FAILURE, "ERROR_GEN_FAILURE", "a device attached to the system is not working"},
	{ERROR_HANDLE_EOF, "ERROR_HANDLE_EOF", "the end of the file was reached"},
	{ERROR_NOT_SUPPORTED, "ERROR_NOT_SUPPORTED", "the request is not supported"},
	{ERROR_UNEXP_NET_ERR, "ERROR_UNEXP_NET_ERR", "an unexpected network error happened"},
	{ERROR_NETNAME_DELETED, "ERROR_NETNAME_DELETED", "the network name is no longer available"},
	{ERROR_INVALID_PARAMETER, "ERROR_INVALID_PARAMETER", "a parameter was not valid"},
	{ERROR_BROKEN_PIPE, "ERROR_BROKEN_PIPE", "the other end of the pipe has been closed"},
	{ERROR_SEM_TIMEOUT, "ERROR_SEM_TIMEOUT", "the time allowed for the operation ran out"},
	{ERROR_INSUFFICIENT_BUFFER, "ERROR_INSUFFICIENT_BUFFER", "the buffer given is too small for the data"},
	{ERROR_INVALID_NAME, "ERROR_INVALID_NAME", "the name is not valid here"},
	{ERROR_BUSY, "ERROR_BUSY", "the resource is busy"},
	{ERROR_BAD_PIPE, "ERROR_BAD_PIPE", "the pipe is in no state for this request"},
	{ERROR_PIPE_BUSY, "ERROR_PIPE_BUSY", "every instance of the pipe is busy"},
	{ERROR_NO_DATA, "ERROR_NO_DATA", "the pipe is being closed"},
	{ERROR_PIPE_NOT_CONNECTED, "ERROR_PIPE_NOT_CONNECTED", "nothing is connected to the other end of the pipe"},
	{ERROR_MORE_DATA, "ERROR_MORE_DATA", "the data did not all fit in the buffer; more is available"},
	{WAIT_TIMEOUT, "WAIT_TIMEOUT", "the wait ended because its time limit passed"},
	{ERROR_MR_MID_NOT_FOUND, "ERROR_MR_MID_NOT_FOUND", "the status code has no Win32 equivalent or message"},
	{ERROR_PIPE_CONNECTED, "ERROR_PIPE_CONNECTED", "a client is already connected to the pipe"},
	{ERROR_PIPE_LISTENING, "ERROR_PIPE_LISTENING", "the pipe waits for a client to connect"},
	{ERROR_HANDLES_CLOSED, "ERROR_HANDLES_CLOSED", "pending work was abandoned because its handle was closed"},
	{ERROR_ABANDONED_WAIT_0, "ERROR_ABANDONED_WAIT_0", "the wait ended on a mutex whose owner exited without releasing it"},
	{ERROR_OPERATION_ABORTED, "ERROR_OPERATION_ABORTED", "the I/O operation was cancelled by a thread exit or a request of the application"},
	{ERROR_IO_INCOMPLETE, "ERROR_IO_INCOMPLETE", "the overlapped operation has not finished yet"},
	{ERROR_IO_PENDING, "ERROR_IO_PENDING", "the overlapped operation was started and will finish later"},
	{ERROR_NOACCESS, "ERROR_NOACCESS", "a memory address given to the call could not be accessed"},
	{ERROR_POSSIBLE_DEADLOCK, "ERROR_POSSIBLE_DEADLOCK", "the call could deadlock and was refused"},
	{ERROR_NOT_FOUND, "ERROR_NOT_FOUND", "the item was not found"},
	{ERROR_CONNECTION_REFUSED, "ERROR_CONNECTION_REFUSED", "the remote system refused the connection"},
	{ERROR_GRACEFUL_DISCONNECT, "ERROR_GRACEFUL_DISCONNECT", "the peer closed the network connection in an orderly way"},
	{ERROR_NETWORK_UNREACHABLE, "ERROR_NETWORK_UNREACHABLE", "the remote network cannot be reached"},
	{ERROR_HOST_UNREACHABLE, "ERROR_HOST_UNREACHABLE", "the remote host cannot be reached"},
	{ERROR_PORT_UNREACHABLE, "ERROR_PORT_UNREACHABLE", "no service is listening on the remote port"},
	{ERROR_CONNECTION_ABORTED, "ERROR_CONNECTION_ABORTED", "the local system ended the connection"},
	{ERROR_INVALID_THREAD_ID, "ERROR_INVALID_THREAD_ID", "no thread has that identifier"},
	{ERROR_TIMEOUT, "ERROR_TIMEOUT", "the operation gave up because its time limit passed"},
	{ERROR_INVALID_USER_BUFFER, "ERROR_INVALID_USER_BUFFER", "the buffer given is not valid for this request"},

	{WSAEINTR, "WSAEINTR", "a blocking call was interrupted"},
	{WSAEBADF, "WSAEBADF", "the file handle is not valid"},
	{WSAEACCES, "WSAEACCES", "the socket's permissions forbid this access"},
	{WSAEFAULT, "WSAEFAULT", "an address or length given to the call was not valid"},
	{WSAEINVAL, "WSAEINVAL", "an argument was not valid"},
	{WSAEMFILE, "WSAEMFILE", "too many sockets are open"},
	{WSAEWOULDBLOCK, "WSAEWOULDBLOCK", "the operation cannot finish now without blocking"},
	{WSAEINPROGRESS, "WSAEINPROGRESS", "a blocking operation is already running"},
	{WSAEALREADY, "WSAEALREADY", "an operation is already under way on this non-blocking socket"},
	{WSAENOTSOCK, "WSAENOTSOCK", "the descriptor is not a socket"},
	{WSAEDESTADDRREQ, "WSAEDESTADDRREQ", "a destination address is needed"},
	{WSAEMSGSIZE, "WSAEMSGSIZE", "the message did not fit in the buffer or exceeds the protocol's limit"},
	{WSAEPROTOTYPE, "WSAEPROTOTYPE", "the protocol does not suit this socket type"},
	{WSAENOPROTOOPT, "WSAENOPROTOOPT", "the option or level is unknown or not supported"},
	{WSAEPROTONOSUPPORT, "WSAEPROTONOSUPPORT", "the protocol is not supported or not configured"},
	{WSAESOCKTNOSUPPORT, "WSAESOCKTNOSUPPORT", "the socket type is not supported in this address family"},
	{WSAEOPNOTSUPP, "WSAEOPNOTSUPP", "the operation is not supported on this kind of socket"},
	{WSAEPFNOSUPPORT, "WSAEPFNOSUPPORT", "the protocol family is not supported"},
	{WSAEAFNOSUPPORT, "WSAEAFNOSUPPORT", "the protocol does not support this address family"},
	{WSAEADDRINUSE, "WSAEADDRINUSE", "the address is already in use"},
	{WSAEADDRNOTAVAIL, "WSAEADDRNOTAVAIL", "the address is not valid in this context"},
	{WSAENETDOWN, "WSAENETDOWN", "the network subsystem or network is down"},
	{WSAENETUNREACH, "WSAENETUNREACH", "the network cannot be reached from this host"},
	{WSAENETRESET, "WSAENETRESET", "the connection was broken by a network reset"},
	{WSAECONNABORTED, "WSAECONNABORTED", "the connection was ended by this host"},
	{WSAECONNRESET, "WSAECONNRESET", "the connection was reset by the peer"},
	{WSAENOBUFS, "WSAENOBUFS", "no buffer space is left"},
	{WSAEISCONN, "WSAEISCONN", "the socket is already connected"},
	{WSAENOTCONN, "WSAENOTCONN", "the socket is not connected"},
	{WSAESHUTDOWN, "WSAESHUTDOWN", "that direction of the socket has been shut down"},
	{WSAETOOMANYREFS, "WSAETOOMANYREFS", "too many references to a kernel object"},
	{WSAETIMEDOUT, "WSAETIMEDOUT", "the peer did not answer in time"},
	{WSAECONNREFUSED, "WSAECONNREFUSED", "the peer refused the connection"},
	{WSAELOOP, "WSAELOOP", "the name could not be translated"},
	{WSAENAMETOOLONG, "WSAENAMETOOLONG", "a name or part of it is too long"},
	{WSAEHOSTDOWN, "WSAEHOSTDOWN", "the remote host is down"},
	{WSAEHOSTUNREACH, "WSAEHOSTUNREACH", "there is no route to the remote host"},
	{WSAENOTEMPTY, "WSAENOTEMPTY", "the directory is not empty"},
	{WSAEPROCLIM, "WSAEPROCLIM", "too many processes are using Windows Sockets"},
	{WSAEUSERS, "WSAEUSERS", "the user quota is used up"},
	{WSAEDQUOT, "WSAEDQUOT", "the disk quota is used up"},
	{WSAESTALE, "WSAESTALE", "the file handle no longer refers to an available file"},
	{WSAEREMOTE, "WSAEREMOTE", "the item is not available locally"},
	{WSASYSNOTREADY, "WSASYSNOTREADY", "the network subsystem is not ready"},
	{WSAVERNOTSUPPORTED, "WSAVERNOTSUPPORTED", "the requested Windows Sockets version is not available"},
	{WSANOTINITIALISED, "WSANOTINITIALISED", "WSAStartup has not been called successfully"},
	{WSAEDISCON, "WSAEDISCON", "the peer has begun a graceful shutdown"},
	{WSAENOMORE, "WSAENOMORE", "there are no more results"},
	{WSAECANCELLED, "WSAECANCELLED", "the call was cancelled"},
	{WSAEINVALIDPROCTABLE, "WSAEINVALIDPROCTABLE", "the provider's procedure table is not valid"},
	{WSAEINVALIDPROVIDER, "WSAEINVALIDPROVIDER", "the service provider is not valid"},
	{WSAEPROVIDERFAILEDINIT, "WSAEPROVIDERFAILEDINIT", "the service provider could not be loaded or started"},
	{WSASYSCALLFAILURE, "WSASYSCALLFAILURE", "a system call that should not fail did fail"},
	{WSASERVICE_NOT_FOUND, "WSASERVICE_NOT_FOUND", "the service is not known in that name space"},
	{WSATYPE_NOT_FOUND, "WSATYPE_NOT_FOUND", "the class type was not found"},
	{WSA_E_NO_MORE, "WSA_E_NO_MORE", "there are no more results"},
	{WSA_E_CANCELLED, "WSA_E_CANCELLED", "the lookup was cancelled before it finished"},
	{WSAEREFUSED, "WSAEREFUSED", "the database query was refused"},
	{WSAHOST_NOT_FOUND, "WSAHOST_NOT_FOUND", "the host name is not known"},
	{WSATRY_AGAIN, "WSATRY_AGAIN", "name resolution failed for now; a later attempt may work"},
	{WSANO_RECOVERY, "WSANO_RECOVERY", "name resolution failed in a way that retrying will not fix"},
	{WSANO_DATA, "WSANO_DATA", "the name exists but has no record of the requested kind"},
	{WSA_QOS_RECEIVERS, "WSA_QOS_RECEIVERS", "at least one QoS reservation has arrived"},
	{WSA_QOS_SENDERS, "WSA_QOS_SENDERS", "at least one QoS path message has arrived"},
	{WSA_QOS_NO_SENDERS, "WSA_QOS_NO_SENDERS", "no QoS senders remain"},
	{WSA_QOS_NO_RECEIVERS, "WSA_QOS_NO_RECEIVERS", "no QoS receivers remain"},
	{WSA_QOS_REQUEST_CONFIRMED, "WSA_QOS_REQUEST_CONFIRMED", "the QoS reservation was confirmed"},
	{WSA_QOS_ADMISSION_FAILURE, "WSA_QOS_ADMISSION_FAILURE", "the QoS request failed for lack of resources"},
	{WSA_QOS_POLICY_FAILURE, "WSA_QOS_POLICY_FAILURE", "policy does not allow the QoS request"},
	{WSA_QOS_BAD_STYLE, "WSA_QOS_BAD_STYLE", "the QoS filter style is unknown or conflicts"},
	{WSA_QOS_BAD_OBJECT, "WSA_QOS_BAD_OBJECT", "a QoS filterspec or provider-specific object is faulty"},
	{WSA_QOS_TRAFFIC_CTRL_ERROR, "WSA_QOS_TRAFFIC_CTRL_ERROR", "QoS traffic control rejected the flowspec"},
	{WSA_QOS_GENERIC_ERROR, "WSA_QOS_GENERIC_ERROR", "a general QoS failure"},
	{WSA_QOS_ESERVICETYPE, "WSA_QOS_ESERVICETYPE", "the QoS service type is not valid"},
	{WSA_QOS_EFLOWSPEC, "WSA_QOS_EFLOWSPEC", "the QoS flowspec is not valid"},
	{WSA_QOS_EPROVSPECBUF, "WSA_QOS_EPROVSPECBUF", "the QoS provider-specific buffer is not valid"},
	{WSA_QOS_EFILTERSTYLE, "WSA_QOS_EFILTERSTYLE", "the QoS filter style is not valid"},
	{WSA_QOS_EFILTERTYPE, "WSA_QOS_EFILTERTYPE", "the QoS filter type is not valid"},
	{WSA_QOS_EFILTERCOUNT, "WSA_QOS_EFILTERCOUNT", "the number of QoS filterspecs is wrong"},
	{WSA_QOS_EOBJLENGTH, "WSA_QOS_EOBJLENGTH", "a QoS object carries a bad length"},
	{WSA_QOS_EFLOWCOUNT, "WSA_QOS_EFLOWCOUNT", "the number of QoS flow descriptors is wrong"},
	{WSA_QOS_EUNKOWNPSOBJ, "WSA_QOS_EUNKOWNPSOBJ", "the QoS provider-specific buffer holds an unknown object"},
	{WSA_QOS_EPOLICYOBJ, "WSA_QOS_EPOLICYOBJ", "a QoS policy object is not valid"},
	{WSA_QOS_EFLOWDESC, "WSA_QOS_EFLOWDESC", "a QoS flow descriptor is not valid"},
	{WSA_QOS_EPSFLOWSPEC, "WSA_QOS_EPSFLOWSPEC", "a provider-specific QoS flowspec is not valid"},
	{WSA_QOS_EPSFILTERSPEC, "WSA_QOS_EPSFILTERSPEC", "a provider-specific QoS filterspec is not valid"},
	{WSA_QOS_ESDMODEOBJ, "WSA_QOS_ESDMODEOBJ", "a QoS shape-discard mode object is not valid"},
	{WSA_QOS_ESHAPERATEOBJ, "WSA_QOS_ESHAPERATEOBJ", "a QoS shaping-rate object is not valid"},
	{WSA_QOS_RESERVED_PETYPE, "WSA_QOS_RESERVED_PETYPE", "a reserved QoS policy element type was used"},
	{WSA_SECURE_HOST_NOT_FOUND, "WSA_SECURE_HOST_NOT_FOUND", "the host could not be found securely"},
	{WSA_IPSEC_NAME_POLICY_ERROR, "WSA_IPSEC_NAME_POLICY_ERROR", "a name-based IPsec policy could not be added"},
}

// lookupErrno finds e in errnoTable by binary search.
func lookupErrno(e Errno) (errnoInfo, bool) {
	lo, hi := 0, len(errnoTable)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if errnoTable[mid].code < e {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(errnoTable) && errnoTable[lo].code == e {
		return errnoTable[lo], true
	}
	return errnoInfo{}, false
}

// Known reports whether the package has a name for e.
func (e Errno) Known() bool {
	_, ok := lookupErrno(e)
	return ok
}

// Name returns the Windows name of the code ("WSAEINVAL",
// "ERROR_IO_PENDING"). A number shared by a Win32 code and a WSA_ alias is
// named by its ERROR_ spelling. An unknown value gives "Errno(12345)".
func (e Errno) Name() string {
	if info, ok := lookupErrno(e); ok {
		return info.name
	}
	return "Errno(" + strconv.FormatUint(uint64(e), 10) + ")"
}

// Message returns a short, lower-case description of the code. An unknown
// value gives "unknown error code".
func (e Errno) Message() string {
	if info, ok := lookupErrno(e); ok {
		return info.msg
	}
	return "unknown error code"
}

// Error formats the code as "NAME (number): message", for example
// "WSAEINVAL (10022): an argument was not valid". An unknown value is
// written "Errno(12345): unknown error code", without repeating the number.
func (e Errno) Error() string {
	num := strconv.FormatUint(uint64(e), 10)
	if info, ok := lookupErrno(e); ok {
		return info.name + " (" + num + "): " + info.msg
	}
	return "Errno(" + num + "): unknown error code"
}
