/*
 * wsaemu_trace.h - a minimal recorder of overlapped Winsock and Win32 calls
 * for C programs. It writes the wsaemu trace format, version 1
 * (docs/trace-format.md), which `wsaemu check-trace FILE` checks against the
 * model.
 *
 * Use: include <winsock2.h> and <windows.h>, then define WSAEMU_RECORD and
 * include this header. The calls below are then renamed to their wt_
 * wrappers, each of which calls the real function unchanged and writes one
 * JSON line for it. Call wt_open(path) before the first recorded call and
 * wt_close() after the last. Link wsaemu_trace.c and ws2_32.
 *
 *     #include <winsock2.h>
 *     #include <windows.h>
 *     #define WSAEMU_RECORD
 *     #include "wsaemu_trace.h"
 *
 * Without WSAEMU_RECORD the header only declares the wt_ functions: a
 * program may then call them by name where it wants a call recorded.
 *
 * Limits (this is a minimal recorder): only the calls declared here are
 * recorded; the object table holds WT_MAX_OBJECTS entries; WaitForSingleObject
 * and CloseHandle on a handle no recorded call made (a thread's, say) are
 * passed through without a record, since the format has no object for it;
 * receive data longer than WT_MAX_DATA bytes is not written.
 */
#ifndef WSAEMU_TRACE_H
#define WSAEMU_TRACE_H

#include <winsock2.h>
#include <windows.h>

#ifdef __cplusplus
extern "C" {
#endif

/* wt_open starts a trace at path (overwriting it) and writes the header
 * line; it returns 0, or -1 when the file cannot be made. wt_close ends it. */
int wt_open(const char *path);
void wt_close(void);

int WSAAPI wt_WSAStartup(WORD version, LPWSADATA data);
int WSAAPI wt_WSACleanup(void);
SOCKET WSAAPI wt_socket(int af, int type, int protocol);
SOCKET WSAAPI wt_WSASocketW(int af, int type, int protocol, LPWSAPROTOCOL_INFOW info, GROUP g, DWORD flags);
int WSAAPI wt_bind(SOCKET s, const struct sockaddr *name, int namelen);
int WSAAPI wt_closesocket(SOCKET s);
int WSAAPI wt_WSARecv(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD recvd, LPDWORD flags,
	LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
int WSAAPI wt_WSARecvFrom(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD recvd, LPDWORD flags,
	struct sockaddr *from, LPINT fromlen, LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
int WSAAPI wt_WSASend(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent, DWORD flags,
	LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
int WSAAPI wt_WSASendTo(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent, DWORD flags,
	const struct sockaddr *to, int tolen, LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE routine);
BOOL WSAAPI wt_WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED ov, LPDWORD bytes, BOOL wait, LPDWORD flags);
BOOL WINAPI wt_GetOverlappedResult(HANDLE h, LPOVERLAPPED ov, LPDWORD bytes, BOOL wait);
BOOL WINAPI wt_CancelIoEx(HANDLE h, LPOVERLAPPED ov);
WSAEVENT WSAAPI wt_WSACreateEvent(void);
HANDLE WINAPI wt_CreateEventW(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCWSTR name);
BOOL WINAPI wt_SetEvent(HANDLE h);
BOOL WINAPI wt_ResetEvent(HANDLE h);
BOOL WINAPI wt_CloseHandle(HANDLE h);
DWORD WINAPI wt_WaitForSingleObject(HANDLE h, DWORD ms);
DWORD WINAPI wt_WaitForSingleObjectEx(HANDLE h, DWORD ms, BOOL alertable);
DWORD WINAPI wt_SleepEx(DWORD ms, BOOL alertable);
HANDLE WINAPI wt_CreateIoCompletionPort(HANDLE file, HANDLE port, ULONG_PTR key, DWORD threads);
BOOL WINAPI wt_GetQueuedCompletionStatus(HANDLE port, LPDWORD bytes, PULONG_PTR key, LPOVERLAPPED *ov, DWORD ms);
BOOL WINAPI wt_PostQueuedCompletionStatus(HANDLE port, DWORD bytes, ULONG_PTR key, LPOVERLAPPED ov);

#ifdef __cplusplus
}
#endif

#ifdef WSAEMU_RECORD
#undef CreateEvent
#define CreateEvent wt_CreateEventW
#undef WSASocket
#define WSASocket wt_WSASocketW
#define WSAStartup wt_WSAStartup
#define WSACleanup wt_WSACleanup
#define socket wt_socket
#define WSASocketW wt_WSASocketW
#define bind wt_bind
#define closesocket wt_closesocket
#define WSARecv wt_WSARecv
#define WSARecvFrom wt_WSARecvFrom
#define WSASend wt_WSASend
#define WSASendTo wt_WSASendTo
#define WSAGetOverlappedResult wt_WSAGetOverlappedResult
#define GetOverlappedResult wt_GetOverlappedResult
#define CancelIoEx wt_CancelIoEx
#define WSACreateEvent wt_WSACreateEvent
#define CreateEventW wt_CreateEventW
#define SetEvent wt_SetEvent
#define ResetEvent wt_ResetEvent
#define CloseHandle wt_CloseHandle
#define WaitForSingleObject wt_WaitForSingleObject
#define WaitForSingleObjectEx wt_WaitForSingleObjectEx
#define SleepEx wt_SleepEx
#define CreateIoCompletionPort wt_CreateIoCompletionPort
#define GetQueuedCompletionStatus wt_GetQueuedCompletionStatus
#define PostQueuedCompletionStatus wt_PostQueuedCompletionStatus
#endif

#endif /* WSAEMU_TRACE_H */
