/*
 * wsaemu_trace.c - the recorder declared in wsaemu_trace.h.
 *
 * Each wrapper notes the clock, calls the real function, saves the error
 * number at once when the result says the call failed, then, holding one
 * lock, names the objects the call involves and writes the call's line.
 * The saved error number is set again before the wrapper returns, so the
 * program sees what the real call left. Completion routines go through a
 * trampoline that writes a routine line on the thread the system runs it
 * on, then calls the program's routine.
 *
 * This file must not be compiled with WSAEMU_RECORD defined: it calls the
 * real functions by their own names.
 */
#undef WSAEMU_RECORD
#include "wsaemu_trace.h"

#include <ws2tcpip.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define WT_MAX_OBJECTS 1024
#define WT_MAX_BUFS 8
#define WT_MAX_DATA 512
#define WT_LINE 8192

/* What an id stands for: a handle value (socket, event, port), an
 * OVERLAPPED's address, a routine's address, or a thread id. Each has its
 * own table space, since a thread id and a handle value may be equal. */
enum { K_HANDLE, K_OV, K_ROUTINE, K_THREAD };

struct wt_obj {
	int kind;
	int live;
	ULONG_PTR value;
	char id[24];
	/* OVERLAPPED records only: the event the program set, the routine it
	 * named and the buffers of the receive it was last used for. */
	HANDLE event;
	LPWSAOVERLAPPED_COMPLETION_ROUTINE routine;
	int recv;
	DWORD nbufs;
	WSABUF bufs[WT_MAX_BUFS];
};

static CRITICAL_SECTION wt_lock;
static FILE *wt_file;
static struct wt_obj wt_objs[WT_MAX_OBJECTS];
static int wt_nobjs;
static unsigned wt_counter[4];
static LARGE_INTEGER wt_freq;
static __thread int wt_depth;

struct wt_line {
	char s[WT_LINE];
	size_t n;
};

static void put(struct wt_line *l, const char *text)
{
	size_t k = strlen(text), room = sizeof l->s - 1 - l->n;
	if (k > room)
		k = room;
	memcpy(l->s + l->n, text, k);
	l->n += k;
	l->s[l->n] = 0;
}

static void putf(struct wt_line *l, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	put(l, tmp);
}

static long long now(void)
{
	LARGE_INTEGER c;
	QueryPerformanceCounter(&c);
	return c.QuadPart;
}

/* lookup finds the live object of a kind with a value, or NULL. */
static struct wt_obj *lookup(int kind, ULONG_PTR value)
{
	int i;
	for (i = wt_nobjs - 1; i >= 0; i--)
		if (wt_objs[i].live && wt_objs[i].kind == kind && wt_objs[i].value == value)
			return &wt_objs[i];
	return NULL;
}

/* fresh names a new object; prefix is what its id starts with. */
static struct wt_obj *fresh(int kind, ULONG_PTR value, const char *prefix)
{
	struct wt_obj *o;
	int i;
	for (i = 0; i < wt_nobjs; i++)
		if (wt_objs[i].live && wt_objs[i].kind == kind && wt_objs[i].value == value)
			wt_objs[i].live = 0;
	if (wt_nobjs == WT_MAX_OBJECTS) {
		/* Out of room: reuse the oldest dead slot, or give up on ids. */
		for (i = 0; i < wt_nobjs && wt_objs[i].live; i++)
			;
		if (i == wt_nobjs)
			i = 0;
		o = &wt_objs[i];
	} else {
		o = &wt_objs[wt_nobjs++];
	}
	memset(o, 0, sizeof *o);
	o->kind = kind;
	o->live = 1;
	o->value = value;
	snprintf(o->id, sizeof o->id, "%s%u", prefix, ++wt_counter[kind]);
	return o;
}

static struct wt_obj *named(int kind, ULONG_PTR value, const char *prefix)
{
	struct wt_obj *o = lookup(kind, value);
	return o ? o : fresh(kind, value, prefix);
}

/* The id of an object a call made: a handle already named (a port handed
 * back by an association) keeps its id. */
