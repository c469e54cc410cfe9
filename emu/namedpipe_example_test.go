package emu_test

import (
	"fmt"

	"github.com/wsaemu/wsaemu/emu"
)

// A named-pipe echo server and its client, each an ordinary goroutine
// making blocking calls: the client waits with WaitNamedPipe until the
// pipe exists and listens, the server waits in ConnectNamedPipe until the
// client's CreateFile connects it, echoes one message and disconnects;
// the client's next read then fails with ERROR_PIPE_NOT_CONNECTED.
func ExampleThread_ConnectNamedPipe() {
	const name = `\\.\pipe\echo`
	s := emu.New(emu.WithProfile(emu.ProfileWindows))
	s.Go("server", func(t *emu.Thread) {
		srv, err := t.CreateNamedPipe(name, emu.PIPE_ACCESS_DUPLEX,
			emu.PIPE_TYPE_MESSAGE|emu.PIPE_READMODE_MESSAGE, 1, 512, 512)
		if err != nil {
			fmt.Println("server:", err)
			return
		}
		fmt.Println("server: ConnectNamedPipe:", t.ConnectNamedPipe(srv, nil))
		buf := make([]byte, 64)
		var n uint32
		t.ReadFile(srv, buf, &n, nil)
		t.WriteFile(srv, buf[:n], &n, nil)
		t.FlushFileBuffers(srv) // until the client has read the answer
		fmt.Println("server: DisconnectNamedPipe:", t.DisconnectNamedPipe(srv))
		t.CloseHandle(srv)
	})
	s.Go("client", func(t *emu.Thread) {
		// Until the server has made the pipe, the name is not found.
		for t.WaitNamedPipe(name, emu.INFINITE) != nil {
			t.Sleep(1)
		}
		cli, err := t.CreateFile(name, emu.GENERIC_READ|emu.GENERIC_WRITE, false)
		if err != nil {
			fmt.Println("client:", err)
			return
		}
		var n uint32
		t.WriteFile(cli, []byte("ping"), &n, nil)
		buf := make([]byte, 64)
		t.ReadFile(cli, buf, &n, nil)
		fmt.Printf("client: got %q\n", buf[:n])
		err = t.ReadFile(cli, buf, &n, nil)
		fmt.Println("client: next read:", err.(emu.Errno).Name())
		t.CloseHandle(cli)
	})
	if err := s.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// server: ConnectNamedPipe: <nil>
	// server: DisconnectNamedPipe: <nil>
	// client: got "ping"
	// client: next read: ERROR_PIPE_NOT_CONNECTED
}
