/*
 * demo.c - a small C program that uses overlapped UDP on loopback the three
 * ways Windows reports a completion, recorded by wsaemu_trace.c:
 *
 *   - a WSARecv whose OVERLAPPED carries an event: the main thread waits on
 *     the event, then asks WSAGetOverlappedResult;
 *   - a WSARecv on a socket tied to a completion port: the main thread
 *     dequeues the packet with GetQueuedCompletionStatus;
 *   - a WSARecv with a completion routine: the routine runs while the main
 *     thread sleeps alertably in SleepEx.
 *
 * A second thread (CreateThread) sends the three datagrams. The program
 * prints "demo: OK" and exits 0 when every result is the one expected.
 *
 * Usage: demo.exe TRACE-FILE
 */
#include <winsock2.h>
#include <windows.h>
#include <stdio.h>
#include <string.h>

#define WSAEMU_RECORD
#include "wsaemu_trace.h"

/* Fixed loopback ports, so that the trace names the same addresses on
 * every run. */
#define PORT_EVENT 47311
#define PORT_IOCP 47312
#define PORT_ROUTINE 47313
#define WAIT_MS 10000

static int failures;

static void expect(int ok, const char *what)
{
	if (!ok) {
		printf("demo: FAILED: %s\n", what);
		failures++;
	}
}

static struct sockaddr_in loopback(unsigned short port)
{
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static SOCKET udp_bound(unsigned short port)
{
	struct sockaddr_in a = loopback(port);
	SOCKET s = WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, NULL, 0, WSA_FLAG_OVERLAPPED);
	expect(s != INVALID_SOCKET, "WSASocketW");
	expect(bind(s, (struct sockaddr *)&a, sizeof a) == 0, "bind");
	return s;
}

/* The sender thread: one datagram to each receiving socket, each a plain
 * (non-overlapped) WSASendTo. */
static DWORD WINAPI sender(LPVOID arg)
{
	static const char *msgs[3] = {"one", "two", "three"};
	static const unsigned short ports[3] = {PORT_EVENT, PORT_IOCP, PORT_ROUTINE};
	SOCKET w = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	int i;
	(void)arg;
	expect(w != INVALID_SOCKET, "socket");
	for (i = 0; i < 3; i++) {
		struct sockaddr_in to = loopback(ports[i]);
		WSABUF b;
		DWORD sent = 0;
		b.len = (ULONG)strlen(msgs[i]);
		b.buf = (char *)msgs[i];
		expect(WSASendTo(w, &b, 1, &sent, 0, (struct sockaddr *)&to, sizeof to, NULL, NULL) == 0, "WSASendTo");
		expect(sent == b.len, "WSASendTo sent every byte");
	}
	expect(closesocket(w) == 0, "closesocket (sender)");
	return 0;
}

static volatile LONG routine_runs;
static DWORD routine_bytes;

static void CALLBACK on_receive(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
	(void)ov;
	(void)flags;
	/* No Winsock calls here: the checker does not model calls made
	 * inside a routine yet. */
	expect(err == 0, "routine's dwError");
	routine_bytes = bytes;
	InterlockedIncrement(&routine_runs);
}

int main(int argc, char **argv)
{
	WSADATA wd;
	SOCKET re, rp, rr;
	HANDLE ev, port, th;
	char be[16], bp[16], br[16];
	WSABUF we, wp, wr;
	WSAOVERLAPPED oe, op, orr;
	DWORD n, flags, bytes;
	ULONG_PTR key;
	LPOVERLAPPED got;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: demo TRACE-FILE\n");
		return 2;
	}
	if (wt_open(argv[1]) != 0) {
		fprintf(stderr, "demo: cannot write %s\n", argv[1]);
		return 2;
	}
	expect(WSAStartup(MAKEWORD(2, 2), &wd) == 0, "WSAStartup");

	re = udp_bound(PORT_EVENT);
	rp = udp_bound(PORT_IOCP);
	rr = udp_bound(PORT_ROUTINE);
	ev = CreateEventW(NULL, TRUE, FALSE, NULL);
	expect(ev != NULL, "CreateEventW");
	port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
	expect(port != NULL, "CreateIoCompletionPort (new port)");
	expect(CreateIoCompletionPort((HANDLE)rp, port, 7, 0) == port, "CreateIoCompletionPort (tie the socket)");

	/* Three receives, none of which can complete yet: no datagram is
	 * on its way before the sender starts. */
	memset(&oe, 0, sizeof oe);
	oe.hEvent = ev;
	we.len = sizeof be;
	we.buf = be;
	flags = 0;
	r = WSARecv(re, &we, 1, &n, &flags, &oe, NULL);
	expect(r == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING, "WSARecv (event) pends");

	memset(&op, 0, sizeof op);
	wp.len = sizeof bp;
	wp.buf = bp;
	flags = 0;
	r = WSARecv(rp, &wp, 1, &n, &flags, &op, NULL);
	expect(r == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING, "WSARecv (port) pends");

	memset(&orr, 0, sizeof orr);
	wr.len = sizeof br;
	wr.buf = br;
	flags = 0;
	r = WSARecv(rr, &wr, 1, &n, &flags, &orr, on_receive);
	expect(r == SOCKET_ERROR && WSAGetLastError() == WSA_IO_PENDING, "WSARecv (routine) pends");

	th = CreateThread(NULL, 0, sender, NULL, 0, NULL);
	expect(th != NULL, "CreateThread");

	/* 1. The event. */
	expect(WaitForSingleObject(ev, WAIT_MS) == WAIT_OBJECT_0, "the event is set");
	expect(WSAGetOverlappedResult(re, &oe, &bytes, FALSE, &flags), "WSAGetOverlappedResult");
	expect(bytes == 3 && memcmp(be, "one", 3) == 0, "the event's receive got \"one\"");

	/* 2. The port. */
	got = NULL;
	expect(GetQueuedCompletionStatus(port, &bytes, &key, &got, WAIT_MS), "GetQueuedCompletionStatus");
	expect(got == &op && key == 7 && bytes == 3 && memcmp(bp, "two", 3) == 0, "the port's packet is the receive of \"two\"");

	/* 3. The routine, in an alertable sleep. */
	expect(SleepEx(WAIT_MS, TRUE) == WAIT_IO_COMPLETION, "SleepEx returns WAIT_IO_COMPLETION");
	expect(routine_runs == 1 && routine_bytes == 5 && memcmp(br, "three", 5) == 0, "the routine ran once for \"three\"");

	/* The thread's handle is not an object of the format: the recorder
	 * passes these two calls through without a record. */
	expect(WaitForSingleObject(th, WAIT_MS) == WAIT_OBJECT_0, "the sender ends");
	CloseHandle(th);

	expect(closesocket(re) == 0, "closesocket");
	expect(closesocket(rp) == 0, "closesocket");
	expect(closesocket(rr) == 0, "closesocket");
	expect(CloseHandle(ev), "CloseHandle (event)");
	expect(CloseHandle(port), "CloseHandle (port)");
	expect(WSACleanup() == 0, "WSACleanup");
	wt_close();

	if (failures > 0)
		return 1;
	printf("demo: OK\n");
	return 0;
}