static const char *made(ULONG_PTR value, const char *prefix)
{
	return named(K_HANDLE, value, prefix)->id;
}

static void put_handle(struct wt_line *l, HANDLE h)
{
	if (h == NULL)
		put(l, "null");
	else if (h == INVALID_HANDLE_VALUE)
		put(l, "-1");
	else
		putf(l, "\"%s\"", named(K_HANDLE, (ULONG_PTR)h, "h")->id);
}

static void put_socket(struct wt_line *l, SOCKET s)
{
	if (s == INVALID_SOCKET)
		put(l, "-1");
	else
		putf(l, "\"%s\"", named(K_HANDLE, (ULONG_PTR)s, "s")->id);
}

/* ov_obj names an OVERLAPPED by its address and the event it holds now:
 * the same memory with another event is a new record for the format. */
static struct wt_obj *ov_obj(LPOVERLAPPED ov)
{
	struct wt_obj *o = lookup(K_OV, (ULONG_PTR)ov);
	if (o == NULL || o->event != ov->hEvent) {
		o = fresh(K_OV, (ULONG_PTR)ov, "ov");
		o->event = ov->hEvent;
	}
	return o;
}

/* put_record writes a record argument: null, an id, or the id with its
 * event (and lowbit when the program set the event's low bit). */
static void put_record(struct wt_line *l, LPOVERLAPPED ov)
{
	struct wt_obj *o;
	ULONG_PTR ev;
	if (ov == NULL) {
		put(l, "null");
		return;
	}
	o = ov_obj(ov);
	ev = (ULONG_PTR)ov->hEvent;
	if (ev == 0) {
		putf(l, "\"%s\"", o->id);
		return;
	}
	putf(l, "{\"id\":\"%s\",\"hEvent\":", o->id);
	put_handle(l, (HANDLE)(ev & ~(ULONG_PTR)1));
	if (ev & 1)
		put(l, ",\"lowbit\":true");
	put(l, "}");
}

/* put_ov_id writes the id of a record a call handed back (or null). */
static void put_ov_id(struct wt_line *l, LPOVERLAPPED ov)
{
	struct wt_obj *o;
	if (ov == NULL) {
		put(l, "null");
		return;
	}
	o = lookup(K_OV, (ULONG_PTR)ov);
	putf(l, "\"%s\"", o ? o->id : fresh(K_OV, (ULONG_PTR)ov, "ov")->id);
}

/* put_bytes writes {"len":N,...} with the bytes as text when they are
 * printable ASCII and as hex otherwise; more than WT_MAX_DATA bytes are
 * given by their length only. */
static void put_bytes(struct wt_line *l, const unsigned char *p, DWORD n)
{
	DWORD i;
	int text = 1;
	putf(l, "{\"len\":%lu", (unsigned long)n);
	if (n == 0 || n > WT_MAX_DATA || p == NULL) {
		put(l, "}");
		return;
	}
	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '"' || p[i] == '\\')
			text = 0;
	put(l, text ? ",\"text\":\"" : ",\"hex\":\"");
	for (i = 0; i < n; i++) {
		if (text)
			putf(l, "%c", p[i]);
		else
			putf(l, "%02x", p[i]);
	}
	put(l, "\"}");
}

/* put_bufs writes a call's buffers: their lengths, and for a send their
 * bytes when they come to no more than WT_MAX_DATA in all (so that a line
 * stays within WT_LINE). */
static void put_bufs(struct wt_line *l, const WSABUF *b, DWORD n, int withBytes)
{
	DWORD i, total = 0;
	for (i = 0; i < n; i++)
		total += b[i].len;
	if (total > WT_MAX_DATA)
		withBytes = 0;
	put(l, "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			put(l, ",");
		if (withBytes)
			put_bytes(l, (const unsigned char *)b[i].buf, b[i].len);
		else
			putf(l, "{\"len\":%lu}", (unsigned long)b[i].len);
	}
	put(l, "]");
}

