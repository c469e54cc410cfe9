package spec

import (
	"strconv"
	"strings"

	"github.com/wsaemu/wsaemu/provider"
	wso "github.com/wsaemu/wsaemu/wsaoverlapped"
)

// The vocabulary of scenario arguments and outcomes, shared by every
// Backend so that the emulator and real Winsock read a step the same way
// and report it in the same words.

// ParseValue reads a number or a named constant as scenarios write them:
// decimal or 0x hex, an error or status name (WSAEMSGSIZE,
// STATUS_PENDING), or a flag, option or code name (MSG_TRUNC, SO_RCVBUF,
// INFINITE, TRUE).
func ParseValue(v string) (uint64, error) {
	if n, ok := parseValue(v); ok {
		return n, nil
	}
	// Not a value: strconv says why, as it would of any word.
	if s, ok := Quoted(v); ok {
		v = s
	}
	return strconv.ParseUint(v, 0, 64)
}

// parseValue is ParseValue without the error: whether v is a value.
func parseValue(v string) (uint64, bool) {
	if s, ok := Quoted(v); ok {
		v = s
	}
	if v != "" && v[0] >= '0' && v[0] <= '9' {
		if !numberChars(v) {
			return 0, false // an address, say: not a number, and no error to make
		}
		n, err := strconv.ParseUint(v, 0, 64)
		return n, err == nil
	}
	if n, ok := wso.ParseErrno(v); ok {
		return uint64(n), true
	}
	if n, ok := wso.ParseNTStatus(v); ok {
		return uint64(n), true
	}
	if n, ok := namedConst[v]; ok {
		return n, true
	}
	// ParseValue would give the word to strconv.ParseUint, which reads no
	// word that does not begin with a digit.
	return 0, false
}

// numberChars reports whether every byte of v may be part of a number
// strconv.ParseUint reads with base 0 (digits in any base, a base prefix,
// underscores): a word with any other byte is no number.
func numberChars(v string) bool {
	for i := 0; i < len(v); i++ {
		switch c := v[i] | 0x20; { // ASCII letters to lower case
		case v[i] >= '0' && v[i] <= '9', c >= 'a' && c <= 'f', c == 'x', c == 'o', v[i] == '_':
		default:
			return false
		}
	}
	return true
}

// ParseFlags reads flags joined with |, each a value ParseValue reads.
func ParseFlags(v string) (uint64, error) {
	var f uint64
	for _, p := range strings.Split(v, "|") {
		n, err := ParseValue(p)
		if err != nil {
			return 0, err
		}
		f |= n
	}
	return f, nil
}

var namedConst = map[string]uint64{
	"INFINITE":                             uint64(wso.INFINITE),
	"WSS_OPERATION_IN_PROGRESS":            uint64(wso.WSS_OPERATION_IN_PROGRESS),
	"MSG_TRUNC":                            provider.MSG_TRUNC,
	"MSG_CTRUNC":                           provider.MSG_CTRUNC,
	"MSG_OOB":                              provider.MSG_OOB,
	"MSG_PEEK":                             provider.MSG_PEEK,
	"MSG_DONTROUTE":                        provider.MSG_DONTROUTE,
	"MSG_PARTIAL":                          provider.MSG_PARTIAL,
	"MSG_WAITALL":                          provider.MSG_WAITALL,
	"MSG_BCAST":                            provider.MSG_BCAST,
	"MSG_MCAST":                            provider.MSG_MCAST,
	"SD_RECEIVE":                           provider.SD_RECEIVE,
	"SD_SEND":                              provider.SD_SEND,
	"SD_BOTH":                              provider.SD_BOTH,
	"FILE_SKIP_COMPLETION_PORT_ON_SUCCESS": wso.FILE_SKIP_COMPLETION_PORT_ON_SUCCESS,
	"FILE_SKIP_SET_EVENT_ON_HANDLE":        wso.FILE_SKIP_SET_EVENT_ON_HANDLE,
	"FIONBIO":                              provider.FIONBIO,
	"FIONREAD":                             provider.FIONREAD,
	"SIO_FLUSH":                            provider.SIO_FLUSH,
	"SIO_UDP_CONNRESET":                    provider.SIO_UDP_CONNRESET,
	"SIO_KEEPALIVE_VALS":                   provider.SIO_KEEPALIVE_VALS,
	"SIO_GET_EXTENSION_FUNCTION_POINTER":   provider.SIO_GET_EXTENSION_FUNCTION_POINTER,
	"SIO_BASE_HANDLE":                      provider.SIO_BASE_HANDLE,
	"SIO_BSP_HANDLE":                       provider.SIO_BSP_HANDLE,
	"SIO_BSP_HANDLE_SELECT":                provider.SIO_BSP_HANDLE_SELECT,
	"SIO_BSP_HANDLE_POLL":                  provider.SIO_BSP_HANDLE_POLL,
	"SIO_ENABLE_CIRCULAR_QUEUEING":         provider.SIO_ENABLE_CIRCULAR_QUEUEING,
	"SIO_IDEAL_SEND_BACKLOG_QUERY":         provider.SIO_IDEAL_SEND_BACKLOG_QUERY,
	"SIOCATMARK":                           provider.SIOCATMARK,
	"SIO_ROUTING_INTERFACE_QUERY":          provider.SIO_ROUTING_INTERFACE_QUERY,
	"SO_RCVBUF":                            provider.SO_RCVBUF,
	"SO_SNDBUF":                            provider.SO_SNDBUF,
	"SO_RCVTIMEO":                          provider.SO_RCVTIMEO,
	"SO_SNDTIMEO":                          provider.SO_SNDTIMEO,
	"SO_MAX_MSG_SIZE":                      provider.SO_MAX_MSG_SIZE,
	"SO_BROADCAST":                         provider.SO_BROADCAST,
	"SO_OOBINLINE":                         provider.SO_OOBINLINE,
	"SO_TYPE":                              provider.SO_TYPE,
	"SO_ERROR":                             provider.SO_ERROR,
	"SO_LINGER":                            provider.SO_LINGER,
	"SO_DONTLINGER":                        0xffffff7f, // ~SO_LINGER as an int, read as a DWORD
	"SO_ACCEPTCONN":                        provider.SO_ACCEPTCONN,
	"SOMAXCONN":                            provider.SOMAXCONN,
	"IP_PKTINFO":                           provider.IP_PKTINFO,
	"IPV6_PKTINFO":                         provider.IPV6_PKTINFO,
	"TRUE":                                 1,
	"FALSE":                                0,
	"NULL":                                 0,
}