/* put_data writes the first n bytes a receive left across its buffers. */
static void put_data(struct wt_line *l, const WSABUF *b, DWORD nb, DWORD n)
{
	unsigned char tmp[WT_MAX_DATA];
	DWORD i, k = 0;
	if (n > WT_MAX_DATA)
		return;
	for (i = 0; i < nb && k < n; i++) {
		DWORD take = b[i].len < n - k ? b[i].len : n - k;
		memcpy(tmp + k, b[i].buf, take);
		k += take;
	}
	if (k != n)
		return;
	put(l, ",\"data\":");
	put_bytes(l, tmp, n);
}

/* put_recv_data writes the data of a completed receive on a record the
 * recorder saw issued. */
static void put_recv_data(struct wt_line *l, LPOVERLAPPED ov, DWORD n)
{
	struct wt_obj *o = ov ? lookup(K_OV, (ULONG_PTR)ov) : NULL;
	if (o != NULL && o->recv)
		put_data(l, o->bufs, o->nbufs, n);
}

static void put_addr(struct wt_line *l, const struct sockaddr *sa)
{
	if (sa != NULL && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		const unsigned char *a = (const unsigned char *)&in->sin_addr;
		putf(l, "\"%u.%u.%u.%u:%u\"", a[0], a[1], a[2], a[3], ntohs(in->sin_port));
	} else if (sa != NULL && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		const unsigned char *a = (const unsigned char *)&in6->sin6_addr;
		int i;
		put(l, "\"[");
		for (i = 0; i < 16; i += 2)
			putf(l, "%s%x", i ? ":" : "", (a[i] << 8) | a[i + 1]);
		putf(l, "]:%u\"", ntohs(in6->sin6_port));
	} else {
		put(l, "null");
	}
}

/* begin starts a call's line; the caller holds the lock. */
static void begin(struct wt_line *l, const char *fn, long long t0)
{
	l->n = 0;
	l->s[0] = 0;
	putf(l, "{\"ev\":\"call\",\"thread\":\"%s\"",
		named(K_THREAD, GetCurrentThreadId(), "t")->id);
	if (wt_depth > 0)
		putf(l, ",\"depth\":%d", wt_depth);
	putf(l, ",\"t0\":%lld,\"t1\":%lld,\"fn\":\"%s\",\"args\":{", t0, now(), fn);
}

/* finish writes ret (already in l as text), the error when failed and
 * closes the line; the caller then writes it with emit. */
static void put_error(struct wt_line *l, int failed, DWORD err)
{
	if (failed)
		putf(l, ",\"error\":%lu", (unsigned long)err);
}

static void emit(struct wt_line *l)
{
	put(l, "}\n");
	if (wt_file != NULL) {
		fputs(l->s, wt_file);
		fflush(wt_file);
	}
}

static void lock(void) { EnterCriticalSection(&wt_lock); }

/* unlock releases the lock and sets the error number the call left. */
static void unlock(DWORD err)
{
	LeaveCriticalSection(&wt_lock);
	SetLastError(err);
}

int wt_open(const char *path)
{
	QueryPerformanceFrequency(&wt_freq);
	InitializeCriticalSection(&wt_lock);
	wt_file = fopen(path, "wb");
	if (wt_file == NULL)
		return -1;
	fprintf(wt_file, "{\"format\":\"wsaemu-trace\",\"version\":1,"
		"\"recorder\":\"wsaemu recorder/c 0.1 (QueryPerformanceCounter at %lld Hz)\","
		"\"provider\":\"ifs\",\"profile\":\"windows\",\"time_unit\":\"tick\"}\n",
		(long long)wt_freq.QuadPart);
	fflush(wt_file);
	return 0;
}

void wt_close(void)
{
	lock();
	if (wt_file != NULL)
		fclose(wt_file);
	wt_file = NULL;
	LeaveCriticalSection(&wt_lock);
}

/* ---- the trampoline for completion routines -------------------------- */

static void CALLBACK wt_trampoline(DWORD err, DWORD bytes, LPWSAOVERLAPPED ov, DWORD flags)
{
	struct wt_line l;
	struct wt_obj *o;
	LPWSAOVERLAPPED_COMPLETION_ROUTINE user = NULL;
	long long t = now();
	lock();
	o = ov ? lookup(K_OV, (ULONG_PTR)ov) : NULL;
	if (o != NULL)
		user = o->routine;
	l.n = 0;
	l.s[0] = 0;
	putf(&l, "{\"ev\":\"routine\",\"thread\":\"%s\",\"t0\":%lld,\"routine\":\"%s\",\"err\":%lu,\"bytes\":%lu,\"ov\":",
		named(K_THREAD, GetCurrentThreadId(), "t")->id, t,
		user ? named(K_ROUTINE, (ULONG_PTR)user, "cr")->id : "cr0",
		(unsigned long)err, (unsigned long)bytes);
	if (o != NULL)
		putf(&l, "\"%s\"", o->id);
	else
		put(&l, "\"NULL\"");
	putf(&l, ",\"flags\":%lu", (unsigned long)flags);
	if (err == 0)
		put_recv_data(&l, ov, bytes);
	emit(&l);
	LeaveCriticalSection(&wt_lock);
	if (user != NULL) {
		wt_depth++;
		user(err, bytes, ov, flags);
		wt_depth--;
	}
}

/* note_request remembers, for a record about to be issued, the routine the
 * program named and whether it is a receive (with its buffers, whose
 * bytes are written when the receive is seen to complete). */
static void note_request(LPOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE routine, int recv, const WSABUF *b, DWORD n)
{
	struct wt_obj *o;
	if (ov == NULL)
		return;
	lock();
	o = ov_obj(ov);
	o->routine = routine;
	o->recv = recv;
	o->nbufs = n < WT_MAX_BUFS ? n : 0;
	if (o->nbufs > 0)
		memcpy(o->bufs, b, n * sizeof *b);
	LeaveCriticalSection(&wt_lock);
}

/* ---- Winsock ------------------------------------------------------------ */

int WSAAPI wt_WSAStartup(WORD version, LPWSADATA data)
{
	struct wt_line l;
	long long t0 = now();
	int r = WSAStartup(version, data);
	lock();
	begin(&l, "WSAStartup", t0);
	putf(&l, "},\"ret\":%d", r);
	emit(&l);
	unlock(0);
	return r;
}

int WSAAPI wt_WSACleanup(void)
{
	struct wt_line l;
	long long t0 = now();
	int r = WSACleanup();
	DWORD err = r ? WSAGetLastError() : 0;
	lock();
	begin(&l, "WSACleanup", t0);
	putf(&l, "},\"ret\":%d", r);
	put_error(&l, r != 0, err);
	emit(&l);
	unlock(err);
	return r;
}

static SOCKET made_socket(const char *fn, long long t0, int af, int type, int protocol, int withFlags, DWORD flags, SOCKET s)
{
	struct wt_line l;
	DWORD err = s == INVALID_SOCKET ? WSAGetLastError() : 0;
	lock();
	begin(&l, fn, t0);
	putf(&l, "\"af\":%d,\"type\":%d,\"protocol\":%d", af, type, protocol);
	if (withFlags)
		putf(&l, ",\"flags\":%lu", (unsigned long)flags);
	if (s == INVALID_SOCKET)
		put(&l, "},\"ret\":-1");
	else
		putf(&l, "},\"ret\":\"%s\"", fresh(K_HANDLE, (ULONG_PTR)s, "s")->id);
	put_error(&l, s == INVALID_SOCKET, err);
	emit(&l);
	unlock(err);
	return s;
}

SOCKET WSAAPI wt_socket(int af, int type, int protocol)
{
	long long t0 = now();
	SOCKET s = socket(af, type, protocol);
	return made_socket("socket", t0, af, type, protocol, 0, 0, s);
}

SOCKET WSAAPI wt_WSASocketW(int af, int type, int protocol, LPWSAPROTOCOL_INFOW info, GROUP g, DWORD flags)
{
	long long t0 = now();
	SOCKET s = WSASocketW(af, type, protocol, info, g, flags);
	return made_socket("WSASocketW", t0, af, type, protocol, 1, flags, s);
}

int WSAAPI wt_bind(SOCKET s, const struct sockaddr *name, int namelen)
{
	struct wt_line l;
	long long t0 = now();
	int r = bind(s, name, namelen);
	DWORD err = r ? WSAGetLastError() : 0;
	lock();
	begin(&l, "bind", t0);
	put(&l, "\"s\":");
	put_socket(&l, s);
	put(&l, ",\"addr\":");
	put_addr(&l, name);
	putf(&l, "},\"ret\":%d", r);
	put_error(&l, r != 0, err);
	emit(&l);
	unlock(err);
	return r;
}

int WSAAPI wt_closesocket(SOCKET s)
{
	struct wt_line l;
	long long t0 = now();
	int r = closesocket(s);
	DWORD err = r ? WSAGetLastError() : 0;
	struct wt_obj *o;
	lock();
	begin(&l, "closesocket", t0);
	put(&l, "\"s\":");
	put_socket(&l, s);
	putf(&l, "},\"ret\":%d", r);
	put_error(&l, r != 0, err);
	emit(&l);
	if (r == 0 && (o = lookup(K_HANDLE, (ULONG_PTR)s)) != NULL)
		o->live = 0;
	unlock(err);
	return r;
}

/* io_call writes the line of WSARecv, WSARecvFrom, WSASend or WSASendTo. */
static void io_call(const char *fn, long long t0, int recv, SOCKET s, const WSABUF *bufs, DWORD n,
	const DWORD *count, int hadFlags, DWORD flagsIn, const DWORD *flagsOut, const struct sockaddr *to,
	const struct sockaddr *from, LPOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE routine, int r, DWORD err)
{
	struct wt_line l;
	int any = 0;
	lock();
	begin(&l, fn, t0);
	put(&l, "\"s\":");
	put_socket(&l, s);
	put(&l, ",\"buffers\":");
	put_bufs(&l, bufs, n, !recv);
	if (to != NULL) {
		put(&l, ",\"to\":");
		put_addr(&l, to);
	}
	put(&l, ",\"ov\":");
	put_record(&l, ov);
	if (routine != NULL)
		putf(&l, ",\"routine\":\"%s\"", named(K_ROUTINE, (ULONG_PTR)routine, "cr")->id);
	if (hadFlags)
		putf(&l, ",\"flags\":%lu", (unsigned long)flagsIn);
	putf(&l, "},\"ret\":%d", r);
	put_error(&l, r != 0, err);
	if (r == 0 && count != NULL) {
		putf(&l, ",\"out\":{\"bytes\":%lu", (unsigned long)*count);
		any = 1;
	}
	if (recv && flagsOut != NULL) {
		putf(&l, "%s\"flags\":%lu", any ? "," : ",\"out\":{", (unsigned long)*flagsOut);
		any = 1;
	}
	if (r == 0 && from != NULL) {
		put(&l, any ? ",\"from\":" : ",\"out\":{\"from\":");
		put_addr(&l, from);
		any = 1;
	}
	if (recv && r == 0 && count != NULL)
		put_data(&l, bufs, n, *count);
	if (any)
		put(&l, "}");
	emit(&l);
	unlock(err);
}

int WSAAPI wt_WSARecv(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD recvd, LPDWORD flags,
	LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE routine)
{
	long long t0 = now();
	DWORD flagsIn = flags ? *flags : 0;
	int r;
	DWORD err;
	note_request(ov, routine, 1, bufs, n);
	r = WSARecv(s, bufs, n, recvd, flags, ov, routine ? wt_trampoline : NULL);
	err = r ? WSAGetLastError() : 0;
	io_call("WSARecv", t0, 1, s, bufs, n, recvd, flags != NULL, flagsIn, flags, NULL, NULL, ov, routine, r, err);
	return r;
}

int WSAAPI wt_WSARecvFrom(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD recvd, LPDWORD flags,
	struct sockaddr *from, LPINT fromlen, LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE routine)
{
	long long t0 = now();
	DWORD flagsIn = flags ? *flags : 0;
	int r;
	DWORD err;
	note_request(ov, routine, 1, bufs, n);
	r = WSARecvFrom(s, bufs, n, recvd, flags, from, fromlen, ov, routine ? wt_trampoline : NULL);
	err = r ? WSAGetLastError() : 0;
	io_call("WSARecvFrom", t0, 1, s, bufs, n, recvd, flags != NULL, flagsIn, flags, NULL, from, ov, routine, r, err);
	return r;
}

int WSAAPI wt_WSASend(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent, DWORD flags,
	LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE routine)
{
	long long t0 = now();
	int r;
	DWORD err;
	note_request(ov, routine, 0, bufs, n);
	r = WSASend(s, bufs, n, sent, flags, ov, routine ? wt_trampoline : NULL);
	err = r ? WSAGetLastError() : 0;
	io_call("WSASend", t0, 0, s, bufs, n, sent, 1, flags, NULL, NULL, NULL, ov, routine, r, err);
	return r;
}

int WSAAPI wt_WSASendTo(SOCKET s, LPWSABUF bufs, DWORD n, LPDWORD sent, DWORD flags,
	const struct sockaddr *to, int tolen, LPWSAOVERLAPPED ov, LPWSAOVERLAPPED_COMPLETION_ROUTINE routine)
{
	long long t0 = now();
	int r;
	DWORD err;
	note_request(ov, routine, 0, bufs, n);
	r = WSASendTo(s, bufs, n, sent, flags, to, tolen, ov, routine ? wt_trampoline : NULL);
	err = r ? WSAGetLastError() : 0;
	io_call("WSASendTo", t0, 0, s, bufs, n, sent, 1, flags, NULL, to, NULL, ov, routine, r, err);
	return r;
}

BOOL WSAAPI wt_WSAGetOverlappedResult(SOCKET s, LPWSAOVERLAPPED ov, LPDWORD bytes, BOOL wait, LPDWORD flags)
{
	struct wt_line l;
	long long t0 = now();
	BOOL r = WSAGetOverlappedResult(s, ov, bytes, wait, flags);
	DWORD err = r ? 0 : WSAGetLastError();
	lock();
	begin(&l, "WSAGetOverlappedResult", t0);
	put(&l, "\"s\":");
	put_socket(&l, s);
	put(&l, ",\"ov\":");
	put_record(&l, ov);
	putf(&l, ",\"wait\":%s},\"ret\":%d", wait ? "true" : "false", r ? 1 : 0);
	put_error(&l, !r, err);
	if (r) {
		putf(&l, ",\"out\":{\"bytes\":%lu,\"flags\":%lu", (unsigned long)*bytes, (unsigned long)*flags);
		put_recv_data(&l, ov, *bytes);
		put(&l, "}");
	}
	emit(&l);
	unlock(err);
	return r;
}

/* ---- kernel32 ----------------------------------------------------------- */

BOOL WINAPI wt_GetOverlappedResult(HANDLE h, LPOVERLAPPED ov, LPDWORD bytes, BOOL wait)
{
	struct wt_line l;
	long long t0 = now();
	BOOL r = GetOverlappedResult(h, ov, bytes, wait);
	DWORD err = r ? 0 : GetLastError();
	lock();
	begin(&l, "GetOverlappedResult", t0);
	put(&l, "\"h\":");
	put_handle(&l, h);
	put(&l, ",\"ov\":");
	put_record(&l, ov);
	putf(&l, ",\"wait\":%s},\"ret\":%d", wait ? "true" : "false", r ? 1 : 0);
	put_error(&l, !r, err);
	if (r) {
		putf(&l, ",\"out\":{\"bytes\":%lu", (unsigned long)*bytes);
		put_recv_data(&l, ov, *bytes);
		put(&l, "}");
	}
	emit(&l);
	unlock(err);
	return r;
}

BOOL WINAPI wt_CancelIoEx(HANDLE h, LPOVERLAPPED ov)
{
	struct wt_line l;
	long long t0 = now();
	BOOL r = CancelIoEx(h, ov);
	DWORD err = r ? 0 : GetLastError();
	lock();
	begin(&l, "CancelIoEx", t0);
	put(&l, "\"h\":");
	put_handle(&l, h);
	if (ov != NULL) {
		put(&l, ",\"ov\":");
		put_record(&l, ov);
	}
	putf(&l, "},\"ret\":%d", r ? 1 : 0);
	put_error(&l, !r, err);
	emit(&l);
	unlock(err);
	return r;
}

static HANDLE made_event(const char *fn, long long t0, int withArgs, BOOL manual, BOOL initial, HANDLE h)
{
	struct wt_line l;
	DWORD err = h ? 0 : GetLastError();
	lock();
	begin(&l, fn, t0);
	if (withArgs)
		putf(&l, "\"manual\":%s,\"initial\":%s", manual ? "true" : "false", initial ? "true" : "false");
	if (h == NULL)
		put(&l, "},\"ret\":0");
	else
		putf(&l, "},\"ret\":\"%s\"", fresh(K_HANDLE, (ULONG_PTR)h, "e")->id);
	put_error(&l, h == NULL, err);
	emit(&l);
	unlock(err);
	return h;
}

WSAEVENT WSAAPI wt_WSACreateEvent(void)
{
	long long t0 = now();
	return made_event("WSACreateEvent", t0, 0, TRUE, FALSE, WSACreateEvent());
}

HANDLE WINAPI wt_CreateEventW(LPSECURITY_ATTRIBUTES sa, BOOL manual, BOOL initial, LPCWSTR name)
{
	long long t0 = now();
	return made_event("CreateEventW", t0, 1, manual, initial, CreateEventW(sa, manual, initial, name));
}

/* handle_call writes the line of a call whose one argument is a handle
 * and whose result is a BOOL. */
static void handle_call(const char *fn, long long t0, HANDLE h, BOOL r, DWORD err)
{
	struct wt_line l;
	lock();
	begin(&l, fn, t0);
	put(&l, "\"h\":");
	put_handle(&l, h);
	putf(&l, "},\"ret\":%d", r ? 1 : 0);
	put_error(&l, !r, err);
	emit(&l);
	unlock(err);
}

BOOL WINAPI wt_SetEvent(HANDLE h)
{
	long long t0 = now();
	BOOL r = SetEvent(h);
	handle_call("SetEvent", t0, h, r, r ? 0 : GetLastError());
	return r;
}

BOOL WINAPI wt_ResetEvent(HANDLE h)
{
	long long t0 = now();
	BOOL r = ResetEvent(h);
	handle_call("ResetEvent", t0, h, r, r ? 0 : GetLastError());
	return r;
}

/* known reports whether a recorded call made h; calls on other handles
 * (threads, files) pass through unrecorded. */
static int known(HANDLE h)
{
	int k;
	lock();
	k = lookup(K_HANDLE, (ULONG_PTR)h) != NULL;
	LeaveCriticalSection(&wt_lock);
	return k;
}

BOOL WINAPI wt_CloseHandle(HANDLE h)
{
	long long t0 = now();
	int k = known(h);
	BOOL r = CloseHandle(h);
	DWORD err = r ? 0 : GetLastError();
	struct wt_obj *o;
	if (!k)
		return r;
	handle_call("CloseHandle", t0, h, r, err);
	lock();
	if (r && (o = lookup(K_HANDLE, (ULONG_PTR)h)) != NULL)
		o->live = 0;
	unlock(err);
	return r;
}

static void wait_call(const char *fn, long long t0, HANDLE h, DWORD ms, int withAlertable, BOOL alertable, DWORD r, DWORD err)
{
	struct wt_line l;
	lock();
	begin(&l, fn, t0);
	if (h != NULL) {
		put(&l, "\"h\":");
		put_handle(&l, h);
		put(&l, ",");
	}
	putf(&l, "\"ms\":%lu", (unsigned long)ms);
	if (withAlertable)
		putf(&l, ",\"alertable\":%s", alertable ? "true" : "false");
	putf(&l, "},\"ret\":%lu", (unsigned long)r);
	put_error(&l, r == WAIT_FAILED, err);
	emit(&l);
	unlock(err);
}

DWORD WINAPI wt_WaitForSingleObject(HANDLE h, DWORD ms)
{
	long long t0 = now();
	int k = known(h);
	DWORD r = WaitForSingleObject(h, ms);
	DWORD err = r == WAIT_FAILED ? GetLastError() : 0;
	if (k)
		wait_call("WaitForSingleObject", t0, h, ms, 0, FALSE, r, err);
	SetLastError(err);
	return r;
}

DWORD WINAPI wt_WaitForSingleObjectEx(HANDLE h, DWORD ms, BOOL alertable)
{
	long long t0 = now();
	int k = known(h);
	DWORD r = WaitForSingleObjectEx(h, ms, alertable);
	DWORD err = r == WAIT_FAILED ? GetLastError() : 0;
	if (k)
		wait_call("WaitForSingleObjectEx", t0, h, ms, 1, alertable, r, err);
	SetLastError(err);
	return r;
}

DWORD WINAPI wt_SleepEx(DWORD ms, BOOL alertable)
{
	long long t0 = now();
	DWORD r = SleepEx(ms, alertable);
	wait_call("SleepEx", t0, NULL, ms, 1, alertable, r, 0);
	return r;
}

HANDLE WINAPI wt_CreateIoCompletionPort(HANDLE file, HANDLE port, ULONG_PTR key, DWORD threads)
{
	struct wt_line l;
	long long t0 = now();
	HANDLE r = CreateIoCompletionPort(file, port, key, threads);
	DWORD err = r ? 0 : GetLastError();
	lock();
	begin(&l, "CreateIoCompletionPort", t0);
	put(&l, "\"file\":");
	put_handle(&l, file);
	put(&l, ",\"port\":");
	put_handle(&l, port);
	putf(&l, ",\"key\":%llu", (unsigned long long)key);
	if (r == NULL)
		put(&l, "},\"ret\":0");
	else
		putf(&l, "},\"ret\":\"%s\"", made((ULONG_PTR)r, "p"));
	put_error(&l, r == NULL, err);
	emit(&l);
	unlock(err);
	return r;
}

BOOL WINAPI wt_GetQueuedCompletionStatus(HANDLE port, LPDWORD bytes, PULONG_PTR key, LPOVERLAPPED *ov, DWORD ms)
{
	struct wt_line l;
	long long t0 = now();
	BOOL r = GetQueuedCompletionStatus(port, bytes, key, ov, ms);
	DWORD err = r ? 0 : GetLastError();
	lock();
	begin(&l, "GetQueuedCompletionStatus", t0);
	put(&l, "\"port\":");
	put_handle(&l, port);
	putf(&l, ",\"ms\":%lu},\"ret\":%d", (unsigned long)ms, r ? 1 : 0);
	put_error(&l, !r, err);
	if (r || *ov != NULL) {
		/* A packet was dequeued (failed or not): its three fields. */
		putf(&l, ",\"out\":{\"bytes\":%lu,\"key\":%llu,\"ov\":", (unsigned long)*bytes, (unsigned long long)*key);
		put_ov_id(&l, *ov);
		if (err == 0)
			put_recv_data(&l, *ov, *bytes);
		put(&l, "}");
	} else {
		put(&l, ",\"out\":{\"ov\":null}");
	}
	emit(&l);
	unlock(err);
	return r;
}

BOOL WINAPI wt_PostQueuedCompletionStatus(HANDLE port, DWORD bytes, ULONG_PTR key, LPOVERLAPPED ov)
{
	struct wt_line l;
	long long t0 = now();
	BOOL r = PostQueuedCompletionStatus(port, bytes, key, ov);
	DWORD err = r ? 0 : GetLastError();
	lock();
	begin(&l, "PostQueuedCompletionStatus", t0);
	put(&l, "\"port\":");
	put_handle(&l, port);
	putf(&l, ",\"bytes\":%lu,\"key\":%llu,\"ov\":", (unsigned long)bytes, (unsigned long long)key);
	put_record(&l, ov);
	putf(&l, "},\"ret\":%d", r ? 1 : 0);
	put_error(&l, !r, err);
	emit(&l);
	unlock(err);
	return r;
}
